using System.Text.Json;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Xunit.Abstractions;

namespace Brisa.Core.Tests.Modeling;

/// <summary>The out-of-sample business result: the least-cost threshold of each time half counted on the other.</summary>
public sealed class CrossFittingTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly CostMatrix Fee10 = new() { FalseNegative = CostAmount.FromField("amount"), FalsePositive = 10, TruePositive = 10, Currency = "EUR" };

    [Fact]
    public void LeastCost_EightRows_CrossFitsByHandExactly()
    {
        // Rows in time order (the table holds them newest first: the halves are by time, not by row order).
        // minute  score  label  amount
        //   0     0.9    +      100     earlier half: no model 150
        //   1     0.8    -
        //   2     0.3    +       50
        //   3     0.2    -
        //   4     0.7    +       80     later half: no model 85
        //   5     0.6    -
        //   6     0.5    -
        //   7     0.1    +        5
        // Review fee (fp, tp) 10; a missed fraud costs its amount.
        //
        // Earlier half's least cost: flag 0.9 → 60, +0.8 → 70, +0.3 → 30, +0.2 → 40: flag three, threshold (0.3 + 0.2) / 2 = 0.25.
        // Later half's least cost: flag 0.7 → 15, +0.6 → 25, +0.5 → 35, +0.1 → 40: flag one, threshold (0.7 + 0.6) / 2 = 0.65.
        // Earlier half at 0.65: flags 0.9 (+) and 0.8 (−) = 20, misses the 50 fraud: 70 (tp 1, fp 1, tn 1, fn 1).
        // Later half at 0.25: flags 0.7 (+), 0.6 and 0.5 (−) = 30, misses the 5 fraud: 35 (tp 1, fp 2, tn 0, fn 1).
        // Out of sample: 70 + 35 = 105 against 235 with no model: saved 130.
        // In-sample (whole window): flag 0.9 → 145, 0.8 → 155, 0.7 → 85, 0.6 → 95, 0.5 → 105, 0.3 → 65, 0.2 → 75,
        // 0.1 → 80: flag six, threshold 0.25, cost 65, saved 170 — 40 more than the rows not used to choose it give.
        int[] minutes = [7, 6, 5, 4, 3, 2, 1, 0];
        float[] scores = [0.1f, 0.5f, 0.6f, 0.7f, 0.2f, 0.3f, 0.8f, 0.9f];
        var table = new TrainingTable(
            [.. minutes.Select(m => T0.AddMinutes(m))],
            [1, 0, 0, 1, 0, 1, 0, 1],
            [],
            new Dictionary<string, double[]> { ["amount"] = [5, 0, 0, 80, 0, 50, 0, 100] });

        var result = ModelEvaluator.LeastCost(table, scores, Fee10);

        Assert.Equal(0.25, result.Threshold, 6);
        Assert.Equal(65, result.ExpectedCost);
        Assert.Equal(170, result.Saved);
        var oos = result.OutOfSample!;
        Assert.Null(result.OutOfSampleUnavailable);
        Assert.Equal(105, oos.ExpectedCost);
        Assert.Equal(235, oos.NoModelCost);
        Assert.Equal(130, oos.Saved);
        Assert.Equal(130.0 / 235, oos.SavedFraction, 12);
        Assert.Equal(new ConfusionMatrix(2, 3, 1, 2), oos.Confusion);
        Assert.Equal(new CrossFitHalf(T0, T0.AddMinutes(3), 4, 2, oos.Halves[0].Threshold, 70, 150), oos.Halves[0]);
        Assert.Equal(new CrossFitHalf(T0.AddMinutes(4), T0.AddMinutes(7), 4, 2, oos.Halves[1].Threshold, 35, 85), oos.Halves[1]);
        Assert.Equal(0.65, oos.Halves[0].Threshold, 6);
        Assert.Equal(0.25, oos.Halves[1].Threshold, 6);
        Assert.Equal(105, result.ReportedExpectedCost);
        Assert.Equal(130, result.ReportedSaved);
        Assert.Equal(130.0 / 235, result.ReportedSavedFraction, 12);
    }

    [Fact]
    public void LeastCost_ShuffledLabels_OutOfSampleSavesNothingWhereInSampleSeemsTo()
    {
        // Scores that know nothing of the labels: whatever the in-sample threshold "saves" it found by picking the
        // few rows where flagging happened to catch big frauds. Heavy-tailed amounts make that luck worth money (last run:
        // in-sample 32 % saved, out of sample −15 %: a threshold fitted to noise costs money on other rows).
        double inSample = 0, outOfSample = 0, noModel = 0;
        for (var seed = 0; seed < 40; seed++)
        {
            var rng = new Random(seed);
            var n = 500;
            var labels = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.05 ? 1f : 0f).ToArray();
            var scores = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
            var amounts = Enumerable.Range(0, n).Select(_ => Math.Exp(3 + (2 * Normal(rng)))).ToArray();
            var table = new TrainingTable([.. Enumerable.Range(0, n).Select(i => T0.AddMinutes(i))], labels, [], new Dictionary<string, double[]> { ["amount"] = amounts });

            var result = ModelEvaluator.LeastCost(table, scores, Fee10);

            inSample += result.Saved;
            outOfSample += result.ReportedSaved;
            noModel += result.NoModelCost;
        }

        output.WriteLine($"in-sample saved {inSample / noModel:P2}, out of sample {outOfSample / noModel:P2}");
        Assert.True(inSample / noModel > 0.1, $"in-sample saved {inSample / noModel:P2}");
        Assert.True(outOfSample / noModel < 0.005, $"out of sample saved {outOfSample / noModel:P2}, in-sample {inSample / noModel:P2}");
    }

    [Fact]
    public void LeastCost_SeparableScores_OutOfSampleSavesAlmostAsMuchAsInSample()
    {
        var rng = new Random(7);
        var n = 4000;
        var labels = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.05 ? 1f : 0f).ToArray();
        var scores = labels.Select(l => (float)(l == 1 ? 0.7 + (0.3 * rng.NextDouble()) : 0.6 * rng.NextDouble())).ToArray();
        var amounts = Enumerable.Range(0, n).Select(_ => 20 + (480 * rng.NextDouble())).ToArray();
        var table = new TrainingTable([.. Enumerable.Range(0, n).Select(i => T0.AddMinutes(i))], labels, [], new Dictionary<string, double[]> { ["amount"] = amounts });

        var result = ModelEvaluator.LeastCost(table, scores, Fee10);

        var oos = result.OutOfSample!;
        Assert.True(oos.SavedFraction > 0.9, $"out of sample saved {oos.SavedFraction:P1}");
        Assert.True(oos.Saved > 0.99 * result.Saved, $"out of sample saved {oos.Saved:0}, in-sample {result.Saved:0}");
        Assert.Equal(result.NoModelCost, oos.NoModelCost, 6);
    }

    [Fact]
    public void LeastCost_HalfWithoutPositives_ReportsInSampleAndSaysWhy()
    {
        // The frauds are all in the earlier half: the later half's threshold would be "flag nothing", meaningless.
        var table = EvaluationTests.Table([1, 0, 1, 0, 0, 0], amounts: [100, 0, 100, 0, 0, 0]);

        var result = ModelEvaluator.LeastCost(table, [0.9f, 0.1f, 0.8f, 0.2f, 0.3f, 0.4f], Fee10);

        Assert.Null(result.OutOfSample);
        Assert.Equal("the later half of the window (3 rows) has no positive row, too few to cross-fit the threshold", result.OutOfSampleUnavailable);
        Assert.Equal(result.Saved, result.ReportedSaved);
        Assert.Equal(result.ExpectedCost, result.ReportedExpectedCost);
        Assert.Equal("in-sample", result.ReportedBasis);
        Assert.Equal(result.OutOfSampleUnavailable, result.InSampleBecause);
    }

    [Theory]
    [InlineData(0, "0 validation row(s), too few to cross-fit")]
    [InlineData(1, "1 validation row(s), too few to cross-fit")]
    public void LeastCost_TinyWindow_NoCrossFitAndNoCrash(int rows, string reason)
    {
        var table = EvaluationTests.Table([.. Enumerable.Repeat(1f, rows)], amounts: [.. Enumerable.Repeat(100.0, rows)]);

        var result = ModelEvaluator.LeastCost(table, [.. Enumerable.Repeat(0.5f, rows)], Fee10);

        Assert.Null(result.OutOfSample);
        Assert.Equal(reason, result.OutOfSampleUnavailable);
    }

    [Fact]
    public void LeastCost_OneTimestamp_NoHalvesAndSaysWhy()
    {
        var table = new TrainingTable([T0, T0, T0, T0], [1, 0, 1, 0], [], new Dictionary<string, double[]> { ["amount"] = [100, 0, 100, 0] });

        var result = ModelEvaluator.LeastCost(table, [0.9f, 0.1f, 0.8f, 0.2f], Fee10);

        Assert.Null(result.OutOfSample);
        Assert.Equal("every validation row has the same time, so the window has no earlier and later half", result.OutOfSampleUnavailable);
    }

    [Fact]
    public void TimeHalves_TiedTimes_StayTogetherOnTheSideThatBalancesBest()
    {
        // Minutes 0, 1, 1, 1, 2, 3: the middle row (sorted position 6 / 2 = 3, from 0) is at minute 1. Cutting before
        // minute 1 gives 1 + 5 rows, after it 4 + 2: closer to 3 + 3, so minute 1 goes to the earlier half.
        int[] minutes = [3, 1, 0, 1, 2, 1];
        var (earlier, later) = ModelEvaluator.TimeHalves([.. minutes.Select(m => T0.AddMinutes(m))]);

        Assert.Equal([2, 1, 3, 5], earlier);
        Assert.Equal([4, 0], later);

        // Minutes 0, 0, 0, 0, 1, 2: cutting after minute 0 gives 4 + 2; before it would leave the earlier half empty.
        (earlier, later) = ModelEvaluator.TimeHalves([T0, T0.AddMinutes(2), T0, T0, T0.AddMinutes(1), T0]);
        Assert.Equal([0, 2, 3, 5], earlier);
        Assert.Equal([4, 1], later);
    }

    [Fact]
    public void FromJson_BusinessWrittenBeforeTheOutOfSampleEstimate_ReadsAsInSampleAndSaysWhy()
    {
        // The "business" object of a metadata.json written before: the registry keeps such versions.
        const string json = """
            {"currency":"EUR","threshold":0.25,"expected_cost":65,"no_model_cost":235,"review_all_cost":80,"saved":170,"saved_fraction":0.7234,
             "confusion":{"true_positives":3,"false_positives":3,"true_negatives":1,"false_negatives":1,"precision":0.5,"recall":0.75,"flag_rate":0.75},"by_currency":[]}
            """;

        var business = JsonSerializer.Deserialize<BusinessResult>(json, TrainingReport.JsonOptions)!;

        Assert.Null(business.OutOfSample);
        Assert.Equal(170, business.ReportedSaved);
        Assert.Equal(65, business.ReportedExpectedCost);
        Assert.Equal("in-sample", business.ReportedBasis);
        Assert.Equal("the report predates the out-of-sample estimate", business.InSampleBecause);
    }

    [Fact]
    public void ToJson_LeastCost_WritesTheOutOfSampleResultAndNotTheReportedShortcuts()
    {
        var table = EvaluationTests.Table([1, 0, 1, 0, 1, 0], amounts: [100, 0, 100, 0, 100, 0]);
        var result = ModelEvaluator.LeastCost(table, [0.9f, 0.1f, 0.8f, 0.2f, 0.7f, 0.3f], Fee10);

        var json = JsonSerializer.Serialize(result, TrainingReport.JsonOptions);
        var back = JsonSerializer.Deserialize<BusinessResult>(json, TrainingReport.JsonOptions)!;

        Assert.Contains("\"out_of_sample\": {", json, StringComparison.Ordinal);
        Assert.DoesNotContain("reported", json, StringComparison.Ordinal);
        Assert.Equal(json, JsonSerializer.Serialize(back, TrainingReport.JsonOptions));
        Assert.Equal(result.ReportedSaved, back.ReportedSaved);
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
