using Brisa.Core.Aggregation;
using Brisa.Core.Features;

namespace Brisa.Core.Training;

/// <summary>
/// The point-in-time sweep of one view over its source's ordered events (what <see cref="PointInTimeSweep"/> does
/// over an <see cref="EventBatch"/>), reading the events in place: every event with e ≤ t is applied to the view's
/// tiles before a row at t is evaluated, and t never decreases.
/// </summary>
internal sealed class SourceSweep
{
    private readonly SortedSourceEvents events;
    private readonly int keyField;
    private int next;
    private long time = long.MinValue;

    public SourceSweep(ViewPlan view, SortedSourceEvents events)
    {
        this.events = events;
        keyField = view.EntityKeyField;
        Aggregator = new ViewAggregator(view.View);
    }

    /// <summary>The per-entity state built so far.</summary>
    public ViewAggregator Aggregator { get; }

    /// <summary>Applies every event with e ≤ <paramref name="atTicks"/>.</summary>
    /// <param name="atTicks">The time to advance to; never before the previous one.</param>
    public void AdvanceTo(long atTicks)
    {
        if (atTicks < time)
        {
            throw new InvalidOperationException($"The sweep is at {time}; it cannot go back to {atTicks}.");
        }

        time = atTicks;
        var ticks = events.Ticks;
        var count = events.Count;
        while (next < count && ticks[next] <= atTicks)
        {
            var (batch, row) = events.At(next);
            if (EntityKeys.FromField(batch.Value(row, keyField)) is { } key)
            {
                Aggregator.GetOrCreate(key).Apply(ticks[next], batch.Id(row), batch.Row(row));
            }

            next++;
        }
    }
}
