using System.Text.Json;
using Brisa.Azure.Models;
using Brisa.Azure.Registry;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Functions.Models;
using Brisa.Functions.Tests.Reliability;
using Brisa.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brisa.Functions.Tests.Models;

[Collection(AzuriteCollection.Name)]
public sealed class ModelInfoFunctionTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset TrainedAt = new(2026, 11, 29, 16, 53, 51, TimeSpan.Zero);

    [Fact]
    public async Task Run_ChampionWithMetrics_MetricsNamedAsInTheVersionMetadata()
    {
        var model = "info_" + Guid.NewGuid().ToString("N")[..12];
        var registry = new ModelRegistry(azurite.Storage);
        byte[] zip = [1, 2, 3];
        var binary = new BinaryMetrics(100, 10, 0.1, 0.93, 0.61, 0.21, 0.05, []);
        var confusion = new ConfusionMatrix(8, 3, 87, 2);
        var report = TrainingReports.Binary(model, TrainedAt) with
        {
            Version = ModelVersionId.Create(TrainedAt, zip),
            Training = new DataRange(TrainedAt.AddDays(-30), TrainedAt.AddDays(-7), 400, 40),
            Validation = new DataRange(TrainedAt.AddDays(-7), TrainedAt, 100, 10),
            Inputs = [new ModelInput("tx:amount", FeatureKind.Numeric, "raw")],
            Evaluation = new ModelEvaluation(binary, 0.081, confusion, null, null),
            ScoreBaseline = FeatureStatistics.Numeric("score", [0.1f, 0.2f]),
        };
        await registry.SaveVersionAsync(report, zip);
        await registry.PromoteAsync(model, report.Version, null, "test", "test");

        var result = await Function(registry, FraudHistory.Definitions).Run(new DefaultHttpContext().Request, model, CancellationToken.None);
        using var json = JsonDocument.Parse((await ExecutedResult.ExecuteAsync(result)).Text);

        var root = json.RootElement;
        Assert.Equal(report.Version, root.GetProperty("champion").GetString());
        Assert.Equal(0.081, root.GetProperty("champion_threshold").GetDouble());
        var metrics = root.GetProperty("champion_metrics");
        Assert.Equal(0.61, metrics.GetProperty("binary").GetProperty("pr_auc").GetDouble());
        Assert.Equal(0.21, metrics.GetProperty("binary").GetProperty("log_loss").GetDouble());
        Assert.Equal(8, metrics.GetProperty("confusion").GetProperty("true_positives").GetInt64());
    }

    [Theory]
    [InlineData("frad")]
    [InlineData("Fraud")]
    public async Task Run_ModelTheDefinitionsDoNotName_UnknownModelWithTheKnownNames(string model)
    {
        var result = await Function(new ModelRegistry(azurite.Storage), FraudHistory.Definitions).Run(new DefaultHttpContext().Request, model, CancellationToken.None);

        var problem = BadInputTests.AssertProblem(result, 404);
        Assert.Equal("Unknown model", problem.Title);
        Assert.EndsWith("Did you mean 'fraud'? Known models: fraud.", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DefinedModelNeverTrained_NoTrainedVersionSayingHowToTrainIt()
    {
        var model = "untrained_" + Guid.NewGuid().ToString("N")[..12];
        var definitions = FraudHistory.Definitions with { Models = [FraudHistory.Definitions.Models[0] with { Name = model }] };

        var result = await Function(new ModelRegistry(azurite.Storage), definitions).Run(new DefaultHttpContext().Request, model, CancellationToken.None);

        var problem = BadInputTests.AssertProblem(result, 404);
        Assert.Equal("No trained version", problem.Title);
        Assert.Equal("https://brisa.dev/problems/no-trained-version", problem.Type);
        Assert.Contains($"'brisa train {model}'", problem.Detail, StringComparison.Ordinal);
    }

    private static ModelInfoFunction Function(ModelRegistry registry, FeatureRepositoryDefinition definitions) =>
        new(registry, new FixedDefinitionsSource(definitions), NullLogger<ModelInfoFunction>.Instance);
}
