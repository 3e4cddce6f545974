using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Brisa.Azure.Online;
using Brisa.Azure.RawZone;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Materialization;

namespace Brisa.Azure.Offline;

/// <summary>Options of a materialization run.</summary>
public sealed record MaterializeOptions
{
    /// <summary>
    /// Write the latest values of online batch-only views (<c>streaming: false</c>) to the online table. Default true;
    /// rows holding newer values are kept either way, so turning it off for an old range saves the reads; for an entity no
    /// later run has written, values as of an old range end would be served until the view's TTL (see the README).
    /// </summary>
    public bool WriteOnline { get; init; } = true;

    /// <summary>Partitions written concurrently to the online table. Default 16.</summary>
    public int OnlineParallelism { get; init; } = 16;
}

/// <summary>Progress of a run, reported after each hour of each source.</summary>
/// <param name="Source">The source being read.</param>
/// <param name="HourStart">The hour just processed.</param>
/// <param name="HoursDone">Hours processed so far (all sources).</param>
/// <param name="HoursTotal">Hours to process (all sources, lookback included).</param>
/// <param name="Events">Events read so far.</param>
/// <param name="Rows">Offline rows written so far.</param>
public readonly record struct MaterializationProgress(string Source, DateTimeOffset HourStart, int HoursDone, int HoursTotal, long Events, long Rows);

/// <summary>What a run did for one view.</summary>
/// <param name="View">The view name.</param>
/// <param name="Rows">Offline rows written.</param>
/// <param name="Files">Offline files written.</param>
/// <param name="OnlineRows">Online value rows written (0 for streaming views or when online writes are off).</param>
/// <param name="Statistics">Statistics of the rows written, stored under <c>offline/_stats/&lt;view&gt;/</c> (<see cref="FeatureStatisticsStore"/>).</param>
public sealed record ViewMaterializationSummary(string View, long Rows, int Files, int OnlineRows, ViewStatistics Statistics);

/// <summary>What a run did.</summary>
/// <param name="From">The range start actually materialized (the requested start moved back to its UTC day start).</param>
/// <param name="To">The range end (exclusive).</param>
/// <param name="Events">Distinct raw events read (lookback included).</param>
/// <param name="Duplicates">Events found again in another raw file and ignored.</param>
/// <param name="PeakEntities">The most entities held at once (summed over views): the memory bound.</param>
/// <param name="Views">Per view.</param>
public sealed record MaterializationSummary(DateTimeOffset From, DateTimeOffset To, long Events, long Duplicates, long PeakEntities, IReadOnlyList<ViewMaterializationSummary> Views);

/// <summary>
/// Batch materialization from the raw zone (DESIGN §2, §5): for each source, a streaming pass over its raw hour
/// partitions in time order that feeds <see cref="SourceMaterializer"/>, writes each hour's rows to
/// <c>offline/&lt;view&gt;/date=YYYY-MM-DD/part-HH.parquet</c> (deterministic names: a rerun overwrites the same files
/// with the same content, and deletes the file of an hour in the range that has no rows now; never a file a run that
/// started later wrote: <see cref="RawAsOfMetadata"/>), and finally writes the latest values of batch-only online
/// views to the online table (rows holding newer values are kept).
/// Every run also computes the statistics of the rows it wrote, per view, in bounded memory
/// (<see cref="ViewStatisticsBuilder"/>), and stores them with the run (<see cref="FeatureStatisticsStore"/>).
/// </summary>
public sealed class FeatureMaterializer
{
    private readonly FeaturePlan plan;
    private readonly RawZoneReader raw;
    private readonly BlobContainerClient offline;
    private readonly OnlineValueStore online;
    private readonly FeatureStatisticsStore statistics;
    private readonly TimeProvider time;

