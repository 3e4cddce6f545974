using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;
using Brisa.Core.Tests.Definitions;
using Brisa.Core.Training;

namespace Brisa.Core.Tests.Monitoring;

public sealed class ShadowComparerTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ModelDefinition Fraud = SampleDefinitionsTests.LoadSample().FindModel("fraud")!;

    [Fact]
    public void Compare_ShadowOfSomeInstances_BothVersionsOverTheSameInstancesAtTheirOwnThresholds()
    {
        // The champion scored t1–t5; the challenger, in shadow, t1–t4 only (t5 came before it loaded), and one instance
        // the champion's log lost (x9). t1 and t3 are frauds (100 and 50 EUR).
        LoggedPrediction[] champion =
        [
            L("r1", "t1", 1, 0.9, 100), L("r1", "t2", 1, 0.8, 20), L("r2", "t3", 2, 0.3, 50), L("r2", "t4", 2, 0.1, 10), L("r3", "t5", 3, 0.95, 500),
        ];
        LoggedPrediction[] shadow =
        [
            L("r1", "t1", 1, 0.7, double.NaN), L("r1", "t2", 1, 0.2, double.NaN), L("r2", "t3", 2, 0.6, double.NaN), L("r2", "t4", 2, 0.4, double.NaN), L("r4", "x9", 4, 0.9, double.NaN),
        ];
        LabelArrival[] labels = [new("t1", Day1.AddDays(5)), new("t3", Day1.AddDays(9)), new("t5", Day1.AddDays(1))];
        var challengerReport = LivePerformanceAnalyzerTests.Champion(0.5) with { Version = "v20260301000000000-bbbbbbbb" };

        var comparison = ShadowComparer.Compare(LivePerformanceAnalyzerTests.Champion(0.5), challengerReport, Fraud, champion, shadow, labels, Day1.AddDays(40));

        Assert.Equal(4, comparison.Paired);
        Assert.Equal(1, comparison.ChampionOnly);
        Assert.Equal("v20260301000000000-bbbbbbbb", comparison.ChallengerVersion);
        var ours = comparison.Champion!.Total;
        var theirs = comparison.Challenger!.Total;
        Assert.Equal([4L, 2L], [ours.Predictions, ours.Positives]);
        Assert.Equal([4L, 2L], [theirs.Predictions, theirs.Positives]);

        // Champion: 0.3 (fraud) < 0.8 is the one pair ranked wrong; flags t1, t2 (5 + 5), misses t3 (50).
        Assert.Equal(0.75, ours.Auc!.Value, 12);
        Assert.Equal(60, ours.ExpectedCost!.Value, 9);

        // Challenger: frauds at 0.7 and 0.6 above both legitimate ones; flags t1 and t3 (5 + 5) with the champion's amounts.
        Assert.Equal(1, theirs.Auc!.Value, 12);
        Assert.Equal(10, theirs.ExpectedCost!.Value, 9);
        Assert.Equal(150, theirs.NoModelCost!.Value, 9);
        Assert.Null(comparison.ChampionRegression);
    }

    [Fact]
    public void Compare_RetriedRequestAndNoShadow_PairsFirstOnlyAndNothingWithoutShadow()
    {
        LoggedPrediction[] champion = [L("r1", "t1", 1, 0.9, 100), L("r1", "t1", 2, 0.1, 100)];

        var none = ShadowComparer.Compare(LivePerformanceAnalyzerTests.Champion(0.5), LivePerformanceAnalyzerTests.Champion(0.5), Fraud, champion, [], [], Day1.AddDays(1));
        var retried = ShadowComparer.Compare(LivePerformanceAnalyzerTests.Champion(0.5), LivePerformanceAnalyzerTests.Champion(0.5), Fraud, champion, [L("r1", "t1", 2, 0.2, 0), L("r1", "t1", 1, 0.3, 0)], [], Day1.AddDays(1));

        Assert.Equal([0L, 1L], [none.Paired, none.ChampionOnly]);
        Assert.Equal(0, none.Champion!.Total.Predictions);
        Assert.Equal(1, retried.Paired);
        Assert.Equal(0, retried.ChampionOnly);
        Assert.Equal(1, retried.Challenger!.Total.Predictions);
    }

    [Fact]
    public void Compare_Regression_ErrorsOfEachVersionOnTheSameLabelledTrips()
    {
        var model = LiveRegressionAnalyzerTests.TripDuration;
        var index = new LabelIndex(model);
        index.Add(LiveRegressionAnalyzerTests.Batch(("e1", 1, 30, 10), ("e2", 2, 90, 20)));
        LoggedPrediction[] champion = [L("r1", "1", 0, 12, double.NaN), L("r2", "2", 1, 26, double.NaN)];
        LoggedPrediction[] shadow = [L("r1", "1", 0, 9, double.NaN), L("r2", "2", 1, 19, double.NaN)];

        var comparison = ShadowComparer.Compare(LiveRegressionAnalyzerTests.Champion(), LiveRegressionAnalyzerTests.Champion(), model, champion, shadow, index, Day1.AddDays(1));

        Assert.Equal(2, comparison.Paired);
        Assert.Equal(4, comparison.ChampionRegression!.Total.Mae!.Value, 9);
        Assert.Equal(1, comparison.ChallengerRegression!.Total.Mae!.Value, 9);
        Assert.Equal(-1, comparison.ChallengerRegression.Total.MeanError!.Value, 9);
        Assert.Null(comparison.Champion);
    }

    [Fact]
    public void DriftReport_WithShadow_RoundTripsThroughJson()
    {
        var comparison = ShadowComparer.Compare(LivePerformanceAnalyzerTests.Champion(0.5), LivePerformanceAnalyzerTests.Champion(0.4), Fraud, [L("r1", "t1", 1, 0.9, 100)], [L("r1", "t1", 1, 0.45, 0)], [new("t1", Day1.AddDays(1))], Day1.AddDays(2));
        var report = DriftAnalyzer.Analyze(DriftAnalyzerTests.Baseline(1), DriftAnalyzerTests.Current(2, rows: 300, amountFactor: 1), new DriftPolicy()) with { Shadow = comparison };

        var back = DriftReport.FromJson(report.ToJson());

        Assert.Equal(0.4, back.Shadow!.Challenger!.Threshold);
        Assert.Equal(1, back.Shadow.Challenger.Total.Positives);
        Assert.Contains("\"shadow\":", report.ToJson(), StringComparison.Ordinal);
    }

    private static LoggedPrediction L(string request, string id, double hours, double score, double amount) =>
        new(request, id, new LivePrediction(id, Day1.AddHours(hours), score, amount, "EUR"));
}
