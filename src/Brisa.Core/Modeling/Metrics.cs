using System.Text.Json.Serialization;
using Brisa.Core.Definitions;

namespace Brisa.Core.Modeling;

/// <summary>Ranking and probability quality of a binary classifier on one set of rows.</summary>
/// <param name="Rows">Rows scored.</param>
/// <param name="Positives">Positive rows.</param>
/// <param name="BaseRate">Positives ÷ rows.</param>
/// <param name="Auc">Area under the ROC curve (ties count half); 0.5 is chance.</param>
/// <param name="PrAuc">Area under the precision-recall curve as average precision; the base rate is chance.</param>
/// <param name="LogLoss">Mean negative natural-log likelihood (probabilities clamped to [1e-15, 1 − 1e-15]).</param>
/// <param name="Brier">Mean squared error of the probability.</param>
/// <param name="Calibration">Reliability bins: equal-width probability bins with their mean prediction and observed rate.</param>
public sealed record BinaryMetrics(
    long Rows,
    long Positives,
    double BaseRate,
    double Auc,
    double PrAuc,
    double LogLoss,
    double Brier,
    IReadOnlyList<CalibrationBin> Calibration);

/// <summary>One reliability bin.</summary>
/// <param name="Lower">Lower bound of predicted probability (inclusive).</param>
/// <param name="Upper">Upper bound (exclusive, inclusive for the last bin).</param>
/// <param name="Count">Rows in the bin.</param>
/// <param name="MeanPredicted">Mean predicted probability (0 when empty).</param>
/// <param name="ObservedRate">Share of positives (0 when empty).</param>
public sealed record CalibrationBin(double Lower, double Upper, long Count, double MeanPredicted, double ObservedRate);

/// <summary>Confusion matrix at a threshold (flag when score ≥ threshold).</summary>
/// <param name="TruePositives">Flagged positives.</param>
/// <param name="FalsePositives">Flagged negatives.</param>
/// <param name="TrueNegatives">Unflagged negatives.</param>
/// <param name="FalseNegatives">Unflagged positives.</param>
public sealed record ConfusionMatrix(long TruePositives, long FalsePositives, long TrueNegatives, long FalseNegatives)
{
    /// <summary>TP ÷ (TP + FP), 0 when nothing is flagged.</summary>
    public double Precision => TruePositives + FalsePositives == 0 ? 0 : (double)TruePositives / (TruePositives + FalsePositives);

    /// <summary>TP ÷ (TP + FN), 0 when there is no positive.</summary>
    public double Recall => TruePositives + FalseNegatives == 0 ? 0 : (double)TruePositives / (TruePositives + FalseNegatives);

    /// <summary>Share of rows flagged.</summary>
    public double FlagRate
    {
        get
        {
            var total = TruePositives + FalsePositives + TrueNegatives + FalseNegatives;
            return total == 0 ? 0 : (double)(TruePositives + FalsePositives) / total;
        }
    }
}

