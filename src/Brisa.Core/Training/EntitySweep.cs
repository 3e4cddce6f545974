using System.Runtime.InteropServices;
using Brisa.Core.Aggregation;
using Brisa.Core.Features;

namespace Brisa.Core.Training;

/// <summary>
/// The point-in-time sweep of one view, entity by entity: a row of an entity at t sees exactly that entity's events
/// with e ≤ t (or e &lt; t), applied in (time, event id) order — what <see cref="PointInTimeSweep"/> gives, since an
/// entity's value depends on its own events only. Each event's and row's entity is looked up once, up front; the
/// sweep then reads each entity's events contiguously, its tiles stay hot in cache while its rows are read, one tile
/// state per thread is reset between entities, and entities are independent, so they are swept in parallel with
/// identical results.
/// </summary>
internal static class EntitySweep
{
    /// <summary>Events looked up per parallel work item.</summary>
    private const int Chunk = 1 << 16;

    /// <summary>Evaluates <paramref name="view"/> for every row.</summary>
    /// <param name="view">The view.</param>
    /// <param name="events">Its source's events in (time, id) order.</param>
    /// <param name="rowKeys">The row's entity key per position of the rows' time order (null: no key).</param>
    /// <param name="rowTicks">The row's time per position (non-decreasing).</param>
    /// <param name="beforeObservation">True: events with e &lt; t; false: e ≤ t.</param>
    /// <returns>The values of every row.</returns>
    public static Result Run(ViewPlan view, SortedSourceEvents events, string?[] rowKeys, long[] rowTicks, bool beforeObservation)
    {
        var n = rowKeys.Length;
        var width = view.View.FeatureCount;

        // Entities are numbered by the rows that need them; events of other entities are never applied.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var rowEntity = new int[n];
        for (var r = 0; r < n; r++)
        {
            if (rowKeys[r] is not { } key)
            {
                rowEntity[r] = -1;
                continue;
            }

            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(index, key, out var exists);
            if (!exists)
            {
                slot = index.Count - 1;
            }

            rowEntity[r] = slot;
        }

        var eventEntity = new int[events.Count];
        var keyField = view.EntityKeyField;

        // Read-only lookups of a built dictionary: safe to split across threads.
        Parallel.For(0, (events.Count + Chunk - 1) / Chunk, c =>
        {
            for (var i = c * Chunk; i < Math.Min(events.Count, (c + 1) * Chunk); i++)
            {
                var (batch, row) = events.At(i);
                eventEntity[i] = EntityKeys.FromField(batch.Value(row, keyField)) is { } key && index.TryGetValue(key, out var e) ? e : -1;
            }
        });

        var (rowStart, rowOrder) = GroupBy(rowEntity, index.Count);
        var grouped = GroupedEvents.Create(view.View, events, eventEntity, index.Count);
        var values = new FieldValue[n * width];
        var newest = new long?[n];
        var tiled = view.View;
        Parallel.For(0, index.Count, () => (State: tiled.CreateState(), Fields: new FieldValue[tiled.FieldCount]), (e, _, scratch) =>
        {
            var (state, fields) = scratch;
            state.Reset();
            var any = false;
            var next = grouped.Start[e];
            var end = grouped.Start[e + 1];
            for (var k = rowStart[e]; k < rowStart[e + 1]; k++)
            {
                var r = rowOrder[k];
                var t = rowTicks[r];
                var bound = beforeObservation ? t - 1 : t;
                for (; next < end && grouped.Ticks[next] <= bound; next++)
                {
                    state.Apply(grouped.Ticks[next], grouped.Load(next, fields), fields);
                    any = true;
                }

                var destination = values.AsSpan(r * width, width);
                if (any)
                {
                    newest[r] = state.Evaluate(t, destination);
                }
                else
                {
                    tiled.WriteEmpty(destination);
                }
            }

            return scratch;
        }, _ => { });

        return new Result(values, newest, width);
    }

