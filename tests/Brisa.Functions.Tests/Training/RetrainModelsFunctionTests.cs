using Brisa.Azure.Models;
using Brisa.Azure.Registry;
using Brisa.Azure.Training;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Functions.Training;
using Brisa.Testing;

namespace Brisa.Functions.Tests.Training;

/// <summary>The retraining timer honours each model's own <c>schedule</c> (the sample's: 03:00 UTC every day).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RetrainModelsFunctionTests(AzuriteFixture azurite)
{
    // Years after any other test's raw events: a run that does start finds no observations and says so.
    private static readonly DateTimeOffset TrainedAt = new(2041, 3, 4, 3, 0, 20, TimeSpan.Zero);

    [Fact]
    public async Task OnSchedule_ModelTrainedSinceItsScheduleLastFellDue_SkippedAndLogged()
    {
        var (function, logs, model) = await CreateAsync(TrainedAt.AddHours(20));

        await function.OnSchedule(null!, CancellationToken.None);

        var entry = Assert.Single(logs.Entries, e => e.Message.Contains("not due", StringComparison.Ordinal));
        Assert.Equal($"{model} not due: schedule '0 0 3 * * *', last trained 2041-03-04 03:00:20Z, next at 2041-03-05 03:00:00Z", entry.Message);
    }

    [Fact]
    public async Task OnSchedule_ScheduleFellDueSinceLastTraining_Retrains()
    {
        // The next day's tick, firing a few milliseconds early.
        var (function, logs, model) = await CreateAsync(TrainedAt.AddDays(1).AddSeconds(-20.003));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => function.OnSchedule(null!, CancellationToken.None));

        Assert.Contains($"No labelled observations to train '{model}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("not due", StringComparison.Ordinal));
    }

    // The sample with its model renamed (a registry of its own), one version trained at TrainedAt, and the function at now.
    private async Task<(RetrainModelsFunction Function, ListLoggerProvider Logs, string Model)> CreateAsync(DateTimeOffset now)
    {
        var model = "sched_" + Guid.NewGuid().ToString("N")[..12];
        var yaml = (await File.ReadAllTextAsync(RepositoryPaths.FraudDefinitions)).Replace("  - name: fraud\n", $"  - name: {model}\n", StringComparison.Ordinal);
        var definitions = DefinitionLoader.Parse(yaml, "features.yaml").Definitions!;
        var time = new FixedTimeProvider(now);
        var registry = new ModelRegistry(azurite.Storage, time);
        var zip = new byte[] { 1, 2, 3 };
        await registry.SaveVersionAsync(TrainingReports.Binary(model, TrainedAt) with { Version = ModelVersionId.Create(TrainedAt, zip) }, zip);
        var logs = new ListLoggerProvider();
        var function = new RetrainModelsFunction(new FixedDefinitionsSource(definitions), new ModelTrainingPipeline(azurite.Storage, time), registry, time, logs.CreateLogger<RetrainModelsFunction>());
        return (function, logs, model);
    }
}
