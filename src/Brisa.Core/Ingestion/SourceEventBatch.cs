using Brisa.Core.Aggregation;

namespace Brisa.Core.Ingestion;

/// <summary>
/// Accepted events of one source, row-major in flat arrays (no per-event objects): event time, id, and one
/// <see cref="FieldValue"/> per schema field. Numbers are doubles; longs are exact up to 2^53; booleans are 1/0;
/// timestamps are Unix microseconds (UTC).
/// </summary>
public sealed class SourceEventBatch
{
    private long[] eventTicks;
    private string[] ids;
    private FieldValue[] values;

    /// <summary>Creates an empty batch for a schema.</summary>
    public SourceEventBatch(EventSchema schema, int capacity = 64)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        capacity = Math.Max(capacity, 1);
        eventTicks = new long[capacity];
        ids = new string[capacity];
        values = new FieldValue[capacity * schema.Fields.Count];
    }

    /// <summary>The schema of every row.</summary>
    public EventSchema Schema { get; }

    /// <summary>Number of rows.</summary>
    public int Count { get; private set; }

    /// <summary>Event time of a row, as Unix ticks (100 ns) UTC: the engine's time axis.</summary>
    public long EventTicks(int row)
    {
        CheckRow(row);
        return eventTicks[row];
    }

    /// <summary>The CloudEvent id of a row.</summary>
    public string Id(int row)
    {
        CheckRow(row);
        return ids[row];
    }

    /// <summary>The field values of a row, in schema order.</summary>
    public ReadOnlySpan<FieldValue> Row(int row)
    {
        CheckRow(row);
        return values.AsSpan(row * Schema.Fields.Count, Schema.Fields.Count);
    }

    /// <summary>One value.</summary>
    public FieldValue Value(int row, int field)
    {
        CheckRow(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)field, (uint)Schema.Fields.Count, nameof(field));
        return values[(row * Schema.Fields.Count) + field];
    }

    /// <summary>Appends a row (e.g. read back from the raw zone).</summary>
    public void Add(string id, long ticks, ReadOnlySpan<FieldValue> row)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (row.Length != Schema.Fields.Count)
        {
            throw new ArgumentException($"Expected {Schema.Fields.Count} values, got {row.Length}.", nameof(row));
        }

        row.CopyTo(Append(id, ticks));
    }

    /// <summary>Appends a row and returns the span to fill with its values.</summary>
    internal Span<FieldValue> Append(string id, long ticks)
    {
        if (Count == eventTicks.Length)
        {
            var capacity = Count * 2;
            Array.Resize(ref eventTicks, capacity);
            Array.Resize(ref ids, capacity);
            Array.Resize(ref values, capacity * Schema.Fields.Count);
        }

        eventTicks[Count] = ticks;
        ids[Count] = id;
        // Values past Count are always default (new and grown arrays are, and Truncate clears what it drops), so the
        // row needs no clearing.
        var row = values.AsSpan(Count * Schema.Fields.Count, Schema.Fields.Count);
        Count++;
        return row;
    }

    /// <summary>Sets one value of a row already appended (a string the decoder looks up after the row's message).</summary>
    internal void SetValue(int row, int field, FieldValue value) => values[(row * Schema.Fields.Count) + field] = value;

    /// <summary>Sets the event time of the last appended row (known only once its data is read).</summary>
    internal void SetLastTicks(long ticks) => eventTicks[Count - 1] = ticks;

    /// <summary>Sets the id and event time of the last appended row (a row filled before its envelope was complete).</summary>
    internal void SetLast(string id, long ticks)
    {
        ids[Count - 1] = id;
        eventTicks[Count - 1] = ticks;
    }

    // The arrays are larger than Count: without this, a row past it reads as an empty one (time 0, no id) instead of failing.
    private void CheckRow(int row) => ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)Count, nameof(row));

    /// <summary>Drops rows from <paramref name="count"/> on (a rejected event, or a malformed message's partial rows).</summary>
    internal void Truncate(int count)
    {
        for (var i = count; i < Count; i++)
        {
            ids[i] = null!;
        }

        values.AsSpan(count * Schema.Fields.Count, (Count - count) * Schema.Fields.Count).Clear();
        Count = count;
    }
}
