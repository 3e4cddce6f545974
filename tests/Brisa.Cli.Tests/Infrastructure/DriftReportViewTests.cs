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
    }

    [Fact]
    public void Render_RegressionModel_SaysLivePerformanceIsForClassifiersOnly()
    {
        var scores = Enumerable.Range(0, 100).Select(i => (float)i).ToArray();
        var champion = TrainingReports.Binary("trip_duration", Now.AddDays(-3)) with
        {
            Task = ModelTask.Regression,
            Evaluation = new ModelEvaluation(null, null, null, null, new RegressionMetrics(100, 2, 1.5, 0.9)),
            ScoreBaseline = FeatureStatistics.Numeric("score", scores),
        };
        var report = DriftAnalyzer.Analyze(champion, new DriftInput(Now.AddDays(-1), Now, 20, new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal), [.. Enumerable.Range(0, 20).Select(i => (double)i)]), new DriftPolicy());
        var console = new TestConsole().Width(400);

        DriftReportView.Render(console, report);

        Assert.Contains("live performance: tracked for binary classifiers only; the predictions of a regression model are not joined with its label events.", console.Output, StringComparison.Ordinal);
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
