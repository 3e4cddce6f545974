using Brisa.Core.Aggregation;

namespace Brisa.Core.Tests.Aggregation;

/// <summary>The engine against the naive reference over 200 random event streams per path.</summary>
public class EnginePropertyTests
{
    private const int Streams = 200;

    public static TheoryData<int> SeedBlocks()
    {
        var data = new TheoryData<int>();
        for (int b = 0; b < Streams / 20; b++)
        {
            data.Add(b);
        }

        return data;
    }

    /// <summary>
    /// Stream path: events in arrival order (late, out of order, duplicate timestamps, tile edges, nulls),
    /// evaluated after random prefixes at and between tile edges and long after the last event; the state is
    /// encoded/decoded and pruned along the way.
    /// </summary>
    [Theory]
    [MemberData(nameof(SeedBlocks))]
    public void Apply_RandomArrivalOrder_MatchesReference(int block)
    {
        for (int seed = block * 20; seed < (block + 1) * 20; seed++)
        {
            RunStream(seed, trackIds: seed % 2 == 0);
        }
    }

    /// <summary>Point-in-time path: events sorted, labels swept in time order, reference filters e ≤ t.</summary>
    [Theory]
    [MemberData(nameof(SeedBlocks))]
    public void PointInTimeSweep_RandomLabels_MatchesReference(int block)
    {
        for (int seed = block * 20; seed < (block + 1) * 20; seed++)
        {
            RunPointInTime(seed + 10_000);
        }
    }

    /// <summary>Batch path (materializer): one batch applied across entities, evaluated at and after each entity's last event.</summary>
    [Theory]
    [MemberData(nameof(SeedBlocks))]
    public void ViewAggregatorApplyBatch_RandomStreams_MatchesReference(int block)
    {
        for (int seed = block * 20; seed < (block + 1) * 20; seed++)
        {
            var scenario = Scenario.Generate(seed + 20_000);
            var rng = new Random(seed);
            var batch = new EventBatch(3);
            foreach (RawEvent e in scenario.Events)
            {
                batch.Add(e.Entity, e.Ticks, e.Id, e.Fields);
            }

            var aggregator = new ViewAggregator(scenario.View);
            BatchApplySummary summary = aggregator.Apply(batch);
            Assert.Equal(scenario.Events.Count, summary.Applied + summary.TooOld);
            Assert.Equal(0, summary.Duplicates);
            var values = new FieldValue[scenario.View.FeatureCount];
            foreach (string entity in scenario.Entities)
            {
                long newest = scenario.Events.Where(e => e.Entity == entity).Select(e => e.Ticks).DefaultIfEmpty(0).Max();
                foreach (long t in scenario.TimesFrom(newest, rng))
                {
                    aggregator.Evaluate(entity, t, values);
                    Check(scenario, seed, scenario.Events, entity, t, values, "batch");
                }
            }
        }
    }

    /// <summary>Sweep, batch and stream give bit-identical values when they apply events in the same order.</summary>
    [Fact]
    public void ThreePaths_SameOrder_BitIdentical()
    {
        for (int seed = 0; seed < 50; seed++)
        {
            var scenario = Scenario.Generate(seed + 30_000);
            var sorted = scenario.Events.OrderBy(e => e.Ticks).ToList();
            var batch = new EventBatch(3);
            foreach (RawEvent e in sorted)
            {
                batch.Add(e.Entity, e.Ticks, e.Id, e.Fields);
            }

            long end = sorted.Count == 0 ? 0 : sorted[^1].Ticks + scenario.G;
            var sweep = new PointInTimeSweep(scenario.View, batch);
            var materializer = new ViewAggregator(scenario.View);
            materializer.Apply(batch);
            var stream = new ViewAggregator(scenario.View);
            foreach (RawEvent e in sorted)
            {
                // The stream persists and reloads its state between events.
                if (stream.TryGet(e.Entity, out EntityTiles? s))
                {
                    stream.Load(e.Entity, s.Encode());
                }

                stream.Apply(e.Entity, e.Ticks, e.Id, e.Fields);
            }

            var a = new FieldValue[scenario.View.FeatureCount];
            var b = new FieldValue[a.Length];
            var c = new FieldValue[a.Length];
            foreach (string entity in scenario.Entities)
            {
                sweep.Evaluate(entity, end, a);
                materializer.Evaluate(entity, end, b);
                stream.Evaluate(entity, end, c);
                for (int f = 0; f < a.Length; f++)
                {
                    Assert.True(BitEqual(a[f], b[f]) && BitEqual(a[f], c[f]), $"seed {seed} feature {f}: {a[f]} / {b[f]} / {c[f]}");
                }
            }
        }
    }

