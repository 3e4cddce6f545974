using Brisa.Azure.RawZone;
using Brisa.Azure.Storage;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Training;

namespace Brisa.Azure.Training;

/// <summary>
/// Point-in-time feature values for rows of entity keys and times (Feast's historical retrieval): the raw zone's events
/// that the rows' windows and TTLs reach are read and swept by the one engine, as a training set is built, so a row at
/// time t holds what the online store served at t.
/// </summary>
/// <param name="storage">The storage account holding the raw zone.</param>
public sealed class HistoricalFeatures(BrisaStorage storage)
{
    /// <summary>Builds the values of <paramref name="builder"/>'s features for <paramref name="rows"/>.</summary>
    /// <param name="plan">The compiled definitions.</param>
    /// <param name="builder">The features (and the point-in-time options).</param>
    /// <param name="rows">The rows: entity keys, times, request fields.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The set, rows sorted by time.</returns>
    public async Task<TrainingSet> BuildAsync(FeaturePlan plan, TrainingSetBuilder builder, ObservationSet rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(rows);
        var events = new List<SourceEventBatch>();
        foreach (var (from, to) in Ranges(builder.Requirements, rows))
        {
            events.AddRange(await ReadAsync(plan, builder.Requirements.Sources, from, to, cancellationToken));
        }

        return builder.Build(rows, events);
    }

    /// <summary>
    /// The time ranges the rows' features read, in order and apart by more than an hour (the raw zone's partition), so
    /// rows years apart do not read the years between them and no file is read twice.
    /// </summary>
    internal static List<(long From, long To)> Ranges(FeatureRequirements requirements, ObservationSet rows)
    {
        var times = new long[rows.Count];
        for (var r = 0; r < times.Length; r++)
        {
            times[r] = rows.TicksOf(r);
        }

        Array.Sort(times);
        var ranges = new List<(long From, long To)>();
        foreach (var t in times)
        {
            var from = LookbackStart(requirements, t);
            if (ranges.Count > 0 && from - ranges[^1].To < TimeSpan.TicksPerHour)
            {
                ranges[^1] = (ranges[^1].From, t + 1);
            }
            else
            {
                ranges.Add((from, t + 1));
            }
        }

        return ranges;
    }

    /// <summary>
    /// The first instant a row at <paramref name="fromUnixTicks"/> needs events from: its views' longest windows, back
    /// to the first tile's start, and their TTLs (an entity's newest event decides whether the row finds it at all).
    /// </summary>
    internal static long LookbackStart(FeatureRequirements requirements, long fromUnixTicks)
    {
        var start = fromUnixTicks;
        foreach (var view in requirements.Views)
        {
            var windowStart = view.View.TileStart(view.View.TileOf(fromUnixTicks) - view.View.MaxWindowTiles + 1);
            start = Math.Min(start, Math.Min(windowStart, fromUnixTicks - view.Definition.Ttl.Ticks));
        }

        return start;
    }

    /// <summary>The raw events of <paramref name="sources"/> in [<paramref name="fromUnixTicks"/>, <paramref name="toUnixTicks"/>).</summary>
    internal async Task<List<SourceEventBatch>> ReadAsync(FeaturePlan plan, IEnumerable<string> sources, long fromUnixTicks, long toUnixTicks, CancellationToken cancellationToken)
    {
        var reader = RawZoneReader.For(storage);
        var batches = new List<SourceEventBatch>();
        foreach (var source in sources)
        {
            var schema = plan.Schemas.Single(s => s.SourceName == source);
            await foreach (var batch in reader.ReadRangeAsync(schema, fromUnixTicks, toUnixTicks, cancellationToken))
            {
                batches.Add(batch);
            }
        }

        return batches;
    }
}
