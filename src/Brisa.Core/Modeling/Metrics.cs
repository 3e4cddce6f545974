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

/// <summary>The business result of deciding with a threshold, under a cost matrix, on one set of rows.</summary>
/// <param name="Currency">The cost matrix's currency (null when not given).</param>
/// <param name="Threshold">Flag (review/block) when the score is at or above it; chosen for the least cost.</param>
/// <param name="ExpectedCost">Total cost with the model deciding at <paramref name="Threshold"/>.</param>
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
    IReadOnlyList<CurrencyResult> ByCurrency);

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
    /// <summary>The value of a promotion metric, or null when this evaluation lacks it.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>The value.</returns>
    public double? Value(PromotionMetric metric) => metric switch
    {
        PromotionMetric.ExpectedCost => Business?.ExpectedCost,
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
