using Brisa.Azure.Models;
using Brisa.Azure.Training;
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

    // A promoted binary report with this business result, as `brisa train` prints it.
    private static string Render(BusinessResult business)
    {
        var report = TrainingReports.Binary("fraud", DateTimeOffset.UnixEpoch) with
        {
            Evaluation = new ModelEvaluation(null, 0.5, business.Confusion, business, null),
        };
        var console = new TestConsole().Width(400);
        TrainingReportView.Render(console, new TrainingPipelineResult(new TrainingRunResult("fraud", TrainingRunStatus.Promoted, "Promoted: first version.", report, null), 100, 0, 100));
        return console.Output;
    }
}
