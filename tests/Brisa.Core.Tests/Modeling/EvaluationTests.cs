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
    public void Binary_RandomTiedScores_AucPrAucAndLeastCostMatchNaiveReferences()
    {
        // Scores on a coarse grid (many ties), small tables (empty classes included), every threshold tried.
        var cost = new CostMatrix { FalseNegative = CostAmount.FromField("amount"), FalsePositive = 5, TruePositive = 1, Currency = "EUR" };
        for (var seed = 0; seed < 500; seed++)
        {
            var rng = new Random(seed);
            var n = rng.Next(1, 30);
            var labels = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.3 ? 1f : 0f).ToArray();
            var scores = Enumerable.Range(0, n).Select(_ => rng.Next(0, 6) / 5f).ToArray();
            var amounts = Enumerable.Range(0, n).Select(_ => (double)rng.Next(0, 40)).ToArray();
            var positives = labels.Count(l => l == 1);
            var metrics = ModelEvaluator.Binary(labels, scores);
            if (positives > 0 && positives < n)
            {
                // AUC: the share of (positive, negative) pairs ranked right, ties half.
                var pairs = from p in Enumerable.Range(0, n) where labels[p] == 1 from q in Enumerable.Range(0, n) where labels[q] == 0 select scores[p].CompareTo(scores[q]);
                Assert.Equal(pairs.Sum(c => c > 0 ? 1.0 : c == 0 ? 0.5 : 0) / (positives * (n - positives)), metrics.Auc, 12);

                // Average precision: recall steps times precision, at each distinct score from the top.
                double ap = 0, recall = 0;
                foreach (var at in scores.Distinct().OrderDescending())
                {
                    var flagged = Enumerable.Range(0, n).Where(i => scores[i] >= at).ToList();
                    var caught = flagged.Count(i => labels[i] == 1);
                    ap += (((double)caught / positives) - recall) * caught / flagged.Count;
                    recall = (double)caught / positives;
                }

                Assert.Equal(ap, metrics.PrAuc, 12);
            }

            var table = new TrainingTable(
                [.. Enumerable.Range(0, n).Select(i => T0.AddMinutes(i))], labels, [FeatureColumn.Numeric("x", new float[n])],
                new Dictionary<string, double[]> { ["amount"] = amounts });
            var least = ModelEvaluator.LeastCost(table, scores, cost);
            var naive = scores.Select(s => (double)s).Append(2.0).Min(at => Enumerable.Range(0, n).Sum(i =>
                (labels[i] == 1, scores[i] >= at) switch { (true, true) => 1, (true, false) => amounts[i], (false, true) => 5, _ => 0 }));
            Assert.Equal(naive, least.ExpectedCost, 9);
            Assert.Equal(Enumerable.Range(0, n).Sum(i => labels[i] == 1 ? amounts[i] : 0), least.NoModelCost, 9);
            if (least.OutOfSample is { } oos)
            {
                // Cross-fitting counts every row once: the same rows, the same cost without a model.
                Assert.Equal(n, oos.Halves.Sum(h => h.Rows));
                Assert.Equal(least.NoModelCost, oos.NoModelCost, 9);
                Assert.Equal(n, oos.Confusion.TruePositives + oos.Confusion.FalsePositives + oos.Confusion.TrueNegatives + oos.Confusion.FalseNegatives);
            }
            else
            {
                Assert.NotNull(least.OutOfSampleUnavailable);
            }
        }
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

        // The table has currencies, but the matrix names no currency_field: no breakdown, amounts taken as they are.
        Assert.Empty(result.ByCurrency);
    }

    [Fact]
    public void CostAt_MixedCurrencies_ConvertsAmountsAndBreaksDownInReportingCurrency()
    {
        // Frauds of 100 EUR, 100 USD and 100 GBP, one legit row per currency; flag the top two scores.
        var table = new TrainingTable(
            [.. Enumerable.Range(0, 6).Select(i => T0.AddMinutes(i))],
            [1, 1, 1, 0, 0, 0],
            [FeatureColumn.Numeric("x", new float[6])],
            new Dictionary<string, double[]> { ["amount"] = [100, 100, 100, 40, 40, 40] },
            ["EUR", "USD", "GBP", "EUR", "USD", "GBP"]);

        var result = ModelEvaluator.CostAt(table, [0.9f, 0.2f, 0.8f, 0.1f, 0.1f, 0.1f], MixedCurrencyCost, threshold: 0.5);

        // No model: 100 + 100 × 0.5 + 100 × 2 = 350 EUR (300 if the amounts were summed unconverted).
        Assert.Equal(350, result.NoModelCost, 9);

        // Flagged EUR and GBP frauds cost the review fee 5 each; the missed USD fraud costs 50 EUR.
        Assert.Equal(60, result.ExpectedCost, 9);
        Assert.Equal(290, result.Saved, 9);
        Assert.Equal("EUR", result.Currency);
        Assert.Equal(
            [new CurrencyResult("EUR", 2, 5, 100, 95), new CurrencyResult("GBP", 2, 5, 200, 195), new CurrencyResult("USD", 2, 50, 50, 0)],
            result.ByCurrency);
    }

    [Fact]
    public void LeastCost_MixedCurrencies_ThresholdChosenOnConvertedAmounts()
    {
        // A 4 GBP fraud is worth 8 EUR, more than the 5 EUR review fee: reviewing it pays only once converted.
        var table = new TrainingTable(
            [T0, T0.AddMinutes(1)],
            [1, 0],
            [FeatureColumn.Numeric("x", new float[2])],
            new Dictionary<string, double[]> { ["amount"] = [4, 10] },
            ["GBP", "EUR"]);

        var result = ModelEvaluator.LeastCost(table, [0.9f, 0.1f], MixedCurrencyCost);

        Assert.Equal(8, result.NoModelCost, 9);
        Assert.Equal(5, result.ExpectedCost, 9);
        Assert.Equal(1, result.Confusion.TruePositives);
    }

    [Fact]
    public void CostAt_CurrencyWithoutRate_FailsNamingCurrenciesAndRowCounts()
    {
        var table = new TrainingTable(
            [.. Enumerable.Range(0, 5).Select(i => T0.AddMinutes(i))],
            [1, 0, 1, 0, 0],
            [FeatureColumn.Numeric("x", new float[5])],
            new Dictionary<string, double[]> { ["amount"] = [10, 10, 10, 10, 10] },
            ["JPY", "JPY", "EUR", null, "USD"]);

        var error = Assert.Throws<InvalidOperationException>(() => ModelEvaluator.CostAt(table, new float[5], MixedCurrencyCost, 0.5));

        Assert.Contains("to EUR", error.Message, StringComparison.Ordinal);
        Assert.Contains("currency_field 'currency' is empty in 1 row, 'JPY' in 2 rows", error.Message, StringComparison.Ordinal);
        Assert.Contains("rates given: GBP, USD", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CostAt_CurrencyWithoutRateCountedAsMissing_CostsNothing()
    {
        var table = new TrainingTable(
            [T0, T0.AddMinutes(1), T0.AddMinutes(2)],
            [1, 1, 1],
            [FeatureColumn.Numeric("x", new float[3])],
            new Dictionary<string, double[]> { ["amount"] = [10, 10, double.NaN] },
            ["JPY", "USD", "USD"]);

        var result = ModelEvaluator.CostAt(table, new float[3], MixedCurrencyCost, 0.5, UnconvertibleCost.Missing);

        // JPY has no rate and the third amount is missing: both cost 0, as a missing amount always has.
        Assert.Equal(5, result.NoModelCost, 9);
    }

    [Fact]
    public void ToReportingCurrency_RowCurrencies_ConvertsByRate()
    {
        Assert.Equal(10, MixedCurrencyCost.ToReportingCurrency(10, "EUR"));
        Assert.Equal(5, MixedCurrencyCost.ToReportingCurrency(10, "USD"));
        Assert.Equal(20, MixedCurrencyCost.ToReportingCurrency(10, "GBP"));
        Assert.True(double.IsNaN(MixedCurrencyCost.ToReportingCurrency(10, "usd")));
        Assert.True(double.IsNaN(MixedCurrencyCost.ToReportingCurrency(10, null)));

        // Without a currency_field every amount is already in the reporting currency.
        Assert.Equal(10, (MixedCurrencyCost with { CurrencyField = null }).ToReportingCurrency(10, "JPY"));
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
    public async Task Binary_NaNScore_RanksLowestInsteadOfHanging()
    {
        float[] labels = [0, 1, 0, 1];

        // Before, the tie grouping compared scores with ==, which is false for NaN, and looped forever.
        var metrics = await Task.Run(() => ModelEvaluator.Binary(labels, [0.2f, float.NaN, 0.3f, 0.9f])).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0.5, metrics.Auc); // 0.9 beats both negatives, the unscored positive beats neither
        Assert.Equal((0.5 * 1) + (0.5 * 2 / 4.0), metrics.PrAuc, 12);
        Assert.True(double.IsNaN(metrics.LogLoss));
        Assert.Equal(3, metrics.Calibration.Sum(b => b.Count));
    }

    [Fact]
    public void LeastCost_NaNScore_IsNeverFlaggedAndTheThresholdIsAScore()
    {
        // NaN ≥ threshold is false, so the unscored 1,000 EUR fraud cannot be caught: the best is flagging both scored rows.
        var table = Table([1, 1, 1], amounts: [100, 100, 1000]);
        var cost = new CostMatrix { FalseNegative = CostAmount.FromField("amount"), FalsePositive = 5, TruePositive = 5 };

        var result = ModelEvaluator.LeastCost(table, [0.9f, 0.5f, float.NaN], cost);

        Assert.Equal(0.5, result.Threshold, 6);
        Assert.Equal(5 + 5 + 1000, result.ExpectedCost);
        Assert.Equal(new ConfusionMatrix(2, 0, 0, 1), result.Confusion);
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

    private static CostMatrix MixedCurrencyCost { get; } = new()
    {
        FalseNegative = CostAmount.FromField("amount"),
        FalsePositive = 5,
        TruePositive = 5,
        Currency = "EUR",
        CurrencyField = "currency",
        ExchangeRates = new Dictionary<string, double> { ["USD"] = 0.5, ["GBP"] = 2 },
    };

    internal static TrainingTable Table(float[] labels, double[] amounts) =>
        new(
            [.. labels.Select((_, i) => T0.AddMinutes(i))],
            labels,
            [FeatureColumn.Numeric("x", new float[labels.Length])],
            new Dictionary<string, double[]> { ["amount"] = amounts },
            [.. labels.Select((_, i) => i % 2 == 0 ? "EUR" : "USD")]);
}
