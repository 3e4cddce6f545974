using System.Text;
using Brisa.Azure.Models;
using Brisa.Azure.Online;
using Brisa.Azure.Serving;
using Brisa.Azure.Training;
using Brisa.Core.Features;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Serving;

/// <summary>The unlogged prediction an instance makes at start; its own Azurite, so the prediction log holds only its requests.</summary>
public sealed class PredictorWarmUpTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task WarmUpAsync_WithChampion_LoadsItAndScoresWithoutLogging()
    {
        await FraudHistory.IngestAsync(azurite.Storage, DateTimeOffset.UtcNow);
        var trained = await new ModelTrainingPipeline(azurite.Storage).RunAsync(FraudHistory.Definitions, "fraud");
        var registry = new ModelRegistry(azurite.Storage);
        var champion = trained.Run.Report!.Version;
        await registry.PromoteAsync("fraud", champion, (await registry.GetAliasesAsync("fraud")).Aliases.Champion, "test", "test");
        var log = PredictionLog.For(azurite.Storage);
        var predictor = new Predictor(new ModelCache(registry, TimeProvider.System, TimeSpan.FromHours(1)), OnlineFeatureReader.For(azurite.Storage), log, TimeProvider.System);
        var plan = FeaturePlan.Compile(FraudHistory.Definitions, trackEventIds: true);

        var warm = await predictor.WarmUpAsync(plan, "fraud", CancellationToken.None);

        Assert.Equal(champion, warm.Version);
        Assert.Equal("NOT_FOUND", warm.Predictions[0].Features["customer_7d:amount_mean_7d"].Status);
        Assert.InRange(warm.Predictions[0].Score, 0, 1);

        // The champion is now held by the instance: a later promotion is not seen until the refresh interval, so a
        // request still gets the warmed version (a cold cache would load the new champion).
        var zip = await registry.DownloadModelAsync("fraud", champion);
        var next = Brisa.Core.Modeling.ModelVersionId.Create(DateTimeOffset.UtcNow.AddSeconds(1), [.. zip, 2]);
        await registry.SaveVersionAsync(trained.Run.Report! with { Version = next }, zip);
        await registry.PromoteAsync("fraud", next, champion, "test", "test");
        var body = Encoding.UTF8.GetBytes("""{"customer_id":"c000001","merchant_id":"m00001","amount":12.5,"currency":"EUR","country":"ES","channel":"pos"}""");
        var served = await predictor.PredictAsync(plan, "fraud", null, body, "r1", CancellationToken.None);
        Assert.Equal(champion, served.Version);

        await log.DisposeAsync();
        var logged = await log.ReadAllAsync("fraud");
        Assert.Equal(["r1"], logged.Select(r => r.RequestId));
    }
}
