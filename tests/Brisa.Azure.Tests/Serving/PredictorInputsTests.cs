using System.Text;
using Brisa.Azure.Models;
using Brisa.Azure.Online;
using Brisa.Azure.Serving;
using Brisa.Azure.Training;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Generation;
using Brisa.Core.Serving;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Serving;

/// <summary>
/// A version is served with the inputs it was trained on, whatever the live definitions' model entry lists; its own
/// Azurite and one champion for both tests.
/// </summary>
public sealed class PredictorInputsTests(PredictorInputsTests.ChampionFixture champion) : IClassFixture<PredictorInputsTests.ChampionFixture>
{
    [Fact]
    public async Task PredictAsync_ModelEntryEditedAfterTraining_ServesChampionInputsWithSameScore()
    {
        var predictor = champion.NewPredictor();
        var before = await predictor.PredictAsync(FeaturePlan.Compile(FraudHistory.Definitions, trackEventIds: true), "fraud", null, champion.Body, "before", CancellationToken.None);

        // One feature removed, another existing view feature added, a request field dropped: the next training's inputs.
        var edited = Applied(
            ("      - customer_1h:country_distinct_1h\n", string.Empty),
            ("      - log_amount\n", "      - log_amount\n      - customer_7d:amount_min_7d\n"),
            ("request_fields: [amount, country, channel, currency]", "request_fields: [amount, country, currency]"));
        var after = await predictor.PredictAsync(FeaturePlan.Compile(edited, trackEventIds: true), "fraud", null, champion.Body, "after", CancellationToken.None);

        Assert.Equal(champion.Version, after.Version);
        Assert.Equal(before.Predictions[0].Score, after.Predictions[0].Score);
        Assert.Equal(before.Predictions[0].Features.Keys.Order(), after.Predictions[0].Features.Keys.Order());
        Assert.Contains("customer_1h:country_distinct_1h", after.Predictions[0].Features.Keys);
        Assert.DoesNotContain("customer_7d:amount_min_7d", after.Predictions[0].Features.Keys);

        // The warm-up asks for the champion's inputs too.
        var warm = await predictor.WarmUpAsync(FeaturePlan.Compile(edited, trackEventIds: true), "fraud", CancellationToken.None);
        Assert.Equal("NOT_FOUND", warm.Predictions[0].Features["customer_1h:country_distinct_1h"].Status);
    }

    [Fact]
    public async Task PredictAsync_ViewFeatureOfChampionRemoved_ConflictNamingInput()
    {
        var predictor = champion.NewPredictor();
        var edited = Applied(
            ("      - { name: amount_max_1h, field: amount, aggregation: max, window: 1h }\n", string.Empty),
            ("      - customer_1h:amount_max_1h\n", string.Empty));
        var plan = FeaturePlan.Compile(edited, trackEventIds: true);

        var problem = await Assert.ThrowsAsync<ServingException>(() => predictor.PredictAsync(plan, "fraud", null, champion.Body, "r", CancellationToken.None));

        Assert.Equal(409, problem.Status);
        Assert.Contains("'customer_1h:amount_max_1h'", problem.Message, StringComparison.Ordinal);
        Assert.Contains(champion.Version, problem.Message, StringComparison.Ordinal);
        Assert.Contains("Retrain", problem.Message, StringComparison.Ordinal);
        var warm = await Assert.ThrowsAsync<ServingException>(() => predictor.WarmUpAsync(plan, "fraud", CancellationToken.None));
        Assert.Equal(409, warm.Status);
    }

