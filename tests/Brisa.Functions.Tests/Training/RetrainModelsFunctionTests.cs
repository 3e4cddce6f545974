using Brisa.Azure.Models;
using Brisa.Azure.Registry;
using Brisa.Azure.Training;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Functions.Training;
using Brisa.Testing;
using Microsoft.Extensions.Logging;

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

        var error = await Assert.ThrowsAsync<AggregateException>(() => function.OnSchedule(null!, CancellationToken.None));

        Assert.Contains($"No labelled observations to train '{model}'", Assert.Single(error.InnerExceptions).Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("not due", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnSchedule_FirstModelFails_LaterModelsStillRetrainAndTheTickFailsWithEvery()
    {
        // Two models without a schedule (due at every tick) and nothing to train on in 2041: each run fails.
        var (function, logs, first) = await CreateAsync(TrainedAt.AddDays(1), extraModel: "late");

        var error = await Assert.ThrowsAsync<AggregateException>(() => function.OnSchedule(null!, CancellationToken.None));

        Assert.Equal(2, error.InnerExceptions.Count);
        Assert.Contains($"No labelled observations to train '{first}'", error.InnerExceptions[0].Message, StringComparison.Ordinal);
        Assert.Contains($"No labelled observations to train '{first}_late'", error.InnerExceptions[1].Message, StringComparison.Ordinal);
        Assert.StartsWith("RetrainModels: 2 of 2 model(s) failed to retrain; the others ran.", error.Message, StringComparison.Ordinal);
        Assert.Equal(
            [$"Retraining {first} failed", $"Retraining {first}_late failed"],
            logs.Entries.Where(e => e.Level == LogLevel.Error).Select(e => e.Message[..e.Message.IndexOf(':', StringComparison.Ordinal)]));
    }

    // The sample with its model renamed (a registry of its own), one version trained at TrainedAt, and the function at
    // now. With extraModel, the model loses its schedule and a copy of it named <model>_<extraModel> follows it.
    private async Task<(RetrainModelsFunction Function, ListLoggerProvider Logs, string Model)> CreateAsync(DateTimeOffset now, string? extraModel = null)
    {
        var model = "sched_" + Guid.NewGuid().ToString("N")[..12];
        var sample = await File.ReadAllTextAsync(RepositoryPaths.FraudDefinitions);
        if (extraModel is not null)
        {
            // The model is the file's last block: repeat it under the second name.
            var block = sample[sample.IndexOf("  - name: fraud\n", StringComparison.Ordinal)..].Replace("    schedule: \"0 0 3 * * *\"\n", "", StringComparison.Ordinal);
            sample = sample[..sample.IndexOf("  - name: fraud\n", StringComparison.Ordinal)] + block + block.Replace("  - name: fraud\n", $"  - name: fraud_{extraModel}\n", StringComparison.Ordinal);
        }

        var yaml = sample.Replace("  - name: fraud", $"  - name: {model}", StringComparison.Ordinal);
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
