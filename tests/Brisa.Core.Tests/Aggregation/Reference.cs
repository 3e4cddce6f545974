using Brisa.Core.Aggregation;

namespace Brisa.Core.Tests.Aggregation;

/// <summary>One raw event as a test generates it.</summary>
internal sealed record RawEvent(string Entity, long Ticks, string Id, FieldValue[] Fields);

/// <summary>The naive reference: filter the raw events by the exact definition (DESIGN §4), then aggregate.</summary>
internal static class Reference
{
    public static long FloorDiv(long x, long g) => x >= 0 ? x / g : -((-(x + 1)) / g) - 1;

    public static List<RawEvent> InWindow(IEnumerable<RawEvent> events, string entity, long tileTicks, int windowTiles, long t)
    {
        long tt = FloorDiv(t, tileTicks);
        return events
            .Where(e => e.Entity == entity && e.Ticks <= t)
            .Where(e => FloorDiv(e.Ticks, tileTicks) >= tt - windowTiles + 1 && FloorDiv(e.Ticks, tileTicks) <= tt)
            .ToList();
    }

    public static FieldValue Evaluate(WindowFeatureSpec feature, long tileTicks, IEnumerable<RawEvent> events, string entity, long t)
    {
        List<RawEvent> window = InWindow(events, entity, tileTicks, feature.WindowTiles, t);
        if (feature.Kind == AggregationKind.Count)
        {
            return FieldValue.FromNumber(window.Count);
        }

        var present = window.Where(e => !e.Fields[feature.FieldIndex].IsNull).ToList();
        List<double> numbers = feature.Kind is AggregationKind.Last or AggregationKind.DistinctCount
            ? []
            : present.Select(e => e.Fields[feature.FieldIndex].Number).ToList();
        switch (feature.Kind)
        {
            case AggregationKind.Sum:
                return FieldValue.FromNumber(numbers.Sum());
            case AggregationKind.Mean:
                return numbers.Count == 0 ? FieldValue.Null : FieldValue.FromNumber(numbers.Sum() / numbers.Count);
            case AggregationKind.Min:
                return numbers.Count == 0 ? FieldValue.Null : FieldValue.FromNumber(numbers.Min());
            case AggregationKind.Max:
                return numbers.Count == 0 ? FieldValue.Null : FieldValue.FromNumber(numbers.Max());
            case AggregationKind.StdDev:
                {
                    if (numbers.Count < 2)
                    {
                        return FieldValue.Null;
                    }

                    double mean = numbers.Sum() / numbers.Count;
                    double ss = numbers.Sum(x => (x - mean) * (x - mean));
                    return FieldValue.FromNumber(Math.Sqrt(ss / (numbers.Count - 1)));
                }

            case AggregationKind.Last:
                {
                    RawEvent? best = null;
                    foreach (RawEvent e in present)
                    {
                        if (best is null || e.Ticks > best.Ticks || (e.Ticks == best.Ticks && string.CompareOrdinal(e.Id, best.Id) > 0))
                        {
                            best = e;
                        }
                    }

                    return best is null ? FieldValue.Null : best.Fields[feature.FieldIndex];
                }

            case AggregationKind.DistinctCount:
                return FieldValue.FromNumber(present.Select(e => e.Fields[feature.FieldIndex]).Distinct().Count());
            default:
                throw new InvalidOperationException(feature.Kind.ToString());
        }
    }

    /// <summary>Exact where the arithmetic allows, else 1e-9 relative (floor 1 for values near zero).</summary>
    public static string? Compare(WindowFeatureSpec feature, FieldValue expected, FieldValue actual, bool integerValues)
    {
        if (expected.IsNull || actual.IsNull || expected.IsText || actual.IsText)
        {
            return expected.Equals(actual) ? null : $"{feature.Name}: expected {expected}, got {actual}";
        }

        bool exact = feature.Kind is AggregationKind.Count or AggregationKind.Min or AggregationKind.Max or AggregationKind.Last or AggregationKind.DistinctCount
            || (integerValues && feature.Kind is AggregationKind.Sum or AggregationKind.Mean);
        double e = expected.Number;
        double a = actual.Number;
        if (exact)
        {
            return e == a ? null : $"{feature.Name}: expected exactly {e:R}, got {a:R}";
        }

        return Math.Abs(a - e) <= 1e-9 * Math.Max(Math.Abs(e), 1.0) ? null : $"{feature.Name}: expected {e:R}, got {a:R} (beyond 1e-9)";
    }
}

/// <summary>A random scenario: a view with every aggregation kind and a stream of events in arrival order.</summary>
internal sealed class Scenario
{
    public static readonly string[] Countries = ["PT", "ES", "FR", "DE", "BR", "Ä\u00d6", "日本"];

    private Scenario(TiledView view, List<RawEvent> events, bool integerValues, string[] entities)
    {
        View = view;
        Events = events;
        IntegerValues = integerValues;
        Entities = entities;
    }

    public TiledView View { get; }

    public List<RawEvent> Events { get; }

    public bool IntegerValues { get; }

    public string[] Entities { get; }

    public long G => View.TileTicks;

