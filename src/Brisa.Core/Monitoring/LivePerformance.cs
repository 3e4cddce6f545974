using Brisa.Core.Definitions;
using Brisa.Core.Modeling;

namespace Brisa.Core.Monitoring;

/// <summary>A logged prediction to score against labels that arrive later.</summary>
/// <param name="Id">
/// The instance id the caller gave (the label key's value, e.g. the transaction id); null when it sent none (the
/// prediction then cannot be joined with a label, and is only counted, as <see cref="LiveWindow.Unjoinable"/>).
/// </param>
/// <param name="Time">When it was scored.</param>
/// <param name="Score">The score.</param>
/// <param name="FalseNegativeCost">
/// What missing it costs when it turns out positive (the cost matrix's field, e.g. the amount), in
/// <paramref name="Currency"/>; NaN = 0.
/// </param>
/// <param name="Currency">
/// The currency of <paramref name="FalseNegativeCost"/> (the cost matrix's currency_field), converted to the matrix's
/// currency as training converts it; null when the matrix has no currency_field. A currency without an exchange rate
/// (or a missing one) makes the cost count as missing (0), as a missing amount does: monitoring keeps running.
/// </param>
public sealed record LivePrediction(string? Id, DateTimeOffset Time, double Score, double FalseNegativeCost, string? Currency = null);

/// <summary>A label event as ingested: the value of the model's label key and the event time.</summary>
/// <param name="Key">The key (e.g. the charged-back transaction id).</param>
/// <param name="Time">The label event's time.</param>
public sealed record LabelArrival(string Key, DateTimeOffset Time);

/// <summary>Live metrics of the predictions scored in one span of time, with the labels known so far.</summary>
/// <param name="From">Start of the span (inclusive).</param>
/// <param name="To">End of the span (exclusive).</param>
/// <param name="Predictions">Predictions scored in the span with an id (the ones joined with labels; every number below is theirs).</param>
/// <param name="Unjoinable">
/// Predictions scored in the span without an id: no label can ever be joined with them, so they are left out of
/// every other number (counting them as negatives would bias AUC, PR-AUC and money).
/// </param>
/// <param name="Positives">Predictions whose label event arrived within the label window.</param>
/// <param name="Final">Predictions whose label is final: positive, or label window closed.</param>
/// <param name="Auc">AUC with the labels known so far (null without both classes).</param>
/// <param name="PrAuc">PR-AUC (average precision) with the labels known so far (null without a positive).</param>
/// <param name="ExpectedCost">Cost of the decisions at the champion's threshold (null without a cost matrix).</param>
/// <param name="NoModelCost">Cost with no model: every positive missed.</param>
/// <param name="Saved"><paramref name="NoModelCost"/> − <paramref name="ExpectedCost"/>.</param>
/// <param name="SavedFraction"><paramref name="Saved"/> ÷ <paramref name="NoModelCost"/> (null when that is 0).</param>
public sealed record LiveWindow(
    DateTimeOffset From,
    DateTimeOffset To,
    long Predictions,
    long Unjoinable,
    long Positives,
    long Final,
    double? Auc,
    double? PrAuc,
    double? ExpectedCost,
    double? NoModelCost,
    double? Saved,
    double? SavedFraction)
{
    /// <summary>True when every label of the span is final (its numbers will not change).</summary>
    public bool Complete => Final == Predictions;
}

/// <summary>The champion's numbers on its validation window, for comparison with <see cref="LivePerformance"/>.</summary>
/// <param name="Rows">Validation rows.</param>
/// <param name="BaseRate">Share of positives.</param>
/// <param name="Auc">AUC.</param>
/// <param name="PrAuc">PR-AUC.</param>
/// <param name="Saved">Money saved against no model, out of sample (<see cref="BusinessResult.ReportedSaved"/>): like live traffic, rows the threshold was not chosen on.</param>
/// <param name="SavedFraction">Saved ÷ cost with no model.</param>
/// <param name="SavedOutOfSample">
/// False when <paramref name="Saved"/> is the in-sample one (optimistic): the champion's validation window was too
/// small to cross-fit, or its report predates the out-of-sample estimate (as do monitoring reports written before).
/// </param>
public sealed record ValidationNumbers(long Rows, double BaseRate, double Auc, double PrAuc, double? Saved, double? SavedFraction, bool SavedOutOfSample = false);

