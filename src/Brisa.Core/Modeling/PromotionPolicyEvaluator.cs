using System.Globalization;
using Brisa.Core.Definitions;

namespace Brisa.Core.Modeling;

/// <summary>One guardrail of the promotion policy.</summary>
/// <param name="Name">min_rows, min_positives, max_missing_fraction or champion_comparable.</param>
/// <param name="Passed">True when it holds.</param>
/// <param name="Detail">The measured value against the limit.</param>
public sealed record GuardrailCheck(string Name, bool Passed, string Detail);

/// <summary>The champion re-scored on the candidate's validation rows.</summary>
/// <param name="Version">The champion's version.</param>
/// <param name="Evaluation">Its evaluation on the same rows (null when it could not be scored).</param>
/// <param name="Error">Why it could not be scored (e.g. a feature it needs is gone), or null.</param>
public sealed record ChampionEvaluation(string Version, ModelEvaluation? Evaluation, string? Error);

/// <summary>Whether a candidate becomes champion, and why.</summary>
/// <param name="Promote">True: champion; false: challenger.</param>
/// <param name="Reason">One sentence for people.</param>
/// <param name="Metric">The compared metric.</param>
/// <param name="Margin">The required relative improvement.</param>
/// <param name="CandidateValue">The candidate's metric on the window.</param>
/// <param name="ChampionVersion">The champion compared with, or null when there is none.</param>
/// <param name="ChampionValue">The champion's metric on the same window, or null.</param>
/// <param name="Improvement">Relative improvement over the champion (positive = better), or null.</param>
/// <param name="Guardrails">Every guardrail and its result.</param>
public sealed record PromotionDecision(
    bool Promote,
    string Reason,
    PromotionMetric Metric,
    double Margin,
    double? CandidateValue,
    string? ChampionVersion,
    double? ChampionValue,
    double? Improvement,
    IReadOnlyList<GuardrailCheck> Guardrails);

/// <summary>The promotion policy of a model definition (pure).</summary>
public static class PromotionPolicyEvaluator
{
    /// <summary>
    /// Decides: a candidate becomes champion when every guardrail passes and either there is no champion, or it
    /// beats the champion — re-evaluated on the same validation rows — by at least the policy's relative margin on
    /// the policy's metric (and strictly). <c>expected_cost</c> is compared out of sample
    /// (<see cref="ModelEvaluation.Value"/>): each model's threshold is cross-fitted on the same halves of the window, so
    /// neither is rewarded for a threshold fitted to the rows it is judged on.
    /// </summary>
    /// <param name="model">The model definition (policy and task).</param>
    /// <param name="validation">The candidate's validation rows.</param>
    /// <param name="missingFractions">Missing fraction per feature over the training and validation rows.</param>
    /// <param name="candidate">The candidate's evaluation on <paramref name="validation"/>.</param>
    /// <param name="champion">The champion on the same rows, or null when there is no champion.</param>
    /// <returns>The decision.</returns>
    public static PromotionDecision Decide(
        ModelDefinition model,
        TrainingTable validation,
        IReadOnlyDictionary<string, double> missingFractions,
        ModelEvaluation candidate,
        ChampionEvaluation? champion)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(missingFractions);
        ArgumentNullException.ThrowIfNull(candidate);
        var policy = model.Promotion;
        var metric = policy.Metric;
        var checks = new List<GuardrailCheck>
        {
            new("min_rows", validation.RowCount >= policy.MinRows, $"{validation.RowCount} validation rows, minimum {policy.MinRows}"),
        };
        if (model.Task == ModelTask.BinaryClassification)
        {
            var positives = validation.Labels.Count(l => l > 0.5f);
            checks.Add(new("min_positives", positives >= policy.MinPositives, $"{positives} positive validation rows, minimum {policy.MinPositives}"));
        }

        var worst = missingFractions.OrderByDescending(m => m.Value).ThenBy(m => m.Key, StringComparer.Ordinal).FirstOrDefault();
        checks.Add(new(
            "max_missing_fraction",
            worst.Key is null || worst.Value <= policy.MaxMissingFraction,
            worst.Key is null ? "no feature" : $"most missing feature '{worst.Key}' {Percent(worst.Value)}, maximum {Percent(policy.MaxMissingFraction)}"));

        var candidateValue = candidate.Value(metric);
        if (candidateValue is null)
        {
            checks.Add(new("metric_available", false, $"the candidate has no {metric.ToYamlName()} (a cost matrix is needed for expected_cost)"));
        }

        if (checks.FirstOrDefault(c => !c.Passed) is { } failed)
        {
            return new PromotionDecision(false, $"Stays challenger: guardrail {failed.Name} failed ({failed.Detail}).", metric, policy.Margin, candidateValue, champion?.Version, champion?.Evaluation?.Value(metric), null, checks);
        }

        if (champion is null)
        {
            return new PromotionDecision(true, $"Promoted: no champion yet and every guardrail passed ({MetricName(metric, candidate)} {Format(candidateValue)}).", metric, policy.Margin, candidateValue, null, null, null, checks);
        }

        var championValue = champion.Evaluation?.Value(metric);
        if (championValue is null)
        {
            checks.Add(new("champion_comparable", false, champion.Error ?? $"the champion has no {metric.ToYamlName()}"));
            return new PromotionDecision(false, $"Stays challenger: champion {champion.Version} could not be re-evaluated on the same window ({champion.Error ?? "no metric"}); promote by hand if intended.", metric, policy.Margin, candidateValue, champion.Version, null, null, checks);
        }

        var higher = ModelEvaluation.HigherIsBetter(metric);
        var c = candidateValue!.Value;
        var h = championValue.Value;
        var delta = higher ? c - h : h - c;
        var improvement = h == 0 ? (delta > 0 ? double.MaxValue : 0) : delta / Math.Abs(h);
        var promote = delta > 0 && improvement >= policy.Margin;
        var change = improvement == double.MaxValue ? "better" : improvement >= 0 ? $"{Percent(improvement)} better" : $"{Percent(-improvement)} worse";
        var comparison = $"{MetricName(metric, candidate)} {Format(c)} vs champion {champion.Version} {Format(h)} on the same window: {change}, margin {Percent(policy.Margin)} ({(higher ? "higher" : "lower")} is better)";
        var reason = promote
            ? $"Promoted: beats the champion by the margin: {comparison}."
            : $"Stays challenger: does not beat the champion by the margin: {comparison}.";
        return new PromotionDecision(promote, reason, metric, policy.Margin, c, champion.Version, h, improvement == double.MaxValue ? null : improvement, checks);
    }

    /// <summary>Missing fraction of every feature of a table.</summary>
    /// <param name="table">The table.</param>
    /// <returns>Fraction by feature name.</returns>
    public static IReadOnlyDictionary<string, double> MissingFractions(TrainingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var column in table.Features)
        {
            var missing = 0;
            for (var i = 0; i < column.Count; i++)
            {
                missing += column.IsMissing(i) ? 1 : 0;
            }

            result[column.Name] = column.Count == 0 ? 0 : (double)missing / column.Count;
        }

        return result;
    }

    // Says which expected cost is compared: out of sample normally, in-sample for a window too small to cross-fit.
    private static string MetricName(PromotionMetric metric, ModelEvaluation evaluation) =>
        metric == PromotionMetric.ExpectedCost && evaluation.Business is { } business
            ? business.ReportedBasis + " " + metric.ToYamlName()
            : metric.ToYamlName();

    private static string Percent(double value) => (value * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Format(double? value) => value?.ToString("0.####", CultureInfo.InvariantCulture) ?? "n/a";
}