    [Fact]
    public async Task PredictAsync_RequestFieldAddedSinceTheVersionWasTrained_RequestOfTheLiveDefinitionsScored()
    {
        // A rollback to a version trained before a request field was added: clients send what the live definitions
        // ask for, and a 400 'unknown field' for the new field would fail every prediction until they changed. A field
        // of the observation source the version does not read is ignored; one the source does not have is still a typo.
        var predictor = champion.NewPredictor();
        var before = await predictor.PredictAsync(FeaturePlan.Compile(FraudHistory.Definitions, trackEventIds: true), "fraud", null, champion.Body, "before", CancellationToken.None);
        var plan = FeaturePlan.Compile(Applied(
            ("      - { name: timestamp, type: timestamp, required: true }\n", "      - { name: timestamp, type: timestamp, required: true }\n      - { name: installments, type: long }\n"),
            ("request_fields: [amount, country, channel, currency]", "request_fields: [amount, country, channel, currency, installments]")), trackEventIds: true);
        var body = Encoding.UTF8.GetString(champion.Body);

        var after = await predictor.PredictAsync(plan, "fraud", null, Encoding.UTF8.GetBytes(body.Replace("}", ",\"installments\":3}", StringComparison.Ordinal)), "after", CancellationToken.None);
        var typo = await Assert.ThrowsAsync<ServingException>(() => predictor.PredictAsync(plan, "fraud", null, Encoding.UTF8.GetBytes(body.Replace("}", ",\"instalments\":3}", StringComparison.Ordinal)), "typo", CancellationToken.None));

        Assert.Equal(champion.Version, after.Version);
        Assert.Equal(before.Predictions[0].Score, after.Predictions[0].Score);
        Assert.Equal(400, typo.Status);
        Assert.Contains("unknown field 'instalments'", typo.Message, StringComparison.Ordinal);
    }

    // The sample's definitions as an apply would deploy them after editing their YAML.
    private static FeatureRepositoryDefinition Applied(params (string Old, string New)[] edits)
    {
        var yaml = File.ReadAllText(RepositoryPaths.FraudDefinitions);
        foreach (var (old, replacement) in edits)
        {
            Assert.Contains(old, yaml, StringComparison.Ordinal);
            yaml = yaml.Replace(old, replacement, StringComparison.Ordinal);
        }

        var result = DefinitionLoader.Parse(yaml, "features.yaml");
        Assert.NotNull(result.Definitions);
        return result.Definitions!;
    }

    /// <summary>Azurite with a fraud champion trained on the sample's definitions.</summary>
    public sealed class ChampionFixture : IAsyncLifetime
    {
        private readonly AzuriteFixture azurite = new();

        /// <summary>The champion.</summary>
        public string Version { get; private set; } = string.Empty;

        /// <summary>A request for a customer and merchant with history.</summary>
        public byte[] Body { get; private set; } = [];

        /// <summary>A predictor with its own model cache.</summary>
        public Predictor NewPredictor() => new(
            new ModelCache(new ModelRegistry(azurite.Storage), TimeProvider.System, TimeSpan.FromHours(1)),
            OnlineFeatureReader.For(azurite.Storage),
            PredictionLog.For(azurite.Storage),
            TimeProvider.System);

        /// <inheritdoc />
        public async Task InitializeAsync()
        {
            await azurite.InitializeAsync();
            var arrived = await FraudHistory.IngestAsync(azurite.Storage, DateTimeOffset.UtcNow);
            var trained = await new ModelTrainingPipeline(azurite.Storage).RunAsync(FraudHistory.Definitions, "fraud");
            var registry = new ModelRegistry(azurite.Storage);
            Version = trained.Run.Report!.Version;
            await registry.PromoteAsync("fraud", Version, (await registry.GetAliasesAsync("fraud")).Aliases.Champion, "test", "test");
            var last = arrived.OfType<TransactionEvent>().Last();
            Body = Encoding.UTF8.GetBytes($$"""{"customer_id":"{{last.CustomerId}}","merchant_id":"{{last.MerchantId}}","amount":42.5,"currency":"EUR","country":"ES","channel":"pos"}""");
        }

        /// <inheritdoc />
        public Task DisposeAsync() => azurite.DisposeAsync();
    }
}