    /// <summary>Creates a materializer over an account.</summary>
    /// <param name="storage">The account.</param>
    /// <param name="definitions">The definitions.</param>
    /// <param name="time">The clock that stamps each run's statistics; the system clock when null.</param>
    public FeatureMaterializer(BrisaStorage storage, FeatureRepositoryDefinition definitions, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(definitions);
        plan = FeaturePlan.Compile(definitions, trackEventIds: false);
        raw = RawZoneReader.For(storage);
        offline = storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        online = OnlineValueStore.For(storage);
        statistics = FeatureStatisticsStore.For(storage);
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Blob metadata of every offline file: the instant the run that wrote it started reading the raw zone (ISO 8601,
    /// UTC). A file is replaced or deleted only by a run whose as-of is not older (<c>If-Match</c> the ETag compared).
    /// </summary>
    public const string RawAsOfMetadata = "raw_as_of";

    /// <summary>The compiled definitions.</summary>
    public FeaturePlan Plan => plan;

    /// <summary>The blob name of an offline file: <c>&lt;view&gt;/date=YYYY-MM-DD/part-HH.parquet</c>.</summary>
    /// <param name="view">The view name.</param>
    /// <param name="hourStartUnixTicks">The hour of the rows' feature times.</param>
    /// <returns>The name.</returns>
    public static string BlobName(string view, long hourStartUnixTicks)
    {
        var hour = TiledView.FromUnixTicks(hourStartUnixTicks).UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{view}/date={hour:yyyy-MM-dd}/part-{hour:HH}.parquet");
    }

    /// <summary>Materializes [from, to) for some or all views.</summary>
    /// <param name="from">Range start, on an hour boundary; moved back to its UTC day start so each date partition is complete.</param>
    /// <param name="to">Range end (exclusive), on an hour boundary.</param>
    /// <param name="views">View names; null for every view.</param>
    /// <param name="options">Options.</param>
    /// <param name="progress">Receives progress after each hour.</param>
    /// <param name="cancellationToken">Cancels the run (files already written stay; a rerun overwrites them).</param>
    /// <returns>The summary.</returns>
    public async Task<MaterializationSummary> MaterializeAsync(
        DateTimeOffset from,
        DateTimeOffset to,
        IReadOnlyCollection<string>? views = null,
        MaterializeOptions? options = null,
        IProgress<MaterializationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new MaterializeOptions();
        var selected = views is null ? plan.Views : views.Select(v => plan.FindView(v) ?? throw new ArgumentException($"Unknown view '{v}'.", nameof(views))).ToArray();
        // Every raw file that landed before now is read below: the files this run writes are as of this instant.
        var asOf = time.GetUtcNow();
        var fromTicks = TiledView.ToUnixTicks(from);
        var toTicks = TiledView.ToUnixTicks(to);
        var materializers = selected.GroupBy(v => v.Definition.Source, StringComparer.Ordinal)
            .Select(g => new SourceMaterializer(g.ToArray(), fromTicks, toTicks))
            .ToArray();
        var hoursTotal = materializers.Sum(m => m.HourCount);
        int hoursDone = 0;
        long events = 0, duplicates = 0, rowsWritten = 0, peak = 0;
        var perView = selected.ToDictionary(v => v.Name, _ => (Rows: 0L, Files: 0, Online: 0), StringComparer.Ordinal);
        var stats = selected.ToDictionary(v => v.Name, v => new ViewStatisticsBuilder(v, plan.Definitions), StringComparer.Ordinal);
        foreach (var materializer in materializers)
        {
            var schema = plan.Schemas.Single(s => s.SourceName == materializer.Source);
            var stored = new Dictionary<string, StoredBlob<DateTimeOffset?>>(StringComparer.Ordinal);
            long storedDay = long.MinValue;
            while (!materializer.IsComplete)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var hour = materializer.NextHourTicks;
                var batches = await raw.ReadHourAsync(schema, hour, cancellationToken);
                var result = materializer.ProcessHour(batches);
                events += result.Events;
                duplicates += result.Duplicates;
                if (hour >= materializer.FromTicks && SourceMaterializer.FloorDay(hour) != storedDay)
                {
                    storedDay = SourceMaterializer.FloorDay(hour);
                    await ListStoredAsync(materializer.Views, storedDay, stored, cancellationToken);
                }

                foreach (var rows in result.Rows)
                {
                    var name = BlobName(rows.View.Name, hour);
                    if (rows.Count == 0)
                    {
                        // An hour that has no rows now (the view's windows or tile changed since) keeps no older run's
                        // file: an as-of reader would take its rows as current.
                        if (stored.TryGetValue(name, out var old))
                        {
                            await DeleteUnlessNewerAsync(offline.GetBlobClient(name), old, asOf, cancellationToken);
                        }

                        continue;
                    }

                    using var buffer = new MemoryStream();
                    await OfflineFeatureParquet.WriteAsync(rows, plan.Definitions, buffer, cancellationToken);
                    if (!await UploadUnlessNewerAsync(offline.GetBlobClient(name), stored.GetValueOrDefault(name), buffer, asOf, cancellationToken))
                    {
                        continue;
                    }

                    var entry = perView[rows.View.Name];
                    perView[rows.View.Name] = (entry.Rows + rows.Count, entry.Files + 1, entry.Online);
                    rowsWritten += rows.Count;
                    stats[rows.View.Name].Add(rows);
                }

                hoursDone++;
                progress?.Report(new MaterializationProgress(materializer.Source, TiledView.FromUnixTicks(hour), hoursDone, hoursTotal, events, rowsWritten));
            }

            peak += materializer.PeakEntityCount;
            if (options.WriteOnline)
            {
                foreach (var latest in materializer.LatestValues().Where(l => l.View.Definition.Online && !l.View.Definition.Streaming))
                {
                    var written = await online.WriteAsync(latest, plan.Definitions, asOf, options.OnlineParallelism, cancellationToken);
                    var entry = perView[latest.View.Name];
                    perView[latest.View.Name] = (entry.Rows, entry.Files, entry.Online + written);
                }
            }
        }

        var actualFrom = materializers.Length == 0 ? from : TiledView.FromUnixTicks(materializers.Min(m => m.FromTicks));
        var finished = time.GetUtcNow();
        var summaries = new List<ViewMaterializationSummary>(selected.Count);
        foreach (var view in selected)
        {
            var viewStatistics = stats[view.Name].Build(actualFrom, to, finished) with { RawAsOf = asOf };
            await statistics.WriteAsync(viewStatistics, cancellationToken);
            var entry = perView[view.Name];
            summaries.Add(new ViewMaterializationSummary(view.Name, entry.Rows, entry.Files, entry.Online, viewStatistics));
        }

        return new MaterializationSummary(actualFrom, to, events, duplicates, peak, summaries);
    }

    // The offline files stored for one day of the views with their as-of and ETag, listed once per day of the range
    // (one request per view): writing a file costs no read unless another run wrote it since.
    private async Task ListStoredAsync(IEnumerable<ViewPlan> views, long dayTicks, Dictionary<string, StoredBlob<DateTimeOffset?>> stored, CancellationToken cancellationToken)
    {
        stored.Clear();
        var day = TiledView.FromUnixTicks(dayTicks).UtcDateTime;
        foreach (var view in views)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"{view.Name}/date={day:yyyy-MM-dd}/");
            await foreach (var blob in offline.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix, cancellationToken))
            {
                stored[blob.Name] = new(InstantMetadata.Read(blob.Metadata, RawAsOfMetadata), blob.Properties.ETag);
            }
        }
    }

    // A file computed from an older view of the raw zone never replaces one computed from a newer view: a slice that
    // stalled between reading raw and writing, or an old message retried, finishes after a newer slice of the day.
    // Equal or later as-of replaces, so a rerun of the same range (a retry reads raw later) overwrites its own files.
    private static Task<bool> UploadUnlessNewerAsync(BlobClient blob, StoredBlob<DateTimeOffset?> stored, MemoryStream content, DateTimeOffset asOf, CancellationToken cancellationToken) =>
        UnlessNewer.WriteAsync(
            stored,
            ct => ReadStoredAsync(blob, ct),
            current => current.Value > asOf,
            (conditions, ct) =>
            {
                content.Position = 0;
                return blob.UploadAsync(content, new BlobUploadOptions { Metadata = InstantMetadata.Of(RawAsOfMetadata, asOf), Conditions = conditions }, ct);
            },
            cancellationToken);

    private static Task<bool> DeleteUnlessNewerAsync(BlobClient blob, StoredBlob<DateTimeOffset?> stored, DateTimeOffset asOf, CancellationToken cancellationToken) =>
        UnlessNewer.WriteAsync(
            stored,
            ct => ReadStoredAsync(blob, ct),
            current => !current.Exists || current.Value > asOf,
            (conditions, ct) => blob.DeleteIfExistsAsync(conditions: conditions, cancellationToken: ct),
            cancellationToken);

    private static Task<StoredBlob<DateTimeOffset?>> ReadStoredAsync(BlobClient blob, CancellationToken cancellationToken) =>
        InstantMetadata.ReadStoredAsync(blob, RawAsOfMetadata, cancellationToken);
}
