using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;

namespace Brisa.Core.Monitoring;

/// <summary>A drift verdict.</summary>
public enum DriftVerdict
{
    /// <summary>
    /// Nothing to judge: no current rows (no prediction in the window), or a baseline without rows. Neither drift nor
    /// its absence: it never alerts, and never reads as ok. Below <see cref="Ok"/> so that severity orders stay as they were.
    /// </summary>
    NoData = -1,

    /// <summary>No drift.</summary>
    Ok,

    /// <summary>Drift at or above the warning threshold.</summary>
    Warn,

    /// <summary>Drift at or above the alert threshold.</summary>
    Alert,
}

/// <summary>
/// Serving-time data to compare with a baseline: one column of values per feature (double, float, integer, bool,
/// string or null; null, NaN and empty text are missing), and the model's scores.
/// </summary>
/// <param name="From">Start of the current window.</param>
/// <param name="To">End of the current window.</param>
/// <param name="Rows">Rows in the window.</param>
/// <param name="Columns">Values by feature name (the names of <see cref="TrainingReport.Baseline"/>); a feature absent here counts as all-missing.</param>
/// <param name="Scores">The scores of the rows.</param>
/// <param name="Clusters">
/// For view features, the key of the entity each row's value was read for (by feature name, one key per row): rows of
/// one entity share its aggregate, so they are not independent and count as fewer (see
/// <see cref="DriftMetrics.EffectiveSampleSize(IReadOnlyList{double}, IReadOnlyList{string})"/>). Features without
/// clusters count every row.
/// </param>
public sealed record DriftInput(
    DateTimeOffset From,
    DateTimeOffset To,
    long Rows,
    IReadOnlyDictionary<string, IReadOnlyList<object?>> Columns,
    IReadOnlyList<double> Scores,
    IReadOnlyDictionary<string, IReadOnlyList<string?>>? Clusters = null);

/// <summary>Drift of one feature (or of the score) against its baseline.</summary>
/// <param name="Name">The feature name (<c>score</c> for the score).</param>
/// <param name="Kind">Numeric or categorical.</param>
/// <param name="Method">What decided the verdict: <c>psi</c>, <c>ks</c> (small samples) or <c>none</c> (no current rows: <see cref="DriftVerdict.NoData"/>).</param>
/// <param name="Psi">PSI on the baseline's bins plus a missing bin.</param>
/// <param name="JensenShannon">Jensen–Shannon distance on the same bins.</param>
/// <param name="Ks">KS statistic D (numeric) against the baseline CDF approximated from its quantiles; null for categoricals.</param>
/// <param name="KsPValue">Asymptotic p-value of <paramref name="Ks"/>.</param>
/// <param name="ChiSquare">Likelihood-ratio chi-square (G²) of homogeneity over top categories + other (categorical); null for numerics.</param>
/// <param name="ChiSquarePValue">p-value of <paramref name="ChiSquare"/> (simulated when some expected count is small, see <see cref="DriftMetrics.ChiSquare"/>).</param>
/// <param name="BaselineMissingFraction">Missing share in the baseline.</param>
/// <param name="CurrentMissingFraction">Missing share now.</param>
/// <param name="CurrentCount">Current rows.</param>
/// <param name="Bins">Bin labels: <c>&lt; e0</c>, <c>[e0, e1)</c>, …, <c>≥ en</c> (numeric) or the top categories and <c>(other)</c>, then <c>(missing)</c>.</param>
/// <param name="BaselineCounts">Baseline counts per bin.</param>
/// <param name="CurrentCounts">Current counts per bin.</param>
/// <param name="Verdict">The verdict.</param>
/// <param name="EffectiveCount">Current rows counted as independent (fewer than <paramref name="CurrentCount"/> when rows of one entity share a value).</param>
/// <param name="PsiPValue">Probability of a PSI at least this large from sampling noise alone at <paramref name="EffectiveCount"/> (χ² approximation); null without current rows.</param>
public sealed record FeatureDrift(
    string Name,
    FeatureKind Kind,
    string Method,
    double Psi,
    double JensenShannon,
    double? Ks,
    double? KsPValue,
    double? ChiSquare,
    double? ChiSquarePValue,
    double BaselineMissingFraction,
    double CurrentMissingFraction,
    long CurrentCount,
    IReadOnlyList<string> Bins,
    IReadOnlyList<long> BaselineCounts,
    IReadOnlyList<long> CurrentCounts,
    DriftVerdict Verdict,
    double EffectiveCount = 0,
    double? PsiPValue = null);

