using Brisa.Core.Monitoring;
using ScottPlot;

namespace Brisa.Azure.Monitoring;

/// <summary>
/// The drift report's charts as PNG bytes, rendered in memory with ScottPlot (SkiaSharp): baseline vs current
/// histogram of a feature, PSI per feature with the policy's lines, live AUC and PR-AUC per day, a regression's live MAE and RMSE per day.
/// </summary>
public static class DriftCharts
{
    /// <summary>Width of every chart in pixels.</summary>
    public const int Width = 720;

    private static readonly Color Baseline = Colors.SteelBlue;
    private static readonly Color Current = Colors.DarkOrange;
    private static readonly Color WarnColor = Colors.GoldenRod;
    private static readonly Color AlertColor = Colors.FireBrick;

    /// <summary>Bin shares of the baseline next to the current window's, one pair of bars per bin.</summary>
    /// <param name="feature">The feature's drift.</param>
    /// <returns>PNG bytes.</returns>
    public static byte[] Histogram(FeatureDrift feature)
    {
        ArgumentNullException.ThrowIfNull(feature);
        var plot = new Plot();
        var baseline = Shares(feature.BaselineCounts);
        var current = Shares(feature.CurrentCounts);
        var bars = new List<Bar>();
        for (var i = 0; i < feature.Bins.Count; i++)
        {
            bars.Add(new Bar { Position = i - 0.2, Value = baseline[i], Size = 0.4, FillColor = Baseline, LineWidth = 0 });
            bars.Add(new Bar { Position = i + 0.2, Value = current[i], Size = 0.4, FillColor = Current, LineWidth = 0 });
        }

        plot.Add.Bars(bars);
        Categories(plot, feature.Bins);
        Legend(plot, ("baseline (training)", Baseline), ("current window", Current));
        plot.Title($"{feature.Name}: PSI {feature.Psi:0.###}, {DriftAnalyzer.Name(feature.Verdict)}");
        plot.YLabel("share of rows");
        plot.Axes.Margins(bottom: 0);
        return plot.GetImageBytes(Width, 380, ImageFormat.Png);
    }

    /// <summary>PSI of every feature (bars coloured by verdict) with dashed warn and alert lines.</summary>
    /// <param name="report">The report.</param>
    /// <returns>PNG bytes.</returns>
    public static byte[] Psi(DriftReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plot = new Plot();
        var bars = report.Features.Select((f, i) => new Bar
        {
            Position = i,
            Value = f.Psi,
            Size = 0.7,
            LineWidth = 0,
            FillColor = f.Verdict switch { DriftVerdict.Alert => AlertColor, DriftVerdict.Warn => WarnColor, _ => Baseline },
        }).ToList();
        plot.Add.Bars(bars);
        Line(plot, report.Policy.PsiWarn, $"warn {report.Policy.PsiWarn:0.##}", WarnColor);
        Line(plot, report.Policy.PsiAlert, $"alert {report.Policy.PsiAlert:0.##}", AlertColor);
        Categories(plot, [.. report.Features.Select(f => f.Name)]);
        plot.ShowLegend(Edge.Right);
        plot.Title("PSI per feature");
        plot.YLabel("PSI");
        plot.Axes.Margins(bottom: 0);
        return plot.GetImageBytes(Width, 420, ImageFormat.Png);
    }