/// <summary>
/// How the champion does on live traffic once labels arrive (DESIGN §8), next to its validation numbers: the
/// predictions it scored, joined by id with the label events of the model's label source.
/// </summary>
public sealed record LivePerformance
{
    /// <summary>The label source (e.g. chargeback).</summary>
    public required string LabelSource { get; init; }

    /// <summary>A label counts when it arrives within this span after the prediction.</summary>
    public required TimeSpan LabelWithin { get; init; }

    /// <summary>The labels known as of this time.</summary>
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>The champion's decision threshold the money is computed at.</summary>
    public required double Threshold { get; init; }

    /// <summary>The cost matrix's currency, which every amount is converted to and reported in.</summary>
    public string? Currency { get; init; }

    /// <summary>The champion's validation numbers.</summary>
    public required ValidationNumbers Validation { get; init; }

    /// <summary>Every prediction of the window together.</summary>
    public required LiveWindow Total { get; init; }

    /// <summary>One entry per UTC day with predictions, oldest first.</summary>
    public required IReadOnlyList<LiveWindow> Days { get; init; }

    /// <summary>What makes the numbers less than they seem (e.g. a material share of unjoinable predictions); empty when nothing does.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// The verdict on live AUC against validation AUC, judged on the predictions whose label window has closed (null in
    /// reports written before it).
    /// </summary>
    public LiveJudgement? Judgement { get; init; }
}

/// <summary>
/// Joins predictions with label events and computes live AUC, PR-AUC and money (pure). A prediction is positive when
/// a label event with its id as key arrived no later than its time + <see cref="LabelDefinition.Within"/> (an earlier
/// label counts too: a replayed or backfilled prediction is scored after the fact). Its label is final when positive or
/// when that window has closed; until then it counts as negative so far, and its day is not
/// <see cref="LiveWindow.Complete"/>. A prediction without an id can never be joined: it is counted as
/// <see cref="LiveWindow.Unjoinable"/> and left out of the numbers, with a warning from
/// <see cref="UnjoinableWarnShare"/> of the predictions on.
/// </summary>
public static class LivePerformanceAnalyzer
{
    /// <summary>
    /// Share of unjoinable predictions (sent without an id) from which the report warns: the numbers then describe only
    /// the rest of the traffic (all of it only if ids are missing at random), and the money saved leaves theirs out.
    /// </summary>
    public const double UnjoinableWarnShare = 0.01;

    /// <summary>Computes live performance, or null when the model is not a binary classifier.</summary>
    /// <param name="champion">The champion's metadata (threshold, validation numbers).</param>
    /// <param name="model">The model's definition (label window, cost matrix).</param>
    /// <param name="predictions">The champion's predictions.</param>
    /// <param name="labels">Label events arrived so far.</param>
    /// <param name="asOf">Now.</param>
    /// <returns>The performance, or null.</returns>
    public static LivePerformance? Compute(TrainingReport champion, ModelDefinition model, IReadOnlyList<LivePrediction> predictions, IReadOnlyList<LabelArrival> labels, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(champion);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(labels);
        if (model.Task != ModelTask.BinaryClassification || champion.Evaluation.Binary is not { } validation)
        {
            return null;
        }

        var firstLabel = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var label in labels.Where(l => l.Time <= asOf))
        {
            if (!firstLabel.TryGetValue(label.Key, out var seen) || label.Time < seen)
            {
                firstLabel[label.Key] = label.Time;
            }
        }