/// <summary>A drift report of one model version over one window (stored as <c>monitoring/&lt;model&gt;/latest.json</c>).</summary>
public sealed record DriftReport
{
    /// <summary>Version of this document's shape.</summary>
    public int SchemaVersion { get; init; } = 1;

    /// <summary>The model.</summary>
    public required string Model { get; init; }

    /// <summary>The baseline version (the champion).</summary>
    public required string Version { get; init; }

    /// <summary>The model's task (reports written before it was recorded read as binary classification).</summary>
    public ModelTask Task { get; init; } = ModelTask.BinaryClassification;

    /// <summary>The training window the feature baseline was computed on.</summary>
    public required DataRange BaselineWindow { get; init; }

    /// <summary>The validation window the score baseline was computed on.</summary>
    public required DataRange ScoreBaselineWindow { get; init; }

    /// <summary>Start of the current window.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>End of the current window.</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>Current rows.</summary>
    public required long Rows { get; init; }

    /// <summary>The thresholds used.</summary>
    public required DriftPolicy Policy { get; init; }

    /// <summary>Per-feature drift, in model input order.</summary>
    public required IReadOnlyList<FeatureDrift> Features { get; init; }

    /// <summary>Drift of the score against <see cref="TrainingReport.ScoreBaseline"/> (reported, not part of <see cref="Verdict"/>).</summary>
    public required FeatureDrift Score { get; init; }

    /// <summary>Share of the judged features (those not <see cref="DriftVerdict.NoData"/>) with a warn or alert verdict.</summary>
    public required double DriftedShare { get; init; }

    /// <summary>Share of the judged features with an alert verdict.</summary>
    public required double AlertShare { get; init; }

    /// <summary>
    /// Dataset verdict: <see cref="DriftVerdict.NoData"/> when no feature could be judged (no prediction in the window),
    /// alert when <see cref="AlertShare"/> ≥ <see cref="DriftAnalyzer.DatasetAlertShare"/>, warn when any feature
    /// drifted, ok otherwise.
    /// </summary>
    public required DriftVerdict Verdict { get; init; }

    /// <summary>The champion on live traffic once labels arrived (null for non-binary models or when not computed).</summary>
    public LivePerformance? Live { get; init; }

    /// <summary>A regression champion's live errors once labels arrived (null for other models or when not computed).</summary>
    public LiveRegressionPerformance? LiveRegression { get; init; }

    /// <summary>The verdict on live performance, a classifier's or a regression's (null when not computed).</summary>
    [JsonIgnore]
    public LiveJudgement? LiveJudgement => Live?.Judgement ?? LiveRegression?.Judgement;

    /// <summary>
    /// The challenger's live numbers next to the champion's on the instances both scored, when the challenger is
    /// scored in shadow (<see cref="ServingPolicy.ShadowChallenger"/>); null otherwise. Report only.
    /// </summary>
    public ShadowComparison? Shadow { get; init; }

    /// <summary>
    /// Lines of the prediction log read for this report that were not records (damaged, or not written by Brisa): left
    /// out of every number, and said so, rather than failing the run.
    /// </summary>
    public long UnreadableLogLines { get; init; }

    /// <summary>The report as JSON (snake_case, like <see cref="TrainingReport"/>).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, TrainingReport.JsonOptions);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The report.</returns>
    public static DriftReport FromJson(string json) =>
        JsonSerializer.Deserialize<DriftReport>(json, TrainingReport.JsonOptions) ?? throw new JsonException("The drift report is null.");
}