/// <summary>
/// The business result of deciding with a threshold, under a cost matrix, on one set of rows. When the threshold was
/// chosen on these same rows (<see cref="ModelEvaluator.LeastCost"/>), the costs at it are in-sample, hence optimistic:
/// <see cref="OutOfSample"/> then holds the cross-fitted estimate, and <see cref="ReportedExpectedCost"/> and its
/// siblings give the number to report and compare.
/// </summary>
/// <param name="Currency">The cost matrix's currency (null when not given).</param>
/// <param name="Threshold">Flag (review/block) when the score is at or above it; chosen for the least cost.</param>
/// <param name="ExpectedCost">Total cost with the model deciding at <paramref name="Threshold"/> (in-sample when the threshold was chosen on these rows).</param>
/// <param name="NoModelCost">Total cost with no model: nothing flagged, every positive costs its false-negative cost.</param>
/// <param name="ReviewAllCost">Total cost when every row is flagged.</param>
/// <param name="Saved"><paramref name="NoModelCost"/> − <paramref name="ExpectedCost"/>.</param>
/// <param name="SavedFraction"><paramref name="Saved"/> ÷ <paramref name="NoModelCost"/> (0 when that is 0).</param>
/// <param name="Confusion">The confusion matrix at the threshold.</param>
/// <param name="ByCurrency">
/// The same per row currency (the cost matrix's <c>currency_field</c>; empty without one), with every amount converted
/// to <paramref name="Currency"/>.
/// </param>
public sealed record BusinessResult(
    string? Currency,
    double Threshold,
    double ExpectedCost,
    double NoModelCost,
    double ReviewAllCost,
    double Saved,
    double SavedFraction,
    ConfusionMatrix Confusion,
    IReadOnlyList<CurrencyResult> ByCurrency)
{
    /// <summary>
    /// The out-of-sample estimate by time-blocked cross-fitting, when the threshold was chosen on these rows and both
    /// halves of the window allow it; null otherwise (a fixed threshold, a window too small, or a report written before
    /// it existed).
    /// </summary>
    public CrossFittedResult? OutOfSample { get; init; }

    /// <summary>Why <see cref="OutOfSample"/> could not be computed although the threshold was chosen on these rows, or null.</summary>
    public string? OutOfSampleUnavailable { get; init; }

    /// <summary>The expected cost to report and compare: <see cref="OutOfSample"/>'s when there is one, else <see cref="ExpectedCost"/>.</summary>
    [JsonIgnore]
    public double ReportedExpectedCost => OutOfSample?.ExpectedCost ?? ExpectedCost;

    /// <summary>The money saved to report: <see cref="OutOfSample"/>'s when there is one, else <see cref="Saved"/>.</summary>
    [JsonIgnore]
    public double ReportedSaved => OutOfSample?.Saved ?? Saved;

    /// <summary>The saved fraction to report: <see cref="OutOfSample"/>'s when there is one, else <see cref="SavedFraction"/>.</summary>
    [JsonIgnore]
    public double ReportedSavedFraction => OutOfSample?.SavedFraction ?? SavedFraction;

    /// <summary>The per-row-currency results to report: <see cref="OutOfSample"/>'s when there is one, else <see cref="ByCurrency"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<CurrencyResult> ReportedByCurrency => OutOfSample?.ByCurrency ?? ByCurrency;

    /// <summary>How the reported numbers of a least-cost result were measured, for labels: "out-of-sample" or "in-sample".</summary>
    [JsonIgnore]
    public string ReportedBasis => OutOfSample is null ? "in-sample" : "out-of-sample";

    /// <summary>Why a least-cost result reports in-sample numbers (null when out of sample): the window, or an older report.</summary>
    [JsonIgnore]
    public string? InSampleBecause => OutOfSample is null ? OutOfSampleUnavailable ?? "the report predates the out-of-sample estimate" : null;
}

/// <summary>
/// The business result measured out of sample by time-blocked two-fold cross-fitting on the validation window: the rows
/// are split by time into an earlier and a later half, the least-cost threshold chosen on each half is applied to the
/// other, and both halves' costs are added, so every row is counted once, at a threshold not chosen on it. The served
/// threshold is still the one chosen on the whole window; this estimates what choosing it that way earns on rows it
/// was not chosen on.
/// </summary>
/// <param name="ExpectedCost">Total cost with the model over both halves, each at the other half's threshold.</param>
/// <param name="NoModelCost">Total cost with no model (the same as the in-sample one).</param>
/// <param name="Saved"><paramref name="NoModelCost"/> − <paramref name="ExpectedCost"/>.</param>
/// <param name="SavedFraction"><paramref name="Saved"/> ÷ <paramref name="NoModelCost"/> (0 when that is 0).</param>
/// <param name="Confusion">Both halves' confusion matrices added.</param>
/// <param name="ByCurrency">Both halves' per-row-currency results added (empty without a <c>currency_field</c>).</param>
/// <param name="Halves">The earlier half, then the later one.</param>
public sealed record CrossFittedResult(
    double ExpectedCost,
    double NoModelCost,
    double Saved,
    double SavedFraction,
    ConfusionMatrix Confusion,
    IReadOnlyList<CurrencyResult> ByCurrency,
    IReadOnlyList<CrossFitHalf> Halves);

