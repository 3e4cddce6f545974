using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;
using Brisa.Testing;
using Spectre.Console.Testing;

namespace Brisa.Cli.Tests.Infrastructure;

public sealed class DriftReportViewTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 20, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(20 * 60, "within 20m")]
    [InlineData(30 * 86400, "within 30d")]
    public void Render_LiveLabelWindow_NamedAsTheDefinitionWritesIt(int seconds, string expected)
    {
        var report = Report(TimeSpan.FromSeconds(seconds));
        var console = new TestConsole().Width(400);

        DriftReportView.Render(console, report);

        Assert.Contains($"live performance: predictions joined with cancellation events ({expected}), threshold 0.5", console.Output, StringComparison.Ordinal);
        Assert.Contains("live verdict: not enough labels (", console.Output, StringComparison.Ordinal);
        Assert.Contains("predictions with a closed label window (needs 200)", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LiveAlert_PrintsTheVerdictAndTheNumbersThatDecidedIt()
    {
        var report = RegressionReport();
        var live = new LiveRegressionPerformance
        {
            LabelSource = "trip_end",
            LabelValue = "duration_min",
            LabelWithin = TimeSpan.FromHours(3),
            AsOf = Now,
            Validation = new RegressionMetrics(100, 2, 1.5, 0.9),
            Days = [],
            Total = new(Now.AddDays(-1), Now, 300, 0, 300, 300, 3, 4, 0.5),
            Judgement = new LiveJudgement(LiveVerdict.Alert, "mae", 300, null, 3, 1.5, 2, 0.1, 1e-20, 1.1, 1.25, 200, null, "live MAE 3 on 300 labelled predictions with final labels against validation MAE 1.5: 2.00×"),
        };
        var console = new TestConsole().Width(400);

        DriftReportView.Render(console, report with { LiveRegression = live });

        Assert.Contains("live verdict: alert (live MAE 3 on 300 labelled predictions with final labels against validation MAE 1.5: 2.00×; judged on predictions whose label window has closed)", console.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, @"│ validation\s+│ 100\s+│")]
    [InlineData(false, @"│ validation \(saved in-sample\)\s+│ 100\s+│")]
    public void Render_ValidationSaving_MarkedWhenInSample(bool outOfSample, string row)
    {
        var report = Report(TimeSpan.FromDays(1));
        report = report with { Live = report.Live! with { Validation = report.Live.Validation with { Saved = 900, SavedFraction = 0.69, SavedOutOfSample = outOfSample } } };
        var console = new TestConsole().Width(400);

        DriftReportView.Render(console, report);

        Assert.Matches(row, console.Output);
    }

    [Fact]
    public void Render_RegressionWithLiveErrors_PrintsErrorsPerDayAndTheValidationRow()
    {
        var today = new DateTimeOffset(Now.UtcDateTime.Date, TimeSpan.Zero);
        var report = RegressionReport() with
        {
            LiveRegression = new LiveRegressionPerformance
            {
                LabelSource = "trip_end",
                LabelValue = "duration_min",
                LabelWithin = TimeSpan.FromHours(3),
                AsOf = Now,
                Validation = new RegressionMetrics(100, 2, 1.5, 0.9),
                Days = [new(today.AddDays(-1), today, 40, 1, 30, 40, 2.25, 3.5, -0.75), new(today, today.AddDays(1), 10, 0, 0, 4, null, null, null)],
                Total = new(today.AddDays(-1), Now, 50, 1, 30, 44, 2.25, 3.5, -0.75),
            },
        };
        var console = new TestConsole().Width(400);

        DriftReportView.Render(console, report);

        Assert.Contains("live performance: predictions joined with trip_end events (within 3h)", console.Output, StringComparison.Ordinal);
        Assert.Contains("errors of the labelled predictions against duration_min; mean error = prediction − label", console.Output, StringComparison.Ordinal);
        Assert.Matches(@"│ 2026-03-19\s+│ 40\s+│ 1\s+│ 30\s+│ yes\s+│ 2\.250\s+│ 3\.500\s+│ -0\.750\s+│", console.Output);
        Assert.Matches(@"│ 2026-03-20\s+│ 10\s+│ 0\s+│ 0\s+│ 40 %\s+│ -\s+│ -\s+│ -\s+│", console.Output);
        Assert.Matches(@"│ all\s+│ 50\s+│ 1\s+│ 30\s+│ 88 %\s+│ 2\.250\s+│ 3\.500\s+│ -0\.750\s+│", console.Output);
        Assert.Matches(@"│ validation\s+│ 100\s+│\s+│ 100\s+│ yes\s+│ 1\.500\s+│ 2\.000\s+│\s+│", console.Output);
        Assert.DoesNotContain("classifiers only", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ShadowComparison_PrintsBothVersionsPerDayOnTheSameInstances()
    {
        var report = Report(TimeSpan.FromDays(1));
        var live = report.Live!;
        var challenger = live with { Threshold = 0.3, Total = live.Total with { Auc = 0.91 } };
        report = report with { Shadow = new ShadowComparison { ChampionVersion = "v1", ChallengerVersion = "v2", Paired = 20, ChampionOnly = 3, Champion = live, Challenger = challenger } };
        var console = new TestConsole().Width(400);

        DriftReportView.Render(console, report);

        Assert.Contains("challenger v2 in shadow vs champion v1", console.Output, StringComparison.Ordinal);
        Assert.Contains("20 instances both scored (3 champion predictions without a shadow one left out)", console.Output, StringComparison.Ordinal);
        Assert.Matches(@"│ all · champion\s+│ 20\s+│", console.Output);
        Assert.Matches(@"│ all · challenger\s+│ 20\s+│ 0\s+│ 2\s+│ [^│]+│ 0\.910\s+│", console.Output);
        Assert.Equal(live.Days.Count, console.Output.Split('\n').Count(l => l.Contains(" · challenger", StringComparison.Ordinal)) - 1);
        Assert.Contains("Report only: nothing is promoted on it", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_RegressionReportWithoutLiveErrors_SaysNotComputed()
    {
        var console = new TestConsole().Width(400);

        DriftReportView.Render(console, RegressionReport());

        Assert.Contains("live performance: not computed for this report.", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NoPredictionInTheWindow_NoDataVerdictNotOk()
    {
        var report = DriftAnalyzer.Analyze(
            TrainingReports.Binary("cancel", Now.AddDays(-3)) with { Baseline = [FeatureStatistics.Numeric("amount", [1f, 2f, 3f])] },
            new DriftInput(Now.AddDays(-1), Now, 0, new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal), []),
            new DriftPolicy());
        var console = new TestConsole().Width(400);

        DriftReportView.Render(console, report);

        Assert.Contains($"dataset verdict: no data (no prediction of {report.Version} in the window, so nothing to judge: not a sign of health, and never a reason to retrain)", console.Output, StringComparison.Ordinal);
        Assert.Matches(@"│ amount\s+│ none\s+│.*│ no data\s+│", console.Output);
        Assert.DoesNotMatch(@"│ ok\s+│", console.Output);
    }

    // A trip duration model's drift report over a few scores, without live errors.
    private static DriftReport RegressionReport()
    {
        var scores = Enumerable.Range(0, 100).Select(i => (float)i).ToArray();
        var champion = TrainingReports.Binary("trip_duration", Now.AddDays(-3)) with
        {
            Task = ModelTask.Regression,
            Evaluation = new ModelEvaluation(null, null, null, null, new RegressionMetrics(100, 2, 1.5, 0.9)),
            ScoreBaseline = FeatureStatistics.Numeric("score", scores),
        };
        return DriftAnalyzer.Analyze(champion, new DriftInput(Now.AddDays(-1), Now, 20, new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal), [.. Enumerable.Range(0, 20).Select(i => (double)i)]), new DriftPolicy());
    }

    // A classifier's drift report over a few scores, with live performance from labels arriving within the given window.
    private static DriftReport Report(TimeSpan within)
    {
        var scores = Enumerable.Range(0, 100).Select(i => i / 100f).ToArray();
        var champion = TrainingReports.Binary("cancel", Now.AddDays(-3)) with
        {
            Evaluation = new ModelEvaluation(new BinaryMetrics(100, 10, 0.1, 0.8, 0.4, 0.3, 0.1, []), 0.5, null, null, null),
            ScoreBaseline = FeatureStatistics.Numeric("score", scores),
        };
        var model = new ModelDefinition
        {
            Name = "cancel",
            ObservationSource = "trip",
            Label = new LabelDefinition { Source = "cancellation", Key = "trip_id", Within = within },
        };
        var predictions = Enumerable.Range(0, 20).Select(i => new LivePrediction($"t{i}", Now.AddHours(-i), i / 20.0, 0)).ToList();
        var labels = new[] { new LabelArrival("t1", Now.AddHours(-1)), new LabelArrival("t2", Now.AddHours(-2)) };
        var drift = DriftAnalyzer.Analyze(champion, new DriftInput(Now.AddDays(-1), Now, 20, new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal), [.. predictions.Select(p => p.Score)]), new DriftPolicy());
        return drift with { Live = LivePerformanceAnalyzer.Compute(champion, model, predictions, labels, Now) };
    }
}
