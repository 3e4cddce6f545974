using Brisa.Core.Aggregation;
using Brisa.Core.Generation;

namespace Brisa.Core.Modeling;

/// <summary>
/// Builds <see cref="FeatureStatistics"/> from a stream of values in bounded memory (materialization runs, DESIGN §8).
/// Count, missing, mean and standard deviation (Welford), min and max are exact. Quantiles and the decile bin edges
/// come from a uniform reservoir sample of <see cref="SampleSize"/> present values (Algorithm R, seeded by the feature
/// name so a rerun over the same rows gives the same bytes): exact while the stream has at most that many values,
/// otherwise within about ±1/√<see cref="SampleSize"/> in rank (±1.1 % at the median for 8,192). Bin counts are exact
/// up to the sample size and scaled from the sample beyond it. Categories are counted exactly while there are at most
/// <see cref="CategoryCapacity"/> distinct values, then with Misra–Gries (every value more frequent than
/// n ÷ (capacity + 1) is kept; its count is a lower bound, short by at most that much).
/// </summary>
public sealed class FeatureStatisticsBuilder
{
    /// <summary>Default reservoir size: 64 KiB of doubles per numeric feature.</summary>
    public const int DefaultSampleSize = 8192;

    /// <summary>Default number of category counters.</summary>
    public const int DefaultCategoryCapacity = 1024;

    private readonly double[] sample;
    private readonly Dictionary<string, long> categories = new(StringComparer.Ordinal);
    private readonly Prng random;
    private long count;
    private long missing;
    private long present;
    private double mean;
    private double m2;
    private double min = double.PositiveInfinity;
    private double max = double.NegativeInfinity;

    /// <summary>Creates an empty builder.</summary>
    /// <param name="name">The feature name.</param>
    /// <param name="kind">Numeric (use <see cref="AddNumber"/>) or categorical (use <see cref="AddCategory"/>).</param>
    /// <param name="sampleSize">Reservoir size for quantiles and bins.</param>
    /// <param name="categoryCapacity">Category counters kept.</param>
    public FeatureStatisticsBuilder(string name, FeatureKind kind, int sampleSize = DefaultSampleSize, int categoryCapacity = DefaultCategoryCapacity)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(categoryCapacity, FeatureStatistics.MaxCategories);
        Name = name;
        Kind = kind;
        CategoryCapacity = categoryCapacity;
        SampleSize = sampleSize;
        sample = kind == FeatureKind.Numeric ? new double[sampleSize] : [];
        random = new Prng(StableHash.Fnv1a64(name));
    }

    /// <summary>The feature name.</summary>
    public string Name { get; }

    /// <summary>Numeric or categorical.</summary>
    public FeatureKind Kind { get; }

    /// <summary>Reservoir size.</summary>
    public int SampleSize { get; }

    /// <summary>Category counters kept.</summary>
    public int CategoryCapacity { get; }

    /// <summary>Adds a numeric value; null or NaN counts as missing.</summary>
    /// <param name="value">The value.</param>
    public void AddNumber(double? value)
    {
        Require(FeatureKind.Numeric);
        count++;
        if (value is not { } v || double.IsNaN(v))
        {
            missing++;
            return;
        }

        var delta = v - mean;
        present++;
        mean += delta / present;
        m2 += delta * (v - mean);
        min = Math.Min(min, v);
        max = Math.Max(max, v);
        if (present <= sample.Length)
        {
            sample[present - 1] = v;
            return;
        }

        // Algorithm R: the n-th value replaces a random slot with probability k/n.
        var slot = (long)(((UInt128)random.NextUInt64() * (ulong)present) >> 64);
        if (slot < sample.Length)
        {
            sample[slot] = v;
        }
    }

    /// <summary>Adds a categorical value; null or empty counts as missing.</summary>
    /// <param name="value">The value.</param>
    public void AddCategory(string? value)
    {
        Require(FeatureKind.Categorical);
        count++;
        if (string.IsNullOrEmpty(value))
        {
            missing++;
            return;
        }

        present++;
        if (categories.TryGetValue(value, out var seen))
        {
            categories[value] = seen + 1;
        }
        else if (categories.Count < CategoryCapacity)
        {
            categories[value] = 1;
        }
        else
        {
            // Misra–Gries: the new value and one occurrence of every kept value cancel out.
            foreach (var key in categories.Keys.ToArray())
            {
                if (--categories[key] == 0)
                {
                    categories.Remove(key);
                }
            }
        }
    }

    /// <summary>The statistics of everything added so far.</summary>
    /// <returns>The statistics.</returns>
    public FeatureStatistics Build()
    {
        if (Kind == FeatureKind.Categorical)
        {
            return FeatureStatistics.FromCategoryCounts(Name, count, missing, categories, present);
        }

        if (present == 0)
        {
            return new FeatureStatistics(Name, FeatureKind.Numeric, count, missing, count == 0 ? 0 : 1, null, null, null, null, [], [], [0], [], 0);
        }

        var sorted = sample[..(int)Math.Min(present, sample.Length)];
        Array.Sort(sorted);
        return FeatureStatistics.FromSample(Name, count, missing, mean, m2, present, sorted, min, max);
    }

    private void Require(FeatureKind kind)
    {
        if (Kind != kind)
        {
            throw new InvalidOperationException($"Feature '{Name}' is {Kind}; it takes no {kind} values.");
        }
    }
}
