using System.Diagnostics;
using System.Runtime.CompilerServices;
using Brisa.Core.Definitions;

namespace Brisa.Core.Modeling;

/// <summary>Options of one training run.</summary>
public sealed record TrainingOptions
{
    /// <summary>The definitions version (SHA-256) recorded with the version, or null.</summary>
    public string? DefinitionsVersion { get; init; }

    /// <summary>The git commit of the definitions, or null.</summary>
    public string? GitCommit { get; init; }

    /// <summary>The clock (training time and version id). Default: the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Compute permutation importance (one extra scoring pass per input). Default true.</summary>
    public bool ComputeImportance { get; init; } = true;

    /// <summary>Permutation importance uses at most this many validation rows (evenly spaced in time). Default 20 000.</summary>
    public int MaxImportanceRows { get; init; } = 20_000;
}

/// <summary>The result of <see cref="ModelTraining.Train"/>: the fitted model, its bytes and its report (version id set, no promotion yet).</summary>
/// <param name="Model">The fitted model.</param>
/// <param name="ModelBytes">The ML.NET zip.</param>
/// <param name="Report">The report (metadata.json), with <see cref="TrainingReport.Version"/> set and <see cref="TrainingReport.Promotion"/> null.</param>
/// <param name="Split">The split.</param>
/// <param name="ValidationRows">The validation rows (projected on the model inputs), for champion re-evaluation.</param>
/// <param name="MissingFractions">Missing fraction per input over training and validation rows (guardrail input).</param>
public sealed record TrainingOutcome(
    TrainedModel Model,
    byte[] ModelBytes,
    TrainingReport Report,
    TemporalSplit Split,
    TrainingTable ValidationRows,
    IReadOnlyDictionary<string, double> MissingFractions);

/// <summary>Split, fit, evaluate, explain and describe one model version (pure apart from ML.NET; no storage).</summary>
public static class ModelTraining
{
    // Definitions are immutable records; a served prediction asks for the names on every request.
    private static readonly ConditionalWeakTable<ModelDefinition, IReadOnlyList<string>> InputNameCache = [];

    /// <summary>The model inputs of a definition, in order: its features (<c>view:feature</c> or on-demand name), then its request fields.</summary>
    /// <param name="model">The definition.</param>
    /// <returns>The input names, as <see cref="TrainingTable"/> column names.</returns>
    public static IReadOnlyList<string> InputNames(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return InputNameCache.GetValue(model, m => [.. m.Features.Select(f => f.ToString()), .. m.RequestFields]);
    }

    /// <summary>Trains one version of <paramref name="model"/> on <paramref name="table"/>.</summary>
    /// <param name="model">The definition.</param>
    /// <param name="table">Labelled observations with a column per input (<see cref="InputNames"/>) and the cost inputs.</param>
    /// <param name="options">Provenance, clock and importance settings.</param>
    /// <returns>The outcome.</returns>
    public static TrainingOutcome Train(ModelDefinition model, TrainingTable table, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(table);
        options ??= new TrainingOptions();
        var inputs = InputNames(model);
        table = table.Project(inputs.Count > 0 ? inputs : [.. table.Features.Select(f => f.Name)]);
        if (model.Task == ModelTask.BinaryClassification && model.Cost is { } cost)
        {
            // Checked before fitting: a row whose currency has no exchange rate fails the run now, not after the fit.
            try
            {
                _ = ModelEvaluator.FalseNegativeCosts(table, cost);
            }
            catch (InvalidOperationException ex)
            {
                throw new InvalidOperationException($"Model '{model.Name}': {ex.Message}", ex);
            }
        }

        var split = TemporalSplit.Create(table, model.Split);
        var training = table.Take(split.Training);
        var validation = table.Take(split.Validation);

        var clock = Stopwatch.StartNew();
        var trained = ModelFitter.Fit(model, training);
        var modelBytes = trained.ToBytes();
        var fitSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var scores = trained.Score(validation);
        var evaluation = ModelEvaluator.Evaluate(model, validation, scores);
        var seed = ModelFitter.SeedOf(model.Trainer);
        IReadOnlyList<FeatureImportance> importance = [];
        if (options.ComputeImportance)
        {
            var sample = validation;
            var sampleEvaluation = evaluation;
            if (validation.RowCount > options.MaxImportanceRows)
            {
                var step = (double)validation.RowCount / options.MaxImportanceRows;
                sample = validation.Take([.. Enumerable.Range(0, options.MaxImportanceRows).Select(i => (int)(i * step))]);
                sampleEvaluation = ModelEvaluator.Evaluate(model, sample, trained.Score(sample));
            }

            importance = PermutationImportance.Compute(model, trained, sample, sampleEvaluation, seed, evaluation.Business?.Threshold);
        }

        var baseline = FeatureStatistics.Compute(training);
        var missing = PromotionPolicyEvaluator.MissingFractions(table);
        var evaluationSeconds = clock.Elapsed.TotalSeconds;

        var trainedAt = options.TimeProvider.GetUtcNow();
        var report = new TrainingReport
        {
            Model = model.Name,
            Version = ModelVersionId.Create(trainedAt, modelBytes),
            TrainedAt = trainedAt,
            Task = model.Task,
            Trainer = model.Trainer.Name,
            Parameters = new SortedDictionary<string, string>(model.Trainer.Parameters.ToDictionary(), StringComparer.Ordinal),
            Seed = seed,
            ValidationSpan = model.Split.Validation,
            Training = Range(training, model.Task),
            Validation = Range(validation, model.Task),
            Inputs = trained.Inputs,
            Evaluation = evaluation,
            Importance = importance,
            Baseline = baseline,
            ScoreBaseline = FeatureStatistics.Numeric("score", scores),
            FitSeconds = fitSeconds,
            EvaluationSeconds = evaluationSeconds,
            DefinitionsVersion = options.DefinitionsVersion,
            GitCommit = options.GitCommit,
        };
        return new TrainingOutcome(trained, modelBytes, report, split, validation, missing);
    }

