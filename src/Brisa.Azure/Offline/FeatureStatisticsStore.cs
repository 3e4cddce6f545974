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
/// a copy of the run with rows whose range ends last. The leading underscore keeps Spark, DuckDB and Synapse from
/// reading the folder as a partition of the data (as with <c>_watermarks</c>).
/// </summary>
public sealed class FeatureStatisticsStore
{
    private readonly BlobContainerClient offline;

    private FeatureStatisticsStore(BlobContainerClient offline) => this.offline = offline;

    /// <summary>The store of an account.</summary>
    /// <param name="storage">The account.</param>
    /// <returns>The store.</returns>
    public static FeatureStatisticsStore For(BrisaStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new FeatureStatisticsStore(storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer));
    }

    /// <summary>The blob of a view's latest statistics.</summary>
    /// <param name="view">The view.</param>
    /// <returns><c>_stats/&lt;view&gt;/latest.json</c>.</returns>
    public static string LatestBlobName(string view) => $"_stats/{view}/latest.json";

    /// <summary>The blob of one run's statistics.</summary>
    /// <param name="view">The view.</param>
    /// <param name="runId">The run.</param>
    /// <returns><c>_stats/&lt;view&gt;/runs/&lt;run-id&gt;.json</c>.</returns>
    public static string RunBlobName(string view, string runId) => $"_stats/{view}/runs/{runId}.json";

    /// <summary>
    /// Stores a run's statistics, and makes them the latest unless the run wrote no rows or the stored latest covers a
    /// range ending later (a retried old slice does not hide a newer run). The latest is replaced with <c>If-Match</c>
    /// on its ETag, so concurrent slices of one view cannot lose the newer one.
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
        if (statistics.Rows == 0)
        {
            return false;
        }

        var latest = offline.GetBlobClient(LatestBlobName(statistics.View));
        while (true)
        {
            var (current, etag) = await ReadAsync(latest, cancellationToken);
            if (current is not null && current.To > statistics.To)
            {
                return false;
            }

            try
            {
                var conditions = etag is { } e ? new BlobRequestConditions { IfMatch = e } : new BlobRequestConditions { IfNoneMatch = ETag.All };
                await latest.UploadAsync(json, new BlobUploadOptions { HttpHeaders = headers, Conditions = conditions }, cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another run replaced it meanwhile: compare again.
            }
        }
    }

    /// <summary>A view's latest statistics; null before its first run with rows.</summary>
    /// <param name="view">The view.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The statistics, or null.</returns>
    public async Task<ViewStatistics?> ReadLatestAsync(string view, CancellationToken cancellationToken = default) =>
        (await ReadAsync(offline.GetBlobClient(LatestBlobName(view)), cancellationToken)).Statistics;

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
        (await ReadAsync(offline.GetBlobClient(RunBlobName(view, runId)), cancellationToken)).Statistics;

    private static async Task<(ViewStatistics? Statistics, ETag? ETag)> ReadAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken);
            return (content.Value.Content.ToObjectFromJson<ViewStatistics>(TrainingReport.JsonOptions), content.Value.Details.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return (null, null);
        }
    }
}
