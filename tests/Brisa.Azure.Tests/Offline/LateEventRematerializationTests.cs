using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Offline;
using Brisa.Azure.RawZone;
using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Materialization;
using Brisa.Core.Training;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Offline;

/// <summary>
/// Events landing after the incremental watermark passed their day: ingestion records the day, the next incremental
/// run re-materializes it through the queue slices, and the offline files end as a backfill of the range writes them.
/// Its own emulator: the tests set the account's <c>all</c> watermark, which every ingestor of the account reads.
/// </summary>
public sealed class LateEventRematerializationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly FeatureRepositoryDefinition Definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
    private static readonly FeaturePlan Plan = FeaturePlan.Compile(Definitions, trackEventIds: false);
    private static readonly string[] Countries = ["ES", "FR", "DE", "PT"];

    private IncrementalMaterializer Materializer(DateTimeOffset now, BrisaStorage? storage = null) =>
        new(storage ?? azurite.Storage, new FixedDefinitionsSource(Definitions), new FixedTimeProvider(now), new IncrementalMaterializeOptions { InitialLookback = TimeSpan.FromHours(57) });

    private Task<IngestionResult> IngestAsync(IEnumerable<SampleTransaction> events, DateTimeOffset now, BrisaStorage? storage = null) =>
        new EventIngestor(storage ?? azurite.Storage, Definitions, new FixedTimeProvider(now)).IngestAsync([SampleTransaction.Message(events)], CancellationToken.None);

    [Fact]
    public async Task LateEventsTwoDaysLate_NextIncrementalRunRematerializes_OfflineHasThemAndEqualsBackfill_RerunDoesNothing()
    {
        await ResetAsync();
        var day = new DateTimeOffset(2032, 4, 10, 0, 0, 0, TimeSpan.Zero);
        var rng = new Random(17);
        var onTime = Enumerable.Range(0, 240).Select(i => new SampleTransaction(
            $"on-{i:D4}", $"c{rng.Next(6)}", $"m{rng.Next(3)}", Math.Round(rng.NextDouble() * 300, 2), Countries[rng.Next(Countries.Length)],
            TiledView.ToUnixTicks(day) + rng.NextInt64(TimeSpan.FromHours(57).Ticks))).ToList();
        Assert.Empty((await IngestAsync(onTime, day.AddDays(2).AddHours(9).AddMinutes(10))).LateDays);

        // The incremental timer and its queue slices: everything up to day+2 09:00 is materialized.
        var first = await RunTimerAndSlicesAsync(day.AddDays(2).AddHours(10).AddMinutes(20));
        Assert.Equal(IncrementalRunStatus.Enqueued, first.Status);
        var watermark = day.AddDays(2).AddHours(9);
        Assert.Equal(watermark, first.Watermark);

        // On time (after the watermark, its day not passed): no watermark read, no record — not a single offline request.
        var requests = new RequestLog();
        var recorded = Recorded(requests);
        var current = await IngestAsync(
            [new SampleTransaction("on-late-hour", "c1", "m1", 12.5, "ES", TiledView.ToUnixTicks(watermark.AddMinutes(30)))],
            day.AddDays(2).AddHours(10).AddMinutes(25),
            recorded);
        Assert.Empty(current.LateDays);
        Assert.DoesNotContain(requests.Paths, p => p.Contains("/offline/", StringComparison.Ordinal));
        Assert.Empty(await new LateDayMarkers(azurite.Storage).ListAsync(null));

        // Two days late: a known customer and merchant, and new ones.
        var late = Enumerable.Range(0, 12).Select(i => new SampleTransaction(
            $"late-{i:D2}", i % 2 == 0 ? "c1" : "c-late", i % 3 == 0 ? "m-late" : "m1", 40 + i, Countries[i % Countries.Length],
            TiledView.ToUnixTicks(day.AddHours(13).AddMinutes(i * 17)))).ToList();
        requests.Clear();
        var landed = await IngestAsync(late, day.AddDays(2).AddHours(10).AddMinutes(30), recorded);
        Assert.Equal(late.Count, landed.Accepted);
        Assert.Equal([new LateDay("transaction", day)], landed.LateDays);
        Assert.Single(requests.Paths, p => p.Contains("/offline/_late/", StringComparison.Ordinal));
        Assert.Equal([new LateDay("transaction", day)], (await new LateDayMarkers(azurite.Storage).ListAsync(null)).Select(m => m.Day));

        // The next tick: nothing new to plan, but the late day's slices, then the record is cleared.
        var second = await RunTimerAndSlicesAsync(day.AddDays(2).AddHours(10).AddMinutes(40));
        Assert.Equal(IncrementalRunStatus.UpToDate, second.Status);
        Assert.Equal([new LateDay("transaction", day)], second.LateDays);
        Assert.Equal(LateEvents.Plan(second.LateDays, Plan.Views, watermark, []), second.LateSlices);
        Assert.Empty(await new LateDayMarkers(azurite.Storage).ListAsync(null));

        // The offline rows hold the late events: as of every checkpoint (the late day, and the days its 7-day windows
        // reach), each view's row equals the point-in-time value built from the raw zone.
        var offline = await ReadOfflineAsync();
        Assert.Contains(offline["customer_7d"], b => Enumerable.Range(0, b.Count).Any(r => b.EntityKeyOf(r) == "c-late"));
        await AssertOfflineEqualsTrainingSetAsync(
            offline,
            [day.AddHours(13).AddMinutes(40), day.AddHours(16).AddMinutes(30), day.AddHours(23).AddMinutes(59), day.AddDays(1), day.AddDays(1).AddHours(14), watermark.AddTicks(-1)],
            customers: ["c1", "c-late"],
            merchants: ["m1", "m-late"]);

        // The same files, byte for byte, as a backfill of the range writes.
        var automatic = await SnapshotAsync();
        await new FeatureMaterializer(azurite.Storage, Definitions).MaterializeAsync(day, watermark, options: new MaterializeOptions { WriteOnline = false });
        Assert.Equal(automatic, await SnapshotAsync());

        // A rerun finds nothing to do.
        var third = await Materializer(day.AddDays(2).AddHours(10).AddMinutes(50)).PlanAsync();
        Assert.Equal(IncrementalRunStatus.UpToDate, third.Status);
        Assert.Empty(third.LateSlices);
        Assert.Empty((await azurite.Storage.Queues.GetQueueClient(StorageNames.MaterializeQueue).PeekMessagesAsync(32)).Value);
    }

    [Fact]
    public async Task Plan_EnqueueFailsMidRun_LateDayKept_NextRunEnqueuesAndClearsIt()
    {
        await ResetAsync();
        var day = new DateTimeOffset(2033, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var now = day.AddDays(3).AddHours(2).AddMinutes(10);
        await SetWatermarkAsync(day.AddDays(3).AddHours(1));
        var landed = await IngestAsync([new SampleTransaction("crash-0", "c-crash", "m-crash", 10, "ES", TiledView.ToUnixTicks(day.AddHours(8)))], now);
        Assert.Equal([new LateDay("transaction", day)], landed.LateDays);

        var failing = new BrisaStorage(
            new BlobServiceClient(azurite.ConnectionString),
            new QueueServiceClient(azurite.ConnectionString, FailSends(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 })),
            azurite.Storage.Tables);
        await Assert.ThrowsAsync<RequestFailedException>(() => Materializer(now, failing).PlanAsync());
        Assert.Equal([new LateDay("transaction", day)], (await new LateDayMarkers(azurite.Storage).ListAsync(null)).Select(m => m.Day));

        var retried = await Materializer(now).PlanAsync();

        Assert.Equal([new LateDay("transaction", day)], retried.LateDays);
        Assert.NotEmpty(retried.LateSlices);
        Assert.Equal(retried.LateSlices.Count, (await DrainAsync()).Count);
        Assert.Empty(await new LateDayMarkers(azurite.Storage).ListAsync(null));
    }

    [Fact]
    public async Task Plan_LateBatchLandsWhileTheRunClears_ItsRecordStaysForTheNextRun()
    {
        await ResetAsync();
        var day = new DateTimeOffset(2033, 7, 1, 0, 0, 0, TimeSpan.Zero);
        var now = day.AddDays(3).AddHours(2).AddMinutes(10);
        await SetWatermarkAsync(day.AddDays(3).AddHours(1));
        await IngestAsync([new SampleTransaction("race-0", "c-race", "m-race", 10, "ES", TiledView.ToUnixTicks(day.AddHours(8)))], now);

        // The run is held just before it clears the record; meanwhile another late batch of that day lands.
        var gate = new RequestGate(r => r.Method == RequestMethod.Delete && r.Uri.Path.Contains("/_late/", StringComparison.Ordinal));
        var gated = new BrisaStorage(
            new BlobServiceClient(azurite.ConnectionString, gate.Gating(new BlobClientOptions())),
            azurite.Storage.Queues,
            azurite.Storage.Tables);
        var run = Materializer(now, gated).PlanAsync();
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(60));
        var again = await IngestAsync([new SampleTransaction("race-1", "c-race", "m-race", 20, "ES", TiledView.ToUnixTicks(day.AddHours(20)))], now.AddMinutes(1));
        Assert.Equal([new LateDay("transaction", day)], again.LateDays);
        gate.Open();
        var held = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEmpty(held.LateSlices);
        Assert.Empty(held.LateDays);
        Assert.Single(await new LateDayMarkers(azurite.Storage).ListAsync(null));
        await DrainAsync();

        var next = await Materializer(now.AddMinutes(5)).PlanAsync();
        Assert.Equal([new LateDay("transaction", day)], next.LateDays);
        Assert.Equal(held.LateSlices, next.LateSlices);
        Assert.Empty(await new LateDayMarkers(azurite.Storage).ListAsync(null));
    }

    /// <summary>The tests share the queue, the watermark and the records: start each from nothing.</summary>
    private async Task ResetAsync()
    {
        await azurite.Storage.Queues.GetQueueClient(StorageNames.MaterializeQueue).ClearMessagesAsync();
        var offline = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        await offline.GetBlobClient(IncrementalMaterializer.WatermarkName(null)).DeleteIfExistsAsync();
        foreach (var marker in await new LateDayMarkers(azurite.Storage).ListAsync(null))
        {
            await offline.GetBlobClient(LateDayMarkers.BlobName(marker.Day)).DeleteIfExistsAsync();
        }
    }

    private async Task SetWatermarkAsync(DateTimeOffset watermark) =>
        await azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer).GetBlobClient(IncrementalMaterializer.WatermarkName(null))
            .UploadAsync(BinaryData.FromString($$"""{"watermark": "{{watermark:O}}", "updated_at": "{{watermark:O}}"}"""), overwrite: true);

    /// <summary>The timer's run, then every message it enqueued given to the slice worker as the queue trigger would.</summary>
    private async Task<IncrementalRunResult> RunTimerAndSlicesAsync(DateTimeOffset now)
    {
        var result = await Materializer(now).PlanAsync();
        foreach (var message in await DrainAsync())
        {
            await Materializer(now).RunSliceAsync(message);
        }

        return result;
    }

    private async Task<List<string>> DrainAsync()
    {
        var queue = azurite.Storage.Queues.GetQueueClient(StorageNames.MaterializeQueue);
        var messages = new List<string>();
        while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } batch)
        {
            foreach (var message in batch)
            {
                messages.Add(message.Body.ToString());
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }

        return messages;
    }

    private BrisaStorage Recorded(RequestLog log) => new(
        new BlobServiceClient(azurite.ConnectionString, log.Recording(new BlobClientOptions())),
        azurite.Storage.Queues,
        azurite.Storage.Tables);

    private async Task<Dictionary<string, List<OfflineRows>>> ReadOfflineAsync()
    {
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        var rows = new Dictionary<string, List<OfflineRows>>();
        foreach (var view in Plan.Views)
        {
            rows[view.Name] = [];
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, view.Name + "/", CancellationToken.None))
            {
                var content = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content;
                rows[view.Name].Add(await OfflineFeatureParquet.ReadAsync(view, Definitions, content.ToStream()));
            }
        }

        return rows;
    }

    private async Task<SortedDictionary<string, string>> SnapshotAsync()
    {
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var view in Plan.Views)
        {
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, view.Name + "/", CancellationToken.None))
            {
                files[blob.Name] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData((await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray()));
            }
        }

        return files;
    }

    private async Task AssertOfflineEqualsTrainingSetAsync(Dictionary<string, List<OfflineRows>> offline, DateTimeOffset[] checkpoints, string[] customers, string[] merchants)
    {
        var transactions = Plan.Schemas.Single(s => s.SourceName == "transaction");
        var raw = new List<SourceEventBatch>();
        await foreach (var batch in RawZoneReader.For(azurite.Storage).ReadRangeAsync(transactions, TiledView.ToUnixTicks(checkpoints[0].AddDays(-8)), TiledView.ToUnixTicks(checkpoints[^1]) + 1))
        {
            raw.Add(batch);
        }

        var features = Plan.Views.SelectMany(v => v.Definition.Features.Select(f => new FeatureReference(v.Name, f.Name))).ToArray();
        var builder = new TrainingSetBuilder(Plan, features, options: new TrainingSetOptions { PointInTime = PointInTimeMode.AtObservation, ApplyTtl = false });
        var observations = new ObservationSet(["customer_id", "merchant_id"], [], null);
        foreach (var t in checkpoints)
        {
            for (var i = 0; i < customers.Length; i++)
            {
                observations.Add($"{t:O}-{i}", TiledView.ToUnixTicks(t), [customers[i], merchants[i]], [], FieldValue.Null);
            }
        }

        var set = builder.Build(observations, raw);
        for (var r = 0; r < set.RowCount; r++)
        {
            foreach (var view in Plan.Views)
            {
                var key = set.Column(view.Definition.Entity == "customer" ? "customer_id" : "merchant_id")[r].Text;
                var expected = view.Definition.Features.Select(f => set.Column(FeatureRequirements.ColumnNameOf(view.Name, f.Name))[r]).ToArray();
                var t = set.ObservationTicks[r];
                SkewTests.AssertSame(view, expected, OfflineAsOf.Latest(offline[view.Name], view, key, t), $"{view.Name} {key} at {TiledView.FromUnixTicks(t):O}");
            }
        }
    }

    private static QueueClientOptions FailSends(QueueClientOptions options)
    {
        options.AddPolicy(new FailPolicy(r => r.Method == RequestMethod.Post && r.Uri.Path.EndsWith("/messages", StringComparison.Ordinal)), HttpPipelinePosition.PerCall);
        return options;
    }

    /// <summary>Fails matching requests before they are sent, as an outage would.</summary>
    private sealed class FailPolicy(Func<Request, bool> predicate) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException();

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            predicate(message.Request) ? throw new RequestFailedException(503, "injected outage") : ProcessNextAsync(message, pipeline);
    }
}