/// <summary>
/// Compares serving-time data with a model's training baseline (DESIGN §8). Per feature: PSI and Jensen–Shannon on
/// the baseline's bins with an extra missing bin (so a feature that goes missing drifts too), KS for numerics and
/// chi-square for categoricals. The verdict comes from PSI against <see cref="DriftPolicy"/>, except for samples
/// smaller than <see cref="SmallSample"/>, where PSI is too noisy and KS (numeric) or chi-square (categorical)
/// p-values decide for the present values: alert below <see cref="AlertPValue"/>, warn below <see cref="WarnPValue"/>;
/// the missing share is then judged by the PSI rule on present vs missing (so a feature that stops arriving alerts).
/// </summary>
/// <remarks>
/// PSI says how far the distributions are, not whether sampling noise could explain it: under no drift,
/// PSI·nₑm ∕ (nₑ + m) is about χ² with (bins − 1) degrees of freedom. A PSI verdict therefore also needs that
/// p-value below the same <see cref="WarnPValue"/> / <see cref="AlertPValue"/>, at the effective sample size nₑ.
/// With independent rows this never matters above a few hundred rows; it matters for a long-window aggregate of a
/// few busy entities, where a day holds about one value per entity (a 7-day merchant mean: 700 rows, nₑ ≈ 15).
/// </remarks>
public static class DriftAnalyzer
{
    /// <summary>Below this many current rows the verdict uses test p-values instead of PSI.</summary>
    public const int SmallSample = 200;

    /// <summary>p-value below which a small sample raises an alert.</summary>
    public const double AlertPValue = 0.001;

    /// <summary>p-value below which a small sample raises a warning.</summary>
    public const double WarnPValue = 0.01;

    /// <summary>Share of alerting features at or above which the dataset verdict is alert.</summary>
    public const double DatasetAlertShare = 0.3;

    /// <summary>A verdict as reports and the CLI write it: <c>ok</c>, <c>warn</c>, <c>alert</c> or <c>no data</c>.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>The name.</returns>
    public static string Name(DriftVerdict verdict) => verdict switch
    {
        DriftVerdict.NoData => "no data",
        DriftVerdict.Warn => "warn",
        DriftVerdict.Alert => "alert",
        _ => "ok",
    };

    /// <summary>Analyzes current data against a model version's baseline.</summary>
    /// <param name="baseline">The version's training report (baseline statistics).</param>
    /// <param name="current">The current data.</param>
    /// <param name="policy">The thresholds.</param>
    /// <returns>The report.</returns>
    public static DriftReport Analyze(TrainingReport baseline, DriftInput current, DriftPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(policy);
        var features = baseline.Baseline
            .Select(stats => Feature(
                stats,
                current.Columns.TryGetValue(stats.Name, out var values) ? values : null,
                current.Rows,
                policy,
                current.Clusters?.GetValueOrDefault(stats.Name)))
            .ToList();
        var score = Numeric(baseline.ScoreBaseline, [.. current.Scores], policy, clusters: null);
        double judged = features.Count(f => f.Verdict != DriftVerdict.NoData);
        double drifted = features.Count(f => f.Verdict > DriftVerdict.Ok);
        double alerts = features.Count(f => f.Verdict == DriftVerdict.Alert);
        var driftedShare = judged == 0 ? 0 : drifted / judged;
        var alertShare = judged == 0 ? 0 : alerts / judged;
        return new DriftReport
        {
            Model = baseline.Model,
            Version = baseline.Version,
            Task = baseline.Task,
            BaselineWindow = baseline.Training,
            ScoreBaselineWindow = baseline.Validation,
            From = current.From,
            To = current.To,
            Rows = current.Rows,
            Policy = policy,
            Features = features,
            Score = score,
            DriftedShare = driftedShare,
            AlertShare = alertShare,
            Verdict = current.Rows == 0 || (judged == 0 && features.Count > 0) ? DriftVerdict.NoData
                : alertShare >= DatasetAlertShare && alerts > 0 ? DriftVerdict.Alert
                : drifted > 0 ? DriftVerdict.Warn
                : DriftVerdict.Ok,
        };
    }

    /// <summary>Drift of one feature.</summary>
    /// <param name="baseline">The feature's baseline.</param>
    /// <param name="values">Its current values, or null when absent (all missing).</param>
    /// <param name="rows">Current rows (the length of an absent column).</param>
    /// <param name="policy">The thresholds.</param>
    /// <param name="clusters">The entity key of each row, for a view feature (see <see cref="DriftInput.Clusters"/>); null counts every row.</param>
    /// <returns>The drift.</returns>
    public static FeatureDrift Feature(FeatureStatistics baseline, IReadOnlyList<object?>? values, long rows, DriftPolicy policy, IReadOnlyList<string?>? clusters = null)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        if (clusters is not null && values is not null && clusters.Count != values.Count)
        {
            throw new ArgumentException($"Feature '{baseline.Name}' has {values.Count} values but {clusters.Count} cluster keys.", nameof(clusters));
        }

