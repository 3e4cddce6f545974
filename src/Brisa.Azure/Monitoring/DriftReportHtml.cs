using System.Globalization;
using System.Net;
using System.Text;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;

namespace Brisa.Azure.Monitoring;

/// <summary>
/// Renders a <see cref="DriftReport"/> as one self-contained HTML page: the verdicts table, the PSI chart, live
/// performance, and baseline vs current histograms of every feature (drifted ones first), each chart a PNG from
/// <see cref="DriftCharts"/> embedded as a <c>data:image/png;base64</c> URI (no scripts, no external files).
/// </summary>
public static class DriftReportHtml
{
    /// <summary>
    /// The page's Content-Security-Policy, in a <c>meta</c> element so it holds wherever the page is opened (the API, the
    /// blob, a saved file): inline styles and <c>data:</c> images only, no script at all, so markup that got past the
    /// escaping in a feature or category name still cannot run one.
    /// </summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

    /// <summary>
    /// The page a browser gets for a model without a report yet: what is missing and when <c>MonitorDrift</c> writes
    /// one, in the report's style and under its <see cref="ContentSecurityPolicy"/>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="schedule">The <c>MonitorDrift</c> schedule (NCRONTAB, UTC), or null when not known.</param>
    /// <param name="nextRun">Its next occurrence, or null when not known.</param>
    /// <returns>The HTML document.</returns>
    public static string NoReport(string model, string? schedule, DateTimeOffset? nextRun)
    {
        ArgumentNullException.ThrowIfNull(model);
        var html = new StringBuilder();
        Head(html, model);
        html.Append("<h1>Drift of <code>").Append(H(model)).Append("</code></h1><p>No drift report yet. <code>MonitorDrift</code> writes one on its schedule");
        if (schedule is not null)
        {
            html.Append(" (<code>").Append(H(schedule)).Append("</code>, UTC)");
        }

        if (nextRun is { } next)
        {
            html.Append("; its next run is at ").Append(T(next));
        }

        html.Append(".</p><p class=\"muted\">A report also needs a champion: <code>brisa drift ").Append(H(model)).Append("</code> runs the check at once.</p></body></html>");
        return html.ToString();
    }

    /// <summary>Renders the report.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The HTML document.</returns>
    public static string Render(DriftReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        Head(html, report.Model);
        html.Append("<h1>Drift of <code>").Append(H(report.Model)).Append("</code> ").Append(H(report.Version)).Append("</h1>")
            .Append("<p>Window ").Append(T(report.From)).Append(" – ").Append(T(report.To)).Append(", ").Append(report.Rows.ToString("N0", CultureInfo.InvariantCulture))
            .Append(" predictions against the training baseline (").Append(T(report.BaselineWindow.From)).Append(" – ").Append(T(report.BaselineWindow.To)).Append(").</p>")
            .Append("<p>Dataset verdict: ").Append(Verdict(report.Verdict)).Append(" — ");
        if (report.Verdict == DriftVerdict.NoData)
        {
            html.Append(H(NoDataReason(report))).Append(".</p>");
        }
        else
        {
            html.Append(P(report.DriftedShare)).Append(" of features drifted, ")
                .Append(P(report.AlertShare)).Append(" alert (PSI warn ").Append(N(report.Policy.PsiWarn)).Append(", alert ").Append(N(report.Policy.PsiAlert))
                .Append("; retrain on alert: ").Append(report.Policy.RetrainOnAlert ? "yes" : "no").Append(").</p>");
        }

        if (report.UnreadableLogLines > 0)
        {
            html.Append("<p class=\"warn\">").Append(H(UnreadableWarning(report.UnreadableLogLines))).Append("</p>");
        }

        html.Append("<h2>Features</h2><table><tr><th>feature</th><th>method</th><th>PSI</th><th>PSI p</th><th>rows (effective)</th><th>JS</th><th>KS D</th><th>KS p</th><th>χ² p</th><th>missing (baseline → now)</th><th>verdict</th></tr>");
        foreach (var f in report.Features.Append(report.Score))
        {
            html.Append("<tr><td>").Append(H(f.Name)).Append("</td><td>").Append(H(f.Method)).Append("</td><td>").Append(N(f.Psi)).Append("</td><td>").Append(Pv(f.PsiPValue))
                .Append("</td><td>").Append(f.CurrentCount.ToString("N0", CultureInfo.InvariantCulture)).Append(" (").Append(f.EffectiveCount.ToString("N0", CultureInfo.InvariantCulture)).Append(')')
                .Append("</td><td>").Append(N(f.JensenShannon))
                .Append("</td><td>").Append(N(f.Ks)).Append("</td><td>").Append(Pv(f.KsPValue)).Append("</td><td>").Append(Pv(f.ChiSquarePValue))
                .Append("</td><td>").Append(P(f.BaselineMissingFraction)).Append(" → ").Append(P(f.CurrentMissingFraction)).Append("</td><td>").Append(Verdict(f.Verdict)).Append("</td></tr>");
        }

        html.Append("</table><p class=\"muted\">The score row is reported but does not enter the dataset verdict. A PSI verdict also needs its p-value (PSI p) at the effective row count: rows of one entity share a view feature's value and count once together.</p>");
        if (report.Features.Count > 0)
        {
            html.Append(Image(DriftCharts.Psi(report), "PSI per feature"));
        }

        if (report.Live is { } live)
        {
            Live(html, live);
        }
        else if (report.LiveRegression is { } errors)
        {
            LiveRegression(html, errors);
        }
        else
        {
            // A report written before its task had live numbers, or by a caller that did not compute them.
            html.Append("<h2>Live performance</h2><p class=\"muted\">Not computed for this report.</p>");
        }

        if (report.Shadow is { } shadow)
        {
            Shadow(html, shadow);
        }

        html.Append("<h2>Distributions: baseline vs current</h2>");
        foreach (var f in report.Features.OrderByDescending(f => f.Verdict).ThenByDescending(f => f.Psi).Append(report.Score).Where(f => f.Bins.Count > 0))
        {
            html.Append(Image(DriftCharts.Histogram(f), f.Name));
        }

        return HtmlPages.ScrollTables(html.Append("</body></html>")).ToString();
    }