    /// <summary>Re-evaluates a saved champion on the candidate's validation rows, with the same method (least-cost threshold on the window, cross-fitted on the same two halves for the out-of-sample cost).</summary>
    /// <param name="model">The definition (task and cost matrix).</param>
    /// <param name="version">The champion's version.</param>
    /// <param name="championZip">The champion's model.zip.</param>
    /// <param name="validationRows">The candidate's validation rows.</param>
    /// <param name="championTrainedThrough">
    /// The newest observation the champion was trained on (its report's <see cref="TrainingReport.Training"/> end), when known.
    /// A champion that learned from some of the validation rows is not scored on them: it would look better than it is.
    /// That happens only when the window moves back over its training data, e.g. after a longer <c>split.validation</c>
    /// or a longer label <c>within</c>.
    /// </param>
    /// <returns>The champion's evaluation, or the reason it could not be scored.</returns>
    public static ChampionEvaluation EvaluateChampion(ModelDefinition model, string version, Stream championZip, TrainingTable validationRows, DateTimeOffset? championTrainedThrough = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(championZip);
        ArgumentNullException.ThrowIfNull(validationRows);
        if (championTrainedThrough is { } through && validationRows.Timestamps.Count(t => t <= through) is var seen and > 0)
        {
            return new ChampionEvaluation(
                version,
                null,
                $"it was trained on observations up to {through:u}, {seen} of the {validationRows.RowCount} validation rows (from {validationRows.Timestamps.Min():u}) among them, " +
                "so it would be judged on rows it learned from; automatic comparison resumes once the validation window starts after that");
        }

        TrainedModel champion;
        try
        {
            champion = TrainedModel.Load(championZip);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidDataException or IOException)
        {
            return new ChampionEvaluation(version, null, $"its model.zip cannot be loaded: {ex.Message}");
        }

        var missing = champion.Inputs.Where(i => validationRows.Find(i.Name)?.Kind != i.Kind).Select(i => i.Name).ToList();
        if (missing.Count > 0)
        {
            return new ChampionEvaluation(version, null, $"it needs inputs the candidate's rows lack: {string.Join(", ", missing)}");
        }

        if (champion.Task != model.Task)
        {
            return new ChampionEvaluation(version, null, $"it is a {champion.Task.ToYamlName()} model, the definition a {model.Task.ToYamlName()} model");
        }

        var scores = champion.Score(validationRows);
        return new ChampionEvaluation(version, ModelEvaluator.Evaluate(model, validationRows, scores), null);
    }

    private static DataRange Range(TrainingTable rows, ModelTask task) => new(
        rows.Timestamps.Min(),
        rows.Timestamps.Max(),
        rows.RowCount,
        task == ModelTask.BinaryClassification ? rows.Labels.Count(l => l > 0.5f) : 0);
}
