using Brisa.Core.Aggregation;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;

namespace Brisa.Core.Materialization;

/// <summary>What one hour of raw events produced.</summary>
/// <param name="HourStartTicks">The hour (UTC ticks since the Unix epoch).</param>
/// <param name="Rows">Offline rows per view (empty blocks for views without rows), feature times within the hour and the range.</param>
/// <param name="Events">Distinct events read for the hour.</param>
/// <param name="Duplicates">Events read again with the same id and time (different raw files) and ignored.</param>
/// <param name="Misplaced">Events whose time is outside the hour of their partition, ignored.</param>
/// <param name="Entities">Entities held in memory after the hour, summed over views (the memory bound).</param>
public sealed record MaterializedHour(long HourStartTicks, IReadOnlyList<OfflineRows> Rows, int Events, int Duplicates, int Misplaced, long Entities);

/// <summary>One entity's latest values of a view, for the online store.</summary>
/// <param name="EntityKey">The entity key.</param>
/// <param name="EventTicks">The newest event aggregated (UTC ticks since the Unix epoch): TTL is measured from it.</param>
/// <param name="Values">One value per feature, in the view's order.</param>
public sealed record OnlineValue(string EntityKey, long EventTicks, IReadOnlyList<FieldValue> Values);

/// <summary>The latest values of a view at the end of a materialized range.</summary>
/// <param name="View">The view.</param>
/// <param name="FeatureTicks">The instant the values are evaluated at: the range end minus one tick.</param>
/// <param name="Rows">
/// One row per entity with events within the view's longest window of the range end, and one with empty-window values
/// per entity whose events all left the window during the run but whose newest event is within the view's TTL (so an
/// older run's values are replaced, as training sees them), sorted by key.
/// </param>
public sealed record OnlineValues(ViewPlan View, long FeatureTicks, IReadOnlyList<OnlineValue> Rows);

/// <summary>
/// The pure core of batch materialization for the views of one source over [from, to): feed it the raw events hour
/// by hour in time order (<see cref="NextHourTicks"/>, starting at <see cref="ReadFromTicks"/>, which reaches back by
/// the longest window so the first rows are complete), and it returns each hour's offline rows; memory is bounded by
/// the entities with events in the longest window (× views) plus one hour of events, never by the whole range.
/// </summary>
/// <remarks>
/// Offline rows form an exact step function per entity: a row at every event time (values including every event at
/// that instant), at every instant a tile leaves a window (the start of tile T + k for a non-empty tile T and a
/// window of k tiles) — the only instants a value changes — and a snapshot at 00:00 UTC of every day for each entity
/// with an event in the longest window, so every date partition is complete on its own. The value at any t is that
/// of the entity's latest row at or before t in t's date partition (an as-of join), equal to the engine's value at t;
/// without such a row the entity has empty-window values. The range start is moved back to its UTC day start, so the
/// rows of an hour depend only on the raw events, never on how a range was split into runs.
/// </remarks>
public sealed class SourceMaterializer
{
    private readonly ViewState[] states;

    /// <summary>Prepares a materialization.</summary>
    /// <param name="views">Views of one source.</param>
    /// <param name="fromTicks">Range start, inclusive, on an hour boundary (UTC ticks since the Unix epoch); moved back to its UTC day start.</param>
    /// <param name="toTicks">Range end, exclusive, on an hour boundary, after the start.</param>
    public SourceMaterializer(IReadOnlyList<ViewPlan> views, long fromTicks, long toTicks)
    {
        ArgumentNullException.ThrowIfNull(views);
        if (views.Count == 0)
        {
            throw new ArgumentException("At least one view is required.", nameof(views));
        }

        if (views.Select(v => v.Definition.Source).Distinct(StringComparer.Ordinal).Count() != 1)
        {
            throw new ArgumentException("Every view must have the same source.", nameof(views));
        }

        if (fromTicks % TimeSpan.TicksPerHour != 0 || toTicks % TimeSpan.TicksPerHour != 0 || toTicks <= fromTicks)
        {
            throw new ArgumentException("The range must be whole hours, from before to.", nameof(toTicks));
        }

        Source = views[0].Definition.Source;
        RequestedFromTicks = fromTicks;
        fromTicks = FloorDay(fromTicks);
        FromTicks = fromTicks;
        ToTicks = toTicks;
        states = views.Select(v => new ViewState(v)).ToArray();

        // One tile more than the longest window: the drop of that tile may happen exactly at the range start.
        var lookback = states.Min(s => s.View.TileStart(s.View.TileOf(fromTicks) - s.View.MaxWindowTiles));
        ReadFromTicks = FloorHour(lookback);
        NextHourTicks = ReadFromTicks;
    }