        // A prediction without an id has no label to wait for: counting it as a negative would bias every number (a
        // fraud among them would count as a legitimate transaction), so it is only counted. A retry of one transaction
        // counts once (else its label, and when missed its cost, would count twice).
        var live = LiveRows.Of(predictions, asOf);
        var (scored, unjoinable, rows) = (live.Scored, live.Unjoinable, live.Rows);
        var positive = rows.Select(p => firstLabel.TryGetValue(p.Id!, out var at) && at <= p.Time + model.Label.Within).ToArray();
        var final = rows.Select((p, i) => positive[i] || p.Time + model.Label.Within <= asOf).ToArray();
        var threshold = champion.Threshold ?? 0.5;
        var all = Enumerable.Range(0, rows.Length).ToArray();
        var days = live.ByUtcDay().Select(day => Window(day.From, day.To, day.Rows, day.Unjoinable, rows, positive, final, model.Cost, threshold)).ToList();
        var from = scored.Length == 0 ? asOf : scored.Min(p => p.Time);

        // Judged on closed windows only: a younger prediction is negative only so far, and its early positives are
        // younger than any final negative.
        var closed = all.Where(i => rows[i].Time + model.Label.Within <= asOf).ToArray();
        var judgement = LiveJudge.Classifier([.. closed.Select(i => positive[i] ? 1f : 0f)], [.. closed.Select(i => (float)rows[i].Score)], validation, model.Drift);
        return new LivePerformance
        {
            LabelSource = model.Label.Source,
            LabelWithin = model.Label.Within,
            AsOf = asOf,
            Threshold = threshold,
            Currency = model.Cost?.Currency,
            Validation = new ValidationNumbers(
                validation.Rows,
                validation.BaseRate,
                validation.Auc,
                validation.PrAuc,
                champion.Evaluation.Business?.ReportedSaved,
                champion.Evaluation.Business?.ReportedSavedFraction,
                champion.Evaluation.Business?.OutOfSample is not null),
            Total = Window(from, asOf, all, unjoinable.Length, rows, positive, final, model.Cost, threshold),
            Days = days,
            Warnings = live.UnjoinableWarning(model, "these numbers (the money saved leaves theirs out)"),
            Judgement = judgement,
        };
    }

    private static LiveWindow Window(DateTimeOffset from, DateTimeOffset to, int[] members, long unjoinable, LivePrediction[] rows, bool[] positive, bool[] final, CostMatrix? cost, double threshold)
    {
        var labels = members.Select(i => positive[i] ? 1f : 0f).ToArray();
        var scores = members.Select(i => (float)rows[i].Score).ToArray();
        var positives = labels.LongCount(l => l > 0.5f);
        var metrics = ModelEvaluator.Binary(labels, scores);
        var bothClasses = positives > 0 && positives < members.Length;
        BusinessResult? money = null;
        if (cost is not null)
        {
            // The table only carries what CostAt reads: labels, the false-negative cost under the matrix's field name,
            // and its currency when the matrix converts amounts.
            var costs = members.Select(i => rows[i].FalseNegativeCost).ToArray();
            var table = new TrainingTable(
                [.. members.Select(i => rows[i].Time)],
                labels,
                [],
                cost.FalseNegative.Field is { } field ? new Dictionary<string, double[]>(StringComparer.Ordinal) { [field] = costs } : null,
                cost.CurrencyField is null ? null : [.. members.Select(i => rows[i].Currency)]);
            money = ModelEvaluator.CostAt(table, scores, cost, threshold, UnconvertibleCost.Missing);
        }

        return new LiveWindow(
            from,
            to,
            members.Length,
            unjoinable,
            positives,
            members.LongCount(i => final[i]),
            bothClasses ? metrics.Auc : null,
            positives > 0 ? metrics.PrAuc : null,
            money?.ExpectedCost,
            money?.NoModelCost,
            money?.Saved,
            money is { NoModelCost: > 0 } ? money.SavedFraction : null);
    }
}
