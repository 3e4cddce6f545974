using System.Globalization;
using System.Text;
using System.Text.Json;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Models;
using Brisa.Azure.Monitoring;
using Brisa.Azure.Online;
using Brisa.Azure.Serving;
using Brisa.Azure.Training;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Generation;
using Brisa.Core.Ingestion;
using Brisa.Core.Modeling;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Serving;

/// <summary>
/// The challenger scored in shadow behind the champion's answers (<see cref="ServingPolicy.ShadowChallenger"/>); its own
/// Azurite, with a LightGBM champion and a linear challenger trained on the sample's definitions.
/// </summary>
public sealed class PredictorShadowTests(PredictorShadowTests.ModelsFixture models) : IClassFixture<PredictorShadowTests.ModelsFixture>
{
    private static readonly FeatureRepositoryDefinition ShadowOn = WithServing(new ServingPolicy { ShadowChallenger = true });

    [Fact]
    public async Task PredictAsync_ShadowOn_AnswersAsTheChampionAndLogsBothVersionsThatDriftCompares()
    {
        await models.Registry.SetChallengerAsync("fraud", models.Challenger, "test", "test");
        var run = Guid.NewGuid().ToString("N")[..8];
        var body = models.Body(run, 12);
        var log = PredictionLog.For(models.Azurite.Storage, TimeSpan.FromMinutes(10));
        var cache = new ModelCache(models.Registry, TimeProvider.System, TimeSpan.FromHours(1));
        var predictor = new Predictor(cache, OnlineFeatureReader.For(models.Azurite.Storage), log, TimeProvider.System);
        await predictor.WarmUpAsync(FeaturePlan.Compile(ShadowOn, trackEventIds: true), "fraud", CancellationToken.None);

        var answered = await predictor.PredictAsync(FeaturePlan.Compile(ShadowOn, trackEventIds: true), "fraud", null, body, "shadow-" + run, CancellationToken.None);
        var championOnly = await models.NewPredictor(log).PredictAsync(FeaturePlan.Compile(FraudHistory.Definitions, trackEventIds: true), "fraud", null, body, "plain-" + run, CancellationToken.None);
        await log.DisposeAsync();

        // The answer is the champion's, exactly.
        AssertSameAnswer(championOnly, answered);
        Assert.Equal(models.Champion, answered.Version);
        Assert.Equal(new ShadowStatus(models.Challenger, null, 0, 0), cache.GetShadowStatus("fraud"));

        // One champion and one shadow record per instance, same request id and id; the shadow one is the challenger's.
        var logged = (await log.ReadAllAsync("fraud")).Where(r => r.RequestId == "shadow-" + run).ToList();
        Assert.Equal(24, logged.Count);
        foreach (var prediction in answered.Predictions)
        {
            var pair = logged.Where(r => r.Id == prediction.Id).ToList();
            var champion = Assert.Single(pair, r => !r.Shadow);
            var shadow = Assert.Single(pair, r => r.Shadow);
            Assert.Equal((models.Champion, prediction.Score), (champion.Version, champion.Score));
            Assert.Equal(models.Challenger, shadow.Version);
            Assert.Equal(champion.Features.Keys.Order(), shadow.Features.Keys.Order());
        }

        Assert.NotEqual(logged.Where(r => !r.Shadow).Select(r => r.Score).Order(), logged.Where(r => r.Shadow).Select(r => r.Score).Order());

        // Chargebacks for 4 of the 12 transactions: the drift report gives both versions' live numbers on those 12.
        await models.ChargebacksAsync(answered.Predictions.Take(4).Select(p => p.Id));
        var asOf = DateTimeOffset.UtcNow.AddMinutes(5);
        var report = (await new DriftMonitor(models.Azurite.Storage, PredictionLog.For(models.Azurite.Storage), new FixedTimeProvider(asOf)).RunAsync(ShadowOn, "fraud"))!;
        var comparison = report.Report.Shadow;
        Assert.NotNull(comparison);
        Assert.Equal((models.Champion, models.Challenger), (comparison.ChampionVersion, comparison.ChallengerVersion));
        Assert.Equal(12, comparison.Paired);
        Assert.Equal([12L, 4L], [comparison.Champion!.Total.Predictions, comparison.Champion.Total.Positives]);
        Assert.Equal([12L, 4L], [comparison.Challenger!.Total.Predictions, comparison.Challenger.Total.Positives]);
        Assert.NotNull(comparison.Champion.Total.Auc);
        Assert.NotNull(comparison.Challenger.Total.Auc);
        Assert.Equal(models.ChallengerThreshold ?? 0.5, comparison.Challenger.Threshold);
        Assert.Equal(Auc(logged.Where(r => r.Shadow), answered.Predictions.Take(4).Select(p => p.Id)), comparison.Challenger.Total.Auc!.Value, 12);
        Assert.Contains("Challenger in shadow", report.Html, StringComparison.Ordinal);
        Assert.Contains(models.Challenger, report.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictAsync_ShadowOff_LogsNoShadowRecord()
    {
        await models.Registry.SetChallengerAsync("fraud", models.Challenger, "test", "test");
        var run = Guid.NewGuid().ToString("N")[..8];
        var log = PredictionLog.For(models.Azurite.Storage, TimeSpan.FromMinutes(10));
        var cache = new ModelCache(models.Registry, TimeProvider.System, TimeSpan.FromHours(1));
        var predictor = new Predictor(cache, OnlineFeatureReader.For(models.Azurite.Storage), log, TimeProvider.System);
        var plan = FeaturePlan.Compile(WithServing(new ServingPolicy { ShadowChallenger = false }), trackEventIds: true);

        // The challenger is at hand: only the definitions keep it out.
        Assert.Equal(models.Challenger, (await cache.LoadShadowChallengerAsync("fraud"))?.Version);

        await predictor.PredictAsync(plan, "fraud", null, models.Body(run, 3), "off-" + run, CancellationToken.None);
        await predictor.PredictAsync(FeaturePlan.Compile(FraudHistory.Definitions, trackEventIds: true), "fraud", null, models.Body(run, 3), "absent-" + run, CancellationToken.None);
        await log.DisposeAsync();

        var logged = (await log.ReadAllAsync("fraud")).Where(r => r.RequestId.EndsWith(run, StringComparison.Ordinal)).ToList();
        Assert.Equal(6, logged.Count);
        Assert.DoesNotContain(logged, r => r.Shadow);
        Assert.All(logged, r => Assert.Equal(models.Champion, r.Version));
    }

    [Fact]
    public async Task PredictAsync_ChallengerCannotBeLoaded_ChampionAnswersAndTheFailureIsCounted()
    {
        // A complete version whose model file ML.NET cannot read.
        var broken = ModelVersionId.Create(DateTimeOffset.UtcNow, "not a model"u8.ToArray());
        await models.Registry.SaveVersionAsync(models.ChampionReport with { Version = broken }, "not a model"u8.ToArray());
        await models.Registry.SetChallengerAsync("fraud", broken, "test", "test");
        var run = Guid.NewGuid().ToString("N")[..8];
        var log = PredictionLog.For(models.Azurite.Storage, TimeSpan.FromMinutes(10));
        var cache = new ModelCache(models.Registry, TimeProvider.System, TimeSpan.FromHours(1));
        var predictor = new Predictor(cache, OnlineFeatureReader.For(models.Azurite.Storage), log, TimeProvider.System);
        await predictor.WarmUpAsync(FeaturePlan.Compile(ShadowOn, trackEventIds: true), "fraud", CancellationToken.None);

        var answered = await predictor.PredictAsync(FeaturePlan.Compile(ShadowOn, trackEventIds: true), "fraud", null, models.Body(run, 3), "broken-" + run, CancellationToken.None);
        var championOnly = await models.NewPredictor(log).PredictAsync(FeaturePlan.Compile(FraudHistory.Definitions, trackEventIds: true), "fraud", null, models.Body(run, 3), "plain-" + run, CancellationToken.None);
        await log.DisposeAsync();

        AssertSameAnswer(championOnly, answered);
        var status = cache.GetShadowStatus("fraud");
        Assert.Equal((null, broken, 1L, 0L), (status.Challenger, status.LastLoadFailure?.Version, status.LoadFailures, status.ScoringFailures));
        var logged = (await log.ReadAllAsync("fraud")).Where(r => r.RequestId == "broken-" + run).ToList();
        Assert.Equal(3, logged.Count);
        Assert.DoesNotContain(logged, r => r.Shadow);
    }

    [Fact]
    public async Task PredictAsync_ChallengerCannotBeScored_ChampionAnswersAndTheFailureIsCounted()
    {
        // The champion's model under a version whose recorded inputs name a feature the definitions do not have.
        var zip = await models.Registry.DownloadModelAsync("fraud", models.Champion);
        var unservable = ModelVersionId.Create(DateTimeOffset.UtcNow, [.. zip, 7]);
        var inputs = models.ChampionReport.Inputs.Select((input, i) => i == 0 ? input with { Name = "customer_1h:gone_1h" } : input).ToList();
        await models.Registry.SaveVersionAsync(models.ChampionReport with { Version = unservable, Inputs = inputs }, zip);
        await models.Registry.SetChallengerAsync("fraud", unservable, "test", "test");
        var run = Guid.NewGuid().ToString("N")[..8];
        var log = PredictionLog.For(models.Azurite.Storage, TimeSpan.FromMinutes(10));
        var cache = new ModelCache(models.Registry, TimeProvider.System, TimeSpan.FromHours(1));
        var predictor = new Predictor(cache, OnlineFeatureReader.For(models.Azurite.Storage), log, TimeProvider.System);
        await predictor.WarmUpAsync(FeaturePlan.Compile(ShadowOn, trackEventIds: true), "fraud", CancellationToken.None);

        var first = await predictor.PredictAsync(FeaturePlan.Compile(ShadowOn, trackEventIds: true), "fraud", null, models.Body(run, 3), "unscored-" + run, CancellationToken.None);
        var second = await predictor.PredictAsync(FeaturePlan.Compile(ShadowOn, trackEventIds: true), "fraud", null, models.Body(run, 3), "unscored2-" + run, CancellationToken.None);
        await log.DisposeAsync();

        AssertSameAnswer(first, second);
        Assert.Equal(models.Champion, first.Version);
        Assert.Equal(new ShadowStatus(unservable, null, 0, 2), cache.GetShadowStatus("fraud"));
        var logged = (await log.ReadAllAsync("fraud")).Where(r => r.RequestId.EndsWith(run, StringComparison.Ordinal)).ToList();
        Assert.Equal(6, logged.Count);
        Assert.DoesNotContain(logged, r => r.Shadow);
    }

    private static FeatureRepositoryDefinition WithServing(ServingPolicy serving) =>
        FraudHistory.Definitions with { Models = [.. FraudHistory.Definitions.Models.Select(m => m.Name == "fraud" ? m with { Serving = serving } : m)] };

    private static void AssertSameAnswer(PredictResponse expected, PredictResponse actual)
    {
        Assert.Equal((expected.Model, expected.Version, expected.Threshold), (actual.Model, actual.Version, actual.Threshold));
        Assert.Equal(expected.Predictions.Select(p => (p.Id, p.Score, p.Decision)), actual.Predictions.Select(p => (p.Id, p.Score, p.Decision)));
        Assert.Equal(
            expected.Predictions.SelectMany(p => p.Features.Select(f => (f.Key, f.Value.Status, Convert.ToString(f.Value.Value, CultureInfo.InvariantCulture)))),
            actual.Predictions.SelectMany(p => p.Features.Select(f => (f.Key, f.Value.Status, Convert.ToString(f.Value.Value, CultureInfo.InvariantCulture)))));
    }

    // Mann–Whitney over the logged scores, ties half: what the report's AUC must be for these rows.
    private static double Auc(IEnumerable<PredictionRecord> records, IEnumerable<string> positives)
    {
        var frauds = positives.ToHashSet(StringComparer.Ordinal);
        var scored = records.ToList();
        var pos = scored.Where(r => frauds.Contains(r.Id)).Select(r => (float)r.Score).ToList();
        var neg = scored.Where(r => !frauds.Contains(r.Id)).Select(r => (float)r.Score).ToList();
        return pos.Sum(p => neg.Sum(n => p > n ? 1.0 : p == n ? 0.5 : 0)) / (pos.Count * neg.Count);
    }

    /// <summary>Azurite with a fraud champion (the sample's LightGBM) and a second version trained linear, to be the challenger.</summary>
    public sealed class ModelsFixture : IAsyncLifetime
    {
        private IReadOnlyList<TransactionEvent> transactions = [];

        /// <summary>The account.</summary>
        public AzuriteFixture Azurite { get; } = new();

        /// <summary>The registry.</summary>
        public ModelRegistry Registry { get; private set; } = null!;

        /// <summary>The champion.</summary>
        public string Champion { get; private set; } = string.Empty;

        /// <summary>The champion's metadata.</summary>
        public TrainingReport ChampionReport { get; private set; } = null!;

        /// <summary>The linear version.</summary>
        public string Challenger { get; private set; } = string.Empty;

        /// <summary>The linear version's threshold.</summary>
        public double? ChallengerThreshold { get; private set; }

        /// <summary>A predictor with its own model cache.</summary>
        public Predictor NewPredictor(PredictionLog log) =>
            new(new ModelCache(Registry, TimeProvider.System, TimeSpan.FromHours(1)), OnlineFeatureReader.For(Azurite.Storage), log, TimeProvider.System);

        /// <summary>A request of <paramref name="count"/> instances of customers and merchants with history, ids <c>&lt;run&gt;-t&lt;i&gt;</c>.</summary>
        public byte[] Body(string run, int count) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            instances = transactions.TakeLast(count).Select((t, i) => new
            {
                id = $"{run}-t{i}",
                customer_id = t.CustomerId,
                merchant_id = t.MerchantId,
                amount = 20.0 + (37 * i),
                currency = "EUR",
                country = i % 3 == 0 ? "BR" : "ES",
                channel = i % 2 == 0 ? "online" : "pos",
            }),
        }));

