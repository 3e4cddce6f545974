using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Materialization;
using Brisa.Core.Tests.Training;
using Brisa.Core.Training;
using FeaturePlan = Brisa.Core.Features.FeaturePlan;

namespace Brisa.Core.Tests.Materialization;

public class SourceMaterializerTests
{
    private static readonly FeaturePlan Plan = FraudStream.Plan;
    private static readonly ViewPlan[] Views = Plan.Views.Where(v => v.Definition.Source == "transaction").ToArray();

    /// <summary>Splits events into hour partitions, as the raw zone does, with some events repeated in a second "file".</summary>
    internal static SortedDictionary<long, List<SourceEventBatch>> Partition(SourceEventBatch events, int seed)
    {
        var rng = new Random(seed);
        var hours = new SortedDictionary<long, List<SourceEventBatch>>();
        for (var i = 0; i < events.Count; i++)
        {
            var hour = SourceMaterializer.FloorHour(events.EventTicks(i));
            if (!hours.TryGetValue(hour, out var files))
            {
                hours[hour] = files = [new SourceEventBatch(events.Schema), new SourceEventBatch(events.Schema)];
            }

            files[0].Add(events.Id(i), events.EventTicks(i), events.Row(i));
            if (rng.NextDouble() < 0.1)
            {
                files[1].Add(events.Id(i), events.EventTicks(i), events.Row(i));
            }
        }

        return hours;
    }

    internal static (List<MaterializedHour> Hours, SourceMaterializer Materializer) Run(SortedDictionary<long, List<SourceEventBatch>> hours, long from, long to)
    {
        var materializer = new SourceMaterializer(Views, from, to);
        var output = new List<MaterializedHour>();
        while (!materializer.IsComplete)
        {
            var h = materializer.NextHourTicks;
            output.Add(materializer.ProcessHour(hours.TryGetValue(h, out var files) ? files : []));
        }

        return (output, materializer);
    }

