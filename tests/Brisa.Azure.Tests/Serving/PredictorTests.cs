using System.Collections.Concurrent;
using System.Text;
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
using Brisa.Testing;

namespace Brisa.Azure.Tests.Serving;

/// <summary>Predictions from a model trained through the whole pipeline, and a champion swap under load.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PredictorTests(AzuriteFixture azurite)
{
    private static readonly FeatureRepositoryDefinition Definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;

    [Fact]
    public async Task Predict_WhileChampionSwaps_NoFailedRequestAndVersionsSwitch()
    {
        var now = DateTimeOffset.UtcNow;
        var stream = FraudStreamGenerator.Generate(new FraudStreamOptions { Customers = 120, Days = 45, Seed = 3, Start = now.AddDays(-45) });
        var arrived = stream.Events.Where(e => e.Time <= now).ToList();
        var messages = arrived.Chunk(2000).Select(chunk => new IncomingMessage(FraudStreamJson.ToJsonArray(chunk))).ToArray();
        await new EventIngestor(azurite.Storage, Definitions).IngestAsync(messages, CancellationToken.None);
        var trained = await new ModelTrainingPipeline(azurite.Storage).RunAsync(Definitions, "fraud");
        Assert.NotNull(trained.Run.Report);

        // A second version of the same model, to swap to.
        var registry = new ModelRegistry(azurite.Storage);
        var first = trained.Run.Report!.Version;
        var zip = await registry.DownloadModelAsync("fraud", first);
        var second = Brisa.Core.Modeling.ModelVersionId.Create(DateTimeOffset.UtcNow.AddSeconds(1), [.. zip, 1]);
        await registry.SaveVersionAsync(trained.Run.Report with { Version = second }, zip);
        await registry.PromoteAsync("fraud", first, (await registry.GetAliasesAsync("fraud")).Aliases.Champion, "test", "test");

        var log = PredictionLog.For(azurite.Storage);
        var predictor = new Predictor(
            new ModelCache(registry, TimeProvider.System, TimeSpan.FromMilliseconds(50)),
            OnlineFeatureReader.For(azurite.Storage),
            log,
            TimeProvider.System);
        var plan = FeaturePlan.Compile(Definitions, trackEventIds: true);
        var customer = arrived.OfType<TransactionEvent>().Last();
        var body = Encoding.UTF8.GetBytes($$"""{"customer_id":"{{customer.CustomerId}}","merchant_id":"{{customer.MerchantId}}","amount":42.5,"currency":"EUR","country":"ES","channel":"pos"}""");
        var versions = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<Exception>();
        using var stop = new CancellationTokenSource();

        var clients = Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var response = await predictor.PredictAsync(plan, "fraud", null, body, $"c{c}", CancellationToken.None);
                    versions.Add(response.Version);
                    Assert.InRange(response.Predictions[0].Score, 0, 1);
                }
                catch (Exception ex)
                {
                    failures.Add(ex);
                }
            }
        })).ToArray();
        await Task.Delay(1000);
        await registry.PromoteAsync("fraud", second, first, "swap under load", "test");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!versions.Contains(second) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.Empty(failures);
        Assert.Contains(first, versions);
        Assert.Contains(second, versions);
        await log.DisposeAsync();
        var logged = await log.ReadAllAsync("fraud");
        Assert.Contains(logged, r => r.Version == second && r.Features.ContainsKey("amount_zscore"));

        // Entity keys are logged, so drift counts a view feature's rows per entity (and not the request's inputs).
        Assert.All(logged, r => Assert.Equal(customer.CustomerId, r.Keys!["customer_id"]));
        Assert.All(logged, r => Assert.Equal(customer.MerchantId, r.Keys!["merchant_id"]));
        var input = DriftMonitor.ToInput(logged[0].Features.Keys, logged, now, now, DriftMonitor.EntityKeysOf(Definitions));
        Assert.All(input.Clusters!["merchant_7d:merchant_amount_mean_7d"], key => Assert.Equal(customer.MerchantId, key));
        Assert.All(input.Clusters!["customer_7d:amount_mean_7d"], key => Assert.Equal(customer.CustomerId, key));
        Assert.False(input.Clusters.ContainsKey("amount"));
    }
}
