using System.Globalization;
using Brisa.Core.Definitions;
using Brisa.Core.Monitoring;
using Spectre.Console;

namespace Brisa.Cli;

/// <summary>Prints a drift report: one row per feature (and the score), the dataset verdict, and live performance.</summary>
public static class DriftReportView
{
    /// <summary>Writes the tables.</summary>
    public static void Render(IAnsiConsole console, DriftReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        var table = new Table()
            .Title($"drift of {report.Model} {report.Version}: {report.Rows:N0} predictions, {report.From:yyyy-MM-dd HH:mm} to {report.To:yyyy-MM-dd HH:mm} UTC")
            .AddColumns("feature", "method", "PSI", "PSI p", "effective rows", "JS", "KS D", "KS / χ² p", "missing now", "verdict");
        foreach (var f in report.Features.Append(report.Score))
        {
            table.AddRow(
                Markup.Escape(f.Name),
                f.Method,
                N(f.Psi),
                f.PsiPValue is { } psiP ? P(psiP) : "",
                f.EffectiveCount.ToString("N0", CultureInfo.InvariantCulture),
                N(f.JensenShannon),
                f.Ks is { } d ? N(d) : "",
                (f.KsPValue ?? f.ChiSquarePValue) is { } p ? P(p) : "",
                Percent(f.CurrentMissingFraction),
                Verdict(f.Verdict));
        }

        console.Write(table);
        console.MarkupLine(report.Verdict == DriftVerdict.NoData
            ? $"dataset verdict: {Verdict(report.Verdict)} ({Markup.Escape(Brisa.Azure.Monitoring.DriftReportHtml.NoDataReason(report))})"
            : string.Create(
                CultureInfo.InvariantCulture,
                $"dataset verdict: {Verdict(report.Verdict)} ({Percent(report.DriftedShare)} of features drifted, {Percent(report.AlertShare)} alert; PSI warn {report.Policy.PsiWarn:0.##}, alert {report.Policy.PsiAlert:0.##}; the score row is not part of the verdict)"));
        if (report.UnreadableLogLines > 0)
        {
            console.MarkupLineInterpolated($"[yellow]warning:[/] {Brisa.Azure.Monitoring.DriftReportHtml.UnreadableWarning(report.UnreadableLogLines)}");
        }

        if (report.Live is { } live)
        {
            RenderLive(console, live);
        }
        else if (report.LiveRegression is { } errors)
        {
            RenderLive(console, errors);
        }
        else if (report.Task == ModelTask.Regression)
        {
            // A report written before regressions had live errors.
            console.MarkupLine("live performance: not computed for this report.");
        }

        if (report.Shadow is { } shadow)
        {
            RenderShadow(console, shadow);
        }
    }

    // Both versions on the same instances, day by day (the days are the same, as the rows are). Report only.
    private static void RenderShadow(IAnsiConsole console, ShadowComparison shadow)
    {
        var title = $"challenger {shadow.ChallengerVersion} in shadow vs champion {shadow.ChampionVersion}";
        if (shadow is { Champion: { } champion, Challenger: { } challenger })
        {
            var currency = champion.Currency is null ? "" : " " + champion.Currency;
            var table = new Table().Title(title)
                .AddColumns("day · version", "predictions", "no id", "positives", "labels final", "AUC", "PR-AUC", "saved" + currency, "saved %");
            foreach (var (day, ours, theirs) in ShadowComparer.SideBySide(champion.Days, champion.Total, challenger.Days, challenger.Total, w => w.From))
            {
                AddRow(table, day + " · champion", ours);
                AddRow(table, day + " · challenger", theirs);
            }

            console.Write(table);
        }
        else if (shadow is { ChampionRegression: { } championErrors, ChallengerRegression: { } challengerErrors })
        {
            var table = new Table().Title(title)
                .AddColumns("day · version", "predictions", "no id", "labelled", "labels final", "MAE", "RMSE", "mean error");
            foreach (var (day, ours, theirs) in ShadowComparer.SideBySide(championErrors.Days, championErrors.Total, challengerErrors.Days, challengerErrors.Total, w => w.From))
            {
                AddRow(table, day + " · champion", ours);
                AddRow(table, day + " · challenger", theirs);
            }

            console.Write(table);
        }

        console.MarkupLineInterpolated($"{shadow.Paired:N0} instances both scored ({shadow.ChampionOnly:N0} champion predictions without a shadow one left out); each version decides at its own threshold. Report only: nothing is promoted on it ('brisa models promote' does).");
    }

    private static void RenderLive(IAnsiConsole console, LiveRegressionPerformance live)
    {
        if (live.Total.Predictions == 0 && live.Total.Unjoinable == 0)
        {
            console.MarkupLineInterpolated($"live performance: no prediction of the champion to join with {live.LabelSource} events yet.");
            return;
        }

        var table = new Table()
            .Title($"live performance: predictions joined with {live.LabelSource} events (within {Durations.Format(live.LabelWithin)})")
            .AddColumns("day", "predictions", "no id", "labelled", "labels final", "MAE", "RMSE", "mean error");
        foreach (var day in live.Days)
        {
            AddRow(table, day.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), day);
        }

