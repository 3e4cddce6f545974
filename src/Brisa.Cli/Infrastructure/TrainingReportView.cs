using System.Globalization;
using Brisa.Azure.Models;
using Brisa.Azure.Training;
using Brisa.Core.Definitions;
using Spectre.Console;

namespace Brisa.Cli;

/// <summary>
/// Prints a training run: a classifier in business terms (threshold, out-of-sample expected cost and money saved, AUC), a regression by
/// its errors (RMSE, MAE, R²); then the decision.
/// </summary>
public static class TrainingReportView
{
    /// <summary>Writes the table and the promotion decision.</summary>
    public static void Render(IAnsiConsole console, TrainingPipelineResult result)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(result);
        if (result.Run.Report is not { } report)
        {
            console.MarkupLineInterpolated($"[yellow]{result.Run.Message}[/]");
            return;
        }

        var evaluation = report.Evaluation;
        var business = evaluation.Business;
        var money = (double value) => FormatMoney(value, business?.Currency);
        var table = new Table().Title($"{report.Model} {report.Version}").AddColumns("measure", "validation window");

        // A regression's rows have no positives: its label is a value.
        table.AddRow(
            report.Task == ModelTask.Regression ? "rows" : "rows (positives)",
            report.Task == ModelTask.Regression
                ? string.Create(CultureInfo.InvariantCulture, $"{report.Validation.Rows:N0}; trained on {report.Training.Rows:N0}")
                : string.Create(CultureInfo.InvariantCulture, $"{report.Validation.Rows:N0} ({report.Validation.Positives:N0}); trained on {report.Training.Rows:N0} ({report.Training.Positives:N0})"));
        table.AddRow("window", $"{report.Validation.From:yyyy-MM-dd HH:mm} to {report.Validation.To:yyyy-MM-dd HH:mm}; trained on {report.Training.From:yyyy-MM-dd HH:mm} to {report.Training.To:yyyy-MM-dd HH:mm}");
        if (evaluation.Binary is { } binary)
        {
            table.AddRow("AUC", binary.Auc.ToString("0.000", CultureInfo.InvariantCulture));
            table.AddRow("PR-AUC (base rate)", $"{binary.PrAuc:0.000} ({binary.BaseRate:P2})");
            table.AddRow("log loss", binary.LogLoss.ToString("0.0000", CultureInfo.InvariantCulture));
        }

        if (evaluation.Regression is { } regression)
        {
            table.AddRow("RMSE", regression.Rmse.ToString("#,0.000", CultureInfo.InvariantCulture));
            table.AddRow("MAE", regression.Mae.ToString("#,0.000", CultureInfo.InvariantCulture));
            table.AddRow("R²", regression.RSquared.ToString("0.000", CultureInfo.InvariantCulture));
        }

        if (business is not null)
        {
            // The headline numbers are out-of-sample (the threshold of each half of the window counted on the other);
            // the in-sample ones at the served threshold are shown apart, as what they are.
            var basis = business.ReportedBasis;
            table.AddRow("threshold (least cost on the window, served)", business.Threshold.ToString("0.0000", CultureInfo.InvariantCulture));
            table.AddRow($"expected cost with model, {basis}", money(business.ReportedExpectedCost));
            table.AddRow("cost with no model", money(business.NoModelCost));
            table.AddRow($"[bold]money saved, {basis}[/]", $"[bold green]{Markup.Escape(money(business.ReportedSaved))}[/] ({business.ReportedSavedFraction:P1})");
            if (business.ReportedByCurrency.Count > 0)
            {
                // Each row currency's amounts are converted to the cost's currency, so the parts add up to the total.
                var parts = business.ReportedByCurrency.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Currency} rows {c.Saved:N0}"));
                table.AddRow(Markup.Escape($"saved by row currency (in {business.Currency})"), Markup.Escape(string.Join("; ", parts)));
            }

            table.AddRow(
                business.InSampleBecause is null ? "in-sample at the served threshold" : "why in-sample",
                Markup.Escape(business.InSampleBecause is { } because
                    ? because + " (optimistic: the threshold was chosen on the same rows)"
                    : string.Create(CultureInfo.InvariantCulture, $"saved {money(business.Saved)} ({business.SavedFraction:P1}), optimistic: the threshold was chosen on these rows")));
            table.AddRow("confusion at the served threshold (TP/FP/FN/TN)", $"{business.Confusion.TruePositives}/{business.Confusion.FalsePositives}/{business.Confusion.FalseNegatives}/{business.Confusion.TrueNegatives}");
        }

        // Promotion reasons already start with their outcome ("Promoted: …"); other messages get the run status.
        var reason = report.Promotion?.Reason ?? result.Run.Message ?? "";
        var status = result.Run.Status.ToString();
        table.AddRow("decision", Markup.Escape(reason.StartsWith(status, StringComparison.Ordinal) ? reason : $"{status}: {reason}"));
        console.Write(table);
        var top = report.Importance.Take(5).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Feature} {i.Importance:0.000}"));
        console.MarkupLineInterpolated($"[grey]top features: {string.Join("; ", top)}[/]");
    }

    /// <summary>An amount rounded to units, followed by its currency when the cost matrix names one.</summary>
    /// <param name="value">The amount.</param>
    /// <param name="currency">The currency, or null.</param>
    /// <returns>The text, e.g. <c>1,200 EUR</c> or <c>1,200</c>.</returns>
    public static string FormatMoney(double value, string? currency) =>
        currency is null ? value.ToString("N0", CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{value:N0} {currency}");

    /// <summary>True when the run produced a model that saves money (the reported, out-of-sample saving).</summary>
    public static bool SavesMoney(TrainingPipelineResult result) =>
        result?.Run.Report?.Evaluation.Business is { ReportedSaved: > 0 } && result.Run.Status != TrainingRunStatus.Busy;
}
