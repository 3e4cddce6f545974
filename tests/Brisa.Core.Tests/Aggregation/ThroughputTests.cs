using System.Diagnostics;
using Brisa.Core.Aggregation;
using Xunit.Abstractions;

namespace Brisa.Core.Tests.Aggregation;

/// <summary>
/// Reports throughput (no timing assertion: machines vary). 1,000,000 events over 1,000 or 10,000 entities,
/// 5 features, 1 h tiles, 7-day windows, after a warm-up round (200,000 events in Debug builds). Measured on the build container, Release, one core
/// (`dotnet test -c Release --filter Throughput --logger "console;verbosity=detailed"`):
/// apply 2.5–6.0 M events/s (1,000 entities, no id tracking) / 1.2–2.1 M (with tracking); 0.3–0.93 M / 0.19–0.52 M over
/// 10,000 entities (a new tile for almost every event, cold entities); evaluate 140k–540k entities/s; encode 3k–58k
/// entities/s (dense 13 KB states at the low end). Ranges: the 2-core container was shared (load average ~9).
/// </summary>
public class ThroughputTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false, 1_000)]
    [InlineData(true, 10_000)]
    public void ViewAggregatorApply_LargeBatch_AppliesAll(bool trackIds, int entityCount)
    {
        TiledView view = EncodingTests.RealisticView(trackIds);
#if DEBUG
        const int n = 200_000; // keeps the Debug suite quick; measure in Release
#else
        const int n = 1_000_000;
#endif
        var batch = new EventBatch(2, n);
        var rng = new Random(1);
        string[] entities = Enumerable.Range(0, entityCount).Select(i => $"customer-{i}").ToArray();
        string[] countries = ["PT", "ES", "FR", "DE"];
        string[] ids = Enumerable.Range(0, n).Select(i => Guid.NewGuid().ToString()).ToArray();
        long start = TiledView.ToUnixTicks(new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero));
        FieldValue[] fields = new FieldValue[2];
        for (int i = 0; i < n; i++)
        {
            fields[0] = FieldValue.FromNumber(rng.Next(1, 50_000) / 100.0);
            fields[1] = FieldValue.FromText(countries[rng.Next(countries.Length)]);
            batch.Add(entities[rng.Next(entities.Length)], start + (i * (TimeSpan.TicksPerDay * 7 / n)), ids[i], fields);
        }

        // Warm up (tiered JIT), then measure a fresh aggregator.
        for (int round = 0; round < 2; round++)
        {
            Measure(view, batch, entities, start, round == 1 ? output : null, trackIds);
        }
    }

    private static void Measure(TiledView view, EventBatch batch, string[] entities, long start, ITestOutputHelper? output, bool trackIds)
    {
        int n = batch.Count;
        var aggregator = new ViewAggregator(view);
        var clock = Stopwatch.StartNew();
        BatchApplySummary summary = aggregator.Apply(batch);
        clock.Stop();
        Assert.Equal(n, summary.Applied);

        var values = new FieldValue[view.FeatureCount];
        long end = start + (TimeSpan.TicksPerDay * 7);
        var evalClock = Stopwatch.StartNew();
        foreach (string e in entities)
        {
            aggregator.Evaluate(e, end, values);
        }

        evalClock.Stop();
        var encodeClock = Stopwatch.StartNew();
        long bytes = 0;
        foreach (EntityTiles s in aggregator.Entities.Values)
        {
            bytes += s.Encode().Length;
        }

        encodeClock.Stop();
        output?.WriteLine(
            $"tracking={trackIds}, {entities.Length} entities: apply {n / clock.Elapsed.TotalSeconds:N0} events/s; evaluate {entities.Length / evalClock.Elapsed.TotalSeconds:N0} entities/s; " +
            $"encode {entities.Length / encodeClock.Elapsed.TotalSeconds:N0} entities/s, {bytes / entities.Length:N0} bytes/entity");
    }
}
