using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Brisa.Azure.Storage;
using Brisa.Core.Materialization;
using Brisa.Core.Modeling;

namespace Brisa.Azure.Offline;

/// <summary>
/// Materialization statistics in the offline container, next to the data they describe:
/// <c>offline/_stats/&lt;view&gt;/runs/&lt;run-id&gt;.json</c> for every run, and <c>offline/_stats/&lt;view&gt;/latest.json</c>,
/// a copy of the run with rows whose range ends last; the <see cref="RunsKept"/> newest run files of a view are kept
/// (and the one <c>latest.json</c> copies), older ones deleted after each write. The leading underscore keeps Spark,
/// DuckDB and Synapse from reading the folder as a partition of the data (as with <c>_watermarks</c>).
/// </summary>
public sealed class FeatureStatisticsStore
{
    /// <summary>
    /// Run files kept per view by default: 100, about four days of hourly incremental slices. Nothing reads old runs
    /// (the catalog shows <c>latest.json</c>), and the storage lifecycle policy cannot select them per view.
    /// </summary>
    public const int RunsKept = 100;

    private readonly BlobContainerClient offline;
    private readonly int runsKept;

    private FeatureStatisticsStore(BlobContainerClient offline, int runsKept)
    {
        this.offline = offline;
        this.runsKept = runsKept;
    }

    /// <summary>The store of an account.</summary>
    /// <param name="storage">The account.</param>
    /// <param name="runsKept">Run files kept per view (at least 1); <see cref="RunsKept"/> by default.</param>
    /// <returns>The store.</returns>
    public static FeatureStatisticsStore For(BrisaStorage storage, int runsKept = RunsKept)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentOutOfRangeException.ThrowIfLessThan(runsKept, 1);
        return new FeatureStatisticsStore(storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer), runsKept);
    }

    /// <summary>The blob of a view's latest statistics.</summary>
    /// <param name="view">The view.</param>
    /// <returns><c>_stats/&lt;view&gt;/latest.json</c>.</returns>
    public static string LatestBlobName(string view) => $"_stats/{view}/latest.json";

    /// <summary>The blob of one run's statistics.</summary>
    /// <param name="view">The view.</param>
    /// <param name="runId">The run.</param>
    /// <returns><c>_stats/&lt;view&gt;/runs/&lt;run-id&gt;.json</c>.</returns>
    public static string RunBlobName(string view, string runId) => $"{RunsPrefix(view)}{runId}.json";

    private static string RunsPrefix(string view) => $"_stats/{view}/runs/";

    /// <summary>
    /// Stores a run's statistics, and makes them the latest unless the run wrote no rows or the stored latest covers a
    /// range ending later (a retried old slice does not hide a newer run), or one ending alike by a run that started
    /// reading the raw zone later (<see cref="ViewStatistics.RawAsOf"/>: an older slice of the same range that finishes
    /// last kept that run's newer files, so its own rows are partly gone). The latest is replaced with <c>If-Match</c>
    /// on its ETag, so concurrent slices of one view cannot lose the newer one. Then keeps only the view's
    /// <see cref="RunsKept"/> newest run files (and the latest's own), deleting older ones.
    /// </summary>
    /// <param name="statistics">The run's statistics.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when they became the latest.</returns>
    public async Task<bool> WriteAsync(ViewStatistics statistics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        var json = BinaryData.FromString(JsonSerializer.Serialize(statistics, TrainingReport.JsonOptions));
        var headers = new BlobHttpHeaders { ContentType = "application/json" };
        await offline.GetBlobClient(RunBlobName(statistics.View, statistics.RunId))
            .UploadAsync(json, new BlobUploadOptions { HttpHeaders = headers }, cancellationToken);
        var latest = offline.GetBlobClient(LatestBlobName(statistics.View));
        var stored = default(StoredBlob<ViewStatistics>);
        var written = statistics.Rows > 0 && await UnlessNewer.WriteAsync(
            null,
            async ct => stored = await ReadAsync(latest, ct),
            current => current.Value is { } newer && (newer.To > statistics.To || (newer.To == statistics.To && newer.RawAsOf > statistics.RawAsOf)),
            (conditions, ct) => latest.UploadAsync(json, new BlobUploadOptions { HttpHeaders = headers, Conditions = conditions }, ct),
            cancellationToken);
        var latestRun = written ? statistics.RunId : (stored.Value ?? (await ReadAsync(latest, cancellationToken)).Value)?.RunId;
        await PruneRunsAsync(statistics.View, latestRun, cancellationToken);
        return written;
    }

    /// <summary>A view's latest statistics; null before its first run with rows.</summary>
    /// <param name="view">The view.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The statistics, or null.</returns>
    public async Task<ViewStatistics?> ReadLatestAsync(string view, CancellationToken cancellationToken = default) =>
        (await ReadAsync(offline.GetBlobClient(LatestBlobName(view)), cancellationToken)).Value;

    /// <summary>The latest statistics of several views (those without any are left out), read in parallel.</summary>
    /// <param name="views">The views.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>Statistics by view name.</returns>
    public async Task<IReadOnlyDictionary<string, ViewStatistics>> ReadLatestAsync(IEnumerable<string> views, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(views);
        var read = await Task.WhenAll(views.Distinct(StringComparer.Ordinal).Select(v => ReadLatestAsync(v, cancellationToken)));
        return read.OfType<ViewStatistics>().ToDictionary(s => s.View, StringComparer.Ordinal);
    }

    /// <summary>One run's statistics; null when there is no such run.</summary>
    /// <param name="view">The view.</param>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The statistics, or null.</returns>
    public async Task<ViewStatistics?> ReadRunAsync(string view, string runId, CancellationToken cancellationToken = default) =>
        (await ReadAsync(offline.GetBlobClient(RunBlobName(view, runId)), cancellationToken)).Value;

    // Run ids start with the run's completion time, so names sort oldest first; a new run is among the newest.
    private async Task PruneRunsAsync(string view, string? latestRun, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var blob in offline.GetBlobsAsync(BlobTraits.None, BlobStates.None, RunsPrefix(view), cancellationToken))
        {
            names.Add(blob.Name);
        }

        var keep = latestRun is null ? null : RunBlobName(view, latestRun);
        foreach (var name in names.Order(StringComparer.Ordinal).SkipLast(runsKept).Where(n => n != keep))
        {
            // Concurrent slices of the view prune the same files: one that is gone already is fine.
            await offline.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
    }

    private static async Task<StoredBlob<ViewStatistics>> ReadAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken);
            return new(content.Value.Content.ToObjectFromJson<ViewStatistics>(TrainingReport.JsonOptions), content.Value.Details.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return default;
        }
    }
}
