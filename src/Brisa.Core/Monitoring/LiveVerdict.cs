using System.Globalization;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;

namespace Brisa.Core.Monitoring;

/// <summary>A verdict on a champion's live performance against its validation numbers.</summary>
public enum LiveVerdict
{
    /// <summary>Too few predictions with a final label to judge (see <see cref="DriftPolicy.LiveMinLabels"/>).</summary>
    NotEnoughLabels,

    /// <summary>Live performance is not significantly worse than validation by the warning margin.</summary>
    Ok,

    /// <summary>Live performance is worse by the warning margin, and significantly worse.</summary>
    Warn,

    /// <summary>Live performance is worse by the alert margin, and significantly worse.</summary>
    Alert,
}

/// <summary>
/// The verdict on a champion's live performance and the numbers that decided it. Judged on the predictions whose
/// label window has closed (every label final); for a regression, those of them that got a label.
/// </summary>
/// <param name="Verdict">The verdict.</param>
/// <param name="Metric"><c>auc</c> (classifiers) or <c>mae</c> (regressions).</param>
/// <param name="Rows">Predictions judged: label window closed (and, for a regression, labelled).</param>
/// <param name="Positives">A classifier's positives among them; null for a regression.</param>
/// <param name="Live">The metric on <paramref name="Rows"/> (null with too few of them).</param>
/// <param name="Validation">The champion's validation value of the metric.</param>
/// <param name="Change">
/// How much worse live is: validation AUC − live AUC (a drop), or live MAE ÷ validation MAE (a ratio); null with too few
/// rows, or for a ratio when the validation MAE is 0.
/// </param>
/// <param name="StandardError">Standard error of live − validation (both samples' errors; null with too few rows).</param>
/// <param name="PValue">One-sided p-value of live being worse than validation (normal approximation; null with too few rows).</param>
/// <param name="WarnAt">The <paramref name="Change"/> from which it warns.</param>
/// <param name="AlertAt">The <paramref name="Change"/> from which it alerts.</param>
/// <param name="MinRows">The <paramref name="Rows"/> needed to judge.</param>
/// <param name="MinPositives">The positives, and negatives, needed to judge a classifier; null for a regression.</param>
/// <param name="Reason">What decided the verdict, with its numbers, in one sentence (shown after the verdict's <see cref="LiveJudge.Name"/>).</param>
public sealed record LiveJudgement(
    LiveVerdict Verdict,
    string Metric,
    long Rows,
    long? Positives,
    double? Live,
    double Validation,
    double? Change,
    double? StandardError,
    double? PValue,
    double WarnAt,
    double AlertAt,
    long MinRows,
    long? MinPositives,
    string Reason);

/// <summary>
/// Judges live performance against validation (pure): the size of the change against the policy's warn and alert
/// margins, and its significance against <see cref="DriftAnalyzer.WarnPValue"/> and <see cref="DriftAnalyzer.AlertPValue"/>,
/// as a feature's PSI is judged; the verdict is the lesser of the two. Only predictions whose label window has closed
/// count: before, a classifier's prediction is negative only so far, and the positives known early are a sample of
/// younger days than the negatives, so scores moving over the weeks would read as a change in ranking.
/// </summary>
public static class LiveJudge
{
    /// <summary>Judges a classifier's live AUC against its validation AUC.</summary>
    /// <param name="labels">Labels of the predictions whose label window has closed (1 positive, 0 negative).</param>
    /// <param name="scores">Their scores.</param>
    /// <param name="validation">The champion's validation metrics (AUC, rows, positives).</param>
    /// <param name="policy">The model's drift policy (margins and minimum counts).</param>
    /// <returns>The judgement.</returns>
    public static LiveJudgement Classifier(IReadOnlyList<float> labels, IReadOnlyList<float> scores, BinaryMetrics validation, DriftPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(policy);
        long rows = labels.Count, positives = labels.LongCount(l => l > 0.5f), negatives = rows - positives;
        long minRows = policy.LiveMinLabels ?? DriftPolicy.DefaultLiveMinLabels, minPositives = policy.LiveMinPositives ?? DriftPolicy.DefaultLiveMinPositives;
        double warnAt = policy.LiveAucWarn ?? DriftPolicy.DefaultLiveAucWarn, alertAt = policy.LiveAucAlert ?? DriftPolicy.DefaultLiveAucAlert;
        if (rows < minRows || positives < minPositives || negatives < minPositives)
        {
            var reason = Invariant($"{rows:N0} predictions with a closed label window (needs {minRows:N0}), {positives:N0} positives and {negatives:N0} negatives (needs {minPositives:N0} of each)");
            return new LiveJudgement(LiveVerdict.NotEnoughLabels, "auc", rows, positives, null, validation.Auc, null, null, null, warnAt, alertAt, minRows, minPositives, reason);
        }

        var (auc, variance) = DriftMetrics.AucDeLong(labels, scores);
        var validationPositives = validation.Positives;
        var standardError = Math.Sqrt(variance + DriftMetrics.AucHanleyMcNeilVariance(validation.Auc, validationPositives, validation.Rows - validationPositives));
        var drop = validation.Auc - auc;
        var p = OneSidedP(drop, standardError);
        var verdict = Verdict(drop, warnAt, alertAt, p);
        var text = Invariant($"live AUC {auc:0.000} on {rows:N0} predictions with final labels ({positives:N0} positives) against validation AUC {validation.Auc:0.000}: a drop of {drop:0.000} (warn from {warnAt:0.###}, alert from {alertAt:0.###}), standard error {standardError:0.000}, one-sided p {P(p)}");
        return new LiveJudgement(verdict, "auc", rows, positives, auc, validation.Auc, drop, standardError, p, warnAt, alertAt, minRows, minPositives, text);
    }

