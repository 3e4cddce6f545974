using System.Globalization;
using System.Text;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Queues;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Offline;
using Brisa.Azure.Online;
using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Materialization;
using Brisa.Functions.Materialization;
using Brisa.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brisa.Functions.Tests.Materialization;

/// <summary>The timer and queue functions called directly against Azurite: plan, enqueue, watermark, lease, slices.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MaterializationFunctionsTests(AzuriteFixture azurite)
{
    private static readonly FeatureRepositoryDefinition Definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
    private static readonly string[] Views = Definitions.FeatureViews.Select(v => v.Name).ToArray();

    // Far from the real clock, so other tests of this collection (which ingest at "now") never touch these hours.
    private static readonly DateTimeOffset Now = new(2031, 3, 6, 10, 20, 0, TimeSpan.Zero);

    private static readonly IncrementalMaterializeOptions Options = new() { InitialLookback = TimeSpan.FromDays(2) };

    private IncrementalMaterializer Materializer(DateTimeOffset now) =>
        new(azurite.Storage, new FixedDefinitionsSource(Definitions), new FixedTimeProvider(now), Options);

    private MaterializeFeaturesFunction Timer(DateTimeOffset now) => new(Materializer(now), NullLogger<MaterializeFeaturesFunction>.Instance);

    private MaterializeSliceFunction Slice(DateTimeOffset now) => new(Materializer(now), NullLogger<MaterializeSliceFunction>.Instance);

    private static TimerInfo Tick() => new();

    /// <summary>
    /// Tests of this class share the queue, the watermark blob and the late-day records (which other classes' ingestion of
    /// older events writes once a watermark exists): start each from nothing.
    /// </summary>
    private async Task ResetAsync()
    {
        await azurite.Storage.Queues.GetQueueClient(StorageNames.MaterializeQueue).ClearMessagesAsync();
        var offline = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        await offline.GetBlobClient(IncrementalMaterializer.WatermarkName(null)).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots);
        foreach (var marker in await new LateDayMarkers(azurite.Storage).ListAsync(null))
        {
            await offline.GetBlobClient(LateDayMarkers.BlobName(marker.Day)).DeleteIfExistsAsync();
        }
    }

    private async Task<List<MaterializationSlice>> DrainAsync()
    {
        var queue = azurite.Storage.Queues.GetQueueClient(StorageNames.MaterializeQueue);
        var slices = new List<MaterializationSlice>();
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32)).Value;
            if (batch.Length == 0)
            {
                return slices;
            }

            foreach (var message in batch)
            {
                slices.Add(MaterializationSliceMessage.Parse(message.Body.ToString()));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }

    [Fact]
    public async Task Timer_FirstRun_EnqueuesOneSlicePerViewAndDayThenAdvancesWatermark()
    {
        await ResetAsync();

        await Timer(Now).Run(Tick(), CancellationToken.None);

        // to = floor_hour(10:20 − 1 h) = 09:00; first run: from = to − 2 days.
        var to = new DateTimeOffset(2031, 3, 6, 9, 0, 0, TimeSpan.Zero);
        var slices = await DrainAsync();
        Assert.Equal(3 * Views.Length, slices.Count);
        var days = slices.GroupBy(s => (s.From, s.To)).Select(g => g.Key).Order().ToArray();
        Assert.Equal(
            [
                (to.AddDays(-2), new DateTimeOffset(2031, 3, 5, 0, 0, 0, TimeSpan.Zero)),
                (new DateTimeOffset(2031, 3, 5, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2031, 3, 6, 0, 0, 0, TimeSpan.Zero)),
                (new DateTimeOffset(2031, 3, 6, 0, 0, 0, TimeSpan.Zero), to),
            ],
            days);
        foreach (var day in slices.GroupBy(s => s.From))
        {
            Assert.Equal(Views.Order(), day.Select(s => s.View).Order());
        }

        // Only the last slice of each view writes online values.
        Assert.All(slices, s => Assert.True(s.Online));

        var watermark = await Materializer(Now).ReadWatermarkAsync(null);
        Assert.NotNull(watermark);
        Assert.Equal(to, watermark.Watermark);
        Assert.Equal(Now, watermark.UpdatedAt);
    }

    [Fact]
    public async Task Timer_SecondRunWithNothingNew_EnqueuesNothing_NextHourEnqueuesOneSlicePerView()
    {
        await ResetAsync();
        await Timer(Now).Run(Tick(), CancellationToken.None);
        await DrainAsync();

        var again = await Materializer(Now.AddMinutes(15)).PlanAsync();
        Assert.Equal(IncrementalRunStatus.UpToDate, again.Status);
        await Timer(Now.AddMinutes(30)).Run(Tick(), CancellationToken.None);
        Assert.Empty(await DrainAsync());

        await Timer(Now.AddHours(1)).Run(Tick(), CancellationToken.None);
        var next = await DrainAsync();
        Assert.Equal(Views.Order(), next.Select(s => s.View).Order());
        Assert.All(next, s =>
        {
            Assert.Equal(new DateTimeOffset(2031, 3, 6, 9, 0, 0, TimeSpan.Zero), s.From);
            Assert.Equal(new DateTimeOffset(2031, 3, 6, 10, 0, 0, TimeSpan.Zero), s.To);
            Assert.True(s.Online);
        });
        Assert.Equal(new DateTimeOffset(2031, 3, 6, 10, 0, 0, TimeSpan.Zero), (await Materializer(Now).ReadWatermarkAsync(null))!.Watermark);
    }

    [Fact]
    public async Task Timer_LeaseHeldByAnotherRun_DoesNothing()
    {
        await ResetAsync();
        var materializer = Materializer(Now);
        await materializer.PlanAsync(); // creates the watermark blob
        await DrainAsync();
        var before = await materializer.ReadWatermarkAsync(null);
        var blob = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer).GetBlobClient(IncrementalMaterializer.WatermarkName(null));
        var lease = blob.GetBlobLeaseClient();
        await lease.AcquireAsync(TimeSpan.FromSeconds(15));
        try
        {
            var result = await Materializer(Now.AddHours(5)).PlanAsync();

            Assert.Equal(IncrementalRunStatus.LeaseHeld, result.Status);
            Assert.Contains("another run holds the lease", result.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Empty(result.Slices);
            Assert.Empty(await DrainAsync());
            Assert.Equal(before, await materializer.ReadWatermarkAsync(null));
        }
        finally
        {
            await lease.ReleaseAsync();
        }
    }

    [Fact]
    public async Task Timer_WatermarkEditedToInvalidJson_FailsNamingTheBlobAndWhatIsExpected_NothingEnqueued()
    {
        // The README invites lowering the watermark by hand; a typo there must say where and what, not just "invalid JSON".
        await ResetAsync();
        var blob = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer).GetBlobClient(IncrementalMaterializer.WatermarkName(null));
        await blob.UploadAsync(BinaryData.FromString("""{"watermark": "2031-03-05T09:00:00Z",}"""), overwrite: true);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Timer(Now).Run(Tick(), CancellationToken.None));

        Assert.Contains("offline/_watermarks/all.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("{\"watermark\": \"2026-05-10T09:00:00+00:00\"", error.Message, StringComparison.Ordinal);
        Assert.Empty(await DrainAsync());
        Assert.Equal(LeaseState.Available, (await blob.GetPropertiesAsync()).Value.LeaseState);
    }

    [Fact]
    public async Task Timer_SourceSettingNamesNoSource_FailsNamingTheSettingAndTheSources()
    {
        // A typo in Brisa:Materialize:Source planned nothing, tick after tick, logged only as "no views" at Information.
        await ResetAsync();
        var materializer = new IncrementalMaterializer(
            azurite.Storage, new FixedDefinitionsSource(Definitions), new FixedTimeProvider(Now), Options with { Source = "transactions" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => materializer.PlanAsync());

        Assert.Contains("Brisa:Materialize:Source is 'transactions', which the live definitions do not have (sources: chargeback, transaction)", error.Message, StringComparison.Ordinal);
        Assert.Empty(await DrainAsync());
        Assert.Null((await materializer.ReadWatermarkAsync("transactions"))!.Watermark);
    }

    [Fact]
    public async Task Timer_TwoConcurrentPlanners_OnlyOneEnqueues()
    {
        for (var round = 0; round < 3; round++)
        {
            await ResetAsync();
            var first = Materializer(Now);
            var second = Materializer(Now);
            var results = await Task.WhenAll(Task.Run(() => first.PlanAsync()), Task.Run(() => second.PlanAsync()));

            Assert.Single(results, r => r.Status == IncrementalRunStatus.Enqueued);
            Assert.Single(results, r => r.Status is IncrementalRunStatus.LeaseHeld or IncrementalRunStatus.UpToDate);
            var slices = await DrainAsync();
            Assert.Equal(3 * Views.Length, slices.Count);
            Assert.Equal(slices.Count, slices.Distinct().Count());
        }
    }

    [Fact]
    public async Task Slice_Message_MaterializesOfflineFilesAndOnlineValues()
    {
        await ResetAsync();
        var day = new DateTimeOffset(2031, 3, 4, 0, 0, 0, TimeSpan.Zero);
        var merchant = $"m-slice-{Guid.NewGuid():N}";
        var events = Enumerable.Range(0, 6).Select(i => Event($"{merchant}-{i}", "c-slice", merchant, 10 + i, day.AddHours(9).AddMinutes(i * 17))).ToArray();
        var ingest = await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(day.AddDays(1))).IngestAsync(
            [new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(',', events) + "]"))], CancellationToken.None);
        Assert.Equal(events.Length, ingest.Accepted);

        var message = MaterializationSliceMessage.Serialize(new MaterializationSlice("merchant_7d", day.AddHours(12), day.AddHours(14), Online: true));
        await Slice(Now).Run(message, CancellationToken.None);

        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        var files = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, "merchant_7d/date=2031-03-04/", CancellationToken.None))
        {
            files.Add(blob.Name);
        }

        // Realigned to the day start: the hours with rows (events 09:00–10:25) and the end-of-window rows are written.
        Assert.Contains("merchant_7d/date=2031-03-04/part-09.parquet", files);
        Assert.Contains("merchant_7d/date=2031-03-04/part-10.parquet", files);
        var plan = FeaturePlan.Compile(Definitions, trackEventIds: false);
        var view = plan.FindView("merchant_7d")!;
        var rows = await OfflineFeatureParquet.ReadAsync(view, Definitions, new MemoryStream((await container.GetBlobClient("merchant_7d/date=2031-03-04/part-10.parquet").DownloadContentAsync()).Value.Content.ToArray()));
        Assert.Contains(Enumerable.Range(0, rows.Count), r => rows.EntityKeyOf(r) == merchant);

        // merchant_7d is online and batch-only: the last slice writes the values at to − 1 tick.
        var online = await OnlineValueStore.For(azurite.Storage).ReadAsync(view, merchant);
        Assert.NotNull(online);
        Assert.Equal(6d, online.Values[0].AsNumber());
    }

    [Fact]
    public async Task Slice_OlderSliceWritesOnlineAfterNewerRunsSlice_NewerOnlineValuesKept()
    {
        await ResetAsync();
        var day = new DateTimeOffset(2031, 3, 3, 0, 0, 0, TimeSpan.Zero);
        var merchant = $"m-race-{Guid.NewGuid():N}";
        var events = new[] { 9.2, 9.5, 9.8, 10.3, 10.7 }.Select((hour, i) => Event($"{merchant}-{i}", "c-race", merchant, 10, day.AddHours(hour))).ToArray();
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(day.AddDays(1))).IngestAsync(
            [new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(',', events) + "]"))], CancellationToken.None);
        await Timer(day.AddHours(11).AddMinutes(20)).Run(Tick(), CancellationToken.None); // watermark day 10:00
        await DrainAsync();

        // The older run's slice is held just before its first online write.
        var gate = new RequestGate(request => request.Method != RequestMethod.Get);
        var gated = new BrisaStorage(
            new BlobServiceClient(azurite.ConnectionString),
            new QueueServiceClient(azurite.ConnectionString),
            new TableServiceClient(azurite.ConnectionString, gate.Gating(new TableClientOptions())));
        var older = new IncrementalMaterializer(gated, new FixedDefinitionsSource(Definitions), new FixedTimeProvider(day.AddHours(11).AddMinutes(20)), Options)
            .RunSliceAsync(new MaterializationSlice("merchant_7d", day.AddHours(9), day.AddHours(10), Online: true));
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // Meanwhile the next run plans and its slice writes the newer values.
        await Timer(day.AddHours(12).AddMinutes(20)).Run(Tick(), CancellationToken.None); // watermark day 11:00
        await DrainAsync();
        var newer = await Materializer(day.AddHours(12).AddMinutes(20)).RunSliceAsync(new MaterializationSlice("merchant_7d", day.AddHours(10), day.AddHours(11), Online: true));
        Assert.Equal(1, newer.Summary.Views.Single().OnlineRows);

        gate.Open();
        await older.WaitAsync(TimeSpan.FromSeconds(60));

        var view = FeaturePlan.Compile(Definitions, trackEventIds: false).FindView("merchant_7d")!;
        var online = await OnlineValueStore.For(azurite.Storage).ReadAsync(view, merchant);
        Assert.NotNull(online);
        Assert.Equal(day.AddHours(11).AddTicks(-1), online.FeatureTime);
        Assert.Equal(5d, online.Values[0].AsNumber());
    }

    [Theory]
    [InlineData("", "the message is empty")]
    [InlineData("{not json", "not JSON")]
    [InlineData("[1,2]", "expected a JSON object")]
    [InlineData("""{"from":"2031-03-04T00:00:00Z","to":"2031-03-04T01:00:00Z"}""", "'view' must be a non-empty string")]
    [InlineData("""{"view":"merchant_7d","from":"yesterday","to":"2031-03-04T01:00:00Z"}""", "'from' is not an ISO 8601 time")]
    [InlineData("""{"view":"merchant_7d","from":"2031-03-04T02:00:00Z","to":"2031-03-04T01:00:00Z"}""", "must be before 'to'")]
    [InlineData("""{"view":"merchant_7d","from":"2031-03-04T00:30:00Z","to":"2031-03-04T01:00:00Z"}""", "must be whole hours")]
    [InlineData("""{"view":"merchant_7d","from":"2031-03-04T00:00:00Z","to":"2031-03-06T00:00:00Z"}""", "at most one UTC day")]
    [InlineData("""{"view":"merchant_7d","from":"2031-03-04T00:00:00Z","to":"2031-03-04T01:00:00Z","online":"yes"}""", "'online' must be true or false")]
    [InlineData("""{"view":"no_such_view","from":"2031-03-04T00:00:00Z","to":"2031-03-04T01:00:00Z"}""", "unknown view 'no_such_view'")]
    public async Task Slice_MalformedMessage_ThrowsClearError(string message, string expected)
    {
        var error = await Assert.ThrowsAsync<FormatException>(() => Slice(Now).Run(message, CancellationToken.None));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid materialize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slice_RangeInTheFuture_ThrowsAndWritesNothing()
    {
        // Values written as of a future instant would be kept over every newer slice's until then (online rows never go
        // back in time): one hand-made message would freeze the view's online values. The planner never makes one.
        var day = Now.UtcDateTime.Date.AddDays(1);
        var message = MaterializationSliceMessage.Serialize(new MaterializationSlice("merchant_7d", day.AddHours(3), day.AddHours(4), Online: true));

        var error = await Assert.ThrowsAsync<FormatException>(() => Slice(Now).Run(message, CancellationToken.None));

        Assert.Contains("is after the end of the current UTC hour (2031-03-06T11:00:00.0000000+00:00)", error.Message, StringComparison.Ordinal);
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"merchant_7d/date={day:yyyy-MM-dd}/", CancellationToken.None))
        {
            Assert.Fail($"{blob.Name} was written");
        }
    }

    private static string Event(string id, string customer, string merchant, double amount, DateTimeOffset time) =>
        $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"/t","type":"com.brisa.fraud.transaction","data":{"transaction_id":"{{{id}}}","customer_id":"{{{customer}}}","merchant_id":"{{{merchant}}}","amount":{{{amount.ToString(CultureInfo.InvariantCulture)}}},"currency":"EUR","country":"ES","channel":"pos","timestamp":"{{{time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}}}"}}""";
}