    /// <summary>Live AUC and PR-AUC per day with the validation values as dashed lines; null when no day has an AUC.</summary>
    /// <param name="live">Live performance.</param>
    /// <returns>PNG bytes, or null.</returns>
    public static byte[]? LiveAuc(LivePerformance live)
    {
        ArgumentNullException.ThrowIfNull(live);
        var auc = live.Days.Where(d => d.Auc is not null).ToList();
        var prAuc = live.Days.Where(d => d.PrAuc is not null).ToList();
        if (auc.Count == 0 && prAuc.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        if (auc.Count > 0)
        {
            var line = plot.Add.Scatter(auc.Select(d => d.From.UtcDateTime.ToOADate()).ToArray(), auc.Select(d => d.Auc!.Value).ToArray(), Baseline);
            line.LegendText = "live AUC";
            line.LineWidth = 2;
            line.MarkerSize = 8;
        }

        if (prAuc.Count > 0)
        {
            var line = plot.Add.Scatter(prAuc.Select(d => d.From.UtcDateTime.ToOADate()).ToArray(), prAuc.Select(d => d.PrAuc!.Value).ToArray(), Current);
            line.LegendText = "live PR-AUC";
            line.LineWidth = 2;
            line.MarkerSize = 8;
        }

        Line(plot, live.Validation.Auc, "validation AUC", Baseline);
        Line(plot, live.Validation.PrAuc, "validation PR-AUC", Current);
        plot.Axes.DateTimeTicksBottom();
        plot.Axes.SetLimitsY(0, 1.05);
        plot.ShowLegend(Edge.Right);
        plot.Title("Live performance per day (labels known so far)");
        return plot.GetImageBytes(Width, 340, ImageFormat.Png);
    }

    /// <summary>A regression's live MAE and RMSE per day with the validation values as dashed lines; null when no day has a labelled prediction.</summary>
    /// <param name="live">Live errors.</param>
    /// <returns>PNG bytes, or null.</returns>
    public static byte[]? LiveErrors(LiveRegressionPerformance live)
    {
        ArgumentNullException.ThrowIfNull(live);
        var days = live.Days.Where(d => d.Mae is not null).ToList();
        if (days.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        var x = days.Select(d => d.From.UtcDateTime.ToOADate()).ToArray();
        var mae = plot.Add.Scatter(x, days.Select(d => d.Mae!.Value).ToArray(), Baseline);
        mae.LegendText = "live MAE";
        mae.LineWidth = 2;
        mae.MarkerSize = 8;
        var rmse = plot.Add.Scatter(x, days.Select(d => d.Rmse!.Value).ToArray(), Current);
        rmse.LegendText = "live RMSE";
        rmse.LineWidth = 2;
        rmse.MarkerSize = 8;
        Line(plot, live.Validation.Mae, "validation MAE", Baseline);
        Line(plot, live.Validation.Rmse, "validation RMSE", Current);
        plot.Axes.DateTimeTicksBottom();
        var top = Math.Max(days.Max(d => d.Rmse!.Value), Math.Max(live.Validation.Rmse, live.Validation.Mae));
        plot.Axes.SetLimitsY(0, top > 0 ? top * 1.15 : 1);
        plot.ShowLegend(Edge.Right);
        plot.YLabel(live.LabelValue);
        plot.Title("Live errors per day (labels known so far)");
        return plot.GetImageBytes(Width, 340, ImageFormat.Png);
    }

    private static double[] Shares(IReadOnlyList<long> counts)
    {
        double total = counts.Sum();
        return [.. counts.Select(c => total == 0 ? 0 : c / total)];
    }

    private static void Categories(Plot plot, IReadOnlyList<string> labels)
    {
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. Enumerable.Range(0, labels.Count).Select(i => (double)i)], [.. labels]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 35;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = Math.Min(170, 16 + (4.2f * (labels.Max(l => (float?)l.Length) ?? 0)));
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
    }

    private static void Legend(Plot plot, params (string Text, Color Color)[] items)
    {
        foreach (var (text, color) in items)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = text, FillColor = color });
        }

        // Outside the data area: a shifted histogram can fill any corner.
        plot.ShowLegend(Edge.Right);
    }

    private static void Line(Plot plot, double y, string label, Color color)
    {
        var line = plot.Add.HorizontalLine(y);
        line.LinePattern = LinePattern.Dashed;
        line.Color = color;
        line.LineWidth = 1.5f;
        line.LegendText = label;
    }
}
