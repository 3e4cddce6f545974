using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;

namespace Brisa.Azure.Models;

/// <summary>
/// The model registry in Blob (container <c>models</c>): immutable versions <c>&lt;model&gt;/&lt;version&gt;/model.zip</c> +
/// <c>metadata.json</c> (+ <c>report.html</c>), aliases in <c>&lt;model&gt;/aliases.json</c> updated with ETag
/// concurrency, and an append-only audit log <c>&lt;model&gt;/history.jsonl</c>. A version is complete once its
/// metadata.json exists (written last); aliases can only point at complete versions.
/// </summary>
public sealed class ModelRegistry
{
    private const string MetadataFile = "metadata.json";
    private const string ModelFile = "model.zip";
    private const string ReportFile = "report.html";
    private const string AliasesFile = "aliases.json";
    private const string HistoryFile = "history.jsonl";
    private const string LockFile = ".lock";

    // Writes of a champion change that lost to concurrent alias updates leaving the champion as it was.
    private const int ChampionChangeAttempts = 5;

    private static readonly JsonSerializerOptions LineOptions = new(TrainingReport.JsonOptions) { WriteIndented = false };

    /// <summary>
    /// The largest model.zip <see cref="DownloadModelAsync"/> reads by default, and the most its entries may unpack to:
    /// 256 MiB, far above a trained Brisa model (well under 1 MiB for the sample) and far below an instance's memory.
    /// </summary>
    public const long DefaultMaxModelZipBytes = 256L * 1024 * 1024;

    private readonly BlobContainerClient container;
    private readonly TimeProvider time;
    private readonly long maxModelZipBytes;

