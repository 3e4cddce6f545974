using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Models;
using Brisa.Azure.Online;
using Brisa.Azure.RawZone;
using Brisa.Azure.Serving;
using Brisa.Azure.Storage;
using Brisa.Azure.Tests.Models;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Reliability;

/// <summary>
/// Several instances of the app at once against one storage account, as Azure Functions scales out: each "instance"
/// is its own set of services (own caches) over its own storage clients, and <see cref="RequestGate"/>s hold one at an
/// exact request while the others run, so each interleaving is the one named, without sleeps.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ScaleOutTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly FeatureRepositoryDefinition Definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
    private static readonly FeaturePlan Plan = FeaturePlan.Compile(Definitions, trackEventIds: true);

    [Fact]
    public async Task Ingest_TwoInstancesRedeliverABatchWhileAThirdWritesTheHotMerchant_RawOnceAndCountsMatchReference()
    {
        // One hot merchant fed by every batch. Instance A gets batch X; instance B gets X again (a redelivery: the
        // partition's lease moved while A still ran it); instance C gets batch Y of other events of the same merchant.
        // A and B both read the merchant's row before either writes it, C writes it meanwhile, then A writes, then B.
        var prefix = $"so-{Guid.NewGuid():N}"[..15];
        var merchant = $"{prefix}-hot";
        var prior = Events(prefix + "-p", merchant, 5, seed: 1);
        var x = Events(prefix + "-x", merchant, 40, seed: 2);
        var y = Events(prefix + "-y", merchant, 30, seed: 3);
        var clock = new FixedTimeProvider(Now);
        await new EventIngestor(azurite.Storage, Definitions, clock).IngestAsync(TestTransaction.Batch(prior), CancellationToken.None);

        // The merchant's row exists, so each instance replaces it If-Match the ETag it read.
        var merchantRow = $"(PartitionKey='{TableKeys.Encode(merchant)}',RowKey='merchant_1h')";
        bool IsMerchantWrite(Request request) => request.Method != RequestMethod.Get && Uri.UnescapeDataString(request.Uri.Path).EndsWith(merchantRow, StringComparison.Ordinal);
        var gateA = new RequestGate(IsMerchantWrite);
        var gateB = new RequestGate(IsMerchantWrite);
        var a = new EventIngestor(Instance(gateA), Definitions, clock);
        var b = new EventIngestor(Instance(gateB), Definitions, clock);
        var c = new EventIngestor(Instance(null), Definitions, clock);

        var runA = a.IngestAsync(TestTransaction.Batch(x), CancellationToken.None);
        var runB = b.IngestAsync(TestTransaction.Batch(x), CancellationToken.None);
        await Task.WhenAll(gateA.Reached, gateB.Reached).WaitAsync(TimeSpan.FromSeconds(20));
        var resultC = await c.IngestAsync(TestTransaction.Batch(y), CancellationToken.None);
        gateA.Open();
        var resultA = await runA.WaitAsync(TimeSpan.FromSeconds(20));
        gateB.Open();
        var resultB = await runB.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal([x.Count, x.Count, y.Count], [resultA.Accepted, resultB.Accepted, resultC.Accepted]);
        Assert.True(resultA.OnlineConflicts >= 1, "A read the merchant's row before C wrote it");
        Assert.True(resultB.OnlineConflicts >= 1, "B read the merchant's row before A wrote it");
        Assert.Equal(x.Count, resultB.OnlineDuplicates);

        var all = prior.Concat(x).Concat(y).ToList();
        Assert.Equal(all.Select(e => e.Id).Order(StringComparer.Ordinal), await RawIdsAsync(all), StringComparer.Ordinal);

        var view = Plan.FindView("merchant_1h")!.View;
        var nowTicks = TiledView.ToUnixTicks(Now);
        var values = (await OnlineTileStore.For(azurite.Storage).ReadAsync(view, merchant))!.State.Evaluate(nowTicks).Values;
        var inWindow = all.Where(e => InWindow(view, e.Time, nowTicks, TimeSpan.FromHours(1))).ToList();
        Assert.Equal(inWindow.Count, values[0].AsNumber());
        Assert.Equal(inWindow.Sum(e => e.Amount), values[1].AsNumber()!.Value, 1e-9 * inWindow.Sum(e => e.Amount));
    }

    [Fact]
    public async Task Retrain_TimerAndQueueAtOnce_OneRunTrainsTheOtherIsBusyAndNoHalfVersionIsServed()
    {
        // RetrainModels (timer) on one instance and RetrainModelOnRequest (a drift message) on another. The timer's
        // run is held just before its version's metadata.json, the write that completes a version.
        var model = ModelRegistryTests.NewModel();
        var champion = (await Service(null).RunAsync(model, ModelRegistryTests.Table(seed: 1, corruptTraining: 0.9))).Report!.Version;
        var gate = new RequestGate(r => r.Method == RequestMethod.Put && r.Uri.Path.Contains($"/models/{model.Name}/v", StringComparison.Ordinal) && r.Uri.Path.EndsWith("/metadata.json", StringComparison.Ordinal));

        var timer = Service(gate).RunAsync(model, ModelRegistryTests.Table(seed: 2, corruptTraining: 0), new TrainingRunOptions { Actor = "retrain:timer" });
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        var queue = await Service(null).RunAsync(model, ModelRegistryTests.Table(seed: 3, corruptTraining: 0), new TrainingRunOptions { Actor = "retrain:drift" });
        var registry = new ModelRegistry(azurite.Storage);
        var versionsMeanwhile = await registry.ListVersionsAsync(model.Name);
        var servedMeanwhile = await new ModelCache(new ModelRegistry(azurite.Storage), TimeProvider.System, TimeSpan.FromMinutes(1)).GetAsync(model.Name, null, CancellationToken.None);
        gate.Open();
        var trained = await timer.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(TrainingRunStatus.Busy, queue.Status);
        Assert.Equal([champion], versionsMeanwhile);
        Assert.Equal(champion, servedMeanwhile.Version);
        Assert.True(trained.Status == TrainingRunStatus.Promoted, trained.Message);
        var aliases = (await registry.GetAliasesAsync(model.Name)).Aliases;
        Assert.Equal(trained.Report!.Version, aliases.Champion);
        Assert.Equal([champion], aliases.PreviousChampions);
        Assert.Equal(
            [(ModelHistoryAction.Promote, champion), (ModelHistoryAction.Promote, trained.Report.Version)],
            (await registry.GetHistoryAsync(model.Name)).Select(h => (h.Action, h.Version)));
    }

    [Fact]
    public async Task Retrain_LeaseLapsesWhileARunWaitsToPromote_NewerPromotionStandsAndTheLateRunIsChallenger()
    {
        // A run decided to promote against champion v0 and stalls before its alias write long enough for its 60 s lease
        // to lapse (broken here: the same state); another run takes the lock and promotes. The stalled run resumes.
        var model = ModelRegistryTests.NewModel();
        var champion = (await Service(null).RunAsync(model, ModelRegistryTests.Table(seed: 1, corruptTraining: 0.9))).Report!.Version;
        var gate = new RequestGate(r => r.Method == RequestMethod.Put && r.Uri.Path.EndsWith($"/models/{model.Name}/aliases.json", StringComparison.Ordinal));

        var stalled = Service(gate).RunAsync(model, ModelRegistryTests.Table(seed: 2, corruptTraining: 0), new TrainingRunOptions { Actor = "retrain:timer" });
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        var registry = new ModelRegistry(azurite.Storage);
        await registry.Container.GetBlobClient($"{model.Name}/.lock").GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        var other = await Service(null).RunAsync(model, ModelRegistryTests.Table(seed: 3, corruptTraining: 0), new TrainingRunOptions { Actor = "retrain:drift" });
        gate.Open();
        var late = await stalled.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(other.Status == TrainingRunStatus.Promoted, other.Message);
        Assert.Equal(TrainingRunStatus.Challenger, late.Status);
        Assert.Equal(champion, late.Report!.Promotion!.ChampionVersion);
        var aliases = (await registry.GetAliasesAsync(model.Name)).Aliases;
        Assert.Equal(other.Report!.Version, aliases.Champion);
        Assert.Equal([champion], aliases.PreviousChampions);
        Assert.Equal(late.Report.Version, aliases.Challenger);
        Assert.Equal(
            [(ModelHistoryAction.Promote, champion), (ModelHistoryAction.Promote, other.Report.Version), (ModelHistoryAction.Conflict, late.Report.Version), (ModelHistoryAction.Challenger, late.Report.Version)],
            (await registry.GetHistoryAsync(model.Name)).Select(h => (h.Action, h.Version)));
    }

    /// <summary>An instance's training service: its own registry over its own Blob client (through <paramref name="gate"/> when given).</summary>
    private ModelTrainingService Service(RequestGate? gate) => new(new ModelRegistry(
        new BlobServiceClient(azurite.ConnectionString, gate is null ? new BlobClientOptions() : gate.Gating(new BlobClientOptions())).GetBlobContainerClient(StorageNames.ModelsContainer)));

    /// <summary>An instance's storage clients: its own Table client (through <paramref name="gate"/> when given) over the shared account.</summary>
    private BrisaStorage Instance(RequestGate? gate) => new(
        azurite.Storage.Blobs,
        azurite.Storage.Queues,
        new TableServiceClient(azurite.ConnectionString, gate is null ? new TableClientOptions() : gate.Gating(new TableClientOptions())));

    /// <summary>
    /// Transactions of one merchant within the last 50 minutes (so every one is in its 1 h window), each of another
    /// customer so customer rows race too.
    /// </summary>
    private static List<TestTransaction> Events(string prefix, string merchant, int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new TestTransaction(
            $"{prefix}-t{i:D3}",
            $"{prefix}-c{random.Next(6)}",
            merchant,
            Math.Round(random.NextDouble() * 500, 2),
            Now.AddSeconds(-random.Next(50 * 60))))];
    }

    private static bool InWindow(TiledView view, DateTimeOffset time, long atTicks, TimeSpan window)
    {
        var ticks = TiledView.ToUnixTicks(time);
        return view.TileOf(ticks) > view.TileOf(atTicks) - (window.Ticks / view.TileTicks) && ticks <= atTicks;
    }

    /// <summary>The ids of the raw zone's transactions among <paramref name="events"/>, once per copy, sorted.</summary>
    private async Task<List<string>> RawIdsAsync(IReadOnlyCollection<TestTransaction> events)
    {
        var wanted = events.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        var schema = Plan.Schemas.Single(s => s.SourceName == "transaction");
        var reader = RawZoneReader.For(azurite.Storage);
        var ids = new List<string>();
        foreach (var hour in events.Select(e => TiledView.ToUnixTicks(e.Time) / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour).Distinct())
        {
            foreach (var batch in await reader.ReadHourAsync(schema, hour))
            {
                ids.AddRange(Enumerable.Range(0, batch.Count).Select(batch.Id).Where(wanted.Contains));
            }
        }

        return [.. ids.Order(StringComparer.Ordinal)];
    }
}
