using Brisa.Core.Ingestion;

namespace Brisa.Core.Training;

/// <summary>
/// The events of one source deduplicated by (event id, event time) (first seen wins) and ordered by (time, event id) — the order
/// the batch materializer applies events in — as references into the caller's batches: no row is copied.
/// </summary>
internal sealed class SortedSourceEvents
{
    private readonly SourceEventBatch[] batches;
    private readonly long[] refs;

    private SortedSourceEvents(SourceEventBatch[] batches, long[] ticks, long[] refs, int count)
    {
        this.batches = batches;
        Ticks = ticks;
        this.refs = refs;
        Count = count;
    }

    /// <summary>Number of distinct events.</summary>
    public int Count { get; }

    /// <summary>Event times in order (the first <see cref="Count"/> entries).</summary>
    public long[] Ticks { get; }

    /// <summary>Orders the events of <paramref name="source"/> found in <paramref name="events"/>.</summary>
    /// <param name="source">The source name; batches of other sources are ignored.</param>
    /// <param name="events">The batches, in any order.</param>
    /// <returns>The ordered events.</returns>
    public static SortedSourceEvents Create(string source, IEnumerable<SourceEventBatch> events)
    {
        var batches = events.Where(b => b.Schema.SourceName == source && b.Count > 0).ToArray();
        var offsets = new int[batches.Length + 1];
        for (var b = 0; b < batches.Length; b++)
        {
            offsets[b + 1] = offsets[b] + batches[b].Count;
        }

        var total = offsets[^1];
        var ticks = new long[total];
        for (var b = 0; b < batches.Length; b++)
        {
            for (var row = 0; row < batches[b].Count; row++)
            {
                ticks[offsets[b] + row] = batches[b].EventTicks(row);
            }
        }

        var first = DistinctIds.FirstOfEach(
            total,
            j =>
            {
                var b = Array.BinarySearch(offsets, j);
                b = b < 0 ? ~b - 1 : b;
                return batches[b].Id(j - offsets[b]);
            },
            j => ticks[j]);

        // Kept in place: the n-th kept event is never after the j-th read.
        var refs = new long[total];
        var n = 0;
        for (var b = 0; b < batches.Length; b++)
        {
            for (var row = 0; row < batches[b].Count; row++)
            {
                var j = offsets[b] + row;
                if (first[j])
                {
                    ticks[n] = ticks[j];
                    refs[n] = ((long)b << 32) | (uint)row;
                    n++;
                }
            }
        }

        // Sorting primitive keys (skipped when already in time order, as generated or replayed streams are), then
        // each run of equal times by id, is several times faster than one comparison sort of (time, id).
        if (!IsSorted(ticks, n))
        {
            Array.Sort(ticks, refs, 0, n);
        }

        var byId = Comparer<long>.Create((x, y) => string.CompareOrdinal(batches[(int)(x >> 32)].Id((int)x), batches[(int)(y >> 32)].Id((int)y)));
        ForEachTie(ticks, n, (start, length) => Array.Sort(refs, start, length, byId));
        return new SortedSourceEvents(batches, ticks, refs, n);
    }

    /// <summary>Sorts <paramref name="items"/> by <paramref name="keys"/>, equal keys by <paramref name="tieBreak"/>.</summary>
    /// <param name="keys">The keys (reordered along).</param>
    /// <param name="items">The items, e.g. 0..n−1.</param>
    /// <param name="tieBreak">Orders items of equal keys.</param>
    public static void Sort(long[] keys, int[] items, IComparer<int> tieBreak)
    {
        if (!IsSorted(keys, keys.Length))
        {
            Array.Sort(keys, items);
        }

        ForEachTie(keys, keys.Length, (start, length) => Array.Sort(items, start, length, tieBreak));
    }

    /// <summary>The batch and row of the i-th event.</summary>
    /// <param name="i">The position in time order.</param>
    /// <returns>The batch and the row in it.</returns>
    public (SourceEventBatch Batch, int Row) At(int i) => (batches[(int)(refs[i] >> 32)], (int)refs[i]);

    private static bool IsSorted(long[] keys, int count)
    {
        for (var i = 1; i < count; i++)
        {
            if (keys[i] < keys[i - 1])
            {
                return false;
            }
        }

        return true;
    }

    private static void ForEachTie(long[] keys, int count, Action<int, int> sortRun)
    {
        var i = 0;
        while (i < count)
        {
            var j = i + 1;
            while (j < count && keys[j] == keys[i])
            {
                j++;
            }

            if (j - i > 1)
            {
                sortRun(i, j - i);
            }

            i = j;
        }
    }
}
