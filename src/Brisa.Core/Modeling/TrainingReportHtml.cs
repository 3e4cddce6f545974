using System.Globalization;
using System.Net;
using System.Text;
using Brisa.Core.Definitions;

namespace Brisa.Core.Modeling;

/// <summary>Renders a <see cref="TrainingReport"/> as one self-contained HTML page (inline CSS and SVG, no scripts).</summary>
public static class TrainingReportHtml
{
    /// <summary>
    /// The page's Content-Security-Policy, in a <c>meta</c> element so it holds wherever the page is opened (the model's
    /// blob, a saved file): inline styles only, no script at all, so markup that got past the escaping in a feature name,
    /// currency or guardrail detail still cannot run one.
    /// </summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

    /// <summary>Renders the report.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The HTML document.</returns>
    public static string Render(TrainingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        var e = report.Evaluation;
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"").Append(ContentSecurityPolicy)
            .Append("\">").Append(HtmlPages.Viewport).Append("<title>")
            .Append(H($"{report.Model} {report.Version}")).Append("</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}").Append(HtmlPages.NarrowScreenCss)
            .Append("table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}")
            .Append("th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.big{font-size:1.6rem;font-weight:600}")
            .Append(".ok{color:#176c2f}.no{color:#a3291a}.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:.8rem 1.2rem}")
            .Append("</style></head><body>");
        html.Append("<h1>Model <code>").Append(H(report.Model)).Append("</code> ").Append(H(report.Version)).Append("</h1>");
        html.Append("<p>").Append(H(report.Task.ToYamlName())).Append(", trainer <b>").Append(H(report.Trainer.ToYamlName())).Append("</b> (seed ")
            .Append(report.Seed).Append("), trained ").Append(H(report.TrainedAt.ToString("u", CultureInfo.InvariantCulture)))
            .Append(", definitions ").Append(H(Short(report.DefinitionsVersion))).Append(", commit ").Append(H(Short(report.GitCommit))).Append("</p>");

