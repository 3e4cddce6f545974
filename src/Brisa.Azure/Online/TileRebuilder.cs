using Brisa.Azure.RawZone;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Materialization;

namespace Brisa.Azure.Online;

/// <summary>Options of a tile rebuild.</summary>
public sealed record TileRebuildOptions
{
    /// <summary>
    /// Raw events applied to the tiles at a time. Each chunk costs one read-modify-write per (entity, view) it touches,
    /// as an ingested batch does, so larger chunks mean fewer Table requests and more memory. Default 100,000.
    /// </summary>
    public int ChunkEvents { get; init; } = 100_000;

    /// <summary>How far ahead of its receipt an event may be: ingestion's <see cref="DecoderOptions.MaxFutureSkew"/>. Default 5 minutes.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = new DecoderOptions().MaxFutureSkew;

    /// <summary>The online store's tuning (entities written concurrently, conflict retries), as ingestion's.</summary>
    public OnlineStoreOptions Online { get; init; } = new();
}

/// <summary>Progress of a rebuild, reported after each raw file.</summary>
/// <param name="Source">The source being replayed.</param>
/// <param name="HourStart">The hour partition of the file just read.</param>
/// <param name="HoursDone">Hours of the replayed ranges done so far (all sources).</param>
/// <param name="HoursTotal">Hours of the replayed ranges (all sources).</param>
/// <param name="Events">Raw events read so far.</param>
public readonly record struct TileRebuildProgress(string Source, DateTimeOffset HourStart, int HoursDone, int HoursTotal, long Events);

/// <summary>What a rebuild replayed from one source.</summary>
/// <param name="Source">The source.</param>
/// <param name="Views">Its streaming views rebuilt.</param>
/// <param name="From">Start of the raw hours read (inclusive).</param>
/// <param name="To">End of the raw hours read (exclusive).</param>
/// <param name="Events">Raw events read (an event in two raw files counts twice, and is applied once).</param>
public sealed record SourceReplaySummary(string Source, IReadOnlyList<string> Views, DateTimeOffset From, DateTimeOffset To, long Events);

/// <summary>What a rebuild did to one streaming view.</summary>
/// <param name="View">The view.</param>
/// <param name="Source">Its source (whose raw events it was given: <see cref="SourceReplaySummary.Events"/>).</param>
/// <param name="Applied">Events newly applied to its tiles (as ingestion counts them: an event older than the view's own window but within a longer window of the pass is applied, then pruned before the row is written).</param>
/// <param name="Duplicates">Events its tiles already held (applied by the stream or an earlier rebuild).</param>
/// <param name="RowsWritten">Entity rows written (a row changed by two chunks of <see cref="TileRebuildOptions.ChunkEvents"/> counts twice); 0 when the tiles held everything already.</param>
public sealed record ViewRebuildSummary(string View, string Source, long Applied, long Duplicates, long RowsWritten)
{
    /// <summary>
    /// Of <see cref="RowsWritten"/>, rows that held tiles of another layout with events still in the window (an older
    /// build's, or the view's before a change of its tiles), now rebuilt (as <see cref="ViewApplyCounts.RowsRestarted"/>).
    /// </summary>
    public long RowsRestarted { get; init; }
}

/// <summary>What a rebuild did.</summary>
/// <param name="Now">The time the windows were rebuilt for (and tiles older than them pruned at).</param>
/// <param name="Sources">Per source.</param>
/// <param name="Events">Raw events read.</param>
/// <param name="Rows">(Entity, view) rows touched, once per chunk, whether or not they changed.</param>
/// <param name="Applied">Events newly applied to a view's tiles, once per view (as ingestion counts them: an event older than the view's own window is applied, then pruned before the row is written).</param>
/// <param name="Duplicates">Events a view's tiles already held (applied by the stream or an earlier rebuild), once per view.</param>
/// <param name="Conflicts">Writes retried because another writer (the stream) changed the row in between.</param>
/// <param name="TooLarge">Rows left as they were: their tiles would pass Table storage's 1 MiB entity limit.</param>
public sealed record TileRebuildSummary(
    DateTimeOffset Now, IReadOnlyList<SourceReplaySummary> Sources, long Events, long Rows, long Applied, long Duplicates, long Conflicts, IReadOnlyList<OversizedRow> TooLarge)
{
    /// <summary>Per view rebuilt, in the order of <see cref="Sources"/> and their views.</summary>
    public IReadOnlyList<ViewRebuildSummary> Views { get; init; } = [];
}