    /// <summary>Why a report's dataset verdict is <see cref="DriftVerdict.NoData"/>, in one sentence without a final period.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The sentence.</returns>
    public static string NoDataReason(DriftReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Rows == 0
            ? $"no prediction of {report.Version} in the window, so nothing to judge: not a sign of health, and never a reason to retrain"
            : $"the baseline of {report.Version} has no rows to compare with, so nothing to judge";
    }

    /// <summary>What the report says when the prediction log had lines that are not records.</summary>
    /// <param name="lines">The number of such lines.</param>
    /// <returns>The sentence.</returns>
    public static string UnreadableWarning(long lines) => string.Create(
        CultureInfo.InvariantCulture,
        $"The prediction log read for this report has {lines:N0} unreadable line{(lines == 1 ? "" : "s")} (damaged, or not written by Brisa): left out of every number.");

    private static void Head(StringBuilder html, string model) =>
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"").Append(ContentSecurityPolicy)
            .Append("\">").Append(HtmlPages.Viewport).Append("<title>Drift ").Append(H(model)).Append("</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2rem;max-width:76rem;color:#222}").Append(HtmlPages.NarrowScreenCss)
            .Append("table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}")
            .Append("th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.ok{color:#176c2f}.warn{color:#9a6a00}.alert{color:#a3291a;font-weight:600}")
            .Append("img{display:block;margin:.5rem 0 1.5rem;max-width:100%}.muted{color:#777}")
            .Append("</style></head><body>");

    private static void Live(StringBuilder html, LivePerformance live)
    {
        html.Append("<h2>Live performance</h2><p>Predictions joined by id with <code>").Append(H(live.LabelSource)).Append("</code> events arriving within ")
            .Append(Durations.Format(live.LabelWithin)).Append(", as of ").Append(T(live.AsOf)).Append("; decisions at the champion's threshold ").Append(N(live.Threshold))
            .Append(". Until its window closes, a prediction without a label counts as negative so far (rows not marked final). Predictions sent without an id join no label: they are only counted (no id).</p>");
        Notes(html, live.Warnings, live.Judgement);

        LiveHeader(html, "day", live.Currency);
        foreach (var day in live.Days)
        {
            LiveRow(html, day.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), day);
        }

        LiveRow(html, "all", live.Total);
        ValidationRow(html, "validation (training run", live.Validation);
        html.Append("</table>");
        if (DriftCharts.LiveAuc(live) is { } chart)
        {
            html.Append(Image(chart, "Live AUC per day"));
        }
        else
        {
            html.Append("<p class=\"muted\">No day has labels of both classes yet: no live AUC to chart.</p>");
        }
    }

    private static void LiveRegression(StringBuilder html, LiveRegressionPerformance live)
    {
        html.Append("<h2>Live performance</h2><p>Predictions joined by id with <code>").Append(H(live.LabelSource)).Append("</code> events dated no later than ")
            .Append(Durations.Format(live.LabelWithin)).Append(" after them, as of ").Append(T(live.AsOf)).Append("; each scored against the event's <code>").Append(H(live.LabelValue))
            .Append("</code>. Errors are over the labelled predictions only; mean error is prediction − label (positive: the model overestimates). Until its window closes, a prediction without a label may still get one (rows not marked final). Predictions sent without an id join no label: they are only counted (no id).</p>");
        Notes(html, live.Warnings, live.Judgement);

        LiveRegressionHeader(html, "day");
        foreach (var day in live.Days)
        {
            LiveRegressionRow(html, day.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), day);
        }

        LiveRegressionRow(html, "all", live.Total);
        RegressionValidationRow(html, "validation (training run)", live.Validation);
        html.Append("</table>");
        if (DriftCharts.LiveErrors(live) is { } chart)
        {
            html.Append(Image(chart, "Live MAE per day"));
        }
        else
        {
            html.Append("<p class=\"muted\">No day has a labelled prediction yet: no live error to chart.</p>");
        }
    }

    // What qualifies the live table above it: the warnings about its rows, then the verdict on them.
    private static void Notes(StringBuilder html, IReadOnlyList<string> warnings, LiveJudgement? judgement)
    {
        foreach (var warning in warnings)
        {
            html.Append("<p class=\"warn\">").Append(H(warning)).Append("</p>");
        }

        if (judgement is null)
        {
            return;
        }

        var css = judgement.Verdict switch
        {
            LiveVerdict.Alert => "alert",
            LiveVerdict.Warn => "warn",
            LiveVerdict.Ok => "ok",
            _ => "muted",
        };
        html.Append("<p>Live verdict: <span class=\"").Append(css).Append("\">").Append(H(LiveJudge.Name(judgement.Verdict))).Append("</span> — ").Append(H(judgement.Reason))
            .Append(". <span class=\"muted\">Judged on the predictions whose label window has closed; warn or alert needs the change past its margin and its one-sided p below ")
            .Append(N(DriftAnalyzer.WarnPValue)).Append(" (warn) or ").Append(N(DriftAnalyzer.AlertPValue)).Append(" (alert).</span></p>");
    }

    // Both versions on the same instances, row by row: the days are the same, as the rows are.
    private static void Shadow(StringBuilder html, ShadowComparison shadow)
    {
        html.Append("<h2>Challenger in shadow</h2><p>Champion <code>").Append(H(shadow.ChampionVersion)).Append("</code> and challenger <code>").Append(H(shadow.ChallengerVersion))
            .Append("</code> on the ").Append(shadow.Paired.ToString("N0", CultureInfo.InvariantCulture)).Append(" instances both scored (the challenger in shadow, never answered); ")
            .Append(shadow.ChampionOnly.ToString("N0", CultureInfo.InvariantCulture)).Append(" champion predictions without a shadow one are left out. Each version decides at its own threshold. Report only: nothing is promoted on it.</p>");
        if (shadow is { Champion: { } champion, Challenger: { } challenger })
        {
            LiveHeader(html, "day: version", champion.Currency);
            SideBySide(html, ShadowComparer.SideBySide(champion.Days, champion.Total, challenger.Days, challenger.Total, w => w.From), LiveRow);
            ValidationRow(html, "validation: champion (training run", champion.Validation);
            ValidationRow(html, "validation: challenger (training run", challenger.Validation);
            html.Append("</table>");
        }
        else if (shadow is { ChampionRegression: { } championErrors, ChallengerRegression: { } challengerErrors })
        {
            LiveRegressionHeader(html, "day: version");
            SideBySide(html, ShadowComparer.SideBySide(championErrors.Days, championErrors.Total, challengerErrors.Days, challengerErrors.Total, w => w.From), LiveRegressionRow);
            RegressionValidationRow(html, "validation: champion (training run)", championErrors.Validation);
            RegressionValidationRow(html, "validation: challenger (training run)", challengerErrors.Validation);
            html.Append("</table>");
        }
    }

    private static void SideBySide<T>(StringBuilder html, IEnumerable<(string Day, T Champion, T Challenger)> rows, Action<StringBuilder, string, T> row)
    {
        foreach (var (day, ours, theirs) in rows)
        {
            row(html, day + ": champion", ours);
            row(html, day + ": challenger", theirs);
        }
    }

    private static void LiveHeader(StringBuilder html, string first, string? currency)
    {
        var money = currency is null ? string.Empty : " (" + H(currency) + ")";
        html.Append("<table><tr><th>").Append(H(first)).Append("</th><th>predictions</th><th>no id</th><th>positives</th><th>final</th><th>AUC</th><th>PR-AUC</th><th>cost").Append(money)
            .Append("</th><th>no model").Append(money).Append("</th><th>saved").Append(money).Append("</th><th>saved %</th></tr>");
    }

    private static void ValidationRow(StringBuilder html, string label, ValidationNumbers v) =>
        html.Append("<tr><td>").Append(H(label)).Append(v.Saved is null || v.SavedOutOfSample ? string.Empty : "; saved in-sample, optimistic").Append(")</td><td>").Append(v.Rows.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td></td><td>").Append(P(v.BaseRate))
            .Append(" base rate</td><td></td><td>").Append(N(v.Auc)).Append("</td><td>").Append(N(v.PrAuc)).Append("</td><td></td><td></td><td>")
            .Append(M(v.Saved)).Append("</td><td>").Append(v.SavedFraction is { } s ? P(s) : string.Empty).Append("</td></tr>");

    private static void LiveRegressionHeader(StringBuilder html, string first) =>
        html.Append("<table><tr><th>").Append(H(first)).Append("</th><th>predictions</th><th>no id</th><th>labelled</th><th>final</th><th>MAE</th><th>RMSE</th><th>mean error</th></tr>");

    private static void RegressionValidationRow(StringBuilder html, string label, RegressionMetrics v) =>
        html.Append("<tr><td>").Append(H(label)).Append("</td><td>").Append(v.Rows.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td></td><td>")
            .Append(v.Rows.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td></td><td>").Append(N(v.Mae)).Append("</td><td>").Append(N(v.Rmse))
            .Append("</td><td></td></tr>");

    private static void LiveRegressionRow(StringBuilder html, string label, LiveRegressionWindow w) =>
        html.Append("<tr><td>").Append(H(label)).Append("</td><td>").Append(w.Predictions.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td>").Append(w.Unjoinable.ToString("N0", CultureInfo.InvariantCulture))
            .Append("</td><td>").Append(w.Labelled.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td>").Append(w.Complete ? "yes" : P(w.Predictions == 0 ? 0 : (double)w.Final / w.Predictions))
            .Append("</td><td>").Append(N(w.Mae)).Append("</td><td>").Append(N(w.Rmse)).Append("</td><td>").Append(N(w.MeanError)).Append("</td></tr>");

    private static void LiveRow(StringBuilder html, string label, LiveWindow w) =>
        html.Append("<tr><td>").Append(H(label)).Append("</td><td>").Append(w.Predictions.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td>").Append(w.Unjoinable.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td>").Append(w.Positives.ToString("N0", CultureInfo.InvariantCulture))
            .Append("</td><td>").Append(w.Complete ? "yes" : P(w.Predictions == 0 ? 0 : (double)w.Final / w.Predictions)).Append("</td><td>").Append(N(w.Auc)).Append("</td><td>").Append(N(w.PrAuc))
            .Append("</td><td>").Append(M(w.ExpectedCost)).Append("</td><td>").Append(M(w.NoModelCost)).Append("</td><td>").Append(M(w.Saved))
            .Append("</td><td>").Append(w.SavedFraction is { } s ? P(s) : string.Empty).Append("</td></tr>");

    private static string Image(byte[] png, string alt) => $"<img alt=\"{H(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">";

    private static string Verdict(DriftVerdict verdict) =>
        $"<span class=\"{(verdict == DriftVerdict.NoData ? "muted" : verdict.ToString().ToLowerInvariant())}\">{DriftAnalyzer.Name(verdict)}</span>";

    private static string T(DateTimeOffset time) => H(time.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture));

    // Thousands separators for errors in the unit of the label (an MAE of 1,234.5 seconds), as for money.
    private static string N(double? value) => value is { } v ? v.ToString("#,0.###", CultureInfo.InvariantCulture) : string.Empty;

    // A p-value below the doubles' range underflows to 0, which "0.0e0" wrote as if it were a value.
    private static string Pv(double? value) => value switch
    {
        null => string.Empty,
        < 1e-300 => "&lt; 1e-300",
        { } v => v.ToString(v < 0.001 ? "0.0e0" : "0.###", CultureInfo.InvariantCulture),
    };

    private static string P(double value) => (value * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string M(double? value) => value is { } v ? v.ToString("#,0.00", CultureInfo.InvariantCulture) : string.Empty;

    private static string H(string text) => WebUtility.HtmlEncode(text);
}