    internal static bool BitEqual(FieldValue x, FieldValue y) =>
        x.IsNumber && y.IsNumber
            ? BitConverter.DoubleToInt64Bits(x.Number) == BitConverter.DoubleToInt64Bits(y.Number)
            : x.Equals(y);

    private static void RunStream(int seed, bool trackIds)
    {
        var scenario = Scenario.Generate(seed, trackIds);
        var rng = new Random(seed * 7919);
        var states = new Dictionary<string, EntityTiles>();
        var applied = new Dictionary<string, List<RawEvent>>();
        var minTime = new Dictionary<string, long>();
        var newestApplied = new Dictionary<string, long>();
        var values = new FieldValue[scenario.View.FeatureCount];
        for (int i = 0; i < scenario.Events.Count; i++)
        {
            RawEvent e = scenario.Events[i];
            if (!states.TryGetValue(e.Entity, out EntityTiles? state))
            {
                state = scenario.View.CreateState();
                states[e.Entity] = state;
                applied[e.Entity] = [];
                minTime[e.Entity] = long.MinValue;
            }

            ApplyResult result = state.Apply(e.Ticks, e.Id, e.Fields);
            Assert.NotEqual(ApplyResult.Duplicate, result);
            applied[e.Entity].Add(e);
            if (result is ApplyResult.Applied or ApplyResult.NewestOnly)
            {
                newestApplied[e.Entity] = Math.Max(newestApplied.GetValueOrDefault(e.Entity, long.MinValue), e.Ticks);
            }

            minTime[e.Entity] = Math.Max(minTime[e.Entity], e.Ticks);

            if (rng.NextDouble() < 0.1)
            {
                // Persist and reload, as the stream does between batches.
                states[e.Entity] = state = scenario.View.Decode(state.Encode());
            }

            if (rng.NextDouble() < 0.05)
            {
                long now = minTime[e.Entity] + rng.NextInt64(0, 3 * scenario.G);
                state.Prune(now);
                minTime[e.Entity] = now;
            }

            if (rng.NextDouble() < 0.15 || i == scenario.Events.Count - 1)
            {
                foreach (long t in scenario.TimesFrom(minTime[e.Entity], rng))
                {
                    long? newest = state.Evaluate(t, values);
                    Assert.Equal(newestApplied.TryGetValue(e.Entity, out long n) ? n : null, newest);
                    Check(scenario, seed, applied[e.Entity], e.Entity, t, values, $"stream after {i + 1} events");
                }
            }
        }
    }

    private static void RunPointInTime(int seed)
    {
        var scenario = Scenario.Generate(seed);
        var rng = new Random(seed);
        var batch = new EventBatch(3);
        foreach (RawEvent e in scenario.Events)
        {
            batch.Add(e.Entity, e.Ticks, e.Id, e.Fields);
        }

        batch.SortByTime();
        var labels = new List<long>();
        foreach (RawEvent e in scenario.Events.Take(30))
        {
            labels.Add(e.Ticks);
            labels.Add(e.Ticks - 1);
            labels.Add(Reference.FloorDiv(e.Ticks, scenario.G) * scenario.G);
        }

        long lo = scenario.Events.Count == 0 ? 0 : scenario.Events.Min(e => e.Ticks);
        long hi = scenario.Events.Count == 0 ? 10 : scenario.Events.Max(e => e.Ticks);
        for (int i = 0; i < 30; i++)
        {
            labels.Add(lo - scenario.G + rng.NextInt64(0, hi - lo + (3 * scenario.G)));
        }

        labels.Add(hi + ((scenario.View.MaxWindowTiles + 3) * scenario.G));
        labels.Sort();
        var sweep = new PointInTimeSweep(scenario.View, batch);
        var values = new FieldValue[scenario.View.FeatureCount];
        foreach (long t in labels)
        {
            string entity = scenario.Entities[rng.Next(scenario.Entities.Length)];
            sweep.Evaluate(entity, t, values);
            Check(scenario, seed, scenario.Events, entity, t, values, "point in time");
        }
    }

    private static void Check(Scenario scenario, int seed, IEnumerable<RawEvent> events, string entity, long t, FieldValue[] values, string path)
    {
        IReadOnlyList<WindowFeatureSpec> features = scenario.View.Features;
        for (int f = 0; f < features.Count; f++)
        {
            FieldValue expected = Reference.Evaluate(features[f], scenario.G, events, entity, t);
            string? problem = Reference.Compare(features[f], expected, values[f], scenario.IntegerValues);
            if (problem is not null)
            {
                Assert.Fail(scenario.Fail(seed, $"{path}, entity {entity}, t={t} (window {features[f].WindowTiles})", problem));
            }
        }
    }
}
