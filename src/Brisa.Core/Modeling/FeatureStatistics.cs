namespace Brisa.Core.Modeling;

/// <summary>
/// Baseline statistics of one feature (DESIGN §8), computed from training rows and stored with the model for drift
/// detection. Numeric: moments, quantiles and a histogram on fixed bins whose <see cref="BinEdges"/> (the baseline's
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
/// <param name="BinEdges">Inner bin edges, ascending and distinct: bin b holds values v with edge[b−1] ≤ v &lt; edge[b] (open-ended first and last bins).</param>
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

        var quantiles = QuantileLevels.Select(q => Quantile(present, q)).ToArray();
        var edges = Enumerable.Range(1, 9).Select(d => Quantile(present, d / 10.0)).Distinct().ToArray();
        var counts = new long[edges.Length + 1];
        foreach (var v in present)
        {
            counts[BinOf(edges, v)]++;
        }

        return new FeatureStatistics(
            name,
            FeatureKind.Numeric,
            count,
            missing,
            (double)missing / count,
            mean,
            present.Length >= 2 ? Math.Sqrt(m2 / (present.Length - 1)) : null,
            present[0],
            present[^1],
            quantiles,
            edges,
            counts,
            [],
            0);
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

        var top = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(MaxCategories).Select(c => new CategoryCount(c.Key, c.Value)).ToList();
        var other = counts.Values.Sum() - top.Sum(c => c.Count);
        var count = column.Count;
        return new FeatureStatistics(column.Name, FeatureKind.Categorical, count, missing, count == 0 ? 0 : (double)missing / count, null, null, null, null, [], [], [], top, other);
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