        AddRow(table, "all", live.Total);
        var v = live.Validation;
        table.AddRow("validation", $"{v.Rows:N0}", "", $"{v.Rows:N0}", "yes", N(v.Mae), N(v.Rmse), "");
        console.Write(table);
        console.MarkupLineInterpolated($"errors of the labelled predictions against {live.LabelValue}; mean error = prediction − label (positive: the model overestimates).");
        RenderNotes(console, live.Warnings, live.Judgement);
    }

    private static void AddRow(Table table, string label, LiveRegressionWindow w) => table.AddRow(
        label,
        w.Predictions.ToString("N0", CultureInfo.InvariantCulture),
        w.Unjoinable.ToString("N0", CultureInfo.InvariantCulture),
        w.Labelled.ToString("N0", CultureInfo.InvariantCulture),
        w.Complete ? "yes" : Percent(w.Predictions == 0 ? 0 : (double)w.Final / w.Predictions),
        w.Mae is { } mae ? N(mae) : "-",
        w.Rmse is { } rmse ? N(rmse) : "-",
        w.MeanError is { } bias ? N(bias) : "-");

    private static void RenderLive(IAnsiConsole console, LivePerformance live)
    {
        if (live.Total.Predictions == 0 && live.Total.Unjoinable == 0)
        {
            console.MarkupLineInterpolated($"live performance: no prediction of the champion to join with {live.LabelSource} events yet.");
            return;
        }

        var currency = live.Currency is null ? "" : " " + live.Currency;
        var table = new Table()
            .Title($"live performance: predictions joined with {live.LabelSource} events (within {Durations.Format(live.LabelWithin)}), threshold {live.Threshold:0.####}")
            .AddColumns("day", "predictions", "no id", "positives", "labels final", "AUC", "PR-AUC", "saved" + currency, "saved %");
        foreach (var day in live.Days)
        {
            AddRow(table, day.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), day);
        }

        AddRow(table, "all", live.Total);
        var v = live.Validation;
        table.AddRow(v.Saved is null || v.SavedOutOfSample ? "validation" : "validation (saved in-sample)", $"{v.Rows:N0}", "", Percent(v.BaseRate) + " base rate", "yes", N(v.Auc), N(v.PrAuc), v.Saved is { } s ? $"{s:N0}" : "", v.SavedFraction is { } f ? Percent(f) : "");
        console.Write(table);
        RenderNotes(console, live.Warnings, live.Judgement);
    }

    private static void AddRow(Table table, string label, LiveWindow w) => table.AddRow(
        label,
        w.Predictions.ToString("N0", CultureInfo.InvariantCulture),
        w.Unjoinable.ToString("N0", CultureInfo.InvariantCulture),
        w.Positives.ToString("N0", CultureInfo.InvariantCulture),
        w.Complete ? "yes" : Percent(w.Predictions == 0 ? 0 : (double)w.Final / w.Predictions),
        w.Auc is { } auc ? N(auc) : "-",
        w.PrAuc is { } pr ? N(pr) : "-",
        w.Saved is { } saved ? saved.ToString("N0", CultureInfo.InvariantCulture) : "-",
        w.SavedFraction is { } fraction ? Percent(fraction) : "-");

    // What qualifies the live table above it: the warnings about its rows, then the verdict on them.
    private static void RenderNotes(IAnsiConsole console, IReadOnlyList<string> warnings, LiveJudgement? judgement)
    {
        foreach (var warning in warnings)
        {
            console.MarkupLineInterpolated($"[yellow]warning:[/] {warning}");
        }

        if (judgement is null)
        {
            return;
        }

        var name = LiveJudge.Name(judgement.Verdict);
        var colour = judgement.Verdict switch
        {
            LiveVerdict.Alert => "red",
            LiveVerdict.Warn => "yellow",
            LiveVerdict.Ok => "green",
            _ => "grey",
        };
        console.MarkupLineInterpolated($"live verdict: [{colour}]{name}[/] ({judgement.Reason}; judged on predictions whose label window has closed)");
    }

    private static string Verdict(DriftVerdict verdict) => verdict switch
    {
        DriftVerdict.Alert => "[red]alert[/]",
        DriftVerdict.Warn => "[yellow]warn[/]",
        DriftVerdict.NoData => "[grey]no data[/]",
        _ => "[green]ok[/]",
    };

    private static string N(double value) => value.ToString("#,0.000", CultureInfo.InvariantCulture);

    private static string P(double value) => value.ToString(value < 0.001 ? "0.0e0" : "0.000", CultureInfo.InvariantCulture);

    private static string Percent(double value) => (value * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";
}
