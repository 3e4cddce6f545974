using Brisa.Core.Definitions;
using Brisa.Core.Modeling;

namespace Brisa.Core.Tests.Modeling;

public sealed class EvaluationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Binary_PerfectReversedAndTiedScores_GiveAuc1_0_AndHalf()
    {
        float[] labels = [0, 0, 1, 1];
        Assert.Equal(1.0, ModelEvaluator.Binary(labels, [0.1f, 0.2f, 0.8f, 0.9f]).Auc);
        Assert.Equal(0.0, ModelEvaluator.Binary(labels, [0.9f, 0.8f, 0.2f, 0.1f]).Auc);
        Assert.Equal(0.5, ModelEvaluator.Binary(labels, [0.5f, 0.5f, 0.5f, 0.5f]).Auc);
        Assert.Equal(0.75, ModelEvaluator.Binary(labels, [0.1f, 0.6f, 0.5f, 0.9f]).Auc);
        Assert.Equal(1.0, ModelEvaluator.Binary(labels, [0.1f, 0.2f, 0.8f, 0.9f]).PrAuc);
    }

    [Fact]
    public void Binary_Calibration_BinsByPredictedProbability()
    {
        var metrics = ModelEvaluator.Binary([0, 1, 1, 0], [0.05f, 0.95f, 0.91f, 0.99f]);
        Assert.Equal(10, metrics.Calibration.Count);
        Assert.Equal(1, metrics.Calibration[0].Count);
        Assert.Equal(3, metrics.Calibration[9].Count);
        Assert.Equal(2.0 / 3, metrics.Calibration[9].ObservedRate, 10);
        Assert.Equal(0.5, metrics.BaseRate);
    }

    [Fact]
    public void LeastCost_AmountCostMatrix_FlagsOnlyWhereItPays()
    {
        // Scores rank: big fraud (500), legit, small fraud (3, cheaper than the 5 review fee), legit.
        var table = Table([1, 0, 1, 0], amounts: [500, 20, 3, 40]);
        var cost = new CostMatrix { FalseNegative = CostAmount.FromField("amount"), FalsePositive = 5, TruePositive = 5, Currency = "EUR" };
        var result = ModelEvaluator.LeastCost(table, [0.9f, 0.8f, 0.7f, 0.1f], cost);
        Assert.Equal(503, result.NoModelCost);
        Assert.Equal(5 + 3, result.ExpectedCost); // flag only the top row: review fee + the small fraud lost
        Assert.Equal(495, result.Saved);
        Assert.Equal(0.85, result.Threshold, 6);
        Assert.Equal(new ConfusionMatrix(1, 0, 2, 1), result.Confusion);
        Assert.Equal(20, result.ReviewAllCost);
        Assert.Equal(["EUR", "USD"], result.ByCurrency.Select(c => c.Currency));
    }

    [Fact]
    public void LeastCost_NothingPays_ThresholdAboveEveryScore()
    {
        var table = Table([0, 0, 1], amounts: [1, 1, 1]);
        var cost = new CostMatrix { FalseNegative = CostAmount.FromField("amount"), FalsePositive = 5 };
        var result = ModelEvaluator.LeastCost(table, [0.9f, 0.5f, 0.1f], cost);
        Assert.Equal(0, result.Saved);
        Assert.True(result.Threshold > 0.9);
        Assert.Equal(0, result.Confusion.TruePositives + result.Confusion.FalsePositives);
    }

    [Fact]
    public void Split_NewestWindow_IsValidationAndNeverRandom()
    {
        var times = Enumerable.Range(0, 10).Select(d => T0.AddDays(9 - d)).ToArray(); // newest first in table order
        var table = new TrainingTable(times, new float[10], [FeatureColumn.Numeric("x", new float[10])]);
        var split = TemporalSplit.Create(table, new SplitDefinition { Validation = TimeSpan.FromDays(3) });
        Assert.Equal([0, 1, 2], split.Validation.Order());
        Assert.Equal([9, 8, 7, 6, 5, 4, 3], split.Training); // oldest first
        Assert.True(split.Training.Max(i => times[i]) <= split.Cutoff);

        var limited = TemporalSplit.Create(table, new SplitDefinition { Validation = TimeSpan.FromDays(3), Training = TimeSpan.FromDays(2) });
        Assert.Equal([5, 4, 3], limited.Training);
        Assert.Throws<InvalidOperationException>(() => TemporalSplit.Create(table, new SplitDefinition { Validation = TimeSpan.FromDays(30) }));
    }

    [Fact]
    public void Split_Gap_LeavesOutTheRowsJustBeforeTheValidationWindow()
    {
        var times = Enumerable.Range(0, 10).Select(d => T0.AddDays(d)).ToArray();
        var table = new TrainingTable(times, new float[10], [FeatureColumn.Numeric("x", new float[10])]);

        var split = TemporalSplit.Create(table, new SplitDefinition { Validation = TimeSpan.FromDays(3), Gap = TimeSpan.FromDays(2) });
        var limited = TemporalSplit.Create(table, new SplitDefinition { Validation = TimeSpan.FromDays(3), Gap = TimeSpan.FromDays(2), Training = TimeSpan.FromDays(1) });

        Assert.Equal([7, 8, 9], split.Validation);
        Assert.Equal([0, 1, 2, 3, 4], split.Training); // days 5 and 6 are the gap
        Assert.Equal([3, 4], limited.Training); // the training span counts back from the gap
        var tooLong = Assert.Throws<InvalidOperationException>(() => TemporalSplit.Create(table, new SplitDefinition { Validation = TimeSpan.FromDays(3), Gap = TimeSpan.FromDays(7) }));
        Assert.Contains("split.gap", tooLong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_ColumnLengthMismatch_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TrainingTable([T0, T0], [0, 1], [FeatureColumn.Numeric("x", [1f])]));
        Assert.Contains("feature 'x' has 1 values for 2 rows", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Statistics_NumericAndCategorical_CountMissingAndBin()
    {
        var values = Enumerable.Range(1, 100).Select(i => (float)i).Append(float.NaN).ToArray();
        var s = FeatureStatistics.Compute(FeatureColumn.Numeric("x", values));
        Assert.Equal(101, s.Count);
        Assert.Equal(1, s.Missing);
        Assert.Equal(50.5, s.Mean!.Value, 10);
        Assert.Equal(1, s.Min);
        Assert.Equal(100, s.Max);
        Assert.Equal(50, s.Quantiles[4]);
        Assert.Equal(100, s.BinCounts.Sum());
        Assert.Equal(s.BinEdges.Count + 1, s.BinCounts.Count);

        var c = FeatureStatistics.Compute(FeatureColumn.Categorical("c", ["a", "b", "a", null, ""]));
        Assert.Equal(2, c.Missing);
        Assert.Equal(new CategoryCount("a", 2), c.Categories[0]);
    }

    internal static TrainingTable Table(float[] labels, double[] amounts) =>
        new(
            [.. labels.Select((_, i) => T0.AddMinutes(i))],
            labels,
            [FeatureColumn.Numeric("x", new float[labels.Length])],
            new Dictionary<string, double[]> { ["amount"] = amounts },
            [.. labels.Select((_, i) => i % 2 == 0 ? "EUR" : "USD")]);
}
