namespace Brisa.Core.Modeling;

/// <summary>
/// Statistics of one feature (DESIGN §8): computed from training rows and stored with the model as the drift baseline,
/// and computed by every materialization run over the rows it wrote (<see cref="FeatureStatisticsBuilder"/>, bounded
/// memory) and stored with the run. Numeric: moments, quantiles and a histogram on fixed bins whose <see cref="BinEdges"/> (the baseline's
/// deciles) serving data is counted into as well. Categorical: the most frequent values and an "other" count.
/// </summary>
/// <param name="Name">The feature name.</param>
/// <param name="Kind">Numeric or categorical.</param>
/// <param name="Count">Rows.</param>
/// <param name="Missing">Missing rows (NaN, null or empty).</param>
/// <param name="MissingFraction"><paramref name="Missing"/> ÷ <paramref name="Count"/>.</param>
/// <param name="Mean">Mean of present values (numeric; null when none).</param>
/// <param name="Std">Sample standard deviation (numeric; null below two values).</param>
/// <param name="Min">Minimum (numeric).</param>
/// <param name="Max">Maximum (numeric).</param>
/// <param name="Quantiles">Quantiles at <see cref="FeatureStatistics.QuantileLevels"/> (numeric, nearest rank; empty when none).</param>
/// <param name="BinEdges">
/// Inner bin edges, ascending and distinct: bin b holds values v with edge[b−1] ≤ v &lt; edge[b] (open-ended first and
/// last bins). The deciles, and after a value held by at least a tenth of the values the next larger value, so that
/// value has a bin of its own (a flag's few 1s are not binned with its 0s).
/// </param>
/// <param name="BinCounts">Counts per bin (edges + 1 bins), missing values excluded.</param>
/// <param name="Categories">Most frequent categories (categorical; at most <see cref="FeatureStatistics.MaxCategories"/>) with counts, most frequent first.</param>
/// <param name="OtherCount">Present categorical values outside <paramref name="Categories"/>.</param>
public sealed record FeatureStatistics(
    string Name,
    FeatureKind Kind,
    long Count,
    long Missing,
    double MissingFraction,
    double? Mean,
    double? Std,
    double? Min,
    double? Max,
    IReadOnlyList<double> Quantiles,
    IReadOnlyList<double> BinEdges,
    IReadOnlyList<long> BinCounts,
    IReadOnlyList<CategoryCount> Categories,
    long OtherCount)
{
    /// <summary>The quantile levels of <see cref="Quantiles"/>.</summary>
    public static IReadOnlyList<double> QuantileLevels { get; } = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];

    /// <summary>Most frequent categories kept.</summary>
    public const int MaxCategories = 20;

    /// <summary>Statistics of every feature of a table, in table order.</summary>
    /// <param name="table">The table.</param>
    /// <returns>One entry per feature.</returns>
    public static IReadOnlyList<FeatureStatistics> Compute(TrainingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return [.. table.Features.Select(Compute)];
    }

    /// <summary>Statistics of one column.</summary>
    /// <param name="column">The column.</param>
    /// <returns>The statistics.</returns>
    public static FeatureStatistics Compute(FeatureColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return column switch
        {
            NumericColumn numeric => Numeric(numeric.Name, numeric.Data),
            CategoricalColumn categorical => Categorical(categorical),
            _ => throw new ArgumentException("Unknown column kind.", nameof(column)),
        };
    }

    /// <summary>Statistics of numeric values (NaN = missing), e.g. of model scores.</summary>
    /// <param name="name">The name to report.</param>
    /// <param name="values">The values.</param>
    /// <returns>The statistics.</returns>
    public static FeatureStatistics Numeric(string name, IReadOnlyList<float> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var present = values.Where(v => !float.IsNaN(v)).Select(v => (double)v).ToArray();
        Array.Sort(present);
        var count = values.Count;
        var missing = count - present.Length;
        if (present.Length == 0)
        {
            return new FeatureStatistics(name, FeatureKind.Numeric, count, missing, count == 0 ? 0 : 1, null, null, null, null, [], [], [0], [], 0);
        }

        double mean = 0, m2 = 0;
        for (var i = 0; i < present.Length; i++)
        {
            var delta = present[i] - mean;
            mean += delta / (i + 1);
            m2 += delta * (present[i] - mean);
        }

        return FromSample(name, count, missing, mean, m2, present.Length, present);
    }

    /// <summary>The histogram bin of a value for the given inner edges.</summary>
    /// <param name="edges">Ascending inner edges.</param>
    /// <param name="value">The value.</param>
    /// <returns>The bin index in [0, edges.Count].</returns>
    public static int BinOf(IReadOnlyList<double> edges, double value)
    {
        ArgumentNullException.ThrowIfNull(edges);
        int lo = 0, hi = edges.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (edges[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// Numeric statistics from exact moments and a sorted sample of the present values (all of them, or a uniform
    /// sample of a stream): quantiles and bin edges come from the sample; bin counts are exact when the sample holds
    /// every value and otherwise scaled to <paramref name="present"/> (largest remainder, so they still add up).
    /// </summary>
    internal static FeatureStatistics FromSample(string name, long count, long missing, double mean, double m2, long present, double[] sorted, double? min = null, double? max = null)
    {
        var quantiles = QuantileLevels.Select(q => Quantile(sorted, q)).ToArray();
        var edges = Edges(sorted);
        var sampled = new long[edges.Length + 1];
        foreach (var v in sorted)
        {
            sampled[BinOf(edges, v)]++;
        }

        return new FeatureStatistics(
            name,
            FeatureKind.Numeric,
            count,
            missing,
            (double)missing / count,
            mean,
            present >= 2 ? Math.Sqrt(m2 / (present - 1)) : null,
            min ?? sorted[0],
            max ?? sorted[^1],
            quantiles,
            edges,
            sorted.Length == present ? sampled : Scale(sampled, present),
            [],
            0);
    }

    /// <summary>Categorical statistics from value counts: the <see cref="MaxCategories"/> most frequent, ties by value.</summary>
    internal static FeatureStatistics FromCategoryCounts(string name, long count, long missing, IEnumerable<KeyValuePair<string, long>> counts, long present)
    {
        var top = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(MaxCategories).Select(c => new CategoryCount(c.Key, c.Value)).ToList();
        return new FeatureStatistics(name, FeatureKind.Categorical, count, missing, count == 0 ? 0 : (double)missing / count, null, null, null, null, [], [], [], top, present - top.Sum(c => c.Count));
    }

    private static FeatureStatistics Categorical(CategoricalColumn column)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long missing = 0;
        foreach (var v in column.Data)
        {
            if (string.IsNullOrEmpty(v))
            {
                missing++;
            }
            else
            {
                counts[v] = counts.GetValueOrDefault(v) + 1;
            }
        }

        return FromCategoryCounts(column.Name, column.Count, missing, counts, column.Count - missing);
    }

    // The distinct deciles, and after each value held by at least a tenth of the sample (ties collapse the deciles there)
    // the next larger value, so that value has a bin of its own: else a flag's rare 1s, or the positives of a mostly-zero
    // feature, share the 0s' bin and any change in their share is invisible to drift.
    private static double[] Edges(double[] sorted)
    {
        var deciles = Enumerable.Range(1, 9).Select(d => Quantile(sorted, d / 10.0)).Distinct().ToArray();
        var edges = new SortedSet<double>(deciles);
        foreach (var edge in deciles)
        {
            var first = LowerBound(sorted, edge);
            var next = LowerBound(sorted, Math.BitIncrement(edge));
            if ((next - first) * 10L >= sorted.Length && next < sorted.Length)
            {
                edges.Add(sorted[next]);
            }
        }

        return [.. edges];
    }

    // The index of the first value at or above x in ascending values.
    private static int LowerBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] < x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static long[] Scale(long[] sampled, long total)
    {
        var n = sampled.Sum();
        var exact = sampled.Select(c => (double)c * total / n).ToArray();
        var scaled = exact.Select(x => (long)Math.Floor(x)).ToArray();
        var left = total - scaled.Sum();
        foreach (var b in Enumerable.Range(0, exact.Length).OrderByDescending(b => exact[b] - scaled[b]).ThenBy(b => b).Take((int)left))
        {
            scaled[b]++;
        }

        return scaled;
    }

    private static double Quantile(double[] sorted, double q)
    {
        var rank = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}

/// <summary>A category and how often it occurs.</summary>
/// <param name="Value">The category.</param>
/// <param name="Count">Occurrences.</param>
public sealed record CategoryCount(string Value, long Count);
