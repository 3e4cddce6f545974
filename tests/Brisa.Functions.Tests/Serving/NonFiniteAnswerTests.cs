using System.Text.Json;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Online;
using Brisa.Azure.Registry;
using Brisa.Azure.Serving;
using Brisa.Core.Definitions;
using Brisa.Functions.Serving;
using Brisa.Functions.Tests.Reliability;
using Brisa.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brisa.Functions.Tests.Serving;

/// <summary>
/// A window aggregate that overflowed a double (a sum of amounts near 1e308 in a field without a maximum) is served as
/// the string "Infinity", as the prediction log and model metadata write it, in the answer as executed by MVC: the
/// serializer's exception used to come after the function returned, a bare 500 without problem details.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class NonFiniteAnswerTests(ServingFixture serving)
{
    // A double field without a maximum (the default) takes amounts near double.MaxValue; two of them sum to +Infinity.
    private static readonly FeatureRepositoryDefinition Unbounded = FraudHistory.Definitions with
    {
        Sources = [.. FraudHistory.Definitions.Sources.Select(s => s with { Fields = [.. s.Fields.Select(f => f.Name == "amount" ? f with { Max = null } : f)] })],
    };

    [Fact]
    public async Task OnlineFeatures_WindowSumOverflowed_ServedAsInfinityString()
    {
        var (customer, _) = await IngestHugeAmountsAsync();
        var function = new OnlineFeaturesFunction(new FixedDefinitionsSource(Unbounded), new ServingPlans(), OnlineFeatureReader.For(serving.Azurite.Storage), TimeProvider.System, NullLogger<OnlineFeaturesFunction>.Instance);
        var body = $$$"""{"features":["customer_1h:amount_sum_1h","customer_1h:txn_count_1h"],"entities":{"customer_id":["{{{customer}}}"]}}""";

        var answer = await ExecutedResult.ExecuteAsync(await function.Run(ServingFixture.Request(body), CancellationToken.None));

        Assert.True(answer.Status == 200, answer.Text);
        using var json = JsonDocument.Parse(answer.Text);
        var sum = json.RootElement.GetProperty("results")[1];
        Assert.Equal("Infinity", sum.GetProperty("values")[0].GetString());
        Assert.Equal("PRESENT", sum.GetProperty("statuses")[0].GetString());
        Assert.Equal(2, json.RootElement.GetProperty("results")[2].GetProperty("values")[0].GetInt64());
    }

    [Fact]
    public async Task Predict_FeatureWindowSumOverflowed_ScoredAndServedAsInfinityString()
    {
        var (customer, merchant) = await IngestHugeAmountsAsync();
        var function = new PredictFunction(
            new FixedDefinitionsSource(Unbounded),
            new ServingPlans(),
            new Predictor(serving.Models, OnlineFeatureReader.For(serving.Azurite.Storage), serving.Log, TimeProvider.System),
            NullLogger<PredictFunction>.Instance);
        var body = $$"""{"customer_id":"{{customer}}","merchant_id":"{{merchant}}","amount":10,"currency":"EUR","country":"ES","channel":"pos"}""";

        var answer = await ExecutedResult.ExecuteAsync(await function.Run(ServingFixture.Request(body), "fraud", CancellationToken.None));

        Assert.True(answer.Status == 200, answer.Text);
        using var json = JsonDocument.Parse(answer.Text);
        var sum = json.RootElement.GetProperty("predictions")[0].GetProperty("features").GetProperty("customer_1h:amount_sum_1h");
        Assert.Equal("Infinity", sum.GetProperty("value").GetString());
        Assert.Equal("PRESENT", sum.GetProperty("status").GetString());
    }

    // A customer and a merchant of their own: the other tests of the collection serve the fixture's, with finite sums.
    private async Task<(string Customer, string Merchant)> IngestHugeAmountsAsync()
    {
        var run = Guid.NewGuid().ToString("N");
        var (customer, merchant) = ("huge-c-" + run, "huge-m-" + run);
        var now = DateTimeOffset.UtcNow;
        var events = new[]
        {
            new TestTransaction(run + "-1", customer, merchant, 1e308, now.AddMinutes(-2)),
            new TestTransaction(run + "-2", customer, merchant, 1e308, now.AddMinutes(-1)),
        };
        var result = await new EventIngestor(serving.Azurite.Storage, Unbounded).IngestAsync(TestTransaction.Batch(events), CancellationToken.None);
        Assert.Equal(2, result.Accepted);
        return (customer, merchant);
    }
}