    public static Scenario Generate(int seed, bool trackIds = false, int? maxEvents = null)
    {
        var rng = new Random(seed);
        long[] tiles = [1, 2, 5, 10, 60, 3600, TimeSpan.FromMinutes(5).Ticks, TimeSpan.FromHours(1).Ticks];
        long g = tiles[rng.Next(tiles.Length)];
        int K() => rng.Next(1, 9);
        var features = new List<WindowFeatureSpec>
        {
            new("count", AggregationKind.Count, -1, K()),
            new("sum_amount", AggregationKind.Sum, 0, K()),
            new("mean_amount", AggregationKind.Mean, 0, K()),
            new("min_amount", AggregationKind.Min, 0, K()),
            new("max_amount", AggregationKind.Max, 0, K()),
            new("std_amount", AggregationKind.StdDev, 0, K()),
            new("last_country", AggregationKind.Last, 1, K()),
            new("last_amount", AggregationKind.Last, 0, K()),
            new("distinct_country", AggregationKind.DistinctCount, 1, K()),
            new("distinct_level", AggregationKind.DistinctCount, 2, K()),
            new("sum_level", AggregationKind.Sum, 2, K()),
            new("std_level", AggregationKind.StdDev, 2, K()),
            new("last_level", AggregationKind.Last, 2, K()),
            new("count_long", AggregationKind.Count, -1, K() * 3),
            new("distinct_amount", AggregationKind.DistinctCount, 0, K() * 2), // high cardinality: beyond 64 values per entity
        };

        // Shuffle the feature order so block sharing varies.
        features = features.OrderBy(_ => rng.Next()).ToList();
        var view = new TiledView(new TiledViewSpec($"view{seed}", TimeSpan.FromTicks(g), features, trackIds));
        bool integers = rng.Next(2) == 0;
        string[] entities = Enumerable.Range(1, rng.Next(1, 4)).Select(i => $"c{i}").ToArray();
        int n = rng.Next(0, maxEvents ?? 160);
        long baseTile = rng.NextInt64(-40, 40);
        int spanTiles = rng.Next(1, 30);
        var times = new List<long>();
        var events = new List<RawEvent>();
        for (int i = 0; i < n; i++)
        {
            double r = rng.NextDouble();
            long ticks;
            if (r < 0.15 && times.Count > 0)
            {
                ticks = times[rng.Next(times.Count)]; // duplicate timestamp: ties for last
            }
            else if (r < 0.35)
            {
                long edge = (baseTile + rng.Next(spanTiles + 1)) * g;
                ticks = rng.Next(2) == 0 ? edge : edge - 1; // first / last tick of a tile
            }
            else
            {
                ticks = (baseTile * g) + rng.NextInt64(0, spanTiles * g);
            }

            times.Add(ticks);
            FieldValue amount = rng.NextDouble() < 0.15
                ? FieldValue.Null
                : FieldValue.FromNumber(integers ? rng.Next(-100, 1000) : Math.Round((rng.NextDouble() * 2000) - 1000, 4));
            FieldValue country = rng.NextDouble() < 0.1 ? FieldValue.Null : FieldValue.FromText(Countries[rng.Next(Countries.Length)]);
            FieldValue level = rng.NextDouble() < 0.1 ? FieldValue.Null : FieldValue.FromNumber(rng.Next(0, 5));
            string id = $"{rng.Next(100):D2}-{i}";
            events.Add(new RawEvent(entities[rng.Next(entities.Length)], ticks, id, [amount, country, level]));
        }

        // Arrival order: in time order, fully shuffled, or in order with some late events.
        events = events.OrderBy(e => e.Ticks).ToList();
        switch (seed % 3)
        {
            case 0:
                events = events.OrderBy(_ => rng.Next()).ToList();
                break;
            case 2:
                for (int i = 0; i < events.Count; i++)
                {
                    if (rng.NextDouble() < 0.2)
                    {
                        int j = rng.Next(i, events.Count);
                        (events[i], events[j]) = (events[j], events[i]);
                    }
                }

                break;
        }

        return new Scenario(view, events, integers, entities);
    }

    /// <summary>Evaluation times at and around tile edges from <paramref name="from"/>, and long after.</summary>
    public IEnumerable<long> TimesFrom(long from, Random rng)
    {
        long tile = Reference.FloorDiv(from, G);
        yield return from;
        yield return from + 1;
        yield return ((tile + 1) * G) - 1;
        yield return (tile + 1) * G;
        yield return from + rng.NextInt64(0, 4 * G);
        yield return (tile + rng.Next(1, 10)) * G;
        yield return from + ((View.MaxWindowTiles + 2) * G);
    }

    public string Fail(int seed, string where, string? detail) =>
        $"seed {seed} (tile {G} ticks, {Events.Count} events, integers {IntegerValues}) {where}: {detail}";
}

/// <summary>Assertions over whole aggregators.</summary>
internal static class AggregatorAssert
{
    /// <summary>Both hold the same entities among <paramref name="entities"/>, with byte-identical encoded states.</summary>
    public static void SameStates(ViewAggregator expected, ViewAggregator actual, IEnumerable<string> entities)
    {
        foreach (string entity in entities)
        {
            Assert.Equal(expected.TryGet(entity, out EntityTiles? a), actual.TryGet(entity, out EntityTiles? b));
            if (a is not null)
            {
                Assert.Equal(a.Encode(), b!.Encode());
            }
        }
    }
}