    /// <summary>A stable counting sort of positions by group (−1 = none): the positions of group g are order[start[g]..start[g + 1]).</summary>
    private static (int[] Start, int[] Order) GroupBy(int[] groupOf, int groups)
    {
        var start = GroupStarts(groupOf, groups);
        var fill = start[..^1];
        var order = new int[start[groups]];
        for (var i = 0; i < groupOf.Length; i++)
        {
            if (groupOf[i] is var g and >= 0)
            {
                order[fill[g]++] = i;
            }
        }

        return (start, order);
    }

    /// <summary>Where each group's positions start when positions are laid out by group (−1 = none): group g at [start[g], start[g + 1]).</summary>
    private static int[] GroupStarts(int[] groupOf, int groups)
    {
        var start = new int[groups + 1];
        foreach (var g in groupOf)
        {
            if (g >= 0)
            {
                start[g + 1]++;
            }
        }

        for (var g = 0; g < groups; g++)
        {
            start[g + 1] += start[g];
        }

        return start;
    }

    /// <summary>
    /// The events laid out entity by entity (each entity's in time order), with their times and just the fields the
    /// view reads copied alongside: the sweep then reads each entity's events sequentially instead of gathering
    /// scattered rows of the source batches (one cache miss or more per event otherwise).
    /// </summary>
    private sealed class GroupedEvents
    {
        private readonly SortedSourceEvents events;
        private readonly int[] fieldIndexes;
        private readonly FieldValue[] fieldValues;
        private readonly int[]? eventOf;

        private GroupedEvents(SortedSourceEvents events, int[] start, long[] ticks, int[] fieldIndexes, FieldValue[] fieldValues, int[]? eventOf)
        {
            this.events = events;
            Start = start;
            Ticks = ticks;
            this.fieldIndexes = fieldIndexes;
            this.fieldValues = fieldValues;
            this.eventOf = eventOf;
        }

        /// <summary>Entity e's events are at [Start[e], Start[e + 1]).</summary>
        public int[] Start { get; }

        /// <summary>Event times by grouped position.</summary>
        public long[] Ticks { get; }

        public static GroupedEvents Create(TiledView view, SortedSourceEvents events, int[] entityOf, int entities)
        {
            var start = GroupStarts(entityOf, entities);
            var fill = start[..^1];
            var count = start[entities];
            var fieldIndexes = view.EventFields;
            var width = fieldIndexes.Length;
            var ticks = new long[count];
            var fieldValues = new FieldValue[count * width];
            var eventOf = view.ReadsEventIds ? new int[count] : null;
            for (var i = 0; i < entityOf.Length; i++)
            {
                if (entityOf[i] is not (var e and >= 0))
                {
                    continue;
                }

                var k = fill[e]++;
                ticks[k] = events.Ticks[i];
                var (batch, row) = events.At(i);
                var source = batch.Row(row);
                for (var f = 0; f < width; f++)
                {
                    fieldValues[(k * width) + f] = source[fieldIndexes[f]];
                }

                if (eventOf is not null)
                {
                    eventOf[k] = i;
                }
            }

            return new GroupedEvents(events, start, ticks, fieldIndexes, fieldValues, eventOf);
        }

        /// <summary>Writes the read fields of the event at grouped position k into <paramref name="fields"/> (others are left as they are) and returns its id when the view reads ids.</summary>
        public string? Load(int k, FieldValue[] fields)
        {
            var width = fieldIndexes.Length;
            for (var f = 0; f < width; f++)
            {
                fields[fieldIndexes[f]] = fieldValues[(k * width) + f];
            }

            if (eventOf is null)
            {
                return null;
            }

            var (batch, row) = events.At(eventOf[k]);
            return batch.Id(row);
        }
    }

    /// <summary>One view's values for every row position.</summary>
    internal sealed class Result(FieldValue[] values, long?[] newest, int width)
    {
        /// <summary>Copies a row's values and returns its entity's newest event time (null when it had none).</summary>
        public long? Read(int position, Span<FieldValue> destination)
        {
            values.AsSpan(position * width, width).CopyTo(destination);
            return newest[position];
        }
    }
}