        if (baseline.Kind == FeatureKind.Numeric)
        {
            var numbers = values is null ? Enumerable.Repeat(double.NaN, (int)rows).ToArray() : values.Select(v => AsModelReads(ToDouble(v))).ToArray();
            return Numeric(baseline, numbers, policy, values is null ? null : clusters);
        }

        var texts = values is null ? Enumerable.Repeat<string?>(null, (int)rows).ToArray() : values.Select(ToText).ToArray();
        return Categorical(baseline, texts, policy, values is null ? null : clusters);
    }

    private static FeatureDrift Numeric(FeatureStatistics baseline, double[] values, DriftPolicy policy, IReadOnlyList<string?>? clusters)
    {
        var present = values.Where(v => !double.IsNaN(v)).ToArray();
        var missing = values.Length - present.Length;
        IReadOnlyList<double> edges = baseline.BinEdges;
        IReadOnlyList<long> counts = baseline.BinCounts;
        if (baseline.Max is { } max && edges.Count > 0 && edges[^1] == max && counts.Count == edges.Count + 1 && double.IsFinite(max))
        {
            // The top bin holds only the baseline's largest value (a constant, a flag's 1s, a count's maximum): values
            // above it get a bin of their own, empty in the baseline. Else they shared the bin with the maximum, and a
            // constant 0 that became 1 drifted by nothing.
            edges = [.. edges, Math.BitIncrement(max)];
            counts = [.. counts, 0];
        }

        var current = DriftMetrics.Histogram(edges, present).Append(missing).ToArray();
        var reference = counts.Append(baseline.Missing).ToArray();
        if (reference.Length != current.Length)
        {
            // A baseline without values (no edges, one bin): compare present vs missing only.
            reference = [baseline.Count - baseline.Missing, baseline.Missing];
            current = [present.Length, missing];
        }

        var ks = DriftMetrics.KolmogorovSmirnov(baseline, present);
        var bins = NumericBins(edges, reference.Length - 1);
        var effectivePresent = clusters is null ? present.Length : DriftMetrics.EffectiveSampleSize(values, clusters);
        return Build(baseline, "ks", ks.Statistic, ks.PValue, null, null, values.Length, missing, effectivePresent, bins, reference, current, policy, ks.PValue);
    }

    private static FeatureDrift Categorical(FeatureStatistics baseline, string?[] values, DriftPolicy policy, IReadOnlyList<string?>? clusters)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < baseline.Categories.Count; i++)
        {
            index[baseline.Categories[i].Value] = i;
        }

        var k = baseline.Categories.Count;
        var current = new long[k + 2];
        foreach (var v in values)
        {
            current[v is null ? k + 1 : index.TryGetValue(v, out var i) ? i : k]++;
        }

        var reference = baseline.Categories.Select(c => c.Count).Append(baseline.OtherCount).Append(baseline.Missing).ToArray();
        var chi = DriftMetrics.ChiSquare(reference[..^1], current[..^1]);
        var bins = baseline.Categories.Select(c => c.Value).Append("(other)").Append("(missing)").ToArray();
        var effectivePresent = clusters is null ? values.Length - current[k + 1] : DriftMetrics.EffectiveSampleSize(values, clusters);
        return Build(baseline, "chi_square", null, null, chi.Statistic, chi.PValue, values.Length, current[k + 1], effectivePresent, bins, reference, current, policy, chi.PValue);
    }

    private static FeatureDrift Build(
        FeatureStatistics baseline,
        string smallSampleMethod,
        double? ks,
        double? ksP,
        double? chi,
        double? chiP,
        long count,
        long missing,
        double effectivePresent,
        string[] bins,
        long[] reference,
        long[] current,
        DriftPolicy policy,
        double pValue)
    {
        var e = reference.Select(c => (double)c).ToArray();
        var a = current.Select(c => (double)c).ToArray();
        var psi = DriftMetrics.Psi(e, a);
        var js = DriftMetrics.JensenShannonDistance(e, a);

        // Missing rows are kept as they are: whether a value is missing is a property of the row, not of the entity.
        var effective = effectivePresent + missing;
        var psiP = count == 0 || baseline.Count == 0 ? (double?)null : PsiPValue(psi, effective, baseline.Count, e, a);
        string method;
        DriftVerdict verdict;
        if (count == 0 || baseline.Count == 0)
        {
            (method, verdict) = ("none", DriftVerdict.NoData);
        }
        else if (count < SmallSample)
        {
            // The test covers the present values only (none when the feature stopped arriving): whether values go
            // missing is judged by the PSI rule on the present/missing split, two bins a small sample still fills.
            method = smallSampleMethod;
            var tested = pValue < AlertPValue ? DriftVerdict.Alert : pValue < WarnPValue ? DriftVerdict.Warn : DriftVerdict.Ok;
            double[] e2 = [baseline.Count - baseline.Missing, baseline.Missing];
            double[] a2 = [count - missing, missing];
            var missingPsi = DriftMetrics.Psi(e2, a2);
            var missingShift = PsiVerdict(missingPsi, PsiPValue(missingPsi, effective, baseline.Count, e2, a2), policy);
            verdict = tested > missingShift ? tested : missingShift;
        }
        else
        {
            method = "psi";
            verdict = PsiVerdict(psi, psiP, policy);
        }

        return new FeatureDrift(
            baseline.Name,
            baseline.Kind,
            method,
            psi,
            js,
            ks,
            ksP,
            chi,
            chiP,
            baseline.MissingFraction,
            count == 0 ? 0 : (double)missing / count,
            count,
            bins,
            reference,
            current,
            verdict,
            effective,
            psiP);
    }

    // PSI at or above a threshold, and more than sampling noise (its p-value below the matching level).
    private static DriftVerdict PsiVerdict(double psi, double? pValue, DriftPolicy policy)
    {
        var size = psi >= policy.PsiAlert ? DriftVerdict.Alert : psi >= policy.PsiWarn ? DriftVerdict.Warn : DriftVerdict.Ok;
        var significance = pValue < AlertPValue ? DriftVerdict.Alert : pValue < WarnPValue ? DriftVerdict.Warn : DriftVerdict.Ok;
        return size < significance ? size : significance;
    }

    // PSI is the symmetric (Jeffreys) divergence, ≈ Pearson's χ² divergence for close distributions, so
    // PSI·nm ∕ (n + m) ≈ χ²(bins used − 1) when both samples come from one distribution.
    private static double PsiPValue(double psi, double current, double reference, double[] e, double[] a)
    {
        var used = 0;
        for (var i = 0; i < e.Length; i++)
        {
            used += e[i] > 0 || a[i] > 0 ? 1 : 0;
        }

        return used < 2 || current <= 0 ? 1 : DriftMetrics.ChiSquarePValue(psi * current * reference / (current + reference), used - 1);
    }

    private static string[] NumericBins(IReadOnlyList<double> edges, int presentBins)
    {
        if (edges.Count == 0 || presentBins != edges.Count + 1)
        {
            return presentBins == 1 ? ["(present)", "(missing)"] : [.. Enumerable.Range(0, presentBins).Select(i => i.ToString(CultureInfo.InvariantCulture)).Append("(missing)")];
        }

        // An edge one step above the one before it closes a bin of that one value (see Numeric): "1", then "> 1".
        bool Single(int i) => i > 0 && edges[i] == Math.BitIncrement(edges[i - 1]);
        var labels = new List<string> { "< " + Format(edges[0]) };
        for (var i = 1; i < edges.Count; i++)
        {
            labels.Add(Single(i) ? Format(edges[i - 1]) : "[" + Format(edges[i - 1]) + ", " + Format(edges[i]) + ")");
        }

        labels.Add(Single(edges.Count - 1) ? "> " + Format(edges[^2]) : "≥ " + Format(edges[^1]));
        labels.Add("(missing)");
        return [.. labels];
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static double ToDouble(object? value) => value switch
    {
        null => double.NaN,
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        decimal m => (double)m,
        bool b => b ? 1 : 0,
        string s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : double.NaN,
        IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
        _ => double.NaN,
    };

    // The model reads its inputs as float (ML.NET), and the baseline holds those floats; serving logs request fields and
    // view features as doubles. Binned or tested unrounded, a double next to a float bin edge or atom (0.1 < 0.1f) fell
    // on the other side of it.
    private static double AsModelReads(double value) => (float)value;

    private static string? ToText(object? value) => value switch
    {
        null => null,
        string s => s.Length == 0 ? null : s,
        bool b => b ? "true" : "false",
        double d => double.IsNaN(d) ? null : d.ToString("R", CultureInfo.InvariantCulture),
        float f => float.IsNaN(f) ? null : f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