/// <summary>
/// Rebuilds streaming views' online tiles from the raw zone, for when their stored tiles no longer count (a change of
/// tile layout, a view turned streaming, a row deleted): replays the raw hours of <see cref="TileReplay.RangeOf"/>
/// through the stream's own update path (<see cref="OnlineTileStore.ApplyAsync(IReadOnlyList{ValueTuple{TiledView, int}}, SourceEventBatch, long, CancellationToken)"/>).
/// </summary>
/// <remarks>
/// Streaming tiles keep the hash of every event's (id, time) in its tile, so an event already counted (by the stream, or a
/// previous rebuild) is a duplicate and changes nothing: a rebuild is idempotent, and safe while ingestion keeps
/// writing (both are ETag-checked read-modify-writes, and each skips what the other applied). It reads the raw zone
/// only: nothing is written there or dead-lettered, and ingestion's per-batch id check is not involved.
/// Run it with the definitions the stream uses: tiles of another layout are ignored by readers and replaced by writers.
/// </remarks>
public sealed class TileRebuilder
{
    private readonly FeaturePlan plan;
    private readonly RawZoneReader raw;
    private readonly OnlineTileStore online;
    private readonly TimeProvider time;
    private readonly TileRebuildOptions options;

    /// <summary>Creates a rebuilder over an account.</summary>
    /// <param name="storage">The account.</param>
    /// <param name="definitions">The definitions the stream runs with (the tiles' layouts come from them).</param>
    /// <param name="time">The clock: windows are rebuilt for its current time; the system clock when null.</param>
    /// <param name="options">Options; defaults when null.</param>
    public TileRebuilder(BrisaStorage storage, FeatureRepositoryDefinition definitions, TimeProvider? time = null, TileRebuildOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(definitions);
        this.options = options ?? new TileRebuildOptions();
        if (this.options.ChunkEvents < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), this.options.ChunkEvents, "ChunkEvents must be at least 1.");
        }

        // Compiled as ingestion compiles them (event ids tracked), so the layouts, and the rows, are the stream's.
        plan = FeaturePlan.Compile(definitions, trackEventIds: true);
        raw = RawZoneReader.For(storage);
        online = OnlineTileStore.For(storage, this.options.Online);
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>The streaming views of the definitions (those a rebuild can take).</summary>
    public IReadOnlyList<string> StreamingViews => [.. plan.Views.Where(v => v.Definition.Streaming).Select(v => v.Name)];

    /// <summary>Rebuilds the tiles of some or all streaming views for the current time.</summary>
    /// <param name="views">Streaming view names; null for every streaming view.</param>
    /// <param name="progress">Receives progress after each raw file.</param>
    /// <param name="cancellationToken">Cancels the rebuild (rows already written stay; they are correct, and a rerun completes them).</param>
    /// <returns>The summary.</returns>
    /// <exception cref="ArgumentException">A name is not a streaming view.</exception>
    public async Task<TileRebuildSummary> RebuildAsync(IReadOnlyCollection<string>? views = null, IProgress<TileRebuildProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var selected = views is null
            ? plan.Views.Where(v => v.Definition.Streaming).ToArray()
            : views.Select(name => plan.FindView(name) is { Definition.Streaming: true } view
                ? view
                : throw new ArgumentException($"'{name}' is not a streaming view; streaming views: {string.Join(", ", StreamingViews)}.", nameof(views))).ToArray();
        var now = time.GetUtcNow();
        var nowTicks = TiledView.ToUnixTicks(now);
        var sources = selected.GroupBy(v => v.Definition.Source, StringComparer.Ordinal)
            .Select(g => (Source: g.Key, Views: g.ToArray(), Range: TileReplay.RangeOf(g, nowTicks, options.MaxFutureSkew)))
            .ToArray();
        var hoursTotal = sources.Sum(s => (int)((s.Range.ToTicks - s.Range.FromTicks) / TimeSpan.TicksPerHour));
        var hoursBefore = 0;
        long events = 0, rows = 0, applied = 0, duplicates = 0, conflicts = 0;
        var tooLarge = new List<OversizedRow>();
        var summaries = new List<SourceReplaySummary>(sources.Length);
        var perView = new List<ViewRebuildSummary>();
        foreach (var (source, sourceViews, (fromTicks, toTicks)) in sources)
        {
            var schema = plan.Schemas.Single(s => s.SourceName == source);
            var targets = sourceViews.Select(v => (v.View, v.EntityKeyField)).ToArray();
            var chunk = new SourceEventBatch(schema, Math.Min(options.ChunkEvents, 4096));
            long sourceEvents = 0;
            var viewCounts = new (long Applied, long Duplicates, long RowsWritten, long RowsRestarted)[sourceViews.Length];

            async Task FlushAsync()
            {
                if (chunk.Count == 0)
                {
                    return;
                }

                var result = await online.ApplyAsync(targets, chunk, nowTicks, cancellationToken);
                (rows, applied, duplicates, conflicts) = (rows + result.Rows, applied + result.Applied, duplicates + result.Duplicates, conflicts + result.Conflicts);
                tooLarge.AddRange(result.TooLarge);
                for (var v = 0; v < viewCounts.Length; v++)
                {
                    var counts = result.Views[v];
                    viewCounts[v] = (viewCounts[v].Applied + counts.Applied, viewCounts[v].Duplicates + counts.Duplicates, viewCounts[v].RowsWritten + counts.RowsWritten, viewCounts[v].RowsRestarted + counts.RowsRestarted);
                }

                chunk = new SourceEventBatch(schema, Math.Min(options.ChunkEvents, 4096));
            }

            await foreach (var file in raw.ReadRangeAsync(schema, fromTicks, toTicks, cancellationToken))
            {
                for (var row = 0; row < file.Count; row++)
                {
                    chunk.Add(file.Id(row), file.EventTicks(row), file.Row(row));
                    if (chunk.Count >= options.ChunkEvents)
                    {
                        await FlushAsync();
                    }
                }

                sourceEvents += file.Count;
                if (file.Count > 0)
                {
                    // A raw file holds one hour partition: its events' hour.
                    var hour = SourceMaterializer.FloorHour(file.EventTicks(0));
                    var done = hoursBefore + (int)((hour - fromTicks) / TimeSpan.TicksPerHour) + 1;
                    progress?.Report(new TileRebuildProgress(source, TiledView.FromUnixTicks(hour), done, hoursTotal, events + sourceEvents));
                }
            }

            await FlushAsync();
            events += sourceEvents;
            hoursBefore += (int)((toTicks - fromTicks) / TimeSpan.TicksPerHour);
            progress?.Report(new TileRebuildProgress(source, TiledView.FromUnixTicks(toTicks - TimeSpan.TicksPerHour), hoursBefore, hoursTotal, events));
            summaries.Add(new SourceReplaySummary(source, [.. sourceViews.Select(v => v.Name)], TiledView.FromUnixTicks(fromTicks), TiledView.FromUnixTicks(toTicks), sourceEvents));
            perView.AddRange(sourceViews.Select((v, i) => new ViewRebuildSummary(v.Name, source, viewCounts[i].Applied, viewCounts[i].Duplicates, viewCounts[i].RowsWritten) { RowsRestarted = viewCounts[i].RowsRestarted }));
        }

        return new TileRebuildSummary(now, summaries, events, rows, applied, duplicates, conflicts, tooLarge) { Views = perView };
    }
}
