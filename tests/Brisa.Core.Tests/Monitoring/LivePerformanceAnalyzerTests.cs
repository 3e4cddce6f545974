using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;
using Brisa.Core.Tests.Definitions;

namespace Brisa.Core.Tests.Monitoring;

public sealed class LivePerformanceAnalyzerTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ModelDefinition Fraud = SampleDefinitionsTests.LoadSample().FindModel("fraud")!;

    [Fact]
    public void Compute_FourLabelledPredictions_MatchesHandComputedMetricsAndMoney()
    {
        // Scores 0.9 (fraud, 100 EUR), 0.8 (legit), 0.3 (fraud, 50 EUR), 0.1 (legit); threshold 0.5.
        LivePrediction[] predictions =
        [
            new("t1", Day1.AddHours(1), 0.9, 100, "EUR"),
            new("t2", Day1.AddHours(2), 0.8, 20, "EUR"),
            new("t3", Day1.AddHours(3), 0.3, 50, "EUR"),
            new("t4", Day1.AddHours(4), 0.1, 10, "EUR"),
        ];
        LabelArrival[] labels = [new("t1", Day1.AddDays(5)), new("t3", Day1.AddDays(9))];

        var live = LivePerformanceAnalyzer.Compute(Champion(0.5), Fraud, predictions, labels, Day1.AddDays(40))!;

        var total = live.Total;
        Assert.Equal(4, total.Predictions);
        Assert.Equal(2, total.Positives);
        Assert.True(total.Complete);

        // Of the 4 (fraud, legit) pairs, 0.3 < 0.8 is the only one ranked wrong.
        Assert.Equal(0.75, total.Auc!.Value, 12);

        // Average precision: fraud at ranks 1 (precision 1) and 3 (precision 2/3).
        Assert.Equal((1 + (2.0 / 3)) / 2, total.PrAuc!.Value, 12);

        // Flagged: t1 (review fee 5), t2 (review fee 5); missed: t3 (its 50 EUR). No model: 150 EUR lost.
        Assert.Equal(60, total.ExpectedCost!.Value, 9);
        Assert.Equal(150, total.NoModelCost!.Value, 9);
        Assert.Equal(90, total.Saved!.Value, 9);
        Assert.Equal(0.6, total.SavedFraction!.Value, 9);
        Assert.Equal("EUR", live.Currency);
        Assert.Equal(0.5, live.Threshold);
    }

    [Fact]
    public void Compute_MixedCurrencies_ConvertsMoneyToEurAsTrainingDoes()
    {
        // Missed frauds of 100 USD and 100 GBP, a caught one of 100 EUR; the sample's rates are USD 0.92, GBP 1.17.
        LivePrediction[] predictions =
        [
            new("t1", Day1.AddHours(1), 0.9, 100, "EUR"),
            new("t2", Day1.AddHours(2), 0.3, 100, "USD"),
            new("t3", Day1.AddHours(3), 0.2, 100, "GBP"),
            new("t4", Day1.AddHours(4), 0.1, 10, "EUR"),
        ];
        LabelArrival[] labels = [new("t1", Day1.AddDays(1)), new("t2", Day1.AddDays(1)), new("t3", Day1.AddDays(1))];

        var total = LivePerformanceAnalyzer.Compute(Champion(0.5), Fraud, predictions, labels, Day1.AddDays(40))!.Total;

        Assert.Equal(100 + 92 + 117, total.NoModelCost!.Value, 9);
        Assert.Equal(5 + 92 + 117, total.ExpectedCost!.Value, 9);
        Assert.Equal(95, total.Saved!.Value, 9);
    }

    [Fact]
    public void Compute_CurrencyWithoutRate_CountsAsMissingCostInsteadOfFailing()
    {
        // JPY has no rate and t3 was logged without its currency: their costs count as missing (0), like a missing amount.
        LivePrediction[] predictions =
        [
            new("t1", Day1.AddHours(1), 0.2, 100, "JPY"),
            new("t2", Day1.AddHours(2), 0.2, 100, "USD"),
            new("t3", Day1.AddHours(3), 0.2, 100),
            new("t4", Day1.AddHours(4), 0.1, 10, "EUR"),
        ];
        LabelArrival[] labels = [new("t1", Day1.AddDays(1)), new("t2", Day1.AddDays(1)), new("t3", Day1.AddDays(1))];

        var total = LivePerformanceAnalyzer.Compute(Champion(0.5), Fraud, predictions, labels, Day1.AddDays(40))!.Total;

        Assert.Equal(92, total.NoModelCost!.Value, 9);
        Assert.Equal(3, total.Positives);
    }

    [Fact]
    public void Compute_PredictionRetriedWithTheSameId_CountedOnceAtItsFirstScore()
    {
        // t1 scored 0.2 (missed), then again 0.9 by a client's retry a minute later; t2 is legit.
        LivePrediction[] predictions = [new("t1", Day1.AddMinutes(1), 0.9, 100, "EUR"), new("t1", Day1, 0.2, 100, "EUR"), new("t2", Day1, 0.1, 10, "EUR")];

        var live = LivePerformanceAnalyzer.Compute(Champion(0.5), Fraud, predictions, [new LabelArrival("t1", Day1.AddDays(3))], Day1.AddDays(40))!;

        Assert.Equal((2, 1), (live.Total.Predictions, live.Total.Positives));
        Assert.Equal(100, live.Total.NoModelCost!.Value, 9);
        Assert.Equal(100, live.Total.ExpectedCost!.Value, 9);
    }

    [Fact]
    public void Compute_PredictionsWithoutId_LeftOutOfTheNumbersAndCountedUnjoinable()
    {
        // t1 (fraud, 0.9) and t2 (legit, 0.2) carry ids; two more were sent without one, at 0.95 and 0.3, one of them
        // perhaps a fraud: nobody can tell. Before, they counted as negatives: AUC 2/3 instead of 1, a 5 EUR review fee
        // added to the cost, and with a missed fraud among them, its amount never counted.
        LivePrediction[] predictions =
        [
            new("t1", Day1.AddHours(1), 0.9, 100, "EUR"),
            new("t2", Day1.AddHours(2), 0.2, 20, "EUR"),
            new(null, Day1.AddHours(3), 0.95, 70, "EUR"),
            new(null, Day1.AddDays(1), 0.3, 80, "EUR"),
        ];

        var live = LivePerformanceAnalyzer.Compute(Champion(0.5), Fraud, predictions, [new LabelArrival("t1", Day1.AddDays(2))], Day1.AddDays(40))!;

        Assert.Equal((2L, 2L, 1L), (live.Total.Predictions, live.Total.Unjoinable, live.Total.Positives));
        Assert.Equal(1, live.Total.Auc!.Value, 12);
        Assert.Equal(5, live.Total.ExpectedCost!.Value, 9);
        Assert.Equal(100, live.Total.NoModelCost!.Value, 9);
        Assert.True(live.Total.Complete);

        // A day with only unjoinable predictions still shows, with nothing to score.
        Assert.Equal([(2L, 1L), (0L, 1L)], live.Days.Select(d => (d.Predictions, d.Unjoinable)));
        Assert.Null(live.Days[1].Auc);
        Assert.Equal(Day1.AddHours(1), live.Total.From);
        var warning = Assert.Single(live.Warnings);
        Assert.Contains("2 of 4 predictions (50.0 %) were sent without an id", warning, StringComparison.Ordinal);
        Assert.Contains("transaction_id", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    public void Compute_UnjoinableShare_WarnsFromOnePercent(int unjoinable, int warnings)
    {
        // 1 of 199 is 0.5 %, 2 of 200 is 1 %.
        var predictions = Enumerable.Range(0, 198).Select(i => new LivePrediction($"t{i}", Day1.AddMinutes(i), i / 200.0, 10))
            .Concat(Enumerable.Range(0, unjoinable).Select(i => new LivePrediction(null, Day1.AddMinutes(i), 0.5, 10)))
            .ToArray();

        var live = LivePerformanceAnalyzer.Compute(Champion(0.5), Fraud, predictions, [new LabelArrival("t7", Day1.AddDays(1))], Day1.AddDays(40))!;

        Assert.Equal(unjoinable, live.Total.Unjoinable);
        Assert.Equal(198, live.Total.Predictions);
        Assert.Equal(warnings, live.Warnings.Count);
    }

    [Fact]
    public void Compute_LabelAfterWindow_IsNegative()
    {
        LivePrediction[] predictions = [new("t1", Day1, 0.9, 100), new("t2", Day1, 0.2, 100)];

        // 31 days after the prediction is outside the sample's 30-day label window.
        var live = LivePerformanceAnalyzer.Compute(Champion(0.5), Fraud, predictions, [new LabelArrival("t1", Day1.AddDays(31))], Day1.AddDays(40))!;

        Assert.Equal(0, live.Total.Positives);
        Assert.Null(live.Total.Auc);
        Assert.Null(live.Total.PrAuc);
        Assert.True(live.Total.Complete);
    }

    [Fact]
    public void Compute_OpenLabelWindow_CountsNegativeSoFarAndIsNotComplete()
    {
        LivePrediction[] predictions = [new("t1", Day1, 0.9, 100), new("t2", Day1, 0.2, 100), new("t3", Day1, 0.1, 100)];

        var live = LivePerformanceAnalyzer.Compute(Champion(0.5), Fraud, predictions, [new LabelArrival("t1", Day1.AddDays(3))], Day1.AddDays(10))!;

        // t1 is known positive (final); t2 and t3 may still be charged back.
        Assert.Equal(1, live.Total.Positives);
        Assert.Equal(1, live.Total.Final);
        Assert.False(live.Total.Complete);
        Assert.Equal(1, live.Total.Auc!.Value, 12);
    }

    [Fact]
    public void Compute_LabelNotArrivedYetAtAsOf_IsIgnored()
    {
        LivePrediction[] predictions = [new("t1", Day1, 0.9, 100), new("t2", Day1, 0.2, 100)];

        var live = LivePerformanceAnalyzer.Compute(Champion(0.5), Fraud, predictions, [new LabelArrival("t1", Day1.AddDays(12))], Day1.AddDays(10))!;

        Assert.Equal(0, live.Total.Positives);
    }

    [Fact]
    public void Compute_TwoDays_OneWindowPerDayOldestFirst()
    {
        LivePrediction[] predictions =
        [
            new("b1", Day1.AddDays(1).AddHours(5), 0.7, 10),
            new("a1", Day1.AddHours(23), 0.9, 10),
            new("a2", Day1.AddHours(1), 0.1, 10),
            new("b2", Day1.AddDays(1).AddHours(6), 0.8, 10),
            new("b3", Day1.AddDays(1).AddHours(7), 0.6, 10),
        ];
        LabelArrival[] labels = [new("a1", Day1.AddDays(4)), new("b3", Day1.AddDays(4))];

        var live = LivePerformanceAnalyzer.Compute(Champion(0.5), Fraud, predictions, labels, Day1.AddDays(60))!;

        Assert.Equal([Day1, Day1.AddDays(1)], live.Days.Select(d => d.From));
        Assert.Equal([2L, 3L], live.Days.Select(d => d.Predictions));
        Assert.Equal(1, live.Days[0].Auc!.Value, 12);

        // Day 2: the fraud (0.6) ranks below both legit predictions.
        Assert.Equal(0, live.Days[1].Auc!.Value, 12);
        Assert.Equal(5, live.Total.Predictions);
        Assert.Equal(Day1.AddHours(1), live.Total.From);
    }

    [Fact]
    public void Compute_ValidationNumbers_CopiedFromChampion()
    {
        var live = LivePerformanceAnalyzer.Compute(Champion(0.37), Fraud, [], [], Day1)!;

        Assert.Equal(0.93, live.Validation.Auc);
        Assert.Equal(0.61, live.Validation.PrAuc);
        Assert.Equal(1234, live.Validation.Saved);
        Assert.False(live.Validation.SavedOutOfSample); // a report from before the out-of-sample estimate
        Assert.Equal(0.37, live.Threshold);
        Assert.Empty(live.Days);
        Assert.Equal(0, live.Total.Predictions);
    }

    [Fact]
    public void Compute_ChampionWithOutOfSampleSaving_ComparesWithItNotTheInSampleOne()
    {
        // Live traffic is decided at a threshold chosen on other rows: the in-sample 1234 would flatter the champion.
        var live = LivePerformanceAnalyzer.Compute(Champion(0.37, outOfSampleSaved: 1000), Fraud, [], [], Day1)!;

        Assert.Equal(1000, live.Validation.Saved);
        Assert.Equal(1000 / 1334.0, live.Validation.SavedFraction!.Value, 12);
        Assert.True(live.Validation.SavedOutOfSample);
    }

    [Fact]
    public void ToJson_ReportWithLivePerformance_RoundTrips()
    {
        var live = LivePerformanceAnalyzer.Compute(Champion(0.5), Fraud, [new("t1", Day1, 0.9, 100), new("t2", Day1, 0.2, 10), new(null, Day1, 0.5, 10)], [new LabelArrival("t1", Day1.AddDays(2))], Day1.AddDays(3))!;
        var report = DriftAnalyzer.Analyze(DriftAnalyzerTests.Baseline(1), DriftAnalyzerTests.Current(3, rows: 50, amountFactor: 1), new DriftPolicy()) with { Live = live };

        var back = DriftReport.FromJson(report.ToJson()).Live!;

        Assert.Equal(TimeSpan.FromDays(30), back.LabelWithin);
        Assert.Equal(live.Total, back.Total);
        Assert.Equal(live.Days, back.Days);
        Assert.Equal(live.Validation, back.Validation);
        Assert.Equal(1, back.Total.Unjoinable);
        Assert.Equal(live.Warnings, back.Warnings);
        Assert.False(back.Total.Complete);
    }

    [Fact]
    public void Compute_RegressionModel_IsNull()
    {
        var regression = Fraud with { Task = ModelTask.Regression };

        Assert.Null(LivePerformanceAnalyzer.Compute(Champion(0.5), regression, [], [], Day1));
    }

    // The champion saved 1234 in-sample; with outOfSampleSaved, that much out of sample too.
    internal static TrainingReport Champion(double threshold, double? outOfSampleSaved = null)
    {
        var binary = new BinaryMetrics(5000, 50, 0.01, 0.93, 0.61, 0.05, 0.01, []);
        var business = new BusinessResult("EUR", threshold, 100, 1334, 25000, 1234, 0.925, new ConfusionMatrix(40, 60, 4890, 10), [])
        {
            OutOfSample = outOfSampleSaved is { } saved ? new CrossFittedResult(1334 - saved, 1334, saved, saved / 1334, new ConfusionMatrix(38, 70, 4880, 12), [], []) : null,
        };
        return DriftAnalyzerTests.Baseline(1) with { Evaluation = new ModelEvaluation(binary, threshold, business.Confusion, business, null) };
    }
}