    /// <summary>A registry over a container.</summary>
    /// <param name="container">The models container.</param>
    /// <param name="timeProvider">The clock of alias and history timestamps.</param>
    /// <param name="maxModelZipBytes">The largest model.zip read, and the most it may unpack to (setting <c>Brisa:Models:MaxZipBytes</c> in the app); at most <see cref="Array.MaxLength"/>.</param>
    public ModelRegistry(BlobContainerClient container, TimeProvider? timeProvider = null, long maxModelZipBytes = DefaultMaxModelZipBytes)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxModelZipBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxModelZipBytes, Array.MaxLength); // read into one array
        this.container = container;
        time = timeProvider ?? TimeProvider.System;
        this.maxModelZipBytes = maxModelZipBytes;
    }

    /// <summary>A registry over the account's <see cref="StorageNames.ModelsContainer"/> container.</summary>
    /// <param name="storage">The storage clients.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="maxModelZipBytes">The largest model.zip read, and the most it may unpack to.</param>
    public ModelRegistry(BrisaStorage storage, TimeProvider? timeProvider = null, long maxModelZipBytes = DefaultMaxModelZipBytes)
        : this((storage ?? throw new ArgumentNullException(nameof(storage))).Blobs.GetBlobContainerClient(StorageNames.ModelsContainer), timeProvider, maxModelZipBytes)
    {
    }

    /// <summary>The container.</summary>
    public BlobContainerClient Container => container;

    /// <summary>The largest model.zip <see cref="DownloadModelAsync"/> reads, and the most its entries may unpack to.</summary>
    public long MaxModelZipBytes => maxModelZipBytes;

    /// <summary>
    /// Writes a new version: model.zip, then report.html, then metadata.json, each only if absent (If-None-Match *).
    /// </summary>
    /// <param name="metadata">The report; its <see cref="TrainingReport.Model"/> and <see cref="TrainingReport.Version"/> name the blobs.</param>
    /// <param name="modelZip">The ML.NET zip.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    /// <exception cref="InvalidOperationException">The version already exists (versions are immutable).</exception>
    public async Task SaveVersionAsync(TrainingReport metadata, ReadOnlyMemory<byte> modelZip, CancellationToken cancellationToken = default)
    {
        CheckModel(metadata.Model);
        ArgumentNullException.ThrowIfNull(metadata);
        CheckVersion(metadata.Version);
        var prefix = $"{metadata.Model}/{metadata.Version}/";
        await CreateAsync(prefix + ModelFile, BinaryData.FromBytes(modelZip), "application/zip", cancellationToken).ConfigureAwait(false);
        await CreateAsync(prefix + ReportFile, BinaryData.FromString(TrainingReportHtml.Render(metadata)), "text/html; charset=utf-8", cancellationToken).ConfigureAwait(false);
        await CreateAsync(prefix + MetadataFile, BinaryData.FromString(metadata.ToJson()), "application/json", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Models that have at least one blob.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Model names, sorted.</returns>
    public async Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<string>();
        await foreach (var item in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", null, cancellationToken).ConfigureAwait(false))
        {
            if (item.IsPrefix)
            {
                result.Add(item.Prefix.TrimEnd('/'));
            }
        }

        return [.. result.Order(StringComparer.Ordinal)];
    }

    /// <summary>Complete versions of a model (with metadata.json), oldest first (version ids sort by training time, to the millisecond).</summary>
    /// <param name="model">The model.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Version ids.</returns>
    public async Task<IReadOnlyList<string>> ListVersionsAsync(string model, CancellationToken cancellationToken = default)
    {
        CheckModel(model);
        var result = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, model + "/", cancellationToken).ConfigureAwait(false))
        {
            var parts = blob.Name.Split('/');
            if (parts.Length == 3 && parts[2] == MetadataFile && ModelVersionId.IsValid(parts[1]))
            {
                result.Add(parts[1]);
            }
        }

        return [.. result.Order(StringComparer.Ordinal)];
    }

    /// <summary>When the newest version of a model was trained, or null when it has none (what a model's own retraining schedule counts from).</summary>
    /// <param name="model">The model.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The newest version's training time, or null.</returns>
    public async Task<DateTimeOffset?> LastTrainedAtAsync(string model, CancellationToken cancellationToken = default)
    {
        var versions = await ListVersionsAsync(model, cancellationToken).ConfigureAwait(false);
        return versions.Count == 0 ? null : (await GetMetadataAsync(model, versions[^1], cancellationToken).ConfigureAwait(false))?.TrainedAt;
    }

    /// <summary>The metadata of a version, or null when it does not exist.</summary>
    /// <param name="model">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The metadata or null.</returns>
    public async Task<TrainingReport?> GetMetadataAsync(string model, string version, CancellationToken cancellationToken = default)
    {
        CheckModel(model);
        CheckVersion(version);
        var content = await DownloadOrNullAsync($"{model}/{version}/{MetadataFile}", cancellationToken).ConfigureAwait(false);
        return content is null ? null : TrainingReport.FromJson(content.Content.ToString());
    }

    /// <summary>
    /// The model.zip of a version, refused before it is read when the blob is larger than <see cref="MaxModelZipBytes"/>,
    /// and once read when its entries declare more than that unpacked: loading it (ML.NET unpacks it in memory) could
    /// take the instance's memory, for every request or training run that tried.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="InvalidOperationException">The version does not exist.</exception>
    /// <exception cref="ModelTooLargeException">The file, or what it unpacks to, is over the limit.</exception>
    public async Task<byte[]> DownloadModelAsync(string model, string version, CancellationToken cancellationToken = default)
    {
        CheckModel(model);
        CheckVersion(version);
        BlobDownloadStreamingResult download;
        try
        {
            download = (await container.GetBlobClient($"{model}/{version}/{ModelFile}").DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new InvalidOperationException($"Model '{model}' has no version '{version}'.", ex);
        }

        using (download)
        {
            var length = download.Details.ContentLength;
            if (length > maxModelZipBytes)
            {
                throw new ModelTooLargeException(model, version, $"is {length} bytes", maxModelZipBytes);
            }

            var bytes = new byte[length];
            await download.Content.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            if (UnpackedBytes(bytes) is { } unpacked && unpacked > maxModelZipBytes)
            {
                throw new ModelTooLargeException(model, version, $"unpacks to {unpacked} bytes", maxModelZipBytes);
            }

            return bytes;
        }
    }

    /// <summary>The aliases and their ETag (empty aliases and a null ETag when none were written yet).</summary>
    /// <param name="model">The model.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The snapshot.</returns>
    public async Task<AliasesSnapshot> GetAliasesAsync(string model, CancellationToken cancellationToken = default)
    {
        CheckModel(model);
        var content = await DownloadOrNullAsync($"{model}/{AliasesFile}", cancellationToken).ConfigureAwait(false);
        return content is null
            ? new AliasesSnapshot(new ModelAliases(), null)
            : new AliasesSnapshot(JsonSerializer.Deserialize<ModelAliases>(content.Content.ToString(), TrainingReport.JsonOptions) ?? new ModelAliases(), content.Details.ETag);
    }

    /// <summary>
    /// Makes <paramref name="version"/> the champion, if the champion is still <paramref name="expectedChampion"/>
    /// (checked against the aliases' ETag; a concurrent update that left the champion as it was, such as a challenger
    /// set meanwhile, is read again and the promotion made on it). The old champion is pushed on <see cref="ModelAliases.PreviousChampions"/>
    /// (which never holds the champion, nor a version twice: an earlier champion promoted again leaves the list).
    /// Records the promotion in the history.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="version">A complete version.</param>
    /// <param name="expectedChampion">The champion the decision was taken against (null = none).</param>
    /// <param name="reason">Why.</param>
    /// <param name="actor">Who.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The new aliases.</returns>
    /// <exception cref="ModelConcurrencyException">The champion is not <paramref name="expectedChampion"/>, or concurrent updates kept winning.</exception>
    public async Task<ModelAliases> PromoteAsync(string model, string version, string? expectedChampion, string reason, string? actor, CancellationToken cancellationToken = default)
    {
        CheckModel(model);
        await RequireCompleteAsync(model, version, cancellationToken).ConfigureAwait(false);
        var (before, updated) = await ChangeChampionAsync(
            model,
            expectedChampion,
            firstReadDecides: false,
            current => Task.FromResult(current with
            {
                Champion = version,
                Challenger = current.Challenger == version ? null : current.Challenger,
                PreviousChampions = Replaced(current, version),
                UpdatedAt = time.GetUtcNow(),
            }),
            (champion, expected) => $"Model '{model}': the champion is {champion ?? "none"}, not {expected ?? "none"} as the promotion of {version} assumed; re-evaluate against the new champion.",
            cancellationToken).ConfigureAwait(false);
        await AppendHistoryAsync(model, new ModelHistoryEntry(time.GetUtcNow(), ModelHistoryAction.Promote, version, before.Champion, reason, actor), cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>Makes <paramref name="version"/> the challenger (ETag-conditional, retried on conflict) and records it.</summary>
    /// <param name="model">The model.</param>
    /// <param name="version">A complete version.</param>
    /// <param name="reason">Why it was not promoted.</param>
    /// <param name="actor">Who.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The new aliases.</returns>
    public async Task<ModelAliases> SetChallengerAsync(string model, string version, string reason, string? actor, CancellationToken cancellationToken = default)
    {
        CheckModel(model);
        await RequireCompleteAsync(model, version, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var snapshot = await GetAliasesAsync(model, cancellationToken).ConfigureAwait(false);
            var updated = snapshot.Aliases with { Challenger = version, UpdatedAt = time.GetUtcNow() };
            try
            {
                await WriteAliasesAsync(model, updated, snapshot.ETag, cancellationToken).ConfigureAwait(false);
                await AppendHistoryAsync(model, new ModelHistoryEntry(time.GetUtcNow(), ModelHistoryAction.Challenger, version, snapshot.Aliases.Champion, reason, actor), cancellationToken).ConfigureAwait(false);
                return updated;
            }
            catch (ModelConcurrencyException) when (attempt < 5)
            {
                // Someone else changed the aliases; setting the challenger does not depend on them: read and retry.
            }
        }
    }

    /// <summary>
    /// Rolls the champion back: to <paramref name="toVersion"/> when given (a complete version), else to the most
    /// recent previous champion. Going back to a previous champion drops it and the champions after it from
    /// <see cref="ModelAliases.PreviousChampions"/> (the versions rolled back from); going to any other version
    /// replaces the champion as a promotion does, so a later plain rollback restores the replaced one. A challenger
    /// that becomes champion is no longer the challenger. With <paramref name="expectedChampion"/>, only if the champion
    /// is still that version; without, only if it is still the one first read (a promotion landing meanwhile is not
    /// rolled back in its place). ETag-conditional, as a promotion; recorded in the history.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="toVersion">The version to restore, or null for the previous champion.</param>
    /// <param name="reason">Why.</param>
    /// <param name="actor">Who.</param>
    /// <param name="expectedChampion">The champion the operator decided to roll back from (null: whichever it is).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The new aliases.</returns>
    /// <exception cref="InvalidOperationException">There is nothing to roll back to.</exception>
    /// <exception cref="ModelConcurrencyException">The champion is not <paramref name="expectedChampion"/> (or not the one first read), or concurrent updates kept winning.</exception>
    public async Task<ModelAliases> RollbackAsync(string model, string? toVersion, string reason, string? actor, string? expectedChampion = null, CancellationToken cancellationToken = default)
    {
        CheckModel(model);
        var (before, updated) = await ChangeChampionAsync(
            model,
            expectedChampion,
            firstReadDecides: expectedChampion is null,
            async current =>
            {
                // Lists written before the champion was kept out of them may still hold it; it is not a version to go back to.
                var previous = current.PreviousChampions.Where(v => v != current.Champion).ToList();
                var target = toVersion ?? (previous.Count > 0 ? previous[^1] : null)
                    ?? throw new InvalidOperationException($"Model '{model}' has no previous champion to roll back to (champion: {current.Champion ?? "none"}); name the version to make champion instead.");
                if (target == current.Champion)
                {
                    throw new InvalidOperationException($"Model '{model}': {target} is already the champion.");
                }

                await RequireCompleteAsync(model, target, cancellationToken).ConfigureAwait(false);
                var index = previous.LastIndexOf(target);
                return current with
                {
                    Champion = target,
                    Challenger = current.Challenger == target ? null : current.Challenger,
                    PreviousChampions = index >= 0 ? previous[..index] : Replaced(current, target),
                    UpdatedAt = time.GetUtcNow(),
                };
            },
            (champion, expected) => $"Model '{model}': the champion is {champion ?? "none"}, not {expected ?? "none"} as the rollback assumed; nothing was rolled back.",
            cancellationToken).ConfigureAwait(false);
        await AppendHistoryAsync(model, new ModelHistoryEntry(time.GetUtcNow(), ModelHistoryAction.Rollback, updated.Champion!, before.Champion, reason, actor), cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>The audit history, oldest first.</summary>
    /// <param name="model">The model.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The entries.</returns>
    public async Task<IReadOnlyList<ModelHistoryEntry>> GetHistoryAsync(string model, CancellationToken cancellationToken = default)
    {
        CheckModel(model);
        var content = await DownloadOrNullAsync($"{model}/{HistoryFile}", cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return [];
        }

        return [.. content.Content.ToString()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize<ModelHistoryEntry>(line, LineOptions)!)];
    }

    /// <summary>Appends one entry to the history (an append blob: concurrent appends never overwrite each other).</summary>
    /// <param name="model">The model.</param>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    public async Task AppendHistoryAsync(string model, ModelHistoryEntry entry, CancellationToken cancellationToken = default)
    {
        CheckModel(model);
        var blob = container.GetAppendBlobClient($"{model}/{HistoryFile}");
        await blob.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, LineOptions) + "\n");
        using var stream = new MemoryStream(line);
        await blob.AppendBlockAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes the training lock of a model (a blob lease on <c>&lt;model&gt;/.lock</c>), waiting up to <paramref name="wait"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="wait">How long to wait for another run to finish (zero: do not wait).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The held lock, or null when another run holds it.</returns>
    public Task<ModelTrainingLock?> TryLockForTrainingAsync(string model, TimeSpan wait, CancellationToken cancellationToken = default) =>
        ModelTrainingLock.TryAcquireAsync(container.GetBlobClient($"{model}/{LockFile}"), wait, time, cancellationToken);

    /// <summary>The previous champions once <paramref name="champion"/> replaces the current one: without it, the replaced one last.</summary>
    private static List<string> Replaced(ModelAliases current, string champion)
    {
        var previous = current.PreviousChampions.Where(v => v != champion && v != current.Champion).ToList();
        if (current.Champion is { } replaced && replaced != champion)
        {
            previous.Add(replaced);
        }

        return previous;
    }

    /// <summary>
    /// Changes the champion: reads the aliases, refuses unless the champion is <paramref name="expectedChampion"/> (with
    /// <paramref name="firstReadDecides"/>, whichever the first read finds), and writes <paramref name="change"/>'s
    /// aliases if nobody wrote them since (ETag). A write that lost to a change leaving the champion as it was (a
    /// challenger set by a retraining on another instance) is decided again on the new aliases: only a change of
    /// champion refuses it.
    /// </summary>
    private async Task<(ModelAliases Before, ModelAliases After)> ChangeChampionAsync(
        string model,
        string? expectedChampion,
        bool firstReadDecides,
        Func<ModelAliases, Task<ModelAliases>> change,
        Func<string?, string?, string> refusal,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var snapshot = await GetAliasesAsync(model, cancellationToken).ConfigureAwait(false);
            var current = snapshot.Aliases;
            if (firstReadDecides && attempt == 1)
            {
                expectedChampion = current.Champion;
            }

            if (current.Champion != expectedChampion)
            {
                throw new ModelConcurrencyException(refusal(current.Champion, expectedChampion));
            }

            var updated = await change(current).ConfigureAwait(false);
            try
            {
                await WriteAliasesAsync(model, updated, snapshot.ETag, cancellationToken).ConfigureAwait(false);
                return (current, updated);
            }
            catch (ModelConcurrencyException) when (attempt < ChampionChangeAttempts)
            {
                // Read again: the champion decides whether this change still holds.
            }
        }
    }

    private async Task WriteAliasesAsync(string model, ModelAliases aliases, ETag? etag, CancellationToken cancellationToken)
    {
        var conditions = etag is { } e ? new BlobRequestConditions { IfMatch = e } : new BlobRequestConditions { IfNoneMatch = ETag.All };
        try
        {
            await container.GetBlobClient($"{model}/{AliasesFile}").UploadAsync(
                BinaryData.FromString(JsonSerializer.Serialize(aliases, TrainingReport.JsonOptions)),
                new BlobUploadOptions { Conditions = conditions, HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            throw new ModelConcurrencyException($"Model '{model}': the aliases changed concurrently ({ex.ErrorCode}); nothing was changed.", ex);
        }
    }

    private async Task RequireCompleteAsync(string model, string version, CancellationToken cancellationToken)
    {
        CheckVersion(version);
        var exists = await container.GetBlobClient($"{model}/{version}/{MetadataFile}").ExistsAsync(cancellationToken).ConfigureAwait(false);
        if (!exists.Value)
        {
            throw new InvalidOperationException($"Model '{model}' has no complete version '{version}' (no metadata.json); an alias can only point at a fully written version.");
        }
    }

    private async Task CreateAsync(string name, BinaryData content, string contentType, CancellationToken cancellationToken)
    {
        try
        {
            await container.GetBlobClient(name).UploadAsync(
                content,
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, HttpHeaders = new BlobHttpHeaders { ContentType = contentType } },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            throw new InvalidOperationException($"'{name}' already exists: model versions are immutable.", ex);
        }
    }

    private async Task<BlobDownloadResult?> DownloadOrNullAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return response.Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    // What the zip's central directory says its entries unpack to (ZipArchive inflates an entry no further than its
    // declared length); null when it is no zip, which ML.NET then refuses with its own error.
    private static long? UnpackedBytes(byte[] zip)
    {
        try
        {
            using var archive = new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read);
            return archive.Entries.Sum(e => e.Length);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static void CheckModel(string model)
    {
        // The name becomes a blob prefix: only a definition name may (no '/', '..', or characters a URL reinterprets).
        if (!DefinitionNames.IsValidName(model))
        {
            throw new ArgumentException($"'{model}' is not a model name (lowercase snake_case).", nameof(model));
        }
    }

    private static void CheckVersion(string version)
    {
        if (!ModelVersionId.IsValid(version))
        {
            throw new ArgumentException($"'{version}' is not a model version id (v{{yyyyMMddHHmmssfff}}-{{hash8}}).", nameof(version));
        }
    }
}
