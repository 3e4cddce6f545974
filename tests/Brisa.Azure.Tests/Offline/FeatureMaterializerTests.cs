using System.Globalization;
using System.Text;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Offline;
using Brisa.Azure.Online;
using Brisa.Azure.RawZone;
using Brisa.Azure.Storage;
using Brisa.Azure.Tests.Ingestion;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Materialization;
using Brisa.Core.Serving;
using Brisa.Core.Training;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Offline;

/// <summary>Batch materialization of a batch-only view, checked against what serving and training get for the same entity and time.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class FeatureMaterializerTests(AzuriteFixture azurite)
{
    // A batch view whose ttl (1 day) outlives its window (2 h): an entity can be fresh with an empty window.
    private const string Yaml = """
        project: shops
        entities:
          - { name: shop, join_key: shop_id }
        sources:
          - name: shop_visit
            event_type: com.example.shop_visit
            id_field: visit_id
            timestamp_field: timestamp
            fields:
              - { name: visit_id, type: string, required: true }
              - { name: shop_id, type: string, required: true }
              - { name: amount, type: double, required: true }
              - { name: timestamp, type: timestamp, required: true }
        feature_views:
          - name: shop_2h
            entity: shop
            source: shop_visit
            tile: 1h
            ttl: 1d
            streaming: false
            features:
              - { name: visit_count_2h, aggregation: count, window: 2h }
              - { name: amount_mean_2h, field: amount, aggregation: mean, window: 2h }
        """;

    private static readonly FeatureRepositoryDefinition Definitions = DefinitionLoader.Parse(Yaml, "shops.yaml").Definitions!;

    // A day no other test writes: its raw and offline partitions are this class's alone.
    private static readonly DateTimeOffset Day = new(2034, 2, 3, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task MaterializeAsync_EntityWindowEmptiedSinceLastRun_OnlineValuesMatchTrainingNotTheOldRow()
    {
        var shop = $"s/{Guid.NewGuid():N}";
        var visit = Day.AddHours(10).AddMinutes(15);
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(visit.AddMinutes(5)))
            .IngestAsync([Visit($"{shop}-v1", shop, 40, visit)], CancellationToken.None);
        var materializer = new FeatureMaterializer(azurite.Storage, Definitions);
        var plan = materializer.Plan;
        var view = plan.FindView("shop_2h")!;

        // The hourly runs of an incremental schedule: the first sees the visit in the window, the second after it left.
        await materializer.MaterializeAsync(Day.AddHours(10), Day.AddHours(11));
        var first = await OnlineValueStore.For(azurite.Storage).ReadAsync(view, shop);
        Assert.Equal(1.0, first!.Values[0].Number);
        var end = Day.AddHours(14);
        await materializer.MaterializeAsync(Day.AddHours(11), end);

        var request = OnlineFeatureRequest.Parse(
            Encoding.UTF8.GetBytes($$$"""{"features":["shop_2h:visit_count_2h","shop_2h:amount_mean_2h"],"entities":{"shop_id":[{{{Json(shop)}}}]}}"""),
            plan);
        var served = await OnlineFeatureReader.For(azurite.Storage).GetAsync(request, end);

        // Training at the same instant: the visit is within the ttl, so the view is present with an empty window.
        var features = view.Definition.Features.Select(f => new FeatureReference(view.Name, f.Name)).ToArray();
        var observations = new ObservationSet(["shop_id"], [], null);
        observations.Add("o1", TiledView.ToUnixTicks(end), [shop], [], FieldValue.Null);
        var schema = plan.Schemas.Single(s => s.SourceName == "shop_visit");
        var events = new List<SourceEventBatch>();
        await foreach (var batch in RawZoneReader.For(azurite.Storage).ReadRangeAsync(schema, TiledView.ToUnixTicks(Day), TiledView.ToUnixTicks(end)))
        {
            events.Add(batch);
        }

        var training = new TrainingSetBuilder(plan, features).Build(observations, events);
        Assert.Equal(0L, training.Column(FeatureRequirements.ColumnNameOf(view.Name, "visit_count_2h"))[0].AsNumber());
        Assert.True(training.Column(FeatureRequirements.ColumnNameOf(view.Name, "amount_mean_2h"))[0].IsNull);

        Assert.Equal(["PRESENT", "NULL_VALUE"], [served.Results[1].Statuses[0], served.Results[2].Statuses[0]]);
        Assert.Equal(0L, served.Results[1].Values[0]);
        Assert.Null(served.Results[2].Values[0]);
        Assert.Equal(visit, served.Results[1].EventTimestamps[0]);
    }

    [Fact]
    public async Task IncrementalPlan_CatchUpAcrossMidnight_EntityEmptiedInEarlierDaySlice_OnlineMatchesTraining()
    {
        // The timer was down over midnight: the catch-up plan has a slice per day. The visit leaves the 2 h window during
        // the first day's slice; the last slice reads too little history to know the shop at all.
        var shop = $"s/{Guid.NewGuid():N}";
        var day = Day.AddDays(10);
        var visit = day.AddHours(21).AddMinutes(15);
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(visit.AddMinutes(5)))
            .IngestAsync([Visit($"{shop}-v1", shop, 40, visit)], CancellationToken.None);
        var materializer = new FeatureMaterializer(azurite.Storage, Definitions);
        var view = materializer.Plan.FindView("shop_2h")!;
        async Task RunAsync(DateTimeOffset watermark, DateTimeOffset now)
        {
            foreach (var slice in IncrementalPlanner.Plan(["shop_2h"], watermark, now, TimeSpan.Zero, TimeSpan.FromDays(1)).Slices)
            {
                await materializer.MaterializeAsync(slice.From, slice.To, [slice.View], new MaterializeOptions { WriteOnline = slice.Online });
            }
        }

        await RunAsync(day.AddHours(21), day.AddHours(22));
        Assert.Equal(1.0, (await OnlineValueStore.For(azurite.Storage).ReadAsync(view, shop))!.Values[0].Number);
        var end = day.AddDays(1).AddHours(3);
        await RunAsync(day.AddHours(22), end);

        var request = OnlineFeatureRequest.Parse(
            Encoding.UTF8.GetBytes($$$"""{"features":["shop_2h:visit_count_2h"],"entities":{"shop_id":[{{{Json(shop)}}}]}}"""),
            materializer.Plan);
        var served = await OnlineFeatureReader.For(azurite.Storage).GetAsync(request, end);

        // Training at the same instant: within the ttl (1 d), window empty.
        Assert.Equal("PRESENT", served.Results[1].Statuses[0]);
        Assert.Equal(0L, served.Results[1].Values[0]);
    }

    [Fact]
    public async Task MaterializeAsync_FieldAddedAfterEventsLanded_OlderEventsReadWithTheFieldNull()
    {
        // A routine, non-breaking change: producers start sending a field, then the source and a view take it up.
        var extended = DefinitionLoader.Parse(
            Yaml.Replace("      - { name: timestamp,", "      - { name: coupon, type: double }\n      - { name: timestamp,", StringComparison.Ordinal)
                + "\n      - { name: coupon_sum_2h, field: coupon, aggregation: sum, window: 2h }\n",
            "shops.yaml").Definitions!;
        var shop = $"s/{Guid.NewGuid():N}";
        var day = Day.AddDays(1);
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(day.AddHours(4)))
            .IngestAsync([Visit($"{shop}-v1", shop, 10, day.AddHours(2).AddMinutes(30))], CancellationToken.None);
        await new EventIngestor(azurite.Storage, extended, new FixedTimeProvider(day.AddHours(4)))
            .IngestAsync([Visit($"{shop}-v2", shop, 20, day.AddHours(3).AddMinutes(10), coupon: 5)], CancellationToken.None);
        var materializer = new FeatureMaterializer(azurite.Storage, extended);

        await materializer.MaterializeAsync(day, day.AddHours(4));

        var row = await OnlineValueStore.For(azurite.Storage).ReadAsync(materializer.Plan.FindView("shop_2h")!, shop);
        Assert.Equal([2.0, 15.0, 5.0], [row!.Values[0].Number, row.Values[1].Number, row.Values[2].Number]);
    }

    [Fact]
    public async Task MaterializeAsync_FieldTypeChangedAfterEventsLanded_OlderEventsReadConverted()
    {
        // Two changes plan calls non-breaking: a field no view reads turns from long to double, then a view sums it.
        var before = DefinitionLoader.Parse(Yaml.Replace("      - { name: timestamp,", "      - { name: coupon, type: long }\n      - { name: timestamp,", StringComparison.Ordinal), "shops.yaml").Definitions!;
        var retypedYaml = Yaml.Replace("      - { name: timestamp,", "      - { name: coupon, type: double }\n      - { name: timestamp,", StringComparison.Ordinal);
        var retyped = DefinitionLoader.Parse(retypedYaml, "shops.yaml").Definitions!;
        var extended = DefinitionLoader.Parse(retypedYaml + "\n      - { name: coupon_sum_2h, field: coupon, aggregation: sum, window: 2h }\n", "shops.yaml").Definitions!;
        Assert.DoesNotContain(DefinitionDiff.Compute(before, retyped).Concat(DefinitionDiff.Compute(retyped, extended)), c => c.IsBreaking);
        var shop = $"s/{Guid.NewGuid():N}";
        var day = Day.AddDays(2);
        await new EventIngestor(azurite.Storage, before, new FixedTimeProvider(day.AddHours(4)))
            .IngestAsync([Visit($"{shop}-v1", shop, 10, day.AddHours(2).AddMinutes(30), coupon: 5)], CancellationToken.None);
        await new EventIngestor(azurite.Storage, extended, new FixedTimeProvider(day.AddHours(4)))
            .IngestAsync([Visit($"{shop}-v2", shop, 20, day.AddHours(3).AddMinutes(10), coupon: 2.5)], CancellationToken.None);
        var materializer = new FeatureMaterializer(azurite.Storage, extended);

        await materializer.MaterializeAsync(day, day.AddHours(4));

        var row = await OnlineValueStore.For(azurite.Storage).ReadAsync(materializer.Plan.FindView("shop_2h")!, shop);
        Assert.Equal([2.0, 15.0, 7.5], [row!.Values[0].Number, row.Values[1].Number, row.Values[2].Number]);
    }

    [Fact]
    public async Task MaterializeAsync_RerunAfterWindowChanged_HourWithoutRowsNowKeepsNoFileOfTheOldRun()
    {
        // 2 h window: rows at the visit (10:15) and when it leaves the window (12:00). 3 h: at 10:15 and 13:00, none in
        // hour 12. The old part-12 must go: an as-of reader would take its 12:00 row (count 0) over the new 10:15 row.
        var widened = DefinitionLoader.Parse(Yaml.Replace("window: 2h", "window: 3h", StringComparison.Ordinal), "shops.yaml").Definitions!;
        var shop = $"s/{Guid.NewGuid():N}";
        var day = Day.AddDays(3);
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(day.AddHours(11)))
            .IngestAsync([Visit($"{shop}-v1", shop, 40, day.AddHours(10).AddMinutes(15))], CancellationToken.None);
        await new FeatureMaterializer(azurite.Storage, Definitions).MaterializeAsync(day, day.AddHours(14), options: new MaterializeOptions { WriteOnline = false });

        var rerun = await new FeatureMaterializer(azurite.Storage, widened).MaterializeAsync(day, day.AddHours(14), options: new MaterializeOptions { WriteOnline = false });

        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        var files = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"shop_2h/date={day:yyyy-MM-dd}/", CancellationToken.None))
        {
            files.Add(blob.Name);
        }

        Assert.Equal(2, rerun.Views.Single().Files);
        Assert.Equal([$"shop_2h/date={day:yyyy-MM-dd}/part-10.parquet", $"shop_2h/date={day:yyyy-MM-dd}/part-13.parquet"], files.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MaterializeAsync_OlderSliceWritesAfterNewer_NewerFileSurvives()
    {
        var day = Day.AddDays(20);
        var (shop, part12, newerStarted, newer, stalled) = await OlderSliceStalledBeforePart12Async(day);

        // 12:00 (v1 left the 2 h window) and 12:30 (v3) count v2 too.
        var (rows, asOf) = await ReadOfflineAsync(part12, shop);
        Assert.Equal([(day.AddHours(12), 1L), (day.AddHours(12).AddMinutes(30), 2L)], rows);
        Assert.Equal(newerStarted, asOf);
        Assert.Equal(3, newer.Views.Single().Files);
        Assert.Equal(1, stalled.Views.Single().Files);
    }

    [Fact]
    public async Task MaterializeAsync_OlderSliceWritesPartlyAfterNewer_LatestStatisticsStayTheNewerSlices()
    {
        // The old slice wrote part-10 before the newer slice rewrote every hour, then kept the newer files: its
        // statistics describe part-10 rows that are gone, so with the same range end they must not become the view's
        // latest. (The latest day of this class: its range ends last.)
        var (_, _, _, newer, stalled) = await OlderSliceStalledBeforePart12Async(Day.AddDays(60));

        Assert.Equal(1, stalled.Views.Single().Files);
        var latest = await FeatureStatisticsStore.For(azurite.Storage).ReadLatestAsync("shop_2h");
        Assert.Equal((newer.Views.Single().Statistics.RunId, 4L), (latest!.RunId, latest.Rows));
    }

    [Fact]
    public async Task MaterializeAsync_OlderSliceDeletesAfterNewerWrote_NewerFileSurvives()
    {
        // The old slice (3 h windows: no rows in hour 12) listed the day's part-12 of an earlier run, then stalled just
        // before deleting it; a newer slice (2 h windows, e.g. an instance the definitions change reached later) wrote
        // part-12 meanwhile. The old slice's delete must not remove the newer file.
        var widened = DefinitionLoader.Parse(Yaml.Replace("window: 2h", "window: 3h", StringComparison.Ordinal), "shops.yaml").Definitions!;
        var shop = $"s/{Guid.NewGuid():N}";
        var day = Day.AddDays(22);
        var (first, started, newerStarted) = (day.AddHours(14), day.AddHours(14).AddMinutes(1), day.AddHours(14).AddMinutes(2));
        await IngestAsync(first, Visit($"{shop}-v1", shop, 40, day.AddHours(10).AddMinutes(15)));
        var offlineOnly = new MaterializeOptions { WriteOnline = false };
        await new FeatureMaterializer(azurite.Storage, Definitions, new FixedTimeProvider(first)).MaterializeAsync(day, day.AddHours(14), options: offlineOnly);
        var part12 = FeatureMaterializer.BlobName("shop_2h", TiledView.ToUnixTicks(day.AddHours(12)));
        var gate = new RequestGate(r => r.Method == RequestMethod.Delete && Uri.UnescapeDataString(r.Uri.Path).EndsWith("/offline/" + part12, StringComparison.Ordinal));
        var gated = new BrisaStorage(new BlobServiceClient(azurite.ConnectionString, gate.Gating(new BlobClientOptions())), azurite.Storage.Queues, azurite.Storage.Tables);
        var old = new FeatureMaterializer(gated, widened, new FixedTimeProvider(started)).MaterializeAsync(day, day.AddHours(14), options: offlineOnly);
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        await new FeatureMaterializer(azurite.Storage, Definitions, new FixedTimeProvider(newerStarted)).MaterializeAsync(day, day.AddHours(14), options: offlineOnly);
        gate.Open();
        await old.WaitAsync(TimeSpan.FromSeconds(60));

        var (rows, asOf) = await ReadOfflineAsync(part12, shop);
        Assert.Equal([(day.AddHours(12), 0L)], rows);
        Assert.Equal(newerStarted, asOf);
    }

    [Fact]
    public async Task MaterializeAsync_OlderSliceOfTheSameRangeWritesOnlineAfterNewer_NewerValuesKept()
    {
        // Two slices of the same range hold values as of the same instant; the one that read raw before v2 landed is
        // held just before its online write, and must not replace the newer slice's values when it goes on.
        var shop = $"s/{Guid.NewGuid():N}";
        var day = Day.AddDays(23);
        var (started, newerStarted) = (day.AddHours(13), day.AddHours(13).AddMinutes(1));
        await IngestAsync(started, Visit($"{shop}-v1", shop, 40, day.AddHours(12).AddMinutes(10)));
        var gate = new RequestGate(r => r.Uri.Path.Contains("/online", StringComparison.Ordinal));
        var gated = new BrisaStorage(azurite.Storage.Blobs, azurite.Storage.Queues, new TableServiceClient(azurite.ConnectionString, gate.Gating(new TableClientOptions())));
        var old = new FeatureMaterializer(gated, Definitions, new FixedTimeProvider(started)).MaterializeAsync(day, day.AddHours(13));
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        await IngestAsync(newerStarted, Visit($"{shop}-v2", shop, 20, day.AddHours(12).AddMinutes(20)));
        var newer = new FeatureMaterializer(azurite.Storage, Definitions, new FixedTimeProvider(newerStarted));
        await newer.MaterializeAsync(day, day.AddHours(13));
        gate.Open();
        await old.WaitAsync(TimeSpan.FromSeconds(60));

        var row = await OnlineValueStore.For(azurite.Storage).ReadAsync(newer.Plan.FindView("shop_2h")!, shop);
        Assert.Equal([2.0, 30.0], row!.Values.Select(v => v.Number));
    }

    [Fact]
    public async Task MaterializeAsync_RetryOfTheSameSliceAfterRawGrew_OverwritesItsOwnFiles()
    {
        // A retried slice (same range, as of the same instant or later) must still replace what its first attempt wrote.
        var shop = $"s/{Guid.NewGuid():N}";
        var day = Day.AddDays(21);
        var started = day.AddHours(13);
        await IngestAsync(started, Visit($"{shop}-v1", shop, 40, day.AddHours(12).AddMinutes(10)));
        var materializer = new FeatureMaterializer(azurite.Storage, Definitions, new FixedTimeProvider(started));
        await materializer.MaterializeAsync(day, day.AddHours(13), options: new MaterializeOptions { WriteOnline = false });
        await IngestAsync(started, Visit($"{shop}-v2", shop, 20, day.AddHours(12).AddMinutes(20)));

        var retry = await materializer.MaterializeAsync(day, day.AddHours(13), options: new MaterializeOptions { WriteOnline = false });

        var (rows, asOf) = await ReadOfflineAsync(FeatureMaterializer.BlobName("shop_2h", TiledView.ToUnixTicks(day.AddHours(12))), shop);
        Assert.Equal([(day.AddHours(12).AddMinutes(10), 1L), (day.AddHours(12).AddMinutes(20), 2L)], rows);
        Assert.Equal(started, asOf);
        Assert.Equal(1, retry.Views.Single().Files);
    }

    // The old slice read hour 11 before v2 landed there, then stalled just before writing part-12; a newer slice of
    // the day read v2 and wrote every hour meanwhile; then the old slice goes on. Offline files only.
    private async Task<(string Shop, string Part12, DateTimeOffset NewerStarted, MaterializationSummary Newer, MaterializationSummary Stalled)> OlderSliceStalledBeforePart12Async(DateTimeOffset day)
    {
        var shop = $"s/{Guid.NewGuid():N}";
        var (started, newerStarted) = (day.AddHours(13), day.AddHours(13).AddMinutes(1));
        await IngestAsync(day.AddHours(13), Visit($"{shop}-v1", shop, 40, day.AddHours(10).AddMinutes(15)), Visit($"{shop}-v3", shop, 10, day.AddHours(12).AddMinutes(30)));
        var part12 = FeatureMaterializer.BlobName("shop_2h", TiledView.ToUnixTicks(day.AddHours(12)));
        var gate = new RequestGate(r => r.Method == RequestMethod.Put && Uri.UnescapeDataString(r.Uri.Path).EndsWith("/offline/" + part12, StringComparison.Ordinal));
        var gated = new BrisaStorage(new BlobServiceClient(azurite.ConnectionString, gate.Gating(new BlobClientOptions())), azurite.Storage.Queues, azurite.Storage.Tables);
        var offlineOnly = new MaterializeOptions { WriteOnline = false };
        var old = new FeatureMaterializer(gated, Definitions, new FixedTimeProvider(started)).MaterializeAsync(day, day.AddHours(13), options: offlineOnly);
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        await IngestAsync(newerStarted, Visit($"{shop}-v2", shop, 20, day.AddHours(11).AddMinutes(40)));
        var newer = await new FeatureMaterializer(azurite.Storage, Definitions, new FixedTimeProvider(newerStarted)).MaterializeAsync(day, day.AddHours(13), options: offlineOnly);
        gate.Open();
        return (shop, part12, newerStarted, newer, await old.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    private Task IngestAsync(DateTimeOffset now, params IncomingMessage[] visits) =>
        new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(now)).IngestAsync(visits, CancellationToken.None);

    // The shop's (feature time, visit count) rows in one offline file, and the file's recorded as-of.
    private async Task<(List<(DateTimeOffset, long)> Rows, DateTimeOffset AsOf)> ReadOfflineAsync(string name, string shop)
    {
        var blob = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer).GetBlobClient(name);
        var content = (await blob.DownloadContentAsync()).Value;
        var block = await OfflineFeatureParquet.ReadAsync(new FeatureMaterializer(azurite.Storage, Definitions).Plan.FindView("shop_2h")!, Definitions, content.Content.ToStream());
        var rows = Enumerable.Range(0, block.Count).Where(r => block.EntityKeyOf(r) == shop)
            .Select(r => (TiledView.FromUnixTicks(block.FeatureTicksOf(r)), (long)block.ValuesOf(r)[0].Number))
            .ToList();
        return (rows, DateTimeOffset.Parse(content.Details.Metadata[FeatureMaterializer.RawAsOfMetadata], CultureInfo.InvariantCulture));
    }

    private static IncomingMessage Visit(string id, string shop, double amount, DateTimeOffset time, double? coupon = null) =>
        new(Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $$$"""{"specversion":"1.0","id":{{{Json(id)}}},"source":"/tests","type":"com.example.shop_visit","data":{"visit_id":{{{Json(id)}}},"shop_id":{{{Json(shop)}}},"amount":{{{amount}}},{{{(coupon is { } c ? $"\"coupon\":{c}," : "")}}}"timestamp":"{{{time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.ffffffZ}}}"}}""")));

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