    /// <summary>Judges a regression's live MAE against its validation MAE.</summary>
    /// <param name="labels">Labels of the labelled predictions whose label window has closed.</param>
    /// <param name="scores">Their predictions.</param>
    /// <param name="validation">The champion's validation metrics (MAE, RMSE, rows).</param>
    /// <param name="policy">The model's drift policy (ratios and minimum count).</param>
    /// <returns>The judgement.</returns>
    public static LiveJudgement Regression(IReadOnlyList<float> labels, IReadOnlyList<float> scores, RegressionMetrics validation, DriftPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(policy);
        long rows = labels.Count, minRows = policy.LiveMinLabels ?? DriftPolicy.DefaultLiveMinLabels;
        double warnAt = policy.LiveMaeWarn ?? DriftPolicy.DefaultLiveMaeWarn, alertAt = policy.LiveMaeAlert ?? DriftPolicy.DefaultLiveMaeAlert;
        if (rows < minRows)
        {
            var reason = Invariant($"{rows:N0} labelled predictions with a closed label window (needs {minRows:N0})");
            return new LiveJudgement(LiveVerdict.NotEnoughLabels, "mae", rows, null, null, validation.Mae, null, null, null, warnAt, alertAt, minRows, null, reason);
        }

        // Training's arithmetic: label and score as float.
        var errors = Enumerable.Range(0, labels.Count).Select(i => (double)Math.Abs(scores[i] - labels[i])).ToArray();
        var mae = errors.Average();
        var liveVariance = errors.Sum(e => (e - mae) * (e - mae)) / (rows - 1) / rows;

        // The validation report keeps MAE and RMSE only: the variance of |e| is E[e²] − E[|e|]² = RMSE² − MAE².
        var validationVariance = validation.Rows > 0 ? Math.Max(0, (validation.Rmse * validation.Rmse) - (validation.Mae * validation.Mae)) / validation.Rows : 0;
        var standardError = Math.Sqrt(liveVariance + validationVariance);
        var p = OneSidedP(mae - validation.Mae, standardError);
        double? ratio = validation.Mae > 0 ? mae / validation.Mae : null;
        var verdict = Verdict(ratio ?? (mae > 0 ? double.PositiveInfinity : 1), warnAt, alertAt, p);
        var text = Invariant($"live MAE {mae:#,0.###} on {rows:N0} labelled predictions with final labels against validation MAE {validation.Mae:#,0.###}: {(ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "above 0")} (warn from {warnAt:0.##}×, alert from {alertAt:0.##}×), standard error {standardError:#,0.###}, one-sided p {P(p)}");
        return new LiveJudgement(verdict, "mae", rows, null, mae, validation.Mae, ratio, standardError, p, warnAt, alertAt, minRows, null, text);
    }

    /// <summary>The verdict's name as the reports show it: <c>ok</c>, <c>warn</c>, <c>alert</c> or <c>not enough labels</c>.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>The name.</returns>
    public static string Name(LiveVerdict verdict) => verdict switch
    {
        LiveVerdict.Alert => "alert",
        LiveVerdict.Warn => "warn",
        LiveVerdict.Ok => "ok",
        _ => "not enough labels",
    };

    // A change at or above a margin, and more than sampling noise (its p-value below the matching level), as PSI.
    private static LiveVerdict Verdict(double change, double warnAt, double alertAt, double p)
    {
        var size = change >= alertAt ? LiveVerdict.Alert : change >= warnAt ? LiveVerdict.Warn : LiveVerdict.Ok;
        var significance = p < DriftAnalyzer.AlertPValue ? LiveVerdict.Alert : p < DriftAnalyzer.WarnPValue ? LiveVerdict.Warn : LiveVerdict.Ok;
        return size < significance ? size : significance;
    }

    // P(Z ≥ difference ∕ standard error) under no change; a zero standard error leaves only the sign.
    private static double OneSidedP(double difference, double standardError) =>
        standardError > 0 ? DriftMetrics.NormalUpperTail(difference / standardError) : difference > 0 ? 0 : 1;

    private static string P(double p) => p.ToString(p < 0.001 ? "0.0e0" : "0.000", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
