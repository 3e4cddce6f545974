using System.Runtime.CompilerServices;

namespace Brisa.Core.Aggregation;

/// <summary>The header of one tile: its index, its event count and its newest event time (the first words of its record).</summary>
internal struct TileHeader
{
    /// <summary>Words of a tile record the header takes.</summary>
    public const int Words = 3;

    /// <summary>floor(event ticks / g).</summary>
    public long Index;

    /// <summary>Events applied (count counts events, nulls included).</summary>
    public long Count;

    /// <summary>Greatest event time applied.</summary>
    public long MaxTicks;
}

/// <summary>The latest non-null value of a field in a tile, by (event time, event id ordinal).</summary>
internal readonly record struct LastSlot(long Ticks, string? EventId, FieldValue Value)
{
    public bool IsEmpty => Value.IsNull;
}

/// <summary>
/// Where each part of a tile lives in an entity's two per-tile records: <c>long</c> words (header, numeric
/// accumulators as double bits, distinct masks, last-value times and numbers, the inline id hash and count) and
/// object references (last-value ids and values, overflowed distinct sets, the id hash table). One record per
/// tile in each array, so an event touches one or two cache lines of each rather than one line per part.
/// </summary>
internal sealed class TileLayout
{
    public TileLayout(int numericStride, double[] numericTemplate, int lastFields, int distinctFields, bool tracksIds)
    {
        NumericOffset = TileHeader.Words;
        MaskOffset = NumericOffset + numericStride;
        LastOffset = MaskOffset + distinctFields;
        IdOffset = LastOffset + (2 * lastFields);
        Words = IdOffset + (tracksIds ? TileIds.InlineWords : 0);
        DistinctRefOffset = 2 * lastFields;
        IdRefOffset = DistinctRefOffset + distinctFields;
        References = IdRefOffset + (tracksIds ? 1 : 0);
        Template = new long[Words];
        Template[2] = long.MinValue; // MaxTicks
        for (int i = 0; i < numericStride; i++)
        {
            Template[NumericOffset + i] = BitConverter.DoubleToInt64Bits(numericTemplate[i]);
        }
    }

    /// <summary>Words per tile record.</summary>
    public int Words { get; }

    /// <summary>First numeric slot (a double's bits per word; see <see cref="TiledView.NumericStride"/>).</summary>
    public int NumericOffset { get; }

    /// <summary>First distinct-field mask word.</summary>
    public int MaskOffset { get; }

    /// <summary>First last-value pair of words (time, number bits) per last field.</summary>
    public int LastOffset { get; }

    /// <summary>The inline id words (<see cref="TileIds"/>), when tracking ids.</summary>
    public int IdOffset { get; }

    /// <summary>References per tile record: per last field (event id, value reference), per distinct field a set, the id table.</summary>
    public int References { get; }

    /// <summary>First overflowed distinct set reference.</summary>
    public int DistinctRefOffset { get; }

    /// <summary>The id hash table reference, when tracking ids.</summary>
    public int IdRefOffset { get; }

    /// <summary>The words of an empty tile (index 0, no events, max time long.MinValue, numeric template).</summary>
    public long[] Template { get; }
}

/// <summary>
/// A small insertion-ordered set of values (linear scan; hashed once it grows). The first value is held inline:
/// most tiles see one distinct value, and then no array is allocated.
/// </summary>
internal sealed class DistinctSet
{
    private const int IndexThreshold = 16;
    private FieldValue _first;
    private FieldValue[] _items = [];
    private HashSet<FieldValue>? _index;

    public int Count { get; private set; }

    public ReadOnlySpan<FieldValue> Items =>
        _items.Length > 0 ? _items.AsSpan(0, Count) : Count == 0 ? default : new ReadOnlySpan<FieldValue>(in _first);

    public bool Add(FieldValue value)
    {
        if (_index is not null)
        {
            if (!_index.Add(value))
            {
                return false;
            }
        }
        else
        {
            foreach (FieldValue v in Items)
            {
                if (v.Equals(value))
                {
                    return false;
                }
            }
        }

        if (Count == 0)
        {
            _first = value;
            Count = 1;
            return true;
        }

        if (_items.Length == 0)
        {
            _items = new FieldValue[4];
            _items[0] = _first;
            _first = default;
        }
        else if (Count == _items.Length)
        {
            Array.Resize(ref _items, Count * 2);
        }

        _items[Count++] = value;
        if (_index is null && Count > IndexThreshold)
        {
            _index = new HashSet<FieldValue>(Count * 2);
            foreach (FieldValue v in Items)
            {
                _index.Add(v);
            }
        }

        return true;
    }
}