    /// <summary>The source.</summary>
    public string Source { get; }

    /// <summary>The views.</summary>
    public IEnumerable<ViewPlan> Views => states.Select(s => s.Plan);

    /// <summary>Range start (inclusive): the requested start moved back to its UTC day start.</summary>
    public long FromTicks { get; }

    /// <summary>The range start as requested.</summary>
    public long RequestedFromTicks { get; }

    /// <summary>Range end (exclusive).</summary>
    public long ToTicks { get; }

    /// <summary>The first hour of raw events to feed (the lookback of the longest window, plus a tile).</summary>
    public long ReadFromTicks { get; }

    /// <summary>The hour the next <see cref="ProcessHour"/> call must hold.</summary>
    public long NextHourTicks { get; private set; }

    /// <summary>True once every hour up to the range end was processed.</summary>
    public bool IsComplete => NextHourTicks >= ToTicks;

    /// <summary>Number of hours to feed in total.</summary>
    public int HourCount => (int)((ToTicks - ReadFromTicks) / TimeSpan.TicksPerHour);

    /// <summary>Entities held now, summed over views.</summary>
    public long EntityCount => states.Sum(s => (long)s.Aggregator.EntityCount);

    /// <summary>The largest <see cref="EntityCount"/> seen after any hour.</summary>
    public long PeakEntityCount { get; private set; }

    /// <summary>The UTC start of the hour containing a time.</summary>
    /// <param name="unixTicks">UTC ticks since the Unix epoch.</param>
    /// <returns>The hour start.</returns>
    public static long FloorHour(long unixTicks)
    {
        var q = Math.DivRem(unixTicks, TimeSpan.TicksPerHour, out var r);
        return (r < 0 ? q - 1 : q) * TimeSpan.TicksPerHour;
    }

    /// <summary>The UTC start of the day containing a time.</summary>
    /// <param name="unixTicks">UTC ticks since the Unix epoch.</param>
    /// <returns>The day start.</returns>
    public static long FloorDay(long unixTicks)
    {
        var q = Math.DivRem(unixTicks, TimeSpan.TicksPerDay, out var r);
        return (r < 0 ? q - 1 : q) * TimeSpan.TicksPerDay;
    }

