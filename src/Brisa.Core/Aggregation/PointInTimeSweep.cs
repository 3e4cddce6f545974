namespace Brisa.Core.Aggregation;

/// <summary>
/// The point-in-time sweep shared by the training-set builder and the batch materializer: events sorted by
/// time are applied up to t (e ≤ t) before evaluating at t, with t never decreasing. Labels (or output times)
/// must come in time order; each evaluation sees exactly the events the definition allows, nothing later.
/// </summary>
public sealed class PointInTimeSweep
{
    private readonly EventBatch _events;
    private int _next;
    private long _time = long.MinValue;

    /// <summary>Starts a sweep over events sorted by time.</summary>
    /// <param name="view">The view.</param>
    /// <param name="eventsSortedByTime">The events of all entities, sorted by time (see <see cref="EventBatch.SortByTime"/>).</param>
    public PointInTimeSweep(TiledView view, EventBatch eventsSortedByTime)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(eventsSortedByTime);
        if (!eventsSortedByTime.IsSortedByTime())
        {
            throw new ArgumentException("The events must be sorted by time.", nameof(eventsSortedByTime));
        }

        _events = eventsSortedByTime;
        Aggregator = new ViewAggregator(view);
    }

    /// <summary>The per-entity state built so far.</summary>
    public ViewAggregator Aggregator { get; }

    /// <summary>The time the sweep has advanced to.</summary>
    public long CurrentTicks => _time;

    /// <summary>Events applied so far (including ignored duplicates and too-old events).</summary>
    public int EventsConsumed => _next;

    /// <summary>Applies every event with e ≤ <paramref name="atTicks"/>.</summary>
    /// <param name="atTicks">The time to advance to; never before the previous one.</param>
    public void AdvanceTo(long atTicks)
    {
        if (atTicks < _time)
        {
            throw new InvalidOperationException($"The sweep is at {_time}; it cannot go back to {atTicks}. Sort the labels by time.");
        }

        _time = atTicks;
        ReadOnlySpan<long> ticks = _events.EventTicks;
        ReadOnlySpan<string> keys = _events.EntityKeys;
        ReadOnlySpan<string?> ids = _events.EventIds;
        while (_next < ticks.Length && ticks[_next] <= atTicks)
        {
            Aggregator.Apply(keys[_next], ticks[_next], ids[_next], _events.FieldsOf(_next));
            _next++;
        }
    }

    /// <summary>Advances to <paramref name="atTicks"/> and evaluates one entity there.</summary>
    /// <param name="entityKey">The entity key.</param>
    /// <param name="atTicks">The evaluation time t; never before the previous one.</param>
    /// <param name="destination">One value per feature.</param>
    /// <returns>The entity's newest event time at or before t, or null.</returns>
    public long? Evaluate(string entityKey, long atTicks, Span<FieldValue> destination)
    {
        AdvanceTo(atTicks);
        return Aggregator.Evaluate(entityKey, atTicks, destination);
    }
}
