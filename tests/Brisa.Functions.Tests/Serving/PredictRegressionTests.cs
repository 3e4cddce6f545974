using System.Text.Json;
using Brisa.Azure.Models;
using Brisa.Azure.Online;
using Brisa.Azure.Registry;
using Brisa.Azure.Serving;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Functions.Serving;
using Brisa.Functions.Tests.Reliability;
using Brisa.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brisa.Functions.Tests.Serving;

/// <summary>A regression model's answer: a prediction, and no threshold or decision it does not have.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PredictRegressionTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Run_RegressionChampion_ThresholdAndDecisionNullAndLoggedWithoutDecision()
    {
        var model = FraudHistory.Definitions.Models[0] with
        {
            Name = "spend_" + Guid.NewGuid().ToString("N")[..10],
            Task = ModelTask.Regression,
            Label = FraudHistory.Definitions.Models[0].Label with { Value = "amount" },
            Features = [],
            RequestFields = ["amount"],
            Cost = null,
            Split = new SplitDefinition { Validation = TimeSpan.FromDays(3) },
            Promotion = new PromotionPolicy { Metric = PromotionMetric.Rmse, MinRows = 10, MinPositives = 0 },
            Trainer = new TrainerDefinition { Parameters = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["number_of_iterations"] = "10", ["seed"] = "1" } },
        };
        var outcome = ModelTraining.Train(model, Table(), new TrainingOptions { ComputeImportance = false });
        Assert.Null(outcome.Report.Threshold);
        var registry = new ModelRegistry(azurite.Storage);
        await registry.SaveVersionAsync(outcome.Report, outcome.ModelBytes);
        await registry.PromoteAsync(model.Name, outcome.Report.Version, null, "test", "test");
        var log = PredictionLog.For(azurite.Storage);
        var function = new PredictFunction(
            new FixedDefinitionsSource(FraudHistory.Definitions with { Models = [model] }),
            new ServingPlans(),
            new Predictor(new ModelCache(registry, TimeProvider.System, TimeSpan.FromMinutes(1)), OnlineFeatureReader.For(azurite.Storage), log, TimeProvider.System),
            NullLogger<PredictFunction>.Instance);

        var result = await function.Run(ServingFixture.Request("""{"id":"t-1","amount":800}"""), model.Name, CancellationToken.None);

        using var json = JsonDocument.Parse(await ExecuteAsync(result));
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("threshold").ValueKind);
        var prediction = Assert.Single(root.GetProperty("predictions").EnumerateArray());
        Assert.True(prediction.GetProperty("score").GetDouble() > 100, "a regression score is the predicted value");
        Assert.Equal(JsonValueKind.Null, prediction.GetProperty("decision").ValueKind);
        await log.DisposeAsync();
        Assert.Null(Assert.Single(await log.ReadAllAsync(model.Name)).Decision);
    }

    // The label is twice the amount: a regression whose predictions are far from any probability.
    private static TrainingTable Table()
    {
        const int N = 1000;
        var random = new Random(7);
        var times = new DateTimeOffset[N];
        var labels = new float[N];
        var amounts = new float[N];
        for (var i = 0; i < N; i++)
        {
            times[i] = T0.AddMinutes(i * 10.0 * 24 * 60 / N);
            amounts[i] = (float)(random.NextDouble() * 1000);
            labels[i] = 2 * amounts[i];
        }

        return new TrainingTable(times, labels, [FeatureColumn.Numeric("amount", amounts)]);
    }

    // Executes the result as the Functions host's ASP.NET Core integration does.
    private static async Task<byte[]> ExecuteAsync(IActionResult result)
    {
        var services = new ServiceCollection().AddLogging().AddMvcCore().Services.BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        using var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        return body.ToArray();
    }
}