        if (e.Business is { } b)
        {
            var unit = b.Currency is null ? string.Empty : " " + b.Currency;
            var escapedUnit = H(unit);
            html.Append("<h2>Business result on the validation window, ").Append(H(b.ReportedBasis)).Append("</h2><div class=\"cards\">")
                .Append(Card("Money saved, " + b.ReportedBasis, Money(b.ReportedSaved) + unit, $"{N(b.ReportedSavedFraction * 100, "0.#")}% of the cost without a model"))
                .Append(Card("Cost with the model, " + b.ReportedBasis, Money(b.ReportedExpectedCost) + unit, $"served threshold {N(b.Threshold, "0.####")}"))
                .Append(Card("Cost without a model", Money(b.NoModelCost) + unit, "every positive missed"))
                .Append(Card("Cost reviewing everything", Money(b.ReviewAllCost) + unit, "every row flagged"))
                .Append("</div>");
            if (b.OutOfSample is { Halves: [var earlier, var later] })
            {
                html.Append("<p>Out-of-sample: the window's rows are split by time into two halves (").Append(H(Span(earlier))).Append(", ")
                    .Append(Count(earlier.Rows)).Append(" rows; ").Append(H(Span(later))).Append(", ").Append(Count(later.Rows))
                    .Append(" rows); the least-cost threshold chosen on each half (").Append(N(later.Threshold, "0.####")).Append(" and ").Append(N(earlier.Threshold, "0.####"))
                    .Append(") is counted on the other, so no row is counted at a threshold chosen on it. The served threshold is chosen on the whole window; at it the window saves ")
                    .Append(Money(b.Saved)).Append(escapedUnit).Append(" (").Append(N(b.SavedFraction * 100, "0.#")).Append("%) in-sample, which is optimistic: the threshold was chosen on those rows.</p>");
            }
            else
            {
                html.Append("<p>In-sample, so optimistic (the threshold was chosen on the same rows): ").Append(H(b.InSampleBecause ?? string.Empty)).Append(".</p>");
            }

            if (b.ReportedByCurrency.Count > 0)
            {
                // The amounts of every row currency are converted to the cost's currency: the columns add up to the cards.
                var inUnit = b.Currency is null ? string.Empty : " (" + H(b.Currency) + ")";
                html.Append("<p>By row currency, every amount converted to ").Append(b.Currency is null ? "the cost's currency" : H(b.Currency)).Append(" with the cost's exchange rates:</p>")
                    .Append("<table><tr><th>row currency</th><th>rows</th><th>cost with model").Append(inUnit).Append("</th><th>without model").Append(inUnit)
                    .Append("</th><th>saved").Append(inUnit).Append("</th></tr>");
                foreach (var c in b.ReportedByCurrency)
                {
                    html.Append("<tr><td>").Append(H(c.Currency)).Append("</td><td>").Append(Count(c.Rows)).Append("</td><td>").Append(Money(c.ExpectedCost))
                        .Append("</td><td>").Append(Money(c.NoModelCost)).Append("</td><td>").Append(Money(c.Saved)).Append("</td></tr>");
                }

                html.Append("</table>");
            }
        }

        if (report.Promotion is { } p)
        {
            html.Append("<h2>Promotion</h2><p class=\"").Append(p.Promote ? "ok" : "no").Append("\"><b>").Append(H(p.Reason)).Append("</b></p><table><tr><th>guardrail</th><th>result</th><th>detail</th></tr>");
            foreach (var g in p.Guardrails)
            {
                html.Append("<tr><td>").Append(H(g.Name)).Append("</td><td class=\"").Append(g.Passed ? "ok\">pass" : "no\">fail").Append("</td><td>").Append(H(g.Detail)).Append("</td></tr>");
            }

            html.Append("</table>");
        }

        // A regression's rows have no positives (its label is a value).
        var positives = report.Task != ModelTask.Regression;
        html.Append("<h2>Data</h2><table><tr><th></th><th>from</th><th>to</th><th>rows</th>").Append(positives ? "<th>positives</th>" : "").Append("</tr>")
            .Append(RangeRow("training", report.Training, positives)).Append(RangeRow("validation (newest " + Durations.Format(report.ValidationSpan) + ")", report.Validation, positives)).Append("</table>");

        if (e.Binary is { } m)
        {
            html.Append("<h2>Metrics on the validation window</h2><table><tr><th>metric</th><th>value</th></tr>")
                .Append(Row("AUC", N(m.Auc, "0.0000"))).Append(Row("PR-AUC (base rate " + N(m.BaseRate, "0.####") + ")", N(m.PrAuc, "0.0000")))
                .Append(Row("log loss", N(m.LogLoss, "0.0000"))).Append(Row("Brier", N(m.Brier, "0.00000"))).Append("</table>");
            if (e.Confusion is { } c)
            {
                html.Append("<h3>Confusion matrix at the served threshold ").Append(N(e.Threshold ?? 0.5, "0.####")).Append("</h3><table><tr><th></th><th>flagged</th><th>not flagged</th></tr>")
                    .Append("<tr><td>positive</td><td>").Append(Count(c.TruePositives)).Append("</td><td>").Append(Count(c.FalseNegatives)).Append("</td></tr>")
                    .Append("<tr><td>negative</td><td>").Append(Count(c.FalsePositives)).Append("</td><td>").Append(Count(c.TrueNegatives)).Append("</td></tr></table>")
                    .Append("<p>precision ").Append(N(c.Precision, "0.###")).Append(", recall ").Append(N(c.Recall, "0.###")).Append(", flag rate ").Append(N(c.FlagRate * 100, "0.##")).Append("%</p>");
            }

            html.Append("<h3>Calibration</h3>").Append(CalibrationSvg(m.Calibration)).Append("<table><tr><th>predicted</th><th>rows</th><th>mean predicted</th><th>observed</th></tr>");
            foreach (var bin in m.Calibration.Where(x => x.Count > 0))
            {
                html.Append("<tr><td>").Append(N(bin.Lower, "0.0")).Append('–').Append(N(bin.Upper, "0.0")).Append("</td><td>").Append(Count(bin.Count)).Append("</td><td>")
                    .Append(N(bin.MeanPredicted, "0.####")).Append("</td><td>").Append(N(bin.ObservedRate, "0.####")).Append("</td></tr>");
            }

            html.Append("</table>");
        }

        if (e.Regression is { } r)
        {
            html.Append("<h2>Metrics on the validation window</h2><table><tr><th>metric</th><th>value</th></tr>")
                .Append(Row("RMSE", N(r.Rmse, "#,0.####"))).Append(Row("MAE", N(r.Mae, "#,0.####"))).Append(Row("R²", N(r.RSquared, "0.####"))).Append("</table>");
        }

        html.Append("<h2>Permutation feature importance</h2>");
        if (report.Importance.Count == 0)
        {
            html.Append("<p>Not computed for this version.</p>");
        }
        else
        {
            html.Append("<table><tr><th>feature</th><th>metric drop</th><th>chart</th><th>cost increase")
                .Append(e.Business?.Currency is { } currency ? " (" + H(currency) + ")" : string.Empty).Append("</th></tr>");
        }

        var top = report.Importance.Count == 0 ? 1 : Math.Max(1e-12, report.Importance.Max(i => i.Importance));
        foreach (var i in report.Importance)
        {
            var width = (int)Math.Round(Math.Max(0, i.Importance) / top * 200);
            html.Append("<tr><td>").Append(H(i.Feature)).Append("</td><td>").Append(N(i.Importance, "0.0000")).Append(' ').Append(H(i.Metric))
                .Append("</td><td><svg width=\"204\" height=\"12\" aria-hidden=\"true\"><rect width=\"").Append(width).Append("\" height=\"12\" fill=\"#4a7bd0\"/></svg></td><td>")
                .Append(i.CostIncrease is { } ci ? Money(ci) : string.Empty).Append("</td></tr>");
        }

        html.Append(report.Importance.Count == 0 ? string.Empty : "</table>").Append("<h2>Inputs and baseline statistics (training rows)</h2><table><tr><th>feature</th><th>kind</th><th>encoding</th><th>missing</th><th>mean</th><th>std</th><th>min</th><th>median</th><th>max</th></tr>");
        foreach (var input in report.Inputs)
        {
            var s = report.Baseline.FirstOrDefault(x => x.Name == input.Name);
            html.Append("<tr><td>").Append(H(input.Name)).Append("</td><td>").Append(H(input.Kind.ToString().ToLowerInvariant())).Append("</td><td>").Append(H(input.Encoding))
                .Append("</td><td>").Append(s is null ? string.Empty : N(s.MissingFraction * 100, "0.#") + "%")
                .Append("</td><td>").Append(N(s?.Mean)).Append("</td><td>").Append(N(s?.Std)).Append("</td><td>").Append(N(s?.Min))
                .Append("</td><td>").Append(s is { Quantiles.Count: > 4 } ? N(s.Quantiles[4]) : string.Empty).Append("</td><td>").Append(N(s?.Max)).Append("</td></tr>");
        }

        html.Append("</table><p>Fit ").Append(N(report.FitSeconds, "0.0")).Append(" s, evaluation ").Append(N(report.EvaluationSeconds, "0.0")).Append(" s.</p></body></html>");
        return HtmlPages.ScrollTables(html).ToString();
    }

    private static string CalibrationSvg(IReadOnlyList<CalibrationBin> bins)
    {
        const int Size = 220;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg width=\"{Size + 20}\" height=\"{Size + 20}\" viewBox=\"-10 -10 {Size + 20} {Size + 20}\" role=\"img\">")
            .Append("<title>Calibration: observed positive rate against mean predicted score per bin (the table below), with the diagonal of a perfectly calibrated model</title>")
            .Append(CultureInfo.InvariantCulture, $"<rect width=\"{Size}\" height=\"{Size}\" fill=\"none\" stroke=\"#999\"/>")
            .Append(CultureInfo.InvariantCulture, $"<line x1=\"0\" y1=\"{Size}\" x2=\"{Size}\" y2=\"0\" stroke=\"#bbb\" stroke-dasharray=\"4\"/>");
        foreach (var bin in bins.Where(b => b.Count > 0))
        {
            var x = bin.MeanPredicted * Size;
            var y = Size - (bin.ObservedRate * Size);
            var r = Math.Clamp(Math.Log10(bin.Count + 1) * 2, 2, 8);
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{x:0.#}\" cy=\"{y:0.#}\" r=\"{r:0.#}\" fill=\"#d0704a\"><title>{bin.Count} rows</title></circle>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Card(string title, string value, string note) =>
        $"<div class=\"card\"><div>{H(title)}</div><div class=\"big\">{H(value)}</div><div>{H(note)}</div></div>";

    private static string RangeRow(string name, DataRange range, bool positives) =>
        $"<tr><td>{H(name)}</td><td>{H(range.From.ToString("u", CultureInfo.InvariantCulture))}</td><td>{H(range.To.ToString("u", CultureInfo.InvariantCulture))}</td><td>{Count(range.Rows)}</td>{(positives ? $"<td>{Count(range.Positives)}</td>" : "")}</tr>";

    private static string Row(string name, string value) => $"<tr><td>{H(name)}</td><td>{H(value)}</td></tr>";

    private static string Span(CrossFitHalf half) =>
        half.From.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " to " + half.To.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Money(double value) => value.ToString("#,0.00", CultureInfo.InvariantCulture);

    private static string N(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string N(double? value) => value is { } v ? HtmlPages.Statistic(v) : string.Empty;

    private static string Short(string? text) => text is null ? "n/a" : text.Length > 12 ? text[..12] : text;

    private static string H(string text) => WebUtility.HtmlEncode(text);
}