    /// <summary>The as-of lookup a reader does: the entity's latest row at or before t in t's day, else empty-window values.</summary>
    internal static FieldValue[] AsOf(IEnumerable<OfflineRows> blocks, ViewPlan view, string key, long t)
    {
        FieldValue[]? best = null;
        long bestTicks = long.MinValue;
        foreach (var block in blocks.Where(b => b.View.Name == view.Name))
        {
            for (var r = 0; r < block.Count; r++)
            {
                if (block.EntityKeyOf(r) == key && block.FeatureTicksOf(r) <= t && block.FeatureTicksOf(r) >= bestTicks
                    && SourceMaterializer.FloorDay(block.FeatureTicksOf(r)) == SourceMaterializer.FloorDay(t))
                {
                    bestTicks = block.FeatureTicksOf(r);
                    best = block.ValuesOf(r).ToArray();
                }
            }
        }

        if (best is null)
        {
            best = new FieldValue[view.View.FeatureCount];
            view.View.WriteEmpty(best);
        }

        return best;
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Materialize_AsOfRows_EqualEngineAtAnyTime(int seed)
    {
        var events = FraudStream.GenerateTransactions(seed, count: 1500, span: TimeSpan.FromDays(10));
        var hours = Partition(events, seed);
        var from = TiledView.ToUnixTicks(FraudStream.Start.AddDays(8));
        var to = TiledView.ToUnixTicks(FraudStream.Start.AddDays(10));
        var (output, materializer) = Run(hours, from, to);

        Assert.Equal(from - TimeSpan.FromDays(7).Ticks, materializer.ReadFromTicks);
        Assert.True(output.Sum(h => h.Duplicates) > 0);
        var blocks = output.SelectMany(h => h.Rows).ToList();
        Assert.All(blocks, b => Assert.All(Enumerable.Range(0, b.Count), r => Assert.InRange(b.FeatureTicksOf(r), from, to - 1)));

        var rng = new Random(seed);
        var reference = Views.ToDictionary(v => v.Name, v => FraudStream.ReferenceEvents(v, events));
        for (var sample = 0; sample < 150; sample++)
        {
            // Half the samples on tile boundaries, where windows slide.
            var t = from + (rng.NextInt64((to - from) / 10) * 10);
            if (sample % 2 == 0)
            {
                t -= t % TimeSpan.FromMinutes(5).Ticks;
            }

            foreach (var view in Views)
            {
                var key = reference[view.Name][rng.Next(events.Count)].Entity;
                var expected = FraudStream.ReferenceValues(view, reference[view.Name], key, t, t);
                FraudStream.AssertSame(view, expected, AsOf(blocks, view, key, t), $"{key} at {TiledView.FromUnixTicks(t):O}");
            }
        }
    }

    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    public void Materialize_ReaderRuleOfTheReadme_EqualsTrainingSetBuilderWithTtl(int seed)
    {
        // The README's rule for a reader that wants what training and serving get: the latest row with
        // t − ttl ≤ feature_time < t; none, or t − event_time > ttl, → every feature of the view missing. The sample has
        // both regimes: ttl 2 h over 1 h windows, ttl 2 d under 7 d windows.
        var events = FraudStream.GenerateTransactions(seed, count: 1500, span: TimeSpan.FromDays(10));
        var from = TiledView.ToUnixTicks(FraudStream.Start.AddDays(1));
        var to = TiledView.ToUnixTicks(FraudStream.Start.AddDays(10));
        var (output, _) = Run(Partition(events, seed), from, to);
        var blocks = output.SelectMany(h => h.Rows).ToList();
        var features = Views.SelectMany(v => v.Definition.Features.Select(f => new FeatureReference(v.Name, f.Name))).ToArray();
        var observations = new ObservationSet(["customer_id", "merchant_id"], [], null);
        var rng = new Random(seed);
        var customers = Enumerable.Range(0, events.Count).Select(i => events.Value(i, events.Schema.IndexOf("customer_id")).Text!).Distinct().Order().ToArray();
        var merchants = Enumerable.Range(0, events.Count).Select(i => events.Value(i, events.Schema.IndexOf("merchant_id")).Text!).Distinct().Order().ToArray();
        var start = TiledView.ToUnixTicks(FraudStream.Start.AddDays(4));
        for (var i = 0; i < 400; i++)
        {
            // Microsecond times: off tile boundaries, where the README's one exception lies.
            var t = start + (rng.NextInt64((to - start) / 10) * 10) + 10;
            observations.Add($"o{i}", t, [customers[rng.Next(customers.Length)], merchants[rng.Next(merchants.Length)]], [], FieldValue.Null);
        }

        var expected = new TrainingSetBuilder(Plan, features).Build(observations, [events]);

        for (var r = 0; r < expected.RowCount; r++)
        {
            var t = expected.ObservationTicks[r];
            foreach (var view in Views)
            {
                var key = expected.Column(view.Definition.Entity == "customer" ? "customer_id" : "merchant_id")[r].Text!;
                var actual = ReaderRule(blocks, view, key, t);
                var wanted = view.Definition.Features.Select(f => expected.Column(FeatureRequirements.ColumnNameOf(view.Name, f.Name))[r]).ToArray();
                FraudStream.AssertSame(view, wanted, actual, $"{key} at {TiledView.FromUnixTicks(t):O}");
            }
        }
    }

    internal static FieldValue[] ReaderRule(IEnumerable<OfflineRows> blocks, ViewPlan view, string key, long t)
    {
        var ttl = view.Definition.Ttl.Ticks;
        (long Feature, long Event, FieldValue[] Values)? best = null;
        foreach (var block in blocks.Where(b => b.View.Name == view.Name))
        {
            for (var r = 0; r < block.Count; r++)
            {
                var f = block.FeatureTicksOf(r);
                if (block.EntityKeyOf(r) == key && f >= t - ttl && f < t && (best is null || f > best.Value.Feature))
                {
                    best = (f, block.EventTicksOf(r), block.ValuesOf(r).ToArray());
                }
            }
        }

        return best is { } row && t - row.Event <= ttl ? row.Values : new FieldValue[view.View.FeatureCount];
    }

    [Fact]
    public void Materialize_SplitRange_GivesTheSameRowsAndLatestValues()
    {
        var events = FraudStream.GenerateTransactions(21, count: 1200, span: TimeSpan.FromDays(9));
        var hours = Partition(events, 21);
        var a = TiledView.ToUnixTicks(FraudStream.Start.AddDays(7));
        var b = TiledView.ToUnixTicks(FraudStream.Start.AddDays(8).AddHours(5));
        var c = TiledView.ToUnixTicks(FraudStream.Start.AddDays(9));
        var (whole, wholeMaterializer) = Run(hours, a, c);
        var (first, _) = Run(hours, a, b);
        var (second, secondMaterializer) = Run(hours, b, c);
        var day = TiledView.ToUnixTicks(FraudStream.Start.AddDays(8));

        // The second run starts mid-day: it recomputes the day from 00:00, identically.
        Assert.Equal(day, secondMaterializer.FromTicks);
        foreach (var view in Views)
        {
            Assert.Equal(Dump(whole, view), Dump(first, view, before: day) + Dump(second, view));
            Assert.Equal(Dump(whole, view, before: b), Dump(first, view));
        }

        var latestWhole = wholeMaterializer.LatestValues();
        var latestSecond = secondMaterializer.LatestValues();
        for (var v = 0; v < latestWhole.Count; v++)
        {
            Assert.Equal(c - 1, latestWhole[v].FeatureTicks);
            Assert.Equal(
                latestWhole[v].Rows.Select(r => $"{r.EntityKey} {r.EventTicks} {string.Join('|', r.Values)}"),
                latestSecond[v].Rows.Select(r => $"{r.EntityKey} {r.EventTicks} {string.Join('|', r.Values)}"));
        }
    }

    [Fact]
    public void Materialize_LatestValues_EqualEngineAtRangeEnd()
    {
        var events = FraudStream.GenerateTransactions(31, count: 800, span: TimeSpan.FromDays(3));
        var hours = Partition(events, 31);
        var to = TiledView.ToUnixTicks(FraudStream.Start.AddDays(3));
        var (_, materializer) = Run(hours, to - TimeSpan.TicksPerHour, to);
        foreach (var latest in materializer.LatestValues())
        {
            var reference = FraudStream.ReferenceEvents(latest.View, events);
            Assert.NotEmpty(latest.Rows);
            foreach (var row in latest.Rows)
            {
                FraudStream.AssertSame(latest.View, FraudStream.ReferenceValues(latest.View, reference, row.EntityKey, to - 1, to - 1), row.Values, row.EntityKey);
                Assert.Equal(reference.Where(e => e.Entity == row.EntityKey).Max(e => e.Ticks), row.EventTicks);
            }
        }
    }

    [Fact]
    public void Materialize_MemoryBoundedByActiveEntities_NotEvents()
    {
        // 40 days of events, a new set of customers every day: entities leave memory once their longest window passes.
        var schema = FraudStream.Transactions;
        var events = new SourceEventBatch(schema);
        var day0 = FraudStream.Start;
        for (var d = 0; d < 40; d++)
        {
            var day = FraudStream.GenerateTransactions(100 + d, count: 200, span: TimeSpan.FromDays(1), customers: 20, merchants: 4, prefix: $"d{d}-");
            for (var i = 0; i < day.Count; i++)
            {
                var row = day.Row(i).ToArray();
                row[schema.IndexOf("customer_id")] = FieldValue.FromText($"d{d}-{row[schema.IndexOf("customer_id")].Text}");
                events.Add(day.Id(i), day.EventTicks(i) + (d * TimeSpan.TicksPerDay), row);
            }
        }

        var (output, materializer) = Run(Partition(events, 1), TiledView.ToUnixTicks(day0), TiledView.ToUnixTicks(day0.AddDays(40)));
        Assert.Equal(8000, output.Sum(h => h.Events));

        // At most 9 days of customers (7d window + a tile + the day itself) per customer view, plus merchants.
        Assert.InRange(materializer.PeakEntityCount, 1, (2 * 9 * 20) + (2 * 4));
    }

    private static string Dump(List<MaterializedHour> hours, ViewPlan view, long before = long.MaxValue) =>
        string.Concat(hours.SelectMany(h => h.Rows).Where(b => b.View.Name == view.Name).SelectMany(b =>
            Enumerable.Range(0, b.Count).Where(r => b.FeatureTicksOf(r) < before).Select(r => $"{b.EntityKeyOf(r)} {b.FeatureTicksOf(r)} {b.EventTicksOf(r)} {string.Join('|', b.ValuesOf(r).ToArray())}\n")));
}