    /// <summary>
    /// Processes the raw events of hour <see cref="NextHourTicks"/> (every file of its partition; duplicates across
    /// files are dropped by (event id, event time), the identity every path deduplicates by) and advances to the next hour.
    /// </summary>
    /// <param name="events">The hour's events (any order).</param>
    /// <returns>The offline rows of the hour (none for hours before the range start).</returns>
    public MaterializedHour ProcessHour(IEnumerable<SourceEventBatch> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (IsComplete)
        {
            throw new InvalidOperationException("Every hour of the range was processed.");
        }

        var hourStart = NextHourTicks;
        var hourEnd = hourStart + TimeSpan.TicksPerHour;
        var rows = new List<(SourceEventBatch Batch, int Row)>();
        var seen = new HashSet<(string Id, long Ticks)>();
        int duplicates = 0, misplaced = 0;
        foreach (var batch in events)
        {
            if (batch.Schema.SourceName != Source)
            {
                throw new ArgumentException($"Expected events of source '{Source}', got '{batch.Schema.SourceName}'.", nameof(events));
            }

            for (var row = 0; row < batch.Count; row++)
            {
                var t = batch.EventTicks(row);
                if (t < hourStart || t >= hourEnd)
                {
                    misplaced++;
                }
                else if (!seen.Add((batch.Id(row), t)))
                {
                    duplicates++;
                }
                else
                {
                    rows.Add((batch, row));
                }
            }
        }

        rows.Sort(static (a, b) =>
        {
            var c = a.Batch.EventTicks(a.Row).CompareTo(b.Batch.EventTicks(b.Row));
            return c != 0 ? c : string.CompareOrdinal(a.Batch.Id(a.Row), b.Batch.Id(b.Row));
        });

        var output = new OfflineRows[states.Length];
        for (var s = 0; s < states.Length; s++)
        {
            output[s] = states[s].ProcessHour(rows, hourEnd, FromTicks, ToTicks);
        }

        NextHourTicks = hourEnd;
        var entities = EntityCount;
        PeakEntityCount = Math.Max(PeakEntityCount, entities);
        return new MaterializedHour(hourStart, output, rows.Count, duplicates, misplaced, entities);
    }

    /// <summary>The latest values of every view at the range end (evaluated at end − 1 tick), once complete.</summary>
    /// <returns>One entry per view.</returns>
    public IReadOnlyList<OnlineValues> LatestValues()
    {
        if (!IsComplete)
        {
            throw new InvalidOperationException("Process every hour of the range first.");
        }

        var at = ToTicks - 1;
        return states.Select(s => s.Latest(at)).ToArray();
    }

    private sealed class ViewState
    {
        private readonly PriorityQueue<string, long> timers = new();
        private readonly Dictionary<string, long> lastRow = new(StringComparer.Ordinal);

        // Entities dropped once their window emptied, with their newest event, while it is within the TTL: an earlier
        // run may have put window values online for them, which must be replaced by the empty window, not left served.
        private readonly Dictionary<string, long> emptied = new(StringComparer.Ordinal);
        private readonly int[] windows;
        private readonly FieldValue[] scratch;

        public ViewState(ViewPlan plan)
        {
            Plan = plan;
            View = plan.View;
            Aggregator = new ViewAggregator(plan.View);
            windows = plan.View.Features.Select(f => f.WindowTiles).Distinct().Order().ToArray();
            scratch = new FieldValue[plan.View.FeatureCount];
        }

        public ViewPlan Plan { get; }

        public TiledView View { get; }

        public ViewAggregator Aggregator { get; }

        public OfflineRows ProcessHour(List<(SourceEventBatch Batch, int Row)> rows, long hourEnd, long from, long to)
        {
            var output = new OfflineRows(Plan);
            var hourStart = hourEnd - TimeSpan.TicksPerHour;
            if (hourStart % TimeSpan.TicksPerDay == 0 && hourStart >= from && hourStart < to)
            {
                // Day snapshot: every entity with an event in the longest window gets a row at 00:00.
                var lowestTile = View.TileOf(hourStart) - View.MaxWindowTiles + 1;
                foreach (var (key, state) in Aggregator.Entities)
                {
                    if (state.NewestEventTicks is { } newest && View.TileOf(newest) >= lowestTile)
                    {
                        timers.Enqueue(key, hourStart);
                    }
                }
            }

            var touched = new List<string>();
            var touchedSet = new HashSet<string>(StringComparer.Ordinal);
            var keyField = Plan.EntityKeyField;
            var i = 0;
            while (i < rows.Count)
            {
                var e = rows[i].Batch.EventTicks(rows[i].Row);
                Fire(e, inclusive: false, output, from, to);
                touched.Clear();
                touchedSet.Clear();
                var j = i;
                for (; j < rows.Count && rows[j].Batch.EventTicks(rows[j].Row) == e; j++)
                {
                    var (batch, row) = rows[j];
                    if (EntityKeys.FromField(batch.Value(row, keyField)) is not { } key)
                    {
                        continue;
                    }

                    var state = Aggregator.GetOrCreate(key);
                    var previousTile = state.NewestEventTicks is { } p ? View.TileOf(p) : long.MinValue;
                    if (state.Apply(e, batch.Id(row), batch.Row(row)) != ApplyResult.Applied)
                    {
                        continue;
                    }

                    var tile = View.TileOf(e);
                    if (tile > previousTile)
                    {
                        foreach (var k in windows)
                        {
                            timers.Enqueue(key, View.TileStart(tile + k));
                        }
                    }

                    if (touchedSet.Add(key))
                    {
                        touched.Add(key);
                    }
                }

                foreach (var key in touched)
                {
                    Emit(key, e, output, from, to);
                }

                Fire(e, inclusive: true, output, from, to);
                i = j;
            }

            Fire(hourEnd, inclusive: false, output, from, to);
            Evict(hourEnd);
            output.Sort();
            return output;
        }

