using System.Runtime.InteropServices;
using Brisa.Core.Aggregation;
using Brisa.Core.Features;

namespace Brisa.Core.Training;

/// <summary>
/// The point-in-time sweep of one view, entity by entity: a row of an entity at t sees exactly that entity's events
/// with e ≤ t (or e &lt; t), applied in (time, event id) order — what <see cref="PointInTimeSweep"/> gives, since an
/// entity's value depends on its own events only. Each entity's tiles stay hot in cache while its rows are read, no
/// lookup by key is made per event or row, only one entity's state is held at a time per thread, and entities are
/// independent, so they are swept in parallel with identical results.
/// </summary>
internal static class EntitySweep
{
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
        for (var i = 0; i < events.Count; i++)
        {
            var (batch, row) = events.At(i);
            eventEntity[i] = EntityKeys.FromField(batch.Value(row, view.EntityKeyField)) is { } key && index.TryGetValue(key, out var e) ? e : -1;
        }

        var (rowStart, rowOrder) = GroupBy(rowEntity, index.Count);
        var (eventStart, eventOrder) = GroupBy(eventEntity, index.Count);
        var values = new FieldValue[n * width];
        var newest = new long?[n];
        var ticks = events.Ticks;
        Parallel.For(0, index.Count, e =>
        {
            EntityTiles? state = null;
            var next = eventStart[e];
            var end = eventStart[e + 1];
            for (var k = rowStart[e]; k < rowStart[e + 1]; k++)
            {
                var r = rowOrder[k];
                var t = rowTicks[r];
                var bound = beforeObservation ? t - 1 : t;
                for (; next < end && ticks[eventOrder[next]] <= bound; next++)
                {
                    var (batch, row) = events.At(eventOrder[next]);
                    (state ??= view.View.CreateState()).Apply(ticks[eventOrder[next]], batch.Id(row), batch.Row(row));
                }

                var destination = values.AsSpan(r * width, width);
                if (state is null)
                {
                    view.View.WriteEmpty(destination);
                }
                else
                {
                    newest[r] = state.Evaluate(t, destination);
                }
            }
        });

        return new Result(values, newest, width);
    }

    /// <summary>A stable counting sort of positions by group (−1 = none): the positions of group g are order[start[g]..start[g + 1]).</summary>
    private static (int[] Start, int[] Order) GroupBy(int[] groupOf, int groups)
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
