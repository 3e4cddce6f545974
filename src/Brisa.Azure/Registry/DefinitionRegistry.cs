using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Brisa.Azure.Models;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;

namespace Brisa.Azure.Registry;

/// <summary>
/// The deployed definitions (DESIGN §3): immutable versions at <c>registry/versions/&lt;version&gt;.json</c>
/// (the version is the content hash) and a pointer <c>registry/current.json</c> naming the live version and the
/// git commit it came from. Apply writes the version, then moves the pointer with an ETag check against the pointer
/// its plan was computed from, so two concurrent applies cannot silently overwrite each other.
/// </summary>
/// <param name="container">The registry container.</param>
/// <param name="models">
/// The model registry whose champions a plan checks (<see cref="ServingModel"/>): each is served with the inputs it was
/// trained on, which its model's definition may no longer list. Without it, a plan judges by the definitions alone.
/// </param>
public sealed class DefinitionRegistry(BlobContainerClient container, ModelRegistry? models = null)
{
    private const string PointerName = "current.json";

    /// <summary>Creates the registry over the account's registry container.</summary>
    public static DefinitionRegistry For(BrisaStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new DefinitionRegistry(storage.Blobs.GetBlobContainerClient(StorageNames.RegistryContainer), new ModelRegistry(storage));
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

    /// <summary>
    /// One stored version. It may break policy rules added or tightened since it was applied: it loads, and
    /// <see cref="FeatureRepositoryDefinition.StoredWarnings"/> says which (<see cref="FeatureRepositoryDefinition.FromJson"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The version is malformed, or breaks a rule this release needs to run it; the message names the version.</exception>
    public async Task<FeatureRepositoryDefinition> LoadVersionAsync(string version, CancellationToken cancellationToken = default)
    {
        var content = await container.GetBlobClient(VersionName(version)).DownloadContentAsync(cancellationToken);
        try
        {
            return FeatureRepositoryDefinition.FromJson(content.Value.Content.ToString());
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"The applied definitions ({container.Name}/{VersionName(version)}) cannot be loaded by this release of Brisa. {ex.Message}", ex);
        }
    }

    /// <summary>What applying <paramref name="proposed"/> would change.</summary>
    public async Task<IReadOnlyList<DefinitionChange>> PlanAsync(FeatureRepositoryDefinition proposed, CancellationToken cancellationToken = default) =>
        (await PlanChangesAsync(proposed, cancellationToken)).Changes;

    /// <summary>
    /// What applying <paramref name="proposed"/> would change, and the live version it was computed against: pass it
    /// to <see cref="ApplyAsync(FeatureRepositoryDefinition, RegistryPlan, string?, DateTimeOffset, CancellationToken)"/>
    /// so that the apply fails if the registry moved since, instead of overwriting a change the plan never showed.
    /// </summary>
    /// <remarks>
    /// A live version this release cannot load (applied by a newer build with keys it does not know, which is what a
    /// code rollback meets, or breaking a rule it needs) cannot be compared: the plan is then one breaking change
    /// saying so, and applying replaces the live version whole (with <c>--allow-breaking</c>) rather than failing
    /// every apply until someone edits the registry by hand.
    /// </remarks>
    public async Task<RegistryPlan> PlanChangesAsync(FeatureRepositoryDefinition proposed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        var live = await ReadPointerAsync(cancellationToken);
        FeatureRepositoryDefinition? current = null;
        try
        {
            if (live is { } l)
            {
                current = await LoadVersionAsync(l.Pointer.Version, cancellationToken);
            }
        }
        catch (InvalidDataException ex) when (live is { } unreadableLive)
        {
            var unreadable = new DefinitionChange(
                ChangeKind.Change,
                "project",
                proposed.Project,
                Breaking: $"the live version {unreadableLive.Pointer.Version[..12]} cannot be read by this release, so what applying changes cannot be shown; applying replaces it whole. {ex.Message}",
                Details: "replaces a version this release cannot read (applied by a newer Brisa build?)");
            return new RegistryPlan(unreadableLive.Pointer, [unreadable]) { PointerETag = unreadableLive.ETag };
        }

        var serving = current is null ? [] : await ChampionsAsync(proposed, cancellationToken);
        return new RegistryPlan(live?.Pointer, DefinitionDiff.Compute(current, proposed, serving)) { PointerETag = live?.ETag, DeployedWarnings = current?.StoredWarnings ?? [] };
    }

