using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Core.Training;

namespace Brisa.Core.Monitoring;

/// <summary>A regression's live errors on the predictions scored in one span of time, with the labels known so far.</summary>
/// <param name="From">Start of the span (inclusive).</param>
/// <param name="To">End of the span (exclusive).</param>
/// <param name="Predictions">Predictions scored in the span with an id (the ones joined with labels).</param>
/// <param name="Unjoinable">Predictions scored in the span without an id: no label can be joined with them, so they are only counted.</param>
/// <param name="Labelled">Predictions whose label arrived (within the label window, by the report's time): the rows every error below is computed on.</param>
/// <param name="Final">Predictions whose label is final: labelled, or label window closed without one (never labelled).</param>
/// <param name="Mae">Mean absolute error of the labelled predictions (null when none is labelled).</param>
/// <param name="Rmse">Root mean squared error of the labelled predictions (null when none is labelled).</param>
/// <param name="MeanError">Mean of prediction − label (the bias: positive when the model overestimates; null when none is labelled).</param>
public sealed record LiveRegressionWindow(
    DateTimeOffset From,
    DateTimeOffset To,
    long Predictions,
    long Unjoinable,
    long Labelled,
    long Final,
    double? Mae,
    double? Rmse,
    double? MeanError)
{
    /// <summary>True when every label of the span is final (its numbers will not change).</summary>
    public bool Complete => Final == Predictions;
}

/// <summary>
/// How a regression champion does on live traffic once its labels arrive (DESIGN §8), next to its validation MAE and
/// RMSE: the predictions it scored, joined by id with the label events of the model's label source, each scored
/// against the event's label value.
/// </summary>
public sealed record LiveRegressionPerformance
{
    /// <summary>The label source (e.g. trip_end).</summary>
    public required string LabelSource { get; init; }

    /// <summary>The label source's field holding the label value (e.g. duration_min).</summary>
    public required string LabelValue { get; init; }

    /// <summary>A label counts when it is dated no later than this span after the prediction.</summary>
    public required TimeSpan LabelWithin { get; init; }

    /// <summary>The labels known as of this time.</summary>
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>The champion's numbers on its validation window (rows, RMSE, MAE, R²).</summary>
    public required RegressionMetrics Validation { get; init; }

    /// <summary>Every prediction of the span together.</summary>
    public required LiveRegressionWindow Total { get; init; }

    /// <summary>One entry per UTC day with predictions, oldest first.</summary>
    public required IReadOnlyList<LiveRegressionWindow> Days { get; init; }

    /// <summary>What makes the numbers less than they seem (a material share of unjoinable predictions); empty when nothing does.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// The verdict on live MAE against validation MAE, judged on the labelled predictions whose label window has closed
    /// (null in reports written before it).
    /// </summary>
    public LiveJudgement? Judgement { get; init; }
}

/// <summary>
/// Joins a regression's predictions with its label events and computes live MAE, RMSE and mean error per UTC day and in
/// total (pure). A prediction's label is read by <see cref="LabelIndex"/>, as training reads a regression label: the
/// value of the earliest label event with the prediction's id as key (ties by event id), counting events dated no later
/// than the prediction time + <see cref="LabelDefinition.Within"/> and no later than the report's time. As for
/// classifiers (<see cref="LivePerformanceAnalyzer"/>), an event dated before the prediction counts too: a replayed or
/// backfilled prediction is scored after the fact. A prediction without a label is left out of the errors; its label is
/// final once its window has closed. Predictions without an id are counted as unjoinable, with a warning from
/// <see cref="LivePerformanceAnalyzer.UnjoinableWarnShare"/> of the predictions on; an id scored twice counts once, at its
/// first prediction. Errors use training's arithmetic (<see cref="ModelEvaluator.Regression"/>: label and score as float).
/// </summary>
public static class LiveRegressionAnalyzer
{
    /// <summary>Computes live errors, or null when the model is not a regression or its champion has no regression metrics.</summary>
    /// <param name="champion">The champion's metadata (validation MAE and RMSE).</param>
    /// <param name="model">The model's definition (label source, value and window).</param>
    /// <param name="predictions">The champion's predictions (<see cref="LivePrediction.FalseNegativeCost"/> and currency are not read).</param>
    /// <param name="labels">The model's label events arrived so far (events dated after <paramref name="asOf"/> are not counted).</param>
    /// <param name="asOf">Now.</param>
    /// <returns>The performance, or null.</returns>
    public static LiveRegressionPerformance? Compute(TrainingReport champion, ModelDefinition model, IReadOnlyList<LivePrediction> predictions, LabelIndex labels, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(champion);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(labels);
        if (model.Task != ModelTask.Regression || champion.Evaluation.Regression is not { } validation)
        {
            return null;
        }

        var live = LiveRows.Of(predictions, asOf);
        var (scored, unjoinable, rows) = (live.Scored, live.Unjoinable, live.Rows);
        var asOfTicks = TiledView.ToUnixTicks(asOf);
        var label = new float?[rows.Length];
        var final = new bool[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var closes = rows[i].Time + model.Label.Within;
            var to = Math.Min(TiledView.ToUnixTicks(closes), asOfTicks);

            // An event without a value labels nothing, as in training (the row is skipped there).
            label[i] = labels.TryFind(rows[i].Id, long.MinValue, to, out var value) && value.AsNumber() is { } number ? (float)number : null;
            final[i] = label[i] is not null || closes <= asOf;
        }

        var all = Enumerable.Range(0, rows.Length).ToArray();
        var days = live.ByUtcDay().Select(day => Window(day.From, day.To, day.Rows, day.Unjoinable, rows, label, final)).ToList();
        var from = scored.Length == 0 ? asOf : scored.Min(p => p.Time);

        // Judged on closed windows only: the labels that arrive early are those of the predictions that resolve early
        // (the short trips), whose errors need not be typical.
        var closed = all.Where(i => label[i] is not null && rows[i].Time + model.Label.Within <= asOf).ToArray();
        var judgement = LiveJudge.Regression([.. closed.Select(i => label[i]!.Value)], [.. closed.Select(i => (float)rows[i].Score)], validation, model.Drift);
        return new LiveRegressionPerformance
        {
            LabelSource = model.Label.Source,
            LabelValue = model.Label.Value ?? string.Empty,
            LabelWithin = model.Label.Within,
            AsOf = asOf,
            Validation = validation,
            Total = Window(from, asOf, all, unjoinable.Length, rows, label, final),
            Days = days,
            Warnings = live.UnjoinableWarning(model, "these errors"),
            Judgement = judgement,
        };
    }

    private static LiveRegressionWindow Window(DateTimeOffset from, DateTimeOffset to, int[] members, long unjoinable, LivePrediction[] rows, float?[] label, bool[] final)
    {
        var labelled = members.Where(i => label[i] is not null).ToArray();
        double? mae = null, rmse = null, meanError = null;
        if (labelled.Length > 0)
        {
            var labels = labelled.Select(i => label[i]!.Value).ToArray();
            var scores = labelled.Select(i => (float)rows[i].Score).ToArray();
            var metrics = ModelEvaluator.Regression(labels, scores);
            mae = metrics.Mae;
            rmse = metrics.Rmse;
            meanError = labelled.Sum(i => (double)(float)rows[i].Score - label[i]!.Value) / labelled.Length;
        }

        return new LiveRegressionWindow(from, to, members.Length, unjoinable, labelled.Length, members.LongCount(i => final[i]), mae, rmse, meanError);
    }
}