/// <summary>One half of the cross-fitting: its rows, counted at the threshold chosen on the other half.</summary>
/// <param name="From">Oldest observation time of the half.</param>
/// <param name="To">Newest observation time of the half.</param>
/// <param name="Rows">Rows.</param>
/// <param name="Positives">Positive rows.</param>
/// <param name="Threshold">The least-cost threshold of the <em>other</em> half, applied to this one.</param>
/// <param name="ExpectedCost">This half's cost at <paramref name="Threshold"/>.</param>
/// <param name="NoModelCost">This half's cost with no model.</param>
public sealed record CrossFitHalf(DateTimeOffset From, DateTimeOffset To, long Rows, long Positives, double Threshold, double ExpectedCost, double NoModelCost);

/// <summary>The business result of the rows in one currency, in the reporting currency (<see cref="BusinessResult.Currency"/>).</summary>
/// <param name="Currency">The row currency.</param>
/// <param name="Rows">Rows in that currency.</param>
/// <param name="ExpectedCost">Cost with the model, in the reporting currency.</param>
/// <param name="NoModelCost">Cost with no model, in the reporting currency.</param>
/// <param name="Saved">The difference.</param>
public sealed record CurrencyResult(string Currency, long Rows, double ExpectedCost, double NoModelCost, double Saved);

/// <summary>Regression quality on one set of rows.</summary>
/// <param name="Rows">Rows scored.</param>
/// <param name="Rmse">Root mean squared error.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="RSquared">Coefficient of determination.</param>
public sealed record RegressionMetrics(long Rows, double Rmse, double Mae, double RSquared);

/// <summary>Every metric of one model on one set of rows (a validation window).</summary>
/// <param name="Binary">Binary metrics, or null for regression.</param>
/// <param name="Threshold">The decision threshold: least cost with a cost matrix, else 0.5 (null for regression).</param>
/// <param name="Confusion">The confusion matrix at the threshold (null for regression).</param>
/// <param name="Business">The business result, or null without a cost matrix.</param>
/// <param name="Regression">Regression metrics, or null for binary.</param>
public sealed record ModelEvaluation(
    BinaryMetrics? Binary,
    double? Threshold,
    ConfusionMatrix? Confusion,
    BusinessResult? Business,
    RegressionMetrics? Regression)
{
    /// <summary>
    /// The value of a promotion metric, or null when this evaluation lacks it. <c>expected_cost</c> is the out-of-sample
    /// one (<see cref="BusinessResult.ReportedExpectedCost"/>): an in-sample cost rewards a threshold fitted to the window.
    /// </summary>
    /// <param name="metric">The metric.</param>
    /// <returns>The value.</returns>
    public double? Value(PromotionMetric metric) => metric switch
    {
        PromotionMetric.ExpectedCost => Business?.ReportedExpectedCost,
        PromotionMetric.Auc => Binary?.Auc,
        PromotionMetric.PrAuc => Binary?.PrAuc,
        PromotionMetric.LogLoss => Binary?.LogLoss,
        PromotionMetric.Rmse => Regression?.Rmse,
        PromotionMetric.Mae => Regression?.Mae,
        _ => null,
    };

    /// <summary>True when a larger value of <paramref name="metric"/> is better.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>True for AUC and PR-AUC.</returns>
    public static bool HigherIsBetter(PromotionMetric metric) => metric is PromotionMetric.Auc or PromotionMetric.PrAuc;
}
