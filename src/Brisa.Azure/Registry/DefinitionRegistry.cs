using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;

namespace Brisa.Azure.Registry;

/// <summary>
/// The deployed definitions (DESIGN §3): immutable versions at <c>registry/versions/&lt;version&gt;.json</c>
/// (the version is the content hash) and a pointer <c>registry/current.json</c> naming the live version and the
/// git commit it came from. Apply writes the version, then moves the pointer with an ETag check so two
/// concurrent applies cannot silently overwrite each other.
/// </summary>
public sealed class DefinitionRegistry(BlobContainerClient container)
{
    private const string PointerName = "current.json";

    /// <summary>Creates the registry over the account's registry container.</summary>
    public static DefinitionRegistry For(BrisaStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new DefinitionRegistry(storage.Blobs.GetBlobContainerClient(StorageNames.RegistryContainer));
    }

    /// <summary>The pointer to the live version, or null when nothing was applied yet.</summary>
    public async Task<RegistryPointer?> GetPointerAsync(CancellationToken cancellationToken = default)
    {
        var pointer = await ReadPointerAsync(cancellationToken);
        return pointer?.Pointer;
    }

    /// <summary>The live definitions, or null when nothing was applied yet.</summary>
    public async Task<FeatureRepositoryDefinition?> LoadCurrentAsync(CancellationToken cancellationToken = default)
    {
        var pointer = await ReadPointerAsync(cancellationToken);
        return pointer is null ? null : await LoadVersionAsync(pointer.Value.Pointer.Version, cancellationToken);
    }

    /// <summary>One stored version.</summary>
    public async Task<FeatureRepositoryDefinition> LoadVersionAsync(string version, CancellationToken cancellationToken = default)
    {
        var content = await container.GetBlobClient(VersionName(version)).DownloadContentAsync(cancellationToken);
        return FeatureRepositoryDefinition.FromJson(content.Value.Content.ToString());
    }

    /// <summary>What applying <paramref name="proposed"/> would change.</summary>
    public async Task<IReadOnlyList<DefinitionChange>> PlanAsync(FeatureRepositoryDefinition proposed, CancellationToken cancellationToken = default) =>
        DefinitionDiff.Compute(await LoadCurrentAsync(cancellationToken), proposed);

    /// <summary>Publishes the definitions and makes them live; returns the new pointer.</summary>
    public async Task<RegistryPointer> ApplyAsync(FeatureRepositoryDefinition definitions, string? gitCommit, DateTimeOffset appliedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var version = definitions.ComputeVersion();
        await container.GetBlobClient(VersionName(version)).UploadAsync(BinaryData.FromString(definitions.ToJson()), overwrite: true, cancellationToken);

        var existing = await ReadPointerAsync(cancellationToken);

        // Re-applying the live version records the new commit and time but keeps the version it replaced.
        var previous = existing?.Pointer is not { } live ? null : live.Version == version ? live.PreviousVersion : live.Version;
        var pointer = new RegistryPointer(version, gitCommit, appliedAt, previous);
        var conditions = existing is { } e ? new BlobRequestConditions { IfMatch = e.ETag } : new BlobRequestConditions { IfNoneMatch = ETag.All };
        try
        {
            await container.GetBlobClient(PointerName).UploadAsync(
                BinaryData.FromString(JsonSerializer.Serialize(pointer, RegistryJson.Default.RegistryPointer)),
                new BlobUploadOptions { Conditions = conditions },
                cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            throw new InvalidOperationException("Another apply changed the registry at the same time; run plan again and re-apply.", ex);
        }

        return pointer;
    }

    private async Task<(RegistryPointer Pointer, ETag ETag)?> ReadPointerAsync(CancellationToken cancellationToken)
    {
        try
        {
            var content = await container.GetBlobClient(PointerName).DownloadContentAsync(cancellationToken);
            var pointer = JsonSerializer.Deserialize(content.Value.Content.ToString(), RegistryJson.Default.RegistryPointer)
                ?? throw new InvalidDataException("registry/current.json is empty.");
            return (pointer, content.Value.Details.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private static string VersionName(string version) => $"versions/{version}.json";
}

/// <summary>The live definitions version.</summary>
/// <param name="Version">Content hash of the definitions.</param>
/// <param name="GitCommit">The commit they came from, when applied from a checkout.</param>
/// <param name="AppliedAt">When they were applied.</param>
/// <param name="PreviousVersion">The version they replaced.</param>
public sealed record RegistryPointer(string Version, string? GitCommit, DateTimeOffset AppliedAt, string? PreviousVersion);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(RegistryPointer))]
internal sealed partial class RegistryJson : JsonSerializerContext;
