using Brisa.Core.Aggregation;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;

namespace Brisa.Core.Materialization;

/// <summary>A source's UTC day whose raw events changed after incremental materialization had passed it.</summary>
/// <param name="Source">The source name.</param>
/// <param name="Day">The day's start, 00:00 UTC.</param>
public sealed record LateDay(string Source, DateTimeOffset Day);

/// <summary>
/// The pure decisions of late-event re-materialization. Each incremental slice recomputes its UTC day from 00:00, so
/// an event is picked up automatically while its day is still being planned; once the watermark has passed the day
/// (<see cref="IsPassed"/>), ingestion records the (source, day) and the next incremental run enqueues
/// <see cref="Plan"/>'s slices, which recompute every day whose rows the day's events can change.
/// </summary>
public static class LateEvents
{
    /// <summary>
    /// How far the planning instance's clock may be ahead of the ingesting one's: <see cref="OnTimeFrom"/> treats the
    /// watermark as possibly that much further on.
    /// </summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The first UTC day whose events are on time whatever the watermark. A run never sets the watermark past
    /// <c>floor_hour(now − lateness)</c> (<see cref="IncrementalPlanner.TargetEnd"/>), so no watermark written up to
    /// <paramref name="now"/> has passed this day or a later one: events of those days need no watermark read.
    /// </summary>
    /// <param name="now">The clock, read after the events landed in the raw zone (a run planned later reads them).</param>
    /// <param name="lateness">The incremental runs' lateness; not negative.</param>
    /// <returns>A day start, 00:00 UTC.</returns>
    public static DateTimeOffset OnTimeFrom(DateTimeOffset now, TimeSpan lateness) =>
        IncrementalPlanner.FloorDay(IncrementalPlanner.TargetEnd(now + ClockSkewAllowance, lateness));

    /// <summary>The UTC days of a batch's events before <paramref name="onTimeFrom"/>: those that may be late.</summary>
    /// <param name="batch">The events of one source.</param>
    /// <param name="onTimeFrom">See <see cref="OnTimeFrom"/>.</param>
    /// <returns>Day starts, distinct, ascending; empty (without allocating) when every event is on time.</returns>
    public static IReadOnlyList<DateTimeOffset> DaysBefore(SourceEventBatch batch, DateTimeOffset onTimeFrom)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var bound = TiledView.ToUnixTicks(onTimeFrom);
        SortedSet<long>? days = null;
        for (var row = 0; row < batch.Count; row++)
        {
            var ticks = batch.EventTicks(row);
            if (ticks < bound)
            {
                (days ??= []).Add(SourceMaterializer.FloorDay(ticks));
            }
        }

        return days is null ? [] : days.Select(TiledView.FromUnixTicks).ToArray();
    }

    /// <summary>
    /// True when the incremental runs will not recompute the day again: the watermark is in a later day (every slice
    /// of a day recomputes it from 00:00, and no slice of this day will be planned any more).
    /// </summary>
    /// <param name="day">A day start.</param>
    /// <param name="watermark">The incremental watermark; null before the first run (nothing was materialized).</param>
    /// <returns>True when events of the day landing now need a re-materialization.</returns>
    public static bool IsPassed(DateTimeOffset day, DateTimeOffset? watermark) =>
        watermark is { } w && IncrementalPlanner.FloorDay(w) > IncrementalPlanner.FloorDay(day);

    /// <summary>
    /// The last UTC day whose offline rows of <paramref name="view"/> an event of <paramref name="day"/> can change: an
    /// event at e counts in the view's windows until its tile leaves the longest one (the start of tile(e) + k, where a
    /// row is written too), and every row and daily snapshot it changes lies in [e, that instant].
    /// </summary>
    /// <param name="view">The view.</param>
    /// <param name="day">The event's day.</param>
    /// <returns>A day start, at or after <paramref name="day"/>.</returns>
    public static DateTimeOffset LastAffectedDay(ViewPlan view, DateTimeOffset day)
    {
        ArgumentNullException.ThrowIfNull(view);
        var lastTick = TiledView.ToUnixTicks(IncrementalPlanner.FloorDay(day).AddDays(1)) - 1;
        var leaves = view.View.TileStart(view.View.TileOf(lastTick) + view.View.MaxWindowTiles);
        return TiledView.FromUnixTicks(SourceMaterializer.FloorDay(leaves));
    }

    /// <summary>
    /// The slices that re-materialize late days: for each late (source, day), each view of the source and each day
    /// from it to its <see cref="LastAffectedDay"/>, before the watermark, one slice over that day up to the next
    /// midnight or the watermark (the materializer recomputes it from 00:00, as a backfill does). Days a slice of
    /// <paramref name="planned"/> already recomputes are left to it.
    /// </summary>
    /// <param name="days">The late days.</param>
    /// <param name="views">The views in scope (others' sources are ignored), in the order to emit slices.</param>
    /// <param name="watermark">The watermark after this run: later hours are left to the next runs, which recompute their days from 00:00.</param>
    /// <param name="planned">The run's regular slices.</param>
    /// <returns>Distinct slices, by day then view, each writing online values (as the regular slices do; rows holding newer values are kept).</returns>
    public static IReadOnlyList<MaterializationSlice> Plan(IEnumerable<LateDay> days, IReadOnlyList<ViewPlan> views, DateTimeOffset watermark, IReadOnlyList<MaterializationSlice> planned)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(planned);
        var covered = planned
            .GroupBy(s => (s.View, Day: IncrementalPlanner.FloorDay(s.From)))
            .ToDictionary(g => g.Key, g => g.Max(s => s.To));
        var until = IncrementalPlanner.FloorHour(watermark);
        var slices = new SortedDictionary<(DateTimeOffset Day, int View), MaterializationSlice>();
        foreach (var late in days)
        {
            for (var v = 0; v < views.Count; v++)
            {
                var view = views[v];
                if (!string.Equals(view.Definition.Source, late.Source, StringComparison.Ordinal))
                {
                    continue;
                }

                var last = LastAffectedDay(view, late.Day);
                for (var day = IncrementalPlanner.FloorDay(late.Day); day <= last && day < until; day = day.AddDays(1))
                {
                    var end = day.AddDays(1) < until ? day.AddDays(1) : until;
                    if (covered.TryGetValue((view.Name, day), out var to) && to >= end)
                    {
                        continue;
                    }

                    slices.TryAdd((day, v), new MaterializationSlice(view.Name, day, end, Online: true));
                }
            }
        }

        return slices.Values.ToArray();
    }
}
