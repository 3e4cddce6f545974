using System.Text.RegularExpressions;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;

namespace Brisa.Core.Tests.Modeling;

public sealed partial class TrainingReportHtmlTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Render_MarkupInCurrency_EscapedInEverySentence()
    {
        var report = Report(currency: "<i>EUR</i>");

        var html = TrainingReportHtml.Render(report);

        Assert.DoesNotContain("<i>", html, StringComparison.Ordinal);
        Assert.Contains("15,779.43 &lt;i&gt;EUR&lt;/i&gt; (95.5%) in-sample", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Counts_WithThousandsSeparatorsAsMoneyHas()
    {
        var html = TrainingReportHtml.Render(Report(currency: "EUR"));

        Assert.Contains("<td>12,345</td><td>1,087</td>", html, StringComparison.Ordinal);
        Assert.Contains("2,422 rows; ", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>negative</td><td>1,008</td><td>4,812</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<td>0.0–0.1</td><td>4,823</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>USD</td><td>3,484</td>", html, StringComparison.Ordinal);
        Assert.Contains("<th>cost increase (EUR)</th>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_RegressionErrors_WithThousandsSeparatorsAsCountsHave()
    {
        // Errors are in the label's unit: a trip duration in seconds reads 1,234.5678, not 1234.5678.
        var report = Report(currency: null) with
        {
            Task = ModelTask.Regression,
            Evaluation = new ModelEvaluation(null, null, null, null, new RegressionMetrics(5845, 1234.5678, 987654.25, 0.8123)),
        };

        var html = TrainingReportHtml.Render(report);

        Assert.Contains("<tr><td>RMSE</td><td>1,234.5678</td></tr><tr><td>MAE</td><td>987,654.25</td></tr>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_BaselineStatistics_AsTheCatalogWritesThem()
    {
        var html = TrainingReportHtml.Render(Report(currency: null));

        Assert.Contains("<td>27,908.3</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>0.00012346</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Charts_NamedOrHiddenFromScreenReaders()
    {
        var html = TrainingReportHtml.Render(Report(currency: null));

        var svgs = Svg().Matches(html).Select(m => m.Value).ToArray();
        Assert.Equal(2, svgs.Length);
        Assert.All(svgs, svg => Assert.True(svg.Contains("aria-hidden=\"true\"", StringComparison.Ordinal) || (svg.Contains("role=\"img\"", StringComparison.Ordinal) && svg.Contains("<title>Calibration", StringComparison.Ordinal)), svg));
    }

    [Fact]
    public void Render_NoImportance_SaysSoInsteadOfAnEmptyTable()
    {
        var html = TrainingReportHtml.Render(Report(currency: null) with { Importance = [] });

        var section = html[html.IndexOf("<h2>Permutation feature importance</h2>", StringComparison.Ordinal)..html.IndexOf("<h2>Inputs", StringComparison.Ordinal)];
        Assert.Equal("<h2>Permutation feature importance</h2><p>Not computed for this version.</p>", section);
    }

    [Fact]
    public void Render_AnyReport_TablesScrollOnANarrowScreen()
    {
        var html = TrainingReportHtml.Render(Report(currency: "EUR"));

        Assert.Contains(HtmlPages.Viewport, html, StringComparison.Ordinal);
        Assert.Equal(Count(html, "<table"), Count(html, "<div class=\"scroll\"><table"));
        Assert.Equal(Count(html, "</table>"), Count(html, "</table></div>"));
    }

    private static int Count(string html, string text) => Regex.Count(html, Regex.Escape(text));

    // A binary report with a business result in and out of sample, counts past a thousand, and small and large statistics.
    private static TrainingReport Report(string? currency)
    {
        var confusion = new ConfusionMatrix(19, 1008, 4812, 6);
        var byCurrency = new[] { new CurrencyResult("USD", 3484, 1029.36, 16032.59, 15003.23) };
        var outOfSample = new CrossFittedResult(
            1531.76, 16529.99, 14998.23, 0.907, confusion, byCurrency,
            [new CrossFitHalf(Now.AddDays(-7), Now.AddDays(-4), 2422, 12, 0.1668, 700, 8000), new CrossFitHalf(Now.AddDays(-4), Now, 2423, 13, 0.014, 831.76, 8529.99)]);
        var business = new BusinessResult(currency, 0.0158, 750.56, 16529.99, 24225, 15779.43, 0.955, confusion, byCurrency) { OutOfSample = outOfSample };
        var binary = new BinaryMetrics(5845, 25, 0.0052, 0.9363, 0.6483, 0.0165, 0.00255, [new CalibrationBin(0, 0.1, 4823, 0.0001, 0.0015), new CalibrationBin(0.9, 1, 3, 0.96, 0.6667)]);
        return new TrainingReport
        {
            Model = "fraud",
            Version = "v1",
            TrainedAt = Now,
            Task = ModelTask.BinaryClassification,
            Trainer = TrainerKind.LightGbm,
            Parameters = new SortedDictionary<string, string>(StringComparer.Ordinal),
            Seed = 1,
            ValidationSpan = TimeSpan.FromDays(7),
            Training = new DataRange(Now.AddDays(-30), Now.AddDays(-7), 12345, 1087),
            Validation = new DataRange(Now.AddDays(-7), Now, 5845, 25),
            Inputs = [new ModelInput("amount_sum_1h", FeatureKind.Numeric, "native_missing"), new ModelInput("tiny", FeatureKind.Numeric, "native_missing")],
            Evaluation = new ModelEvaluation(binary, 0.0158, confusion, business, null),
            Importance = [new FeatureImportance("amount_sum_1h", "auc", 0.93, 0.9, 0.03, 239.2)],
            Baseline = [FeatureStatistics.Numeric("amount_sum_1h", [0, 16.67f, 27908.27f]), FeatureStatistics.Numeric("tiny", [0.00012346f, 0.00012346f])],
            ScoreBaseline = FeatureStatistics.Numeric("score", [0.1f]),
        };
    }

    [GeneratedRegex("<svg.*?</svg>", RegexOptions.Singleline)]
    private static partial Regex Svg();
}
