using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Online;
using Brisa.Azure.RawZone;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Online;

/// <summary>
/// Rebuilding streaming tiles from the raw zone after a change of tile layout. Every event is ingested twice: under
/// its own keys with the layouts before the change (customer_7d without <c>amount_min_7d</c>, customer_1h with 10-minute
/// tiles: the change voids their tiles), and under twin keys with the layouts after it from the start,
/// which is what the stream would have produced. After the rebuild, each entity must serve what its twin serves.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TileRebuilderTests(AzuriteFixture azurite)
{
    private const string AddedFeature = "      - { name: amount_min_7d, field: amount, aggregation: min, window: 7d }\n";
    private static readonly string SampleYaml = File.ReadAllText(RepositoryPaths.FraudDefinitions).ReplaceLineEndings("\n");
    private static readonly FeatureRepositoryDefinition After = Parse(SampleYaml);
    private static readonly FeatureRepositoryDefinition Before = Parse(ReplaceFirst(SampleYaml.Replace(AddedFeature, string.Empty, StringComparison.Ordinal), "tile: 5m", "tile: 10m"));
    private static readonly FeaturePlan AfterPlan = FeaturePlan.Compile(After, trackEventIds: true);
    private static readonly string[] Countries = ["ES", "FR", "DE", "GB", "PT"];


    private static SampleTransaction Twin(SampleTransaction e) =>
        e with { Id = "twin-" + e.Id, Customer = "twin-" + e.Customer, Merchant = "twin-" + e.Merchant };

    private sealed record Served(FeatureStatus[] Statuses, FieldValue[] Values);

    [Fact]
    public void Before_CustomerViews_HaveAnotherTileLayout()
    {
        var before = FeaturePlan.Compile(Before, trackEventIds: true);
        Assert.Equal(After.FindView("customer_7d")!.Features.Count - 1, Before.FindView("customer_7d")!.Features.Count);
        Assert.Equal(TimeSpan.FromMinutes(10), Before.FindView("customer_1h")!.Tile);
        foreach (var view in new[] { "customer_1h", "customer_7d" })
        {
            Assert.NotEqual(AfterPlan.FindView(view)!.View.LayoutFingerprint, before.FindView(view)!.View.LayoutFingerprint);
        }

        Assert.Equal(AfterPlan.FindView("merchant_1h")!.View.LayoutFingerprint, before.FindView("merchant_1h")!.View.LayoutFingerprint);
    }

    [Fact]
    public async Task RebuildAsync_AfterLayoutChange_ServesWhatTheStreamWouldHaveAndRepeatsAsNoOp()
    {
        var now = new DateTimeOffset(2033, 6, 10, 12, 34, 56, TimeSpan.Zero);
        var nowTicks = TiledView.ToUnixTicks(now);
        var events = Generate("rb1", nowTicks, seed: 11);
        var checkpoints = Checkpoints(nowTicks - TimeSpan.FromDays(9).Ticks, nowTicks, 12);
        await StreamAsync(Before, events, checkpoints, seed: 1);
        await StreamAsync(After, [.. events.Select(Twin)], checkpoints, seed: 2);
        var (customers, merchants) = Keys(events);

        // The gap this closes: after the change, the customer views read NOT_FOUND for every entity the stream knew.
        var stale = await ServeAsync(customers, merchants, nowTicks);
        Assert.All(customers, c => Assert.All(stale[("customer_7d", c)].Statuses, s => Assert.Equal(FeatureStatus.NotFound, s)));
        Assert.All(customers, c => Assert.All(stale[("customer_1h", c)].Statuses, s => Assert.Equal(FeatureStatus.NotFound, s)));

        // Raw hours outside the replayed range hold files that are not Parquet: reading either would fail the rebuild.
        var from = new DateTimeOffset(2033, 6, 3, 13, 0, 0, TimeSpan.Zero);
        var to = new DateTimeOffset(2033, 6, 10, 13, 0, 0, TimeSpan.Zero);
        var raw = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.RawContainer);
        foreach (var hour in new[] { from.AddHours(-1), to })
        {
            await raw.GetBlobClient(RawZoneWriter.BlobName("transaction", hour, "not-in-the-window")).UploadAsync(BinaryData.FromString("not parquet"), overwrite: true);
        }

        var rawBefore = await ListAsync(raw, "transaction/date=2033-06-");
        var deadLetterBefore = await ListAsync(azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.DeadLetterContainer), string.Empty);
        var rebuilder = new TileRebuilder(azurite.Storage, After, new FixedTimeProvider(now));

        var first = await rebuilder.RebuildAsync();

        var source = Assert.Single(first.Sources);
        Assert.Equal((from, to), (source.From, source.To));
        Assert.Equal(new[] { "customer_1h", "customer_7d", "merchant_1h" }, source.Views);
        var inRange = events.Count(e => e.Ticks >= TiledView.ToUnixTicks(from));
        Assert.Equal(2 * inRange, first.Events);
        Assert.True(first.Applied > 0 && first.Duplicates > 0, $"{first.Applied} applied, {first.Duplicates} duplicates");

        // Per view: both customer views (new layout: their rows read NOT_FOUND) take every event read and write a row
        // for each customer with one (the twins' rows held theirs already); merchant_1h's layout did not change, so
        // the stream's rows held every event and none is written.
        Assert.Equal(new[] { "customer_1h", "customer_7d", "merchant_1h" }, first.Views.Select(v => v.View));
        Assert.All(first.Views, v => Assert.Equal("transaction", v.Source));
        Assert.Equal(first.Applied, first.Views.Sum(v => v.Applied));
        Assert.Equal(first.Duplicates, first.Views.Sum(v => v.Duplicates));
        var customersRead = events.Where(e => e.Ticks >= TiledView.ToUnixTicks(from)).Select(e => e.Customer).Distinct().Count();
        Assert.Equal((inRange, customersRead), (first.Views[0].Applied, first.Views[0].RowsWritten));
        Assert.Equal((inRange, customersRead), (first.Views[1].Applied, first.Views[1].RowsWritten));
        Assert.Equal((0L, 0L), (first.Views[2].Applied, first.Views[2].RowsWritten));
        // Every customer_7d row of the old layout had events in the window, so each one rewritten was one started over.
        Assert.Equal(customersRead, first.Views[1].RowsRestarted);
        Assert.Equal(0, first.Views[2].RowsRestarted);
        var rebuilt = await ServeAsync(customers, merchants, nowTicks);
        AssertServeAsTwins(rebuilt, customers, merchants);

        // Again: everything is already there, nothing is counted twice, and the values are the same to the bit.
        var second = await rebuilder.RebuildAsync();

        Assert.Equal(0, second.Applied);
        Assert.All(second.Views, v => Assert.Equal((0L, 0L, 0L), (v.Applied, v.RowsWritten, v.RowsRestarted)));
        Assert.True(second.Rows > 0, "rows touched counts rows read whether or not they changed");
        Assert.Equal(first.Events, second.Events);
        Assert.True(second.Duplicates > first.Duplicates, $"{second.Duplicates} duplicates, {first.Duplicates} the first time");
        var again = await ServeAsync(customers, merchants, nowTicks);
        foreach (var (key, served) in rebuilt)
        {
            Assert.Equal(served.Statuses, again[key].Statuses);
            Assert.Equal(served.Values, again[key].Values);
        }

        // The raw zone was only read; nothing was dead-lettered.
        Assert.Equal(rawBefore, await ListAsync(raw, "transaction/date=2033-06-"));
        Assert.Equal(deadLetterBefore, await ListAsync(azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.DeadLetterContainer), string.Empty));
    }

    [Fact]
    public async Task RebuildAsync_WhileTheStreamKeepsWriting_CountsEveryEventOnce()
    {
        var now = new DateTimeOffset(2033, 8, 10, 9, 10, 11, TimeSpan.Zero);
        var nowTicks = TiledView.ToUnixTicks(now);
        var events = Generate("rb2", nowTicks, seed: 23);
        var changedAt = nowTicks - TimeSpan.FromDays(2).Ticks;
        var rebuildAt = nowTicks - TimeSpan.FromHours(6).Ticks;

        // The old layout until the change, the new one after it (customer_7d rows restart partial), twins in the new
        // layout throughout.
        await StreamAsync(Before, [.. events.Where(e => e.Ticks <= changedAt)], Checkpoints(nowTicks - TimeSpan.FromDays(9).Ticks, changedAt, 8), seed: 3);
        await StreamAsync(After, [.. events.Where(e => e.Ticks > changedAt && e.Ticks <= rebuildAt)], Checkpoints(changedAt, rebuildAt, 4), seed: 4);
        await StreamAsync(After, [.. events.Select(Twin)], Checkpoints(nowTicks - TimeSpan.FromDays(9).Ticks, nowTicks, 12), seed: 5);
        var (customers, merchants) = Keys(events);

        // The rebuild (in small chunks, so it interleaves) runs while the stream takes the rest of the events, and a
        // redelivery of events both the stream and the rebuild apply.
        var rebuilder = new TileRebuilder(azurite.Storage, After, new FixedTimeProvider(now), new TileRebuildOptions { ChunkEvents = 97 });
        var rest = events.Where(e => e.Ticks > rebuildAt).ToList();
        var redelivered = events.Where((e, i) => i % 5 == 0 && e.Ticks > nowTicks - TimeSpan.FromDays(6).Ticks).ToList();
        var rebuild = Task.Run(() => rebuilder.RebuildAsync());
        await StreamAsync(After, rest, Checkpoints(rebuildAt, nowTicks, 6), seed: 6);
        await IngestAsync(After, redelivered, nowTicks, new Random(7));
        var first = await rebuild;

        Assert.True(first.Duplicates > 0, "the events the stream applied after the change are found in the tiles");
        AssertServeAsTwins(await ServeAsync(customers, merchants, nowTicks), customers, merchants);
        var second = await rebuilder.RebuildAsync();
        Assert.Equal(0, second.Applied);
    }

    [Fact]
    public async Task RebuildAsync_ViewWithTtlLongerThanItsWindow_ReadsBackToTheTtl()
    {
        // customer_1h: 1 h window, 2 h TTL. A customer whose last event left the window but not the TTL is served an
        // empty window (count 0, PRESENT) by the stream; the rebuild must read that event to do the same.
        var now = new DateTimeOffset(2033, 10, 10, 12, 34, 56, TimeSpan.Zero);
        var nowTicks = TiledView.ToUnixTicks(now);
        var events = new List<SampleTransaction>
        {
            new("rb3-a", "rb3-c105m", "rb3-m0", 12.5, "FR", nowTicks - TimeSpan.FromMinutes(115).Ticks),
            new("rb3-b", "rb3-c105m", "rb3-m0", 7.25, "ES", nowTicks - TimeSpan.FromMinutes(105).Ticks),
            new("rb3-c", "rb3-c10m", "rb3-m0", 30, "DE", nowTicks - TimeSpan.FromMinutes(70).Ticks),
            new("rb3-d", "rb3-c10m", "rb3-m0", 31, "PT", nowTicks - TimeSpan.FromMinutes(10).Ticks),
        };
        await StreamAsync(Before, events, [nowTicks - TimeSpan.FromMinutes(60).Ticks, nowTicks], seed: 8);
        await StreamAsync(After, [.. events.Select(Twin)], [nowTicks - TimeSpan.FromMinutes(60).Ticks, nowTicks], seed: 9);

        var summary = await new TileRebuilder(azurite.Storage, After, new FixedTimeProvider(now)).RebuildAsync(["customer_1h"]);

        var source = Assert.Single(summary.Sources);
        Assert.Equal(new DateTimeOffset(2033, 10, 10, 10, 0, 0, TimeSpan.Zero), source.From);
        Assert.Equal(["customer_1h"], source.Views);
        var served = await ServeAsync(["rb3-c105m", "rb3-c10m"], [], nowTicks);
        foreach (var customer in new[] { "rb3-c105m", "rb3-c10m" })
        {
            Assert.Equal(served[("customer_1h", "twin-" + customer)].Statuses, served[("customer_1h", customer)].Statuses);
            Assert.Equal(served[("customer_1h", "twin-" + customer)].Values, served[("customer_1h", customer)].Values);
        }

        Assert.Equal([FeatureStatus.Present, FeatureStatus.Present, FeatureStatus.NullValue, FeatureStatus.Present], served[("customer_1h", "rb3-c105m")].Statuses);
        Assert.Equal(FieldValue.FromNumber(0), served[("customer_1h", "rb3-c105m")].Values[0]);
        Assert.Equal(FieldValue.FromNumber(1), served[("customer_1h", "rb3-c10m")].Values[0]);
    }

    [Fact]
    public async Task RebuildAsync_BatchView_ThrowsNamingTheStreamingViews()
    {
        var rebuilder = new TileRebuilder(azurite.Storage, After);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => rebuilder.RebuildAsync(["merchant_7d"]));

        Assert.Contains("'merchant_7d' is not a streaming view; streaming views: customer_1h, customer_7d, merchant_1h.", error.Message);
    }

    /// <summary>Each entity serves what its twin serves: the same statuses, values exact or (sums and means) to 1e-9.</summary>
    private static void AssertServeAsTwins(Dictionary<(string View, string Key), Served> served, string[] customers, string[] merchants)
    {
        var compared = 0;
        foreach (var view in AfterPlan.Views.Where(v => v.Definition.Streaming))
        {
            foreach (var key in view.Definition.Entity == "customer" ? customers : merchants)
            {
                var actual = served[(view.Name, key)];
                var expected = served[(view.Name, "twin-" + key)];
                var context = $"{view.Name} {key}";
                if (key.EndsWith("-c8d", StringComparison.Ordinal))
                {
                    // This customer's only event is older than the views' windows and TTLs: the stream kept a row
                    // with its newest event time (OUTSIDE_MAX_AGE), the rebuild reads no event of it and leaves the
                    // old layout's row (NOT_FOUND). Both serve the values as missing.
                    Assert.All(expected.Statuses, s => Assert.Equal(FeatureStatus.OutsideMaxAge, s));
                    Assert.All(actual.Statuses, s => Assert.Equal(FeatureStatus.NotFound, s));
                    continue;
                }

                Assert.True(expected.Statuses.SequenceEqual(actual.Statuses), $"{context}: statuses {string.Join(",", actual.Statuses)}, expected {string.Join(",", expected.Statuses)}");
                for (var f = 0; f < view.View.FeatureCount; f++)
                {
                    var (e, a) = (expected.Values[f], actual.Values[f]);
                    var feature = view.View.Features[f];
                    if (expected.Statuses[f] != FeatureStatus.Present || e.IsText || feature.Kind is not (AggregationKind.Sum or AggregationKind.Mean or AggregationKind.StdDev))
                    {
                        // Counts, min, max, last and distinct counts are exact whatever the order events were applied in.
                        Assert.True(e.Equals(a), $"{context} {feature.Name}: expected {e}, got {a}");
                    }
                    else
                    {
                        Assert.True(Math.Abs(e.Number - a.Number) <= 1e-9 * Math.Max(Math.Abs(e.Number), 1.0), $"{context} {feature.Name}: expected {e}, got {a}");
                    }
                }

                compared++;
            }
        }

        // Present values were compared, not only missing ones.
        Assert.Contains(customers, c => served[("customer_7d", c)].Statuses.All(s => s == FeatureStatus.Present));
        Assert.Contains(customers, c => c.EndsWith("-c90m", StringComparison.Ordinal) && served[("customer_1h", c)].Statuses[0] == FeatureStatus.Present && served[("customer_1h", c)].Values[0].Number == 0);
        Assert.True(compared >= 60, $"compared {compared}");
    }

    /// <summary>A seeded stream over the 9 days before now (some of it older than every window), plus two edge entities.</summary>
    private static List<SampleTransaction> Generate(string prefix, long nowTicks, int seed)
    {
        var rng = new Random(seed);
        var span = TimeSpan.FromDays(9).Ticks;
        var events = Enumerable.Range(0, 1500).Select(i => new SampleTransaction(
            $"{prefix}-t{i:D5}",
            $"{prefix}-c{(int)(30 * Math.Pow(rng.NextDouble(), 2)):D2}",
            $"{prefix}-m{rng.Next(6)}",
            Math.Round((rng.NextDouble() * rng.NextDouble() * 900) + 0.01, 2),
            Countries[rng.Next(rng.Next(1, Countries.Length + 1))],
            nowTicks - rng.NextInt64(span))).ToList();

        // A customer whose last event left customer_1h's 1 h window but not its 2 h TTL (served as an empty window,
        // count 0), and one whose only event left customer_7d's 7 d window and 2 d TTL.
        events.Add(new SampleTransaction($"{prefix}-x90m", $"{prefix}-c90m", $"{prefix}-m0", 12.5, "FR", nowTicks - TimeSpan.FromMinutes(90).Ticks));
        events.Add(new SampleTransaction($"{prefix}-x8d", $"{prefix}-c8d", $"{prefix}-m0", 40, "PT", nowTicks - TimeSpan.FromDays(8).Ticks));
        return [.. events.OrderBy(e => e.Ticks)];
    }

    private static (string[] Customers, string[] Merchants) Keys(List<SampleTransaction> events) =>
        ([.. events.Select(e => e.Customer).Distinct()], [.. events.Select(e => e.Merchant).Distinct()]);

    /// <summary><paramref name="count"/> instants evenly spread over (from, to], the last one <paramref name="to"/>.</summary>
    private static long[] Checkpoints(long from, long to, int count) =>
        [.. Enumerable.Range(1, count).Select(i => from + ((to - from) / count * i)).SkipLast(1).Append(to)];

    /// <summary>Ingests the events with time in each (previous checkpoint, checkpoint], at the checkpoint, shuffled.</summary>
    private async Task StreamAsync(FeatureRepositoryDefinition definitions, IReadOnlyList<SampleTransaction> events, long[] checkpoints, int seed)
    {
        var rng = new Random(seed);
        var previous = long.MinValue;
        foreach (var t in checkpoints)
        {
            await IngestAsync(definitions, [.. events.Where(e => e.Ticks > previous && e.Ticks <= t)], t, rng);
            previous = t;
        }
    }

    private async Task IngestAsync(FeatureRepositoryDefinition definitions, List<SampleTransaction> slice, long atTicks, Random rng)
    {
        if (slice.Count == 0)
        {
            return;
        }

        var ingestor = new EventIngestor(azurite.Storage, definitions, new FixedTimeProvider(TiledView.FromUnixTicks(atTicks)));
        var result = await ingestor.IngestAsync([.. slice.OrderBy(_ => rng.Next()).Chunk(150).Select(SampleTransaction.Message)], CancellationToken.None);
        Assert.Equal(slice.Count, result.Accepted);
    }

    /// <summary>What serving answers for every streaming view of the keys and their twins at <paramref name="nowTicks"/>.</summary>
    private async Task<Dictionary<(string View, string Key), Served>> ServeAsync(string[] customers, string[] merchants, long nowTicks)
    {
        var reader = OnlineFeatureReader.For(azurite.Storage);
        var served = new Dictionary<(string View, string Key), Served>();
        foreach (var view in AfterPlan.Views.Where(v => v.Definition.Streaming))
        {
            var keys = (view.Definition.Entity == "customer" ? customers : merchants).SelectMany(k => new[] { k, "twin-" + k }).ToArray();
            var rows = await reader.ReadAsync(keys, [view], nowTicks);
            foreach (var key in keys)
            {
                var read = rows.GetValueOrDefault((key, view.Name));
                var values = read?.Values ?? new FieldValue[view.View.FeatureCount];
                var statuses = values.Select(v => FeatureFreshness.Classify(read is not null, read?.EventTicks, v.IsNull, view.Definition.Ttl, nowTicks)).ToArray();
                served[(view.Name, key)] = new Served(statuses, values);
            }
        }

        return served;
    }

    private static async Task<List<string>> ListAsync(BlobContainerClient container, string prefix)
    {
        var blobs = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, CancellationToken.None))
        {
            blobs.Add($"{blob.Name} {blob.Properties.ETag}");
        }

        return blobs;
    }

    private static string ReplaceFirst(string text, string from, string to)
    {
        var at = text.IndexOf(from, StringComparison.Ordinal);
        return text[..at] + to + text[(at + from.Length)..];
    }

    private static FeatureRepositoryDefinition Parse(string yaml) =>
        DefinitionLoader.Parse(yaml, "features.yaml").Definitions ?? throw new InvalidOperationException("definitions are invalid");
}