        public OnlineValues Latest(long at)
        {
            var result = new List<OnlineValue>(Aggregator.EntityCount);
            foreach (var (key, state) in Aggregator.Entities)
            {
                var values = new FieldValue[View.FeatureCount];
                if (state.Evaluate(at, values) is { } newest)
                {
                    result.Add(new OnlineValue(key, newest, values));
                }
            }

            foreach (var (key, newest) in emptied)
            {
                if (!Aggregator.TryGet(key, out _) && !FeatureFreshness.IsExpired(newest, Plan.Definition.Ttl, at))
                {
                    var values = new FieldValue[View.FeatureCount];
                    View.WriteEmpty(values);
                    result.Add(new OnlineValue(key, newest, values));
                }
            }

            result.Sort((a, b) => string.CompareOrdinal(a.EntityKey, b.EntityKey));
            return new OnlineValues(Plan, at, result);
        }

        private void Fire(long bound, bool inclusive, OfflineRows output, long from, long to)
        {
            while (timers.TryPeek(out var key, out var time) && (time < bound || (inclusive && time == bound)))
            {
                timers.Dequeue();
                if (!lastRow.TryGetValue(key, out var last) || last != time)
                {
                    Emit(key, time, output, from, to);
                }
            }
        }

        private void Emit(string key, long at, OfflineRows output, long from, long to)
        {
            lastRow[key] = at;
            if (at >= from && at < to)
            {
                var newest = Aggregator.Evaluate(key, at, scratch);
                output.Add(key, at, newest ?? at, scratch);
            }
        }

        private void Evict(long hourEnd)
        {
            // Drop tiles outside every window, then forget entities with no tile left whose last drop row is done:
            // memory stays bounded by the entities active within the longest window.
            Aggregator.PruneAll(hourEnd - 1);
            Aggregator.ClearDirty();
            List<(string Key, long Newest)>? gone = null;
            foreach (var (key, state) in Aggregator.Entities)
            {
                if (state.TileCount == 0 && state.NewestEventTicks is { } newest && View.TileStart(View.TileOf(newest) + View.MaxWindowTiles) < hourEnd)
                {
                    (gone ??= []).Add((key, newest));
                }
            }

            foreach (var (key, newest) in gone ?? [])
            {
                Aggregator.Remove(key);
                lastRow.Remove(key);
                emptied[key] = newest;
            }

            List<string>? expired = null;
            foreach (var (key, newest) in emptied)
            {
                if (FeatureFreshness.IsExpired(newest, Plan.Definition.Ttl, hourEnd - 1))
                {
                    (expired ??= []).Add(key);
                }
            }

            foreach (var key in expired ?? [])
            {
                emptied.Remove(key);
            }
        }
    }
}
