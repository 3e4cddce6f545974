using Brisa.Core.Definitions;
using Brisa.Core.Modeling;

namespace Brisa.Azure.Models;

/// <summary>Options of one end-to-end training run.</summary>
public sealed record TrainingRunOptions
{
    /// <summary>Training options (provenance, clock, importance).</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>How long to wait for another run of the same model to finish. Default zero: exit at once.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.Zero;

    /// <summary>Who runs it, for the history (e.g. <c>retrain:timer</c>, <c>cli</c>).</summary>
    public string Actor { get; init; } = "retrain";
}

/// <summary>How a run ended.</summary>
public enum TrainingRunStatus
{
    /// <summary>A version was registered and became champion.</summary>
    Promoted,

    /// <summary>A version was registered and became challenger.</summary>
    Challenger,

    /// <summary>Another run holds the model's training lock; nothing was done.</summary>
    Busy,
}

/// <summary>The result of <see cref="ModelTrainingService.RunAsync"/>.</summary>
/// <param name="Model">The model.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Message">One sentence for people.</param>
/// <param name="Report">The registered version's report (null when busy).</param>
/// <param name="Champion">The champion after the run.</param>
public sealed record TrainingRunResult(string Model, TrainingRunStatus Status, string Message, TrainingReport? Report, string? Champion);

/// <summary>
/// Trains a model end to end: lock, split, fit, evaluate, re-evaluate the champion on the same window, decide, save
/// the version (fully) and only then move an alias, and record the change in the history.
/// </summary>
public sealed class ModelTrainingService
{
    private readonly ModelRegistry registry;

    /// <summary>Creates the service.</summary>
    /// <param name="registry">The registry.</param>
    public ModelTrainingService(ModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        this.registry = registry;
    }

    /// <summary>Runs one training of <paramref name="model"/> on <paramref name="table"/>.</summary>
    /// <param name="model">The definition.</param>
    /// <param name="table">The point-in-time training set (labelled rows only).</param>
    /// <param name="options">Options.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The result.</returns>
    public async Task<TrainingRunResult> RunAsync(ModelDefinition model, TrainingTable table, TrainingRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(table);
        options ??= new TrainingRunOptions();
        var held = await registry.TryLockForTrainingAsync(model.Name, options.LockWait, cancellationToken).ConfigureAwait(false);
        if (held is null)
        {
            return new TrainingRunResult(model.Name, TrainingRunStatus.Busy, $"Model '{model.Name}' is being trained by another run (lease on models/{model.Name}/.lock); this run did nothing.", null, null);
        }

        await using (held.ConfigureAwait(false))
        {
            var outcome = await Task.Run(() => ModelTraining.Train(model, table, options.Training), cancellationToken).ConfigureAwait(false);
            var aliases = (await registry.GetAliasesAsync(model.Name, cancellationToken).ConfigureAwait(false)).Aliases;
            ChampionEvaluation? champion = null;
            if (aliases.Champion is { } championVersion)
            {
                champion = await EvaluateChampionAsync(model, championVersion, outcome.ValidationRows, cancellationToken).ConfigureAwait(false);
            }

            var decision = PromotionPolicyEvaluator.Decide(model, outcome.ValidationRows, outcome.MissingFractions, outcome.Report.Evaluation, champion);
            var report = outcome.Report with { Promotion = decision };
            await registry.SaveVersionAsync(report, outcome.ModelBytes, cancellationToken).ConfigureAwait(false);
            if (decision.Promote)
            {
                try
                {
                    await registry.PromoteAsync(model.Name, report.Version, aliases.Champion, decision.Reason, options.Actor, cancellationToken).ConfigureAwait(false);
                    return new TrainingRunResult(model.Name, TrainingRunStatus.Promoted, decision.Reason, report, report.Version);
                }
                catch (ModelConcurrencyException ex)
                {
                    await registry.AppendHistoryAsync(model.Name, new ModelHistoryEntry(options.Training.TimeProvider.GetUtcNow(), ModelHistoryAction.Conflict, report.Version, aliases.Champion, ex.Message, options.Actor), cancellationToken).ConfigureAwait(false);
                    var after = await registry.SetChallengerAsync(model.Name, report.Version, "Promotion lost a concurrent alias update: " + ex.Message, options.Actor, cancellationToken).ConfigureAwait(false);
                    return new TrainingRunResult(model.Name, TrainingRunStatus.Challenger, ex.Message, report, after.Champion);
                }
            }

            var updated = await registry.SetChallengerAsync(model.Name, report.Version, decision.Reason, options.Actor, cancellationToken).ConfigureAwait(false);
            return new TrainingRunResult(model.Name, TrainingRunStatus.Challenger, decision.Reason, report, updated.Champion);
        }
    }

    // A champion too large to read is not compared (the candidate stays challenger, the reason saying why), as one
    // ML.NET cannot load.
    private async Task<ChampionEvaluation> EvaluateChampionAsync(ModelDefinition model, string championVersion, TrainingTable validationRows, CancellationToken cancellationToken)
    {
        byte[] zip;
        try
        {
            zip = await registry.DownloadModelAsync(model.Name, championVersion, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelTooLargeException ex)
        {
            return new ChampionEvaluation(championVersion, null, ex.Message);
        }

        var championReport = await registry.GetMetadataAsync(model.Name, championVersion, cancellationToken).ConfigureAwait(false);
        using var stream = new MemoryStream(zip);
        return ModelTraining.EvaluateChampion(model, championVersion, stream, validationRows, championReport?.Training.To);
    }
}
