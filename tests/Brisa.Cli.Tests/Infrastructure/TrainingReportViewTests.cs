using Brisa.Azure.Models;
using Brisa.Azure.Training;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Testing;
using Spectre.Console.Testing;

namespace Brisa.Cli.Tests.Infrastructure;

public sealed class TrainingReportViewTests
{
    [Fact]
    public void Render_BreakdownByRowCurrency_SaysItIsInTheReportingCurrency()
    {
        var business = new BusinessResult(
            "EUR",
            0.5,
            100,
            1300,
            2000,
            1200,
            0.92,
            new ConfusionMatrix(10, 10, 100, 2),
            [new CurrencyResult("GBP", 30, 20, 520, 500), new CurrencyResult("USD", 70, 80, 780, 700)]);

        var output = Render(business);

        Assert.Contains("saved by row currency (in EUR)", output, StringComparison.Ordinal);
        Assert.Contains("GBP rows 500; USD rows 700", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NoBreakdown_NoRowCurrencyLine()
    {
        var business = new BusinessResult("EUR", 0.5, 100, 1300, 2000, 1200, 0.92, new ConfusionMatrix(10, 10, 100, 2), []);

        var output = Render(business);

        Assert.Contains("1,200 EUR", output, StringComparison.Ordinal);
        Assert.DoesNotContain("row currency", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_CostWithoutCurrency_MoneySavedWithoutAGapForTheCurrency()
    {
        var business = new BusinessResult(null, 0.5, 104, 729, 2000, 626, 0.858, new ConfusionMatrix(24, 49, 75, 1), []);

        var output = Render(business);

        Assert.Contains("│ 626 (85.8 %)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_OutOfSampleResult_HeadlineOutOfSampleAndInSampleShownAsOptimistic()
    {
        var business = new BusinessResult("EUR", 0.5, 100, 1300, 2000, 1200, 0.92, new ConfusionMatrix(10, 10, 100, 2), [])
        {
            OutOfSample = new CrossFittedResult(400, 1300, 900, 0.69, new ConfusionMatrix(8, 14, 96, 4), [], []),
        };

        var output = Render(business);

        Assert.Matches(@"│ expected cost with model, out-of-sample\s+│ 400 EUR\s+│", output);
        Assert.Matches(@"│ money saved, out-of-sample\s+│ 900 EUR \(69\.0 %\)\s+│", output);
        Assert.Matches(@"│ in-sample at the served threshold\s+│ saved 1,200 EUR \(92\.0 %\), optimistic: the threshold was chosen on these rows\s+│", output);
        Assert.Matches(@"│ threshold \(least cost on the window, served\)\s+│ 0\.5000\s+│", output);
    }

    [Fact]
    public void Render_ReportWithoutOutOfSample_SavingLabelledInSampleWithTheReason()
    {
        var business = new BusinessResult("EUR", 0.5, 100, 1300, 2000, 1200, 0.92, new ConfusionMatrix(10, 10, 100, 2), [])
        {
            OutOfSampleUnavailable = "the later half of the window (3 rows) has no positive row, too few to cross-fit the threshold",
        };

        var output = Render(business);

        Assert.Matches(@"│ money saved, in-sample\s+│ 1,200 EUR \(92\.0 %\)\s+│", output);
        Assert.Contains("│ why in-sample ", output, StringComparison.Ordinal);
        Assert.Contains("has no positive row, too few to cross-fit the threshold (optimistic: the threshold was chosen on the same rows)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Regression_ErrorMetricsAndNoPositives()
    {
        var report = TrainingReports.Binary("trip_duration", DateTimeOffset.UnixEpoch) with
        {
            Task = ModelTask.Regression,
            Validation = new DataRange(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 119, 0),
            Training = new DataRange(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 445, 0),
            Evaluation = new ModelEvaluation(null, null, null, null, new RegressionMetrics(119, 1.8718, 1.5086, 0.9845)),
        };

        var output = Render(report);

        Assert.Matches(@"│ rows\s+│ 119; trained on 445\s+│", output);
        Assert.DoesNotContain("positives", output, StringComparison.Ordinal);
        Assert.Matches(@"│ RMSE\s+│ 1\.872\s+│", output);
        Assert.Matches(@"│ MAE\s+│ 1\.509\s+│", output);
        Assert.Matches(@"│ R²\s+│ 0\.985\s+│", output);
    }

    [Fact]
    public void Render_RegressionErrorsOverAThousand_WithThousandsSeparators()
    {
        var report = TrainingReports.Binary("trip_duration", DateTimeOffset.UnixEpoch) with
        {
            Task = ModelTask.Regression,
            Evaluation = new ModelEvaluation(null, null, null, null, new RegressionMetrics(119, 1871.8, 12345.6789, 0.9845)),
        };

        var output = Render(report);

        Assert.Matches(@"│ RMSE\s+│ 1,871\.800\s+│", output);
        Assert.Matches(@"│ MAE\s+│ 12,345\.679\s+│", output);
    }

    // A promoted binary report with this business result, as `brisa train` prints it.
    private static string Render(BusinessResult business) =>
        Render(TrainingReports.Binary("fraud", DateTimeOffset.UnixEpoch) with
        {
            Evaluation = new ModelEvaluation(null, 0.5, business.Confusion, business, null),
        });

    private static string Render(TrainingReport report)
    {
        var console = new TestConsole().Width(400);
        TrainingReportView.Render(console, new TrainingPipelineResult(new TrainingRunResult(report.Model, TrainingRunStatus.Promoted, "Promoted: first version.", report, null), 100, 0, 100));
        return console.Output;
    }
}
