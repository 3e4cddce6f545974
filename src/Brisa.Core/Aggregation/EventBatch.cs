namespace Brisa.Core.Aggregation;

/// <summary>
/// A reusable, growable batch of events in columns (entity key, time, id) plus a row-major field matrix.
/// Fill it with <see cref="Add"/>, hand it to <see cref="ViewAggregator.Apply(EventBatch)"/> or
/// <see cref="PointInTimeSweep"/>, <see cref="Clear"/> and refill: no allocation per event once grown.
/// </summary>
public sealed class EventBatch
{
    private string[] _keys;
    private long[] _ticks;
    private string?[] _ids;
    private FieldValue[] _fields;

    /// <summary>Creates an empty batch.</summary>
    /// <param name="fieldCount">Field values per event (at least the views' <see cref="TiledView.FieldCount"/>).</param>
    /// <param name="capacity">Initial capacity in events.</param>
    public EventBatch(int fieldCount, int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fieldCount);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        FieldCount = fieldCount;
        capacity = Math.Max(capacity, 4);
        _keys = new string[capacity];
        _ticks = new long[capacity];
        _ids = new string?[capacity];
        _fields = new FieldValue[capacity * fieldCount];
    }

    /// <summary>Field values per event.</summary>
    public int FieldCount { get; }

    /// <summary>Number of events.</summary>
    public int Count { get; private set; }

    /// <summary>Entity keys, one per event.</summary>
    public ReadOnlySpan<string> EntityKeys => _keys.AsSpan(0, Count);

    /// <summary>Event times (UTC ticks since the Unix epoch), one per event.</summary>
    public ReadOnlySpan<long> EventTicks => _ticks.AsSpan(0, Count);

    /// <summary>Event ids, one per event.</summary>
    public ReadOnlySpan<string?> EventIds => _ids.AsSpan(0, Count);

    /// <summary>The field values of event <paramref name="index"/>.</summary>
    /// <param name="index">The event index.</param>
    /// <returns>The values.</returns>
    public ReadOnlySpan<FieldValue> FieldsOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return _fields.AsSpan(index * FieldCount, FieldCount);
    }

    /// <summary>Appends an event.</summary>
    /// <param name="entityKey">The entity key.</param>
    /// <param name="eventTicks">The event time, UTC ticks since the Unix epoch.</param>
    /// <param name="eventId">The event id.</param>
    /// <param name="fields">Exactly <see cref="FieldCount"/> values.</param>
    public void Add(string entityKey, long eventTicks, string? eventId, ReadOnlySpan<FieldValue> fields)
    {
        ArgumentNullException.ThrowIfNull(entityKey);
        if (fields.Length != FieldCount)
        {
            throw new ArgumentException($"Expected {FieldCount} field values, got {fields.Length}.", nameof(fields));
        }

        if (Count == _keys.Length)
        {
            int capacity = _keys.Length * 2;
            Array.Resize(ref _keys, capacity);
            Array.Resize(ref _ticks, capacity);
            Array.Resize(ref _ids, capacity);
            Array.Resize(ref _fields, capacity * FieldCount);
        }

        _keys[Count] = entityKey;
        _ticks[Count] = eventTicks;
        _ids[Count] = eventId;
        fields.CopyTo(_fields.AsSpan(Count * FieldCount, FieldCount));
        Count++;
    }

    /// <summary>Removes every event (keeps the capacity).</summary>
    public void Clear()
    {
        Array.Clear(_keys, 0, Count);
        Array.Clear(_ids, 0, Count);
        Array.Clear(_fields, 0, Count * FieldCount);
        Count = 0;
    }

    /// <summary>True when event times never decrease.</summary>
    /// <returns>Whether the batch is sorted by time.</returns>
    public bool IsSortedByTime()
    {
        ReadOnlySpan<long> t = EventTicks;
        for (int i = 1; i < t.Length; i++)
        {
            if (t[i] < t[i - 1])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Sorts the events by time, stably (events with equal times keep their order).</summary>
    public void SortByTime()
    {
        if (IsSortedByTime())
        {
            return;
        }

        int n = Count;
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        long[] ticks = _ticks;
        Array.Sort(order, (a, b) => ticks[a] != ticks[b] ? ticks[a].CompareTo(ticks[b]) : a.CompareTo(b));
        var keys = new string[_keys.Length];
        var times = new long[_ticks.Length];
        var ids = new string?[_ids.Length];
        var fields = new FieldValue[_fields.Length];
        for (int i = 0; i < n; i++)
        {
            int j = order[i];
            keys[i] = _keys[j];
            times[i] = _ticks[j];
            ids[i] = _ids[j];
            _fields.AsSpan(j * FieldCount, FieldCount).CopyTo(fields.AsSpan(i * FieldCount, FieldCount));
        }

        _keys = keys;
        _ticks = times;
        _ids = ids;
        _fields = fields;
    }
}