        /// <summary>Ingests a chargeback, dated a minute ago, for each transaction id.</summary>
        public async Task ChargebacksAsync(IEnumerable<string> transactionIds)
        {
            var at = DateTimeOffset.UtcNow.AddMinutes(-1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            var events = transactionIds.Select(id => JsonSerializer.Serialize(new
            {
                specversion = "1.0",
                id = "cb-" + id,
                source = "/test",
                type = "com.brisa.fraud.chargeback",
                data = new { chargeback_id = "cb-" + id, transaction_id = id, customer_id = "c1", amount = 10.0, reason = "fraud", timestamp = at },
            })).ToList();
            var ingested = await new EventIngestor(Azurite.Storage, FraudHistory.Definitions).IngestAsync([new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(",", events) + "]"))], CancellationToken.None);
            Assert.Equal(events.Count, ingested.Accepted);
        }

        /// <inheritdoc />
        public async Task InitializeAsync()
        {
            await Azurite.InitializeAsync();
            transactions = [.. (await FraudHistory.IngestAsync(Azurite.Storage, DateTimeOffset.UtcNow)).OfType<TransactionEvent>()];
            Registry = new ModelRegistry(Azurite.Storage);
            var pipeline = new ModelTrainingPipeline(Azurite.Storage);
            ChampionReport = (await pipeline.RunAsync(FraudHistory.Definitions, "fraud")).Run.Report!;
            Champion = ChampionReport.Version;
            var linear = WithTrainer(new TrainerDefinition { Name = TrainerKind.Linear });
            var second = (await pipeline.RunAsync(linear, "fraud")).Run.Report!;
            Challenger = second.Version;
            ChallengerThreshold = second.Threshold;

            // Whatever the policy decided: the LightGBM version is champion, the linear one challenger.
            var aliases = (await Registry.GetAliasesAsync("fraud")).Aliases;
            if (aliases.Champion != Champion)
            {
                await Registry.PromoteAsync("fraud", Champion, aliases.Champion, "test", "test");
            }

            await Registry.SetChallengerAsync("fraud", Challenger, "test", "test");
        }

        /// <inheritdoc />
        public Task DisposeAsync() => Azurite.DisposeAsync();

        private static FeatureRepositoryDefinition WithTrainer(TrainerDefinition trainer) =>
            FraudHistory.Definitions with { Models = [.. FraudHistory.Definitions.Models.Select(m => m.Name == "fraud" ? m with { Trainer = trainer } : m)] };
    }
}
