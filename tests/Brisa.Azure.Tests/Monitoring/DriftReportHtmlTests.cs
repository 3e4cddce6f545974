using System.Text.RegularExpressions;
using Brisa.Azure.Monitoring;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;
using Brisa.Testing;
using SkiaSharp;

namespace Brisa.Azure.Tests.Monitoring;

public sealed partial class DriftReportHtmlTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 20, 12, 0, 0, TimeSpan.Zero);

    // The series colours of DriftCharts (ScottPlot's SteelBlue, DarkOrange, GoldenRod, FireBrick).
    private static readonly SKColor[] Ink = [new(70, 130, 180), new(255, 140, 0), new(218, 165, 32), new(178, 34, 34)];

    [Fact]
    public void Render_ShiftedAmountWithLabels_EmbedsPngChartsThatDecodeAndShowData()
    {
        var report = Report();

        var html = DriftReportHtml.Render(report);

        var images = ImageSource().Matches(html).Select(m => (Alt: m.Groups["alt"].Value, Png: Convert.FromBase64String(m.Groups["data"].Value))).ToList();

        // PSI chart, live AUC chart, then one histogram per feature (the drifted amount first) and the score.
        Assert.Equal(["PSI per feature", "Live AUC per day", "amount", "merchant", "score"], images.Select(i => i.Alt));
        foreach (var (alt, png) in images)
        {
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
            using var bitmap = SKBitmap.Decode(png);
            Assert.NotNull(bitmap);
            Assert.Equal(DriftCharts.Width, bitmap.Width);
            Assert.InRange(bitmap.Height, 300, 500);
            var ink = bitmap.Pixels.Count(p => Ink.Any(c => Near(p, c)));
            // More than the legend swatches alone (a few hundred pixels): the series were drawn.
            Assert.True(ink > bitmap.Pixels.Length * 3 / 1000, $"{alt}: only {ink} of {bitmap.Pixels.Length} pixels show data");
            Assert.True(bitmap.Pixels.Distinct().Take(20).Count() == 20, $"{alt}: fewer than 20 colours");
        }

        Assert.Contains("<span class=\"alert\">alert</span>", html, StringComparison.Ordinal);
        Assert.Contains("chargeback", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Render_ShadowComparison_RowsOfBothVersionsAndTheirValidation()
    {
        var report = Report();
        var live = report.Live!;
        var challenger = live with { Total = live.Total with { Auc = 0.97 }, Validation = live.Validation with { Auc = 0.88 } };
        report = report with { Shadow = new ShadowComparison { ChampionVersion = "v-one", ChallengerVersion = "v-two", Paired = 40, ChampionOnly = 2, Champion = live, Challenger = challenger } };

        var html = DriftReportHtml.Render(report);

        Assert.Contains("<h2>Challenger in shadow</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<code>v-one</code> and challenger <code>v-two</code> on the 40 instances both scored", html, StringComparison.Ordinal);
        Assert.Matches("<tr><td>all: challenger</td><td>[^<]*</td>(<td>[^<]*</td>){3}<td>0.97</td>", html);
        Assert.Contains("<tr><td>validation: challenger (training run)</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>0.88</td>", html, StringComparison.Ordinal);
        Assert.Equal(live.Days.Count + 1, Regex.Matches(html, ": champion</td>").Count);
        Assert.Contains("Report only", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NoLabelsOfBothClasses_SaysSoInsteadOfAnEmptyChart()
    {
        var report = Report() with { Live = Live([]) };

        var html = DriftReportHtml.Render(report);

        Assert.Contains("No day has labels of both classes yet", html, StringComparison.Ordinal);
        Assert.DoesNotContain("alt=\"Live AUC per day\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "<tr><td>validation (training run)</td>")]
    [InlineData(false, "<tr><td>validation (training run; saved in-sample, optimistic)</td>")]
    public void Render_ValidationSaving_MarkedWhenInSample(bool outOfSample, string row)
    {
        var report = Report();
        report = report with { Live = report.Live! with { Validation = report.Live.Validation with { Saved = 900, SavedFraction = 0.69, SavedOutOfSample = outOfSample } } };

        var html = DriftReportHtml.Render(report);

        Assert.Contains(row, html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LabelWindowUnderADay_NamesItAsDefined()
    {
        var report = Report();
        report = report with { Live = report.Live! with { LabelWithin = TimeSpan.FromMinutes(20) } };

        var html = DriftReportHtml.Render(report);

        Assert.Contains("</code> events arriving within 20m, as of", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_RegressionWithLiveErrors_TableOfErrorsPerDayNextToValidationAndAChart()
    {
        var report = Report() with { Task = ModelTask.Regression, Live = null, LiveRegression = LiveErrors() };

        var html = DriftReportHtml.Render(report);

        Assert.Contains("<code>trip_end</code> events dated no later than 3h after them", html, StringComparison.Ordinal);
        Assert.Contains("scored against the event's <code>duration_min</code>", html, StringComparison.Ordinal);
        Assert.Contains("<th>labelled</th><th>final</th><th>MAE</th><th>RMSE</th><th>mean error</th>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>2026-03-18</td><td>40</td><td>2</td><td>30</td><td>yes</td><td>4.5</td><td>6.25</td><td>-1.5</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>2026-03-20</td><td>10</td><td>0</td><td>0</td><td>30%</td><td></td><td></td><td></td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>validation (training run)</td><td>500</td><td></td><td>500</td><td></td><td>4.2</td><td>6.5</td><td></td></tr>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("classifiers only", html, StringComparison.Ordinal);
        var chart = ImageSource().Matches(html).Select(m => (Alt: m.Groups["alt"].Value, Png: Convert.FromBase64String(m.Groups["data"].Value))).Single(i => i.Alt == "Live MAE per day");
        using var bitmap = SKBitmap.Decode(chart.Png);
        Assert.Equal(DriftCharts.Width, bitmap.Width);

        // Both series (MAE in the baseline colour, RMSE in the current one) were drawn, not only their legend swatches.
        Assert.All(Ink[..2], colour => Assert.True(bitmap.Pixels.Count(p => Near(p, colour)) > bitmap.Pixels.Length / 1000, $"{colour} barely drawn"));
    }

    [Fact]
    public void Render_RegressionErrorsOverAThousand_WithThousandsSeparators()
    {
        var live = LiveErrors();
        live = live with { Validation = new RegressionMetrics(500, 6543.5, 4321.25, 0.8) };

        var html = DriftReportHtml.Render(Report() with { Task = ModelTask.Regression, Live = null, LiveRegression = live });

        Assert.Contains("<tr><td>validation (training run)</td><td>500</td><td></td><td>500</td><td></td><td>4,321.25</td><td>6,543.5</td><td></td></tr>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_RegressionWithoutALabelledDay_SaysSoInsteadOfAnEmptyChart()
    {
        var live = LiveErrors();
        live = live with { Days = [.. live.Days.Where(d => d.Mae is null)] };

        var html = DriftReportHtml.Render(Report() with { Task = ModelTask.Regression, Live = null, LiveRegression = live });

        Assert.Contains("No day has a labelled prediction yet", html, StringComparison.Ordinal);
        Assert.DoesNotContain("alt=\"Live MAE per day\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ModelTask.Regression)]
    [InlineData(ModelTask.BinaryClassification)]
    public void Render_ReportWithoutLiveNumbers_SaysNotComputed(ModelTask task)
    {
        var html = DriftReportHtml.Render(Report() with { Task = task, Live = null });

        Assert.Contains("<h2>Live performance</h2><p class=\"muted\">Not computed for this report.</p>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LiveCounts_WithThousandsSeparators()
    {
        var report = Report();
        report = report with { Live = report.Live! with { Total = report.Live.Total with { Predictions = 25000, Positives = 1250 } } };

        var html = DriftReportHtml.Render(report);

        Assert.Matches("<tr><td>all</td><td>25,000</td><td>[^<]*</td><td>1,250</td>", html);
    }

    [Fact]
    public void Render_PValueUnderflowedToZero_ShownAsBelowTheDoublesRange()
    {
        var report = Report();
        report = report with { Features = [report.Features[0] with { PsiPValue = 0, KsPValue = 2.5e-85 }, .. report.Features.Skip(1)] };

        var html = DriftReportHtml.Render(report);

        Assert.Contains("<td>&lt; 1e-300</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>2.5e-85</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("0.0e0", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ShiftedAmount_EveryTableScrollsOnANarrowScreen()
    {
        var html = DriftReportHtml.Render(Report());

        Assert.Contains(HtmlPages.Viewport, html, StringComparison.Ordinal);
        Assert.Equal(Regex.Count(html, "<table"), Regex.Count(html, "<div class=\"scroll\"><table"));
        Assert.Equal(Regex.Count(html, "</table>"), Regex.Count(html, "</table></div>"));
    }

    // Three days of a trip duration model's errors: a complete day, a day half labelled, today with no label yet.
    private static LiveRegressionPerformance LiveErrors()
    {
        var today = new DateTimeOffset(Now.UtcDateTime.Date, TimeSpan.Zero);
        LiveRegressionWindow Day(int daysAgo, long predictions, long unjoinable, long labelled, long final, double? mae, double? rmse, double? bias) =>
            new(today.AddDays(-daysAgo), today.AddDays(1 - daysAgo), predictions, unjoinable, labelled, final, mae, rmse, bias);
        return new LiveRegressionPerformance
        {
            LabelSource = "trip_end",
            LabelValue = "duration_min",
            LabelWithin = TimeSpan.FromHours(3),
            AsOf = Now,
            Validation = new RegressionMetrics(500, 6.5, 4.2, 0.8),
            Days = [Day(2, 40, 2, 30, 40, 4.5, 6.25, -1.5), Day(1, 30, 0, 12, 20, 7.1, 9.8, 3.2), Day(0, 10, 0, 0, 3, null, null, null)],
            Total = new LiveRegressionWindow(today.AddDays(-2), Now, 80, 2, 42, 63, 5.24, 7.3, -0.15),
        };
    }

    private static DriftReport Report()
    {
        var rng = new Random(3);
        var amounts = Enumerable.Range(0, 5000).Select(_ => (float)Math.Exp(3.7 + rng.NextDouble())).ToArray();
        var scores = amounts.Select(a => (float)(a / 200)).ToArray();
        var baseline = TrainingReports.Binary("fraud", Now.AddDays(-10)) with
        {
            Version = "v20260301000000000-abcdef12",
            Training = new DataRange(Now.AddDays(-60), Now.AddDays(-17), 5000, 50),
            Validation = new DataRange(Now.AddDays(-17), Now.AddDays(-10), 2000, 20),
            Inputs = [new ModelInput("merchant", FeatureKind.Categorical, "one_hot"), new ModelInput("amount", FeatureKind.Numeric, "raw")],
            Evaluation = new ModelEvaluation(new BinaryMetrics(2000, 20, 0.01, 0.9, 0.5, 0.1, 0.01, []), 0.5, null, null, null),
            Baseline =
            [
                new FeatureStatistics("merchant", FeatureKind.Categorical, 5000, 0, 0, null, null, null, null, [], [], [], [new CategoryCount("fuel", 3000), new CategoryCount("grocery", 2000)], 0),
                FeatureStatistics.Numeric("amount", amounts),
            ],
            ScoreBaseline = FeatureStatistics.Numeric("score", scores),
        };
        var current = Enumerable.Range(0, 1000).Select(_ => Math.Exp(3.7 + rng.NextDouble()) * 3).ToArray();
        var columns = new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal)
        {
            ["amount"] = [.. current.Cast<object?>()],
            ["merchant"] = [.. current.Select((_, i) => (object?)(i % 5 < 3 ? "fuel" : "grocery"))],
        };
        var report = DriftAnalyzer.Analyze(baseline, new DriftInput(Now.AddDays(-1), Now, current.Length, columns, [.. current.Select(a => a / 200)]), new DriftPolicy());
        var labels = Enumerable.Range(0, 60).Where(i => i % 7 == 0).Select(i => new LabelArrival($"t{i}", Now.AddHours(-i)));
        return report with { Live = Live([.. labels]) };
    }

    private static LivePerformance Live(LabelArrival[] labels)
    {
        var model = Brisa.Core.Definitions.DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!.FindModel("fraud")!;
        var predictions = Enumerable.Range(0, 60).Select(i => new LivePrediction($"t{i}", Now.AddDays(-5).AddHours(2 * i), i % 7 == 0 ? 0.8 - (i / 100.0) : i / 100.0, 50)).ToList();
        var champion = TrainingReports.Binary("fraud", Now) with
        {
            Evaluation = new ModelEvaluation(new BinaryMetrics(2000, 20, 0.01, 0.9, 0.5, 0.1, 0.01, []), 0.5, null, null, null),
        };
        return LivePerformanceAnalyzer.Compute(champion, model, predictions, labels, Now)!;
    }

    private static bool Near(SKColor a, SKColor b) => Math.Abs(a.Red - b.Red) + Math.Abs(a.Green - b.Green) + Math.Abs(a.Blue - b.Blue) < 24;

    [GeneratedRegex("<img alt=\"(?<alt>[^\"]*)\" src=\"data:image/png;base64,(?<data>[A-Za-z0-9+/=]+)\">")]
    private static partial Regex ImageSource();
}