    // The champions of the models the proposed definitions keep (the others are served no more), with their inputs.
    private async Task<IReadOnlyList<ServingModel>> ChampionsAsync(FeatureRepositoryDefinition proposed, CancellationToken cancellationToken)
    {
        var champions = new List<ServingModel>();
        if (models is null)
        {
            return champions;
        }

        foreach (var model in proposed.Models)
        {
            if ((await models.GetAliasesAsync(model.Name, cancellationToken)).Aliases.Champion is { } champion
                && await models.GetMetadataAsync(model.Name, champion, cancellationToken) is { } report)
            {
                champions.Add(new ServingModel(model.Name, champion, [.. report.Inputs.Select(i => i.Name)]));
            }
        }

        return champions;
    }

    /// <summary>Publishes the definitions and makes them live, whatever the live version is now; returns the new pointer.</summary>
    public async Task<RegistryPointer> ApplyAsync(FeatureRepositoryDefinition definitions, string? gitCommit, DateTimeOffset appliedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var existing = await ReadPointerAsync(cancellationToken);
        return await PublishAsync(definitions, existing?.Pointer, existing?.ETag, gitCommit, appliedAt, cancellationToken);
    }

    /// <summary>
    /// Publishes the definitions and makes them live if the live version is still the one <paramref name="plan"/> was
    /// computed against; returns the new pointer.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another apply moved the registry since the plan.</exception>
    public Task<RegistryPointer> ApplyAsync(FeatureRepositoryDefinition definitions, RegistryPlan plan, string? gitCommit, DateTimeOffset appliedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(plan);
        return PublishAsync(definitions, plan.Deployed, plan.PointerETag, gitCommit, appliedAt, cancellationToken);
    }

    // Moves the pointer from `existing` (null: nothing deployed) with an ETag check, so it fails if the pointer moved.
    private async Task<RegistryPointer> PublishAsync(FeatureRepositoryDefinition definitions, RegistryPointer? existing, ETag? etag, string? gitCommit, DateTimeOffset appliedAt, CancellationToken cancellationToken)
    {
        var version = definitions.ComputeVersion();
        await container.GetBlobClient(VersionName(version)).UploadAsync(BinaryData.FromString(definitions.ToJson()), overwrite: true, cancellationToken);

        // Re-applying the live version records the new commit and time but keeps the version it replaced.
        var previous = existing is null ? null : existing.Version == version ? existing.PreviousVersion : existing.Version;
        var pointer = new RegistryPointer(version, gitCommit, appliedAt, previous);
        var conditions = etag is { } e ? new BlobRequestConditions { IfMatch = e } : new BlobRequestConditions { IfNoneMatch = ETag.All };
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

/// <summary>A plan: the changes from the live version it was computed against to the proposed definitions.</summary>
/// <param name="Deployed">The live version's pointer when the plan was made; null when nothing was applied yet.</param>
/// <param name="Changes">The changes, as <see cref="DefinitionDiff.Compute"/> gives them.</param>
public sealed record RegistryPlan(RegistryPointer? Deployed, IReadOnlyList<DefinitionChange> Changes)
{
    /// <summary>The policy rules the live version breaks (<see cref="FeatureRepositoryDefinition.StoredWarnings"/>): fix them before the next apply.</summary>
    public IReadOnlyList<DefinitionDiagnostic> DeployedWarnings { get; init; } = [];

    /// <summary>The pointer blob's ETag when the plan was made.</summary>
    internal ETag? PointerETag { get; init; }
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