/// <summary>
/// The set of 64-bit event id hashes of one tile, over the tile's records: the first non-zero hash and the count
/// in two inline words (a tile with one event allocates nothing), an open-addressing table in the tile's id
/// reference once a second hash arrives.
/// </summary>
internal ref struct TileIds
{
    /// <summary>Words of a tile record the inline part takes: the single hash, then count · 2 + (1 when hash 0 is held).</summary>
    public const int InlineWords = 2;

    private readonly ref long _single;
    private readonly ref long _meta;
    private readonly ref object? _table;

    public TileIds(Span<long> inline, ref object? table)
    {
        _single = ref inline[0];
        _meta = ref inline[1];
        _table = ref table;
    }

    public readonly int Count => (int)(_meta >> 1);

    /// <summary>Adds a hash; false when already present.</summary>
    public readonly bool Add(ulong hash)
    {
        if (hash == 0)
        {
            if ((_meta & 1) != 0)
            {
                return false;
            }

            _meta += 3;
            return true;
        }

        ulong[]? slots = Unsafe.As<ulong[]?>(_table);
        if (slots is null)
        {
            ulong single = (ulong)_single;
            if (single == 0)
            {
                _single = (long)hash;
                _meta += 2;
                return true;
            }

            if (single == hash)
            {
                return false;
            }

            slots = new ulong[4];
            Insert(slots, single);
            _single = 0;
            _table = slots;
        }

        if ((Count + 1) * 2 > slots.Length)
        {
            slots = Grow(slots);
            _table = slots;
        }

        if (!Insert(slots, hash))
        {
            return false;
        }

        _meta += 2;
        return true;
    }

    public readonly void CopyTo(Span<ulong> destination)
    {
        int n = 0;
        if ((_meta & 1) != 0)
        {
            destination[n++] = 0;
        }

        if (_table is not ulong[] slots)
        {
            if (_single != 0)
            {
                destination[n] = (ulong)_single;
            }

            return;
        }

        foreach (ulong s in slots)
        {
            if (s != 0)
            {
                destination[n++] = s;
            }
        }
    }

    private static bool Insert(ulong[] slots, ulong hash)
    {
        int mask = slots.Length - 1;
        int i = (int)((hash ^ (hash >> 29) ^ (hash >> 47)) & (ulong)mask);
        while (true)
        {
            ulong s = slots[i];
            if (s == 0)
            {
                slots[i] = hash;
                return true;
            }

            if (s == hash)
            {
                return false;
            }

            i = (i + 1) & mask;
        }
    }

    private static ulong[] Grow(ulong[] slots)
    {
        var bigger = new ulong[slots.Length * 2];
        foreach (ulong s in slots)
        {
            if (s != 0)
            {
                Insert(bigger, s);
            }
        }

        return bigger;
    }
}

/// <summary>
/// Per entity and distinct-count field: up to 64 values numbered 0–63, so a tile holds its distinct values as a
/// 64-bit mask and a window's distinct count is the population count of OR-ed masks. Beyond 64 live values the
/// field falls back to a <see cref="DistinctSet"/> per tile (<see cref="Overflow"/>). A struct held in the entity's
/// array with its first value inline, so an event usually finds its value without following another reference.
/// </summary>
internal struct DistinctDictionary
{
    public const int Capacity = 64;

    // Value 0 inline: most entities see one value of a field (a customer's country), then no array is read or made.
    private FieldValue _first;
    private FieldValue[]? _rest;

    public int Count { get; private set; }

    public bool Overflow { get; set; }

    /// <summary>False until the first value is added (the field never held a value).</summary>
    public bool IsUsed { get; private set; }

    public readonly FieldValue this[int id] => id == 0 ? _first : _rest![id - 1];

    public readonly int IndexOf(FieldValue value)
    {
        if (Count == 0)
        {
            return -1;
        }

        if (_first.Equals(value))
        {
            return 0;
        }

        for (int i = 1; i < Count; i++)
        {
            if (_rest![i - 1].Equals(value))
            {
                return i;
            }
        }

        return -1;
    }

    public int Add(FieldValue value)
    {
        IsUsed = true;
        if (Count == 0)
        {
            _first = value;
            return Count++;
        }

        _rest ??= new FieldValue[4];
        if (Count - 1 == _rest.Length)
        {
            Array.Resize(ref _rest, Math.Min(Capacity - 1, _rest.Length * 2));
        }

        _rest[Count - 1] = value;
        return Count++;
    }

    public void Clear()
    {
        _first = default;
        if (_rest is not null)
        {
            Array.Clear(_rest);
        }

        Count = 0;
    }
}

/// <summary>Canonical order of distinct values in the encoding: numbers (ascending) before text (ordinal).</summary>
internal sealed class CanonicalValueComparer : IComparer<FieldValue>
{
    public static readonly CanonicalValueComparer Instance = new();

    public int Compare(FieldValue x, FieldValue y)
    {
        if (x.IsNumber)
        {
            return y.IsNumber ? x.Number.CompareTo(y.Number) : -1;
        }

        return y.IsNumber ? 1 : string.CompareOrdinal(x.AsText(), y.AsText());
    }
}
