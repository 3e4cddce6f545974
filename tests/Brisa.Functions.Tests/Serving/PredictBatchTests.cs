using System.Globalization;
using Brisa.Azure.Serving;
using Brisa.Functions.Tests.Reliability;
using Microsoft.AspNetCore.Mvc;

namespace Brisa.Functions.Tests.Serving;

/// <summary>A batch is answered in request order, each prediction made from its own instance.</summary>
[Collection(ServingCollection.Name)]
public sealed class PredictBatchTests(ServingFixture serving)
{
    [Fact]
    public async Task Run_IdsNotInOrderOrRepeated_PredictionsInRequestOrderFromTheirOwnInstance()
    {
        (string Id, double Amount)[] instances = [("z", 5), ("a", 900), ("dup", 60), ("m", 0.5), ("dup", 7000)];
        var body = "{\"instances\":[" + string.Join(",", instances.Select(i => Instance(i.Amount, $"\"id\":\"{i.Id}\","))) + "]}";

        var predictions = await PredictAsync(body, "r-order");

        Assert.Equal(instances.Select(i => i.Id), predictions.Select(p => p.Id));
        AssertEachFromItsInstance(instances.Select(i => i.Amount).ToArray(), predictions);
        for (var i = 0; i < instances.Length; i++)
        {
            // The same score as the instance alone gets: the score at position i is instance i's.
            var alone = Assert.Single(await PredictAsync(Instance(instances[i].Amount, $"\"id\":\"{instances[i].Id}\","), "r-alone"));
            Assert.Equal(alone.Score, predictions[i].Score);
        }
    }

    [Fact]
    public async Task Run_TwelveInstancesWithoutIds_GeneratedIdsAndPredictionsInRequestOrder()
    {
        // Generated ids r-0 … r-11 do not sort as numbers (r-10 comes before r-2).
        var amounts = Enumerable.Range(0, 12).Select(i => 10.0 + (i * 97)).ToArray();
        var body = "{\"instances\":[" + string.Join(",", amounts.Select(a => Instance(a))) + "]}";

        var predictions = await PredictAsync(body, "r");

        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"r-{i}"), predictions.Select(p => p.Id));
        AssertEachFromItsInstance(amounts, predictions);
    }

    // log_amount is log(amount + 1): which instance a prediction was made from, whatever the model scores.
    private static void AssertEachFromItsInstance(double[] amounts, IReadOnlyList<Prediction> predictions)
    {
        Assert.Equal(amounts.Length, predictions.Count);
        for (var i = 0; i < amounts.Length; i++)
        {
            Assert.Equal(Math.Log(amounts[i] + 1), (double)predictions[i].Features["log_amount"].Value!, 9);
        }
    }

    private string Instance(double amount, string id = "") =>
        string.Create(CultureInfo.InvariantCulture, $$"""{{{id}}"customer_id":"{{serving.Customer}}","merchant_id":"{{serving.Merchant}}","amount":{{amount}},"currency":"EUR","country":"ES","channel":"pos"}""");

    private async Task<IReadOnlyList<Prediction>> PredictAsync(string body, string requestId)
    {
        var request = ServingFixture.Request(body);
        request.Headers["x-request-id"] = requestId;
        var result = await serving.Predict().Run(request, "fraud", CancellationToken.None);
        return Assert.IsType<PredictResponse>(Assert.IsType<OkObjectResult>(result).Value).Predictions;
    }
}
