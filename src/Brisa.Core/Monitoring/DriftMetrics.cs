using Brisa.Core.Generation;
using Brisa.Core.Modeling;

namespace Brisa.Core.Monitoring;

/// <summary>The result of a statistical test: the statistic and its p-value.</summary>
/// <param name="Statistic">The test statistic.</param>
/// <param name="PValue">The p-value (probability of a statistic at least this large under "same distribution").</param>
/// <param name="DegreesOfFreedom">Degrees of freedom (chi-square) or 0 when not applicable.</param>
public sealed record TestResult(double Statistic, double PValue, int DegreesOfFreedom = 0);

/// <summary>
/// Pure drift statistics (DESIGN §8): PSI and Jensen–Shannon distance on the baseline's bins, the two-sample
/// Kolmogorov–Smirnov test for small samples and the likelihood-ratio chi-square test of homogeneity for categoricals.
/// </summary>
/// <remarks>
/// <para>
/// PSI = Σ (aᵢ − eᵢ)·ln(aᵢ ∕ eᵢ) over bin proportions; an empty bin would make the logarithm infinite, so every
/// proportion is floored at <see cref="Epsilon"/> (1e-4, i.e. a bin is never treated as rarer than 1 in 10,000).
/// Bins empty on both sides therefore contribute nothing.
/// </para>
/// <para>
/// The Jensen–Shannon distance is √JSD with base-2 logarithms, so it lies in [0, 1]; it is finite for empty bins
/// (0·log 0 = 0) and needs no epsilon.
/// </para>
/// </remarks>
public static class DriftMetrics
{
    /// <summary>The floor of a bin proportion in <see cref="Psi"/>.</summary>
    public const double Epsilon = 1e-4;

    /// <summary>Below this expected count in some cell, <see cref="ChiSquare"/> simulates its p-value (Cochran's rule).</summary>
    public const double MinExpectedCount = 5;

    /// <summary>
    /// Above this many rows on its smaller side, <see cref="ChiSquare"/> uses the χ²(df) p-value even when some cell is
    /// sparse: the simulation costs tables × rows, and only categories under 0.5 % of the rows can still be sparse
    /// there, where G² with χ²(df) keeps its level (measured in the monitoring README).
    /// </summary>
    public const int MonteCarloMaxRows = 1000;

    /// <summary>Most tables <see cref="ChiSquare"/> simulates (its smallest p-value is 1 ∕ (this + 1)).</summary>
    public const int MonteCarloTables = 1999;

    /// <summary>The simulation stops once this many tables are at least as extreme as the observed one.</summary>
    public const int MonteCarloExceedances = 20;

    // Fixed: a report's p-value depends on its counts only.
    private const ulong MonteCarloSeed = 0x5EED_C41_5917;

    /// <summary>Population stability index of <paramref name="actual"/> against <paramref name="expected"/> (counts or proportions, same bins).</summary>
    /// <param name="expected">Baseline counts per bin.</param>
    /// <param name="actual">Current counts per bin.</param>
    /// <returns>The PSI (0 when either side is empty).</returns>
    public static double Psi(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        var (e, a) = Normalize(expected, actual);
        if (e is null || a is null)
        {
            return 0;
        }

        double psi = 0;
        for (var i = 0; i < e.Length; i++)
        {
            var pe = Math.Max(e[i], Epsilon);
            var pa = Math.Max(a[i], Epsilon);
            psi += (pa - pe) * Math.Log(pa / pe);
        }

        return psi;
    }

    /// <summary>Jensen–Shannon distance (√ of the base-2 divergence, in [0, 1]) between two binned distributions.</summary>
    /// <param name="expected">Baseline counts per bin.</param>
    /// <param name="actual">Current counts per bin.</param>
    /// <returns>The distance (0 when either side is empty).</returns>
    public static double JensenShannonDistance(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        var (p, q) = Normalize(expected, actual);
        if (p is null || q is null)
        {
            return 0;
        }

        double divergence = 0;
        for (var i = 0; i < p.Length; i++)
        {
            var m = (p[i] + q[i]) / 2;
            if (p[i] > 0)
            {
                divergence += 0.5 * p[i] * Math.Log2(p[i] / m);
            }

            if (q[i] > 0)
            {
                divergence += 0.5 * q[i] * Math.Log2(q[i] / m);
            }
        }

        return Math.Sqrt(Math.Clamp(divergence, 0, 1));
    }

    /// <summary>Counts values into the bins of ascending inner <paramref name="edges"/> (see <see cref="FeatureStatistics.BinOf"/>).</summary>
    /// <param name="edges">Inner edges.</param>
    /// <param name="values">Values (NaN skipped).</param>
    /// <returns>edges + 1 counts.</returns>
    public static long[] Histogram(IReadOnlyList<double> edges, IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentNullException.ThrowIfNull(values);
        var counts = new long[edges.Count + 1];
        foreach (var v in values)
        {
            if (!double.IsNaN(v))
            {
                counts[FeatureStatistics.BinOf(edges, v)]++;
            }
        }

        return counts;
    }

    /// <summary>
    /// Effective sample size of values that come in clusters (rows of the same entity): n ∕ deff with the design
    /// effect deff = 1 + (m̄ − 1)·ρ (Kish), m̄ = Σ mⱼ² ∕ n the size-weighted mean cluster size and ρ the intraclass
    /// correlation estimated by one-way ANOVA, clamped to [0, 1].
    /// </summary>
    /// <remarks>
    /// Why: a long-window aggregate (a merchant's 7-day mean) hardly moves within a day, so a day of rows carries about
    /// one value per entity, not one per row; tests and thresholds sized by rows then see noise as drift. Rows with
    /// a NaN value or a null key are left out. One cluster, or only singletons, gives ρ no meaning: n is returned.
    /// </remarks>
    /// <param name="values">The values.</param>
    /// <param name="clusters">The cluster (entity key) of each value.</param>
    /// <returns>The effective size, between 1 and the number of rows used (0 when none).</returns>
    public static double EffectiveSampleSize(IReadOnlyList<double> values, IReadOnlyList<string?> clusters)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(clusters);
        if (values.Count != clusters.Count)
        {
            throw new ArgumentException("One cluster key per value is needed.", nameof(clusters));
        }

        var groups = new Dictionary<string, (long Count, double Sum, double SumSquares)>(StringComparer.Ordinal);
        long n = 0;
        double sum = 0;
        for (var i = 0; i < values.Count; i++)
        {
            var v = values[i];
            if (double.IsNaN(v) || clusters[i] is not { } key)
            {
                continue;
            }

            var g = groups.GetValueOrDefault(key);
            groups[key] = (g.Count + 1, g.Sum + v, g.SumSquares + (v * v));
            n++;
            sum += v;
        }

        double between = 0, within = 0, sizeSquares = 0;
        var mean = n == 0 ? 0 : sum / n;
        foreach (var (count, groupSum, groupSquares) in groups.Values)
        {
            var groupMean = groupSum / count;
            between += count * (groupMean - mean) * (groupMean - mean);
            within += Math.Max(0, groupSquares - (groupSum * groupMean));
            sizeSquares += (double)count * count;
        }

        return DesignEffectSize(n, groups.Count, between, within, sizeSquares);
    }

    /// <summary>
    /// <see cref="EffectiveSampleSize(IReadOnlyList{double}, IReadOnlyList{string})"/> for categorical values: the
    /// ANOVA runs on the categories' indicator variables (sums of squares added over categories, as in CATANOVA).
    /// </summary>
    /// <param name="values">The values (null is missing and left out).</param>
    /// <param name="clusters">The cluster (entity key) of each value.</param>
    /// <returns>The effective size, between 1 and the number of rows used (0 when none).</returns>
    public static double EffectiveSampleSize(IReadOnlyList<string?> values, IReadOnlyList<string?> clusters)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(clusters);
        if (values.Count != clusters.Count)
        {
            throw new ArgumentException("One cluster key per value is needed.", nameof(clusters));
        }

        var cells = new Dictionary<(string Cluster, string Value), long>();
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        long n = 0;
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is not { } value || clusters[i] is not { } key)
            {
                continue;
            }

            cells[(key, value)] = cells.GetValueOrDefault((key, value)) + 1;
            sizes[key] = sizes.GetValueOrDefault(key) + 1;
            totals[value] = totals.GetValueOrDefault(value) + 1;
            n++;
        }

        if (n == 0)
        {
            return 0;
        }

        // Σ over clusters and categories of n_jc² / m_j, and N·Σ p_c²: the indicators' between and within sums follow.
        var cellTerm = cells.Sum(c => (double)c.Value * c.Value / sizes[c.Key.Cluster]);
        var totalTerm = totals.Values.Sum(t => (double)t * t / n);
        var sizeSquares = sizes.Values.Sum(m => (double)m * m);
        return DesignEffectSize(n, sizes.Count, Math.Max(0, cellTerm - totalTerm), Math.Max(0, n - cellTerm), sizeSquares);
    }

    // n ∕ (1 + (m̄ − 1)·ρ) from one-way ANOVA sums of squares over k clusters (ρ clamped to [0, 1]).
    private static double DesignEffectSize(long n, int k, double between, double within, double sizeSquares)
    {
        if (k < 2 || k == n)
        {
            return n;
        }

        var msb = between / (k - 1);
        var msw = within / (n - k);
        var m0 = (n - (sizeSquares / n)) / (k - 1);
        var denominator = msb + ((m0 - 1) * msw);
        var rho = denominator <= 0 ? 0 : Math.Clamp((msb - msw) / denominator, 0, 1);
        var designEffect = 1 + (((sizeSquares / n) - 1) * rho);
        return Math.Max(1, n / designEffect);
    }

    /// <summary>Two-sample Kolmogorov–Smirnov test on raw samples, asymptotic p-value (see <see cref="KolmogorovPValue"/>).</summary>
    /// <param name="first">First sample.</param>
    /// <param name="second">Second sample.</param>
    /// <returns>D = sup |F₁ − F₂| and its p-value (D = 0, p = 1 when a sample is empty).</returns>
    public static TestResult KolmogorovSmirnov(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var a = first.Where(v => !double.IsNaN(v)).Order().ToArray();
        var b = second.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (a.Length == 0 || b.Length == 0)
        {
            return new TestResult(0, 1);
        }

        int i = 0, j = 0;
        double d = 0;
        while (i < a.Length && j < b.Length)
        {
            var x = Math.Min(a[i], b[j]);
            while (i < a.Length && a[i] <= x)
            {
                i++;
            }

            while (j < b.Length && b[j] <= x)
            {
                j++;
            }

            d = Math.Max(d, Math.Abs(((double)i / a.Length) - ((double)j / b.Length)));
        }

        return new TestResult(d, KolmogorovPValue(d, a.Length, b.Length));
    }

    /// <summary>
    /// Kolmogorov–Smirnov test of raw current values against a baseline known only by its statistics. The baseline
    /// CDF is approximated piecewise-linearly through (min, 0), each quantile (value, level) of
    /// <see cref="FeatureStatistics.Quantiles"/> and (max, 1); for repeated quantile values the highest level is kept
    /// (right-continuous). At a value that may be an atom of the baseline (one the current sample repeats, or a
    /// baseline quantile, bin edge, minimum or maximum: counts and other integer features), the interpolation would
    /// put the jump in the wrong place, so D there is the distance from the sample's CDF to the band the statistics
    /// allow: each quantile q at v bounds F(v−) ≤ q ≤ F(v), each bin edge e gives F(e−) exactly. The p-value treats
    /// the baseline as a sample of its present-value count.
    /// </summary>
    /// <param name="baseline">Numeric baseline statistics.</param>
    /// <param name="current">Current values (NaN skipped).</param>
    /// <returns>D and its p-value (D = 0, p = 1 when either side has no values).</returns>
    public static TestResult KolmogorovSmirnov(FeatureStatistics baseline, IReadOnlyList<double> current)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(current);
        var x = current.Where(v => !double.IsNaN(v)).Order().ToArray();
        var baselineCount = baseline.Count - baseline.Missing;
        if (x.Length == 0 || baselineCount <= 0 || baseline.Min is null || baseline.Max is null)
        {
            return new TestResult(0, 1);
        }

        var knots = BaselineCdfKnots(baseline);
        var bounds = BaselineCdfBounds.Of(baseline);
        double d = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var last = i;
            while (last + 1 < x.Length && x[last + 1] == x[i])
            {
                last++;
            }

            // F_n just below x[i] is i/n and at x[i] is (last+1)/n.
            var below = (double)i / x.Length;
            var at = (double)(last + 1) / x.Length;
            if (last > i || bounds.IsKnown(x[i]))
            {
                d = Math.Max(d, Math.Max(bounds.DistanceBelow(x[i], below), bounds.DistanceAt(x[i], at)));
            }
            else
            {
                var f0 = Cdf(knots, x[i]);
                d = Math.Max(d, Math.Max(Math.Abs(below - f0), Math.Abs(at - f0)));
            }

            i = last;
        }

        return new TestResult(d, KolmogorovPValue(d, x.Length, baselineCount));
    }

    /// <summary>
    /// Asymptotic two-sample KS p-value: Q_KS(λ) with effective size nₑ = n·m ∕ (n + m) and
    /// λ = (√nₑ + 0.12 + 0.11 ∕ √nₑ)·D (Stephens' small-sample correction, as in Numerical Recipes).
    /// </summary>
    /// <param name="d">The statistic.</param>
    /// <param name="n">First sample size.</param>
    /// <param name="m">Second sample size.</param>
    /// <returns>The p-value in [0, 1].</returns>
    public static double KolmogorovPValue(double d, double n, double m)
    {
        if (n <= 0 || m <= 0)
        {
            return 1;
        }

        var ne = Math.Sqrt(n * m / (n + m));
        return KolmogorovQ((ne + 0.12 + (0.11 / ne)) * d);
    }

    /// <summary>The Kolmogorov distribution's survival function Q_KS(λ) = 2 Σₖ (−1)ᵏ⁻¹ exp(−2k²λ²).</summary>
    /// <param name="lambda">λ ≥ 0.</param>
    /// <returns>Q_KS(λ) in [0, 1].</returns>
    public static double KolmogorovQ(double lambda)
    {
        if (lambda < 0.2)
        {
            return 1; // The series converges slowly here and the value is 1 to 1e-9.
        }

        double sum = 0, sign = 1;
        for (var k = 1; k <= 100; k++)
        {
            var term = sign * Math.Exp(-2 * k * k * lambda * lambda);
            sum += term;
            if (Math.Abs(term) < 1e-12 * Math.Abs(sum))
            {
                break;
            }

            sign = -sign;
        }

        return Math.Clamp(2 * sum, 0, 1);
    }

    /// <summary>
    /// Likelihood-ratio chi-square test (G-test) of homogeneity of two count vectors over the same categories (a 2×k
    /// contingency table): G² = 2 Σ O·ln(O ∕ E) over both rows, categories empty on both sides dropped,
    /// df = (non-empty categories − 1). The p-value is Q(df ∕ 2, G² ∕ 2) when every expected count is at least
    /// <see cref="MinExpectedCount"/>; otherwise, when the smaller side has at most <see cref="MonteCarloMaxRows"/>
    /// rows, it is simulated: tables with the same margins drawn under "same distribution" (the smaller side's rows drawn
    /// without replacement from the pooled rows), p = the share with a G² at least as large.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Why not Pearson's χ² with its χ²(df) p-value: with rare categories and a small sample, one occurrence of a
    /// category expected 0.06 times adds (1 − 0.06)² ∕ 0.06 ≈ 15 to Pearson's χ², so "no drift" raised p &lt; 0.01 in 7.4 %
    /// of samples of 30 rows (nominal 1 %). A simulated p-value fixes the level for any statistic, but Pearson's
    /// statistic stays dominated by those cells and then misses shifts among the common categories; G² weighs a
    /// rare cell by a logarithm (2·ln(1 ∕ 0.06) ≈ 5.6) and keeps the power for both.
    /// </para>
    /// <para>
    /// The simulation is seeded (the same counts give the same p-value) and stops early (Besag and Clifford's sequential
    /// p-value): after <see cref="MonteCarloExceedances"/> tables at least as extreme, p = that count ∕ tables drawn, so
    /// an unremarkable sample costs tens of tables, not thousands; otherwise p = (exceeding + 1) ∕ (<see cref="MonteCarloTables"/> + 1),
    /// at least 1 ∕ 2,000. Both are valid p-values (P(p ≤ α) ≤ α).
    /// </para>
    /// </remarks>
    /// <param name="baseline">Baseline counts.</param>
    /// <param name="current">Current counts.</param>
    /// <returns>G², its p-value and df (0, 1, 0 when either side is empty or fewer than two categories are used).</returns>
    public static TestResult ChiSquare(IReadOnlyList<long> baseline, IReadOnlyList<long> current)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(current);
        if (baseline.Count != current.Count)
        {
            throw new ArgumentException("Both sides need the same categories.", nameof(current));
        }

        if (baseline.Any(c => c < 0) || current.Any(c => c < 0))
        {
            throw new ArgumentException("Counts cannot be negative.", nameof(current));
        }

        var used = Enumerable.Range(0, baseline.Count).Where(i => baseline[i] + current[i] > 0).ToArray();
        var first = used.Select(i => baseline[i]).ToArray();
        var second = used.Select(i => current[i]).ToArray();
        var n1 = first.Sum();
        var n2 = second.Sum();
        var df = used.Length - 1;
        if (n1 <= 0 || n2 <= 0 || df < 1)
        {
            return new TestResult(0, 1);
        }

        // With the margins fixed, G² = 2·(Σ cells O·ln O − Σ rows n·ln n − Σ columns c·ln c + N·ln N): only the first
        // sum varies between tables of the same margins, which is all the simulation needs to compare.
        var columns = used.Select((_, j) => first[j] + second[j]).ToArray();
        var total = n1 + n2;
        var cells = SumXLogX(first, second);
        var g = 2 * (cells - XLogX(n1) - XLogX(n2) - columns.Sum(XLogX) + XLogX(total));
        var smaller = Math.Min(n1, n2);
        var sparse = columns.Any(c => (double)smaller * c / total < MinExpectedCount);
        var p = sparse && smaller <= MonteCarloMaxRows
            ? MonteCarloPValue(columns, (int)smaller, cells)
            : ChiSquarePValue(Math.Max(0, g), df);
        return new TestResult(Math.Max(0, g), p, df);
    }

    private static double XLogX(long x) => x <= 0 ? 0 : x * Math.Log(x);

    private static double SumXLogX(long[] first, long[] second)
    {
        double sum = 0;
        for (var j = 0; j < first.Length; j++)
        {
            sum += XLogX(first[j]) + XLogX(second[j]);
        }

        return sum;
    }

    // Tables with the observed margins: `rows` draws without replacement from the pooled columns make one row, the
    // rest the other. The observed table counts as extreme as itself up to rounding (G² of equal tables summed in
    // another order).
    private static double MonteCarloPValue(long[] columns, int rows, double observedCells)
    {
        var order = columns.OrderDescending().ToArray(); // the common columns first: the draw's scan stops early
        var total = order.Sum();

        // A column's two cells, d drawn and the rest not, add XLogX(d) + XLogX(c − d): tabled once, not two logarithms
        // per cell and table.
        var width = rows + 1;
        var cellTerms = new double[order.Length * width];
        for (var j = 0; j < order.Length; j++)
        {
            for (var d = 0; d <= rows && d <= order[j]; d++)
            {
                cellTerms[(j * width) + d] = XLogX(d) + XLogX(order[j] - d);
            }
        }

        var remaining = new long[order.Length];
        var drawn = new int[order.Length];
        var threshold = observedCells - (1e-12 * Math.Max(1, Math.Abs(observedCells)));
        var random = new Prng(MonteCarloSeed);
        var exceeding = 0;
        for (var table = 1; table <= MonteCarloTables; table++)
        {
            Array.Copy(order, remaining, order.Length);
            Array.Clear(drawn);
            var left = total;
            for (var r = 0; r < rows; r++)
            {
                var u = (long)Math.BigMul(random.NextUInt64(), (ulong)left, out _);
                var j = 0;
                while (u >= remaining[j])
                {
                    u -= remaining[j++];
                }

                remaining[j]--;
                drawn[j]++;
                left--;
            }

            double cells = 0;
            for (var j = 0; j < drawn.Length; j++)
            {
                cells += cellTerms[(j * width) + drawn[j]];
            }

            if (cells >= threshold && ++exceeding == MonteCarloExceedances)
            {
                return (double)exceeding / table;
            }
        }

        return (exceeding + 1.0) / (MonteCarloTables + 1);
    }

    /// <summary>Upper tail of the chi-square distribution: Q(df ∕ 2, x ∕ 2).</summary>
    /// <param name="x">The statistic (≥ 0).</param>
    /// <param name="degreesOfFreedom">Degrees of freedom (≥ 1).</param>
    /// <returns>P(χ² ≥ x).</returns>
    public static double ChiSquarePValue(double x, int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        return x <= 0 ? 1 : RegularizedGammaQ(degreesOfFreedom / 2.0, x / 2);
    }

    /// <summary>Upper tail of the standard normal distribution: P(Z ≥ z) = ½·Q(½, z²∕2) for z ≥ 0.</summary>
    /// <param name="z">The statistic.</param>
    /// <returns>P(Z ≥ z).</returns>
    public static double NormalUpperTail(double z)
    {
        var tail = 0.5 * ChiSquarePValue(z * z, 1);
        return z >= 0 ? tail : 1 - tail;
    }

    /// <summary>
    /// AUC (ties count half) and its DeLong variance, from the midranks: for a positive, the share of negatives it
    /// outranks V₁₀; for a negative, the share of positives that outrank it V₀₁; Var = s²(V₁₀) ∕ m + s²(V₀₁) ∕ n (DeLong,
    /// DeLong &amp; Clarke-Pearson 1988), with m positives and n negatives.
    /// </summary>
    /// <param name="labels">Labels (&gt; 0.5 positive).</param>
    /// <param name="scores">Scores.</param>
    /// <returns>The AUC and its variance (NaN without two of each class).</returns>
    public static (double Auc, double Variance) AucDeLong(IReadOnlyList<float> labels, IReadOnlyList<float> scores)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        if (labels.Count != scores.Count)
        {
            throw new ArgumentException($"{labels.Count} labels but {scores.Count} scores.", nameof(scores));
        }

        var positive = labels.Select(l => l > 0.5f).ToArray();
        var all = MidRanks(scores);
        var positiveIndexes = Enumerable.Range(0, positive.Length).Where(i => positive[i]).ToArray();
        var negativeIndexes = Enumerable.Range(0, positive.Length).Where(i => !positive[i]).ToArray();
        int m = positiveIndexes.Length, n = negativeIndexes.Length;
        if (m < 2 || n < 2)
        {
            return (double.NaN, double.NaN);
        }

        var withinPositives = MidRanks([.. positiveIndexes.Select(i => scores[i])]);
        var withinNegatives = MidRanks([.. negativeIndexes.Select(i => scores[i])]);

        // A positive's rank among all minus its rank among positives = the negatives below it (ties half).
        var v10 = positiveIndexes.Select((i, k) => (all[i] - withinPositives[k]) / n).ToArray();
        var v01 = negativeIndexes.Select((i, k) => 1 - ((all[i] - withinNegatives[k]) / m)).ToArray();
        var auc = v10.Average();
        return (auc, (SampleVariance(v10) / m) + (SampleVariance(v01) / n));
    }

    /// <summary>
    /// Variance of an AUC estimated on <paramref name="positives"/> and <paramref name="negatives"/> rows, from the AUC
    /// alone (Hanley &amp; McNeil 1982): (A(1 − A) + (m − 1)(Q₁ − A²) + (n − 1)(Q₂ − A²)) ∕ (mn), Q₁ = A ∕ (2 − A),
    /// Q₂ = 2A² ∕ (1 + A). For a sample of which only the AUC and counts are kept (a validation report).
    /// </summary>
    /// <param name="auc">The AUC.</param>
    /// <param name="positives">Positives (m).</param>
    /// <param name="negatives">Negatives (n).</param>
    /// <returns>The variance (0 without both classes: nothing to add).</returns>
    public static double AucHanleyMcNeilVariance(double auc, long positives, long negatives)
    {
        if (positives < 1 || negatives < 1)
        {
            return 0;
        }

        var q1 = auc / (2 - auc);
        var q2 = 2 * auc * auc / (1 + auc);
        var a2 = auc * auc;
        return Math.Max(0, (auc * (1 - auc)) + ((positives - 1) * (q1 - a2)) + ((negatives - 1) * (q2 - a2))) / ((double)positives * negatives);
    }

    // 1-based ranks, ties at their mean rank.
    private static double[] MidRanks(IReadOnlyList<float> scores)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            for (var k = start; k <= end; k++)
            {
                ranks[order[k]] = ((start + end) / 2.0) + 1;
            }

            start = end + 1;
        }

        return ranks;
    }

    private static double SampleVariance(double[] values)
    {
        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
    }

    /// <summary>The regularized lower incomplete gamma function P(a, x) (series / continued fraction, Numerical Recipes §6.2).</summary>
    /// <param name="a">Shape, &gt; 0.</param>
    /// <param name="x">Argument, ≥ 0.</param>
    /// <returns>P(a, x).</returns>
    public static double RegularizedGammaP(double a, double x) => 1 - RegularizedGammaQ(a, x);

    /// <summary>The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x).</summary>
    /// <param name="a">Shape, &gt; 0.</param>
    /// <param name="x">Argument, ≥ 0.</param>
    /// <returns>Q(a, x).</returns>
    public static double RegularizedGammaQ(double a, double x)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(a, 0);
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        if (x == 0)
        {
            return 1;
        }

        var logPrefix = (a * Math.Log(x)) - x - LogGamma(a);
        if (x < a + 1)
        {
            // Series for P.
            double ap = a, sum = 1 / a, del = sum;
            for (var n = 0; n < 1000; n++)
            {
                ap++;
                del *= x / ap;
                sum += del;
                if (Math.Abs(del) < Math.Abs(sum) * 1e-15)
                {
                    break;
                }
            }

            return Math.Clamp(1 - (sum * Math.Exp(logPrefix)), 0, 1);
        }

        // Continued fraction for Q (modified Lentz).
        const double Tiny = 1e-300;
        var b = x + 1 - a;
        var c = 1 / Tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < 1000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            if (Math.Abs(d) < Tiny)
            {
                d = Tiny;
            }

            c = b + (an / c);
            if (Math.Abs(c) < Tiny)
            {
                c = Tiny;
            }

            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15)
            {
                break;
            }
        }

        return Math.Clamp(Math.Exp(logPrefix) * h, 0, 1);
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos approximation, g = 7, 9 terms; relative error ≈ 1e-15).</summary>
    /// <param name="x">x &gt; 0.</param>
    /// <returns>ln Γ(x).</returns>
    public static double LogGamma(double x)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(x, 0);
        if (x < 0.5)
        {
            // Reflection: Γ(x)Γ(1−x) = π ∕ sin(πx).
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        }

        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        x -= 1;
        var sum = g[0];
        for (var i = 1; i < g.Length; i++)
        {
            sum += g[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }

    private static (double[]? First, double[]? Second) Normalize(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count != second.Count)
        {
            throw new ArgumentException("Both distributions need the same bins.", nameof(second));
        }

        var s1 = first.Sum();
        var s2 = second.Sum();
        if (s1 <= 0 || s2 <= 0)
        {
            return (null, null);
        }

        return ([.. first.Select(v => v / s1)], [.. second.Select(v => v / s2)]);
    }

    private static List<(double Value, double Level)> BaselineCdfKnots(FeatureStatistics baseline)
    {
        var points = new List<(double Value, double Level)> { (baseline.Min!.Value, 0) };
        for (var i = 0; i < baseline.Quantiles.Count && i < FeatureStatistics.QuantileLevels.Count; i++)
        {
            points.Add((baseline.Quantiles[i], FeatureStatistics.QuantileLevels[i]));
        }

        points.Add((baseline.Max!.Value, 1));
        var knots = new List<(double Value, double Level)>();
        foreach (var p in points.OrderBy(p => p.Value).ThenBy(p => p.Level))
        {
            if (knots.Count > 0 && knots[^1].Value == p.Value)
            {
                knots[^1] = (p.Value, Math.Max(knots[^1].Level, p.Level));
            }
            else
            {
                knots.Add((p.Value, Math.Max(p.Level, knots.Count > 0 ? knots[^1].Level : 0)));
            }
        }

        return knots;
    }

    private static double Cdf(List<(double Value, double Level)> knots, double x)
    {
        if (x < knots[0].Value)
        {
            return 0;
        }

        if (x >= knots[^1].Value)
        {
            return 1;
        }

        var hi = 1;
        while (knots[hi].Value <= x)
        {
            hi++;
        }

        var (v0, l0) = knots[hi - 1];
        var (v1, l1) = knots[hi];

        // An infinite end (a float input beyond float's range) cannot be interpolated from: ∞ ∕ ∞ made D NaN.
        return double.IsInfinity(v0) || double.IsInfinity(v1) ? l0 : l0 + ((l1 - l0) * (x - v0) / (v1 - v0));
    }

    /// <summary>
    /// What a baseline's statistics say for sure about its CDF F: F(x) = 0 below the minimum and 1 from the maximum;
    /// a quantile q at v (the smallest value with F(v) ≥ q) gives F(v−) ≤ q ≤ F(v); a bin edge e gives
    /// F(e−) = the share of values below e. Monotonicity carries each to the other points.
    /// </summary>
    private sealed class BaselineCdfBounds
    {
        private readonly double min;
        private readonly double max;
        private readonly List<(double Value, double Level)> quantiles = [];
        private readonly List<(double Value, double Below)> edges = [];

        private BaselineCdfBounds(double min, double max)
        {
            this.min = min;
            this.max = max;
        }

        public static BaselineCdfBounds Of(FeatureStatistics baseline)
        {
            var bounds = new BaselineCdfBounds(baseline.Min!.Value, baseline.Max!.Value);
            for (var i = 0; i < baseline.Quantiles.Count && i < FeatureStatistics.QuantileLevels.Count; i++)
            {
                bounds.quantiles.Add((baseline.Quantiles[i], FeatureStatistics.QuantileLevels[i]));
            }

            double total = baseline.BinCounts.Sum();
            if (total > 0 && baseline.BinCounts.Count == baseline.BinEdges.Count + 1)
            {
                double cumulative = 0;
                for (var i = 0; i < baseline.BinEdges.Count; i++)
                {
                    cumulative += baseline.BinCounts[i];
                    bounds.edges.Add((baseline.BinEdges[i], cumulative / total));
                }
            }

            return bounds;
        }

        /// <summary>True when <paramref name="x"/> is a value the statistics name (a possible atom of the baseline).</summary>
        public bool IsKnown(double x) =>
            x == min || x == max || quantiles.Exists(q => q.Value == x) || edges.Exists(e => e.Value == x);

        /// <summary>How far <paramref name="empirical"/> is from every F(x) the statistics allow.</summary>
        public double DistanceAt(double x, double empirical)
        {
            double lo = x >= max ? 1 : 0, hi = x < min ? 0 : 1;
            foreach (var (value, level) in quantiles)
            {
                lo = value <= x ? Math.Max(lo, level) : lo;
                hi = value > x ? Math.Min(hi, level) : hi;
            }

            foreach (var (value, share) in edges)
            {
                lo = value <= x ? Math.Max(lo, share) : lo;
                hi = value > x ? Math.Min(hi, share) : hi;
            }

            return Math.Max(0, Math.Max(lo - empirical, empirical - hi));
        }

        /// <summary>How far <paramref name="empirical"/> is from every F(x−) the statistics allow.</summary>
        public double DistanceBelow(double x, double empirical)
        {
            double lo = x > max ? 1 : 0, hi = x <= min ? 0 : 1;
            foreach (var (value, level) in quantiles)
            {
                lo = value < x ? Math.Max(lo, level) : lo;
                hi = value >= x ? Math.Min(hi, level) : hi;
            }

            foreach (var (value, share) in edges)
            {
                lo = value <= x ? Math.Max(lo, share) : lo;
                hi = value >= x ? Math.Min(hi, share) : hi;
            }

            return Math.Max(0, Math.Max(lo - empirical, empirical - hi));
        }
    }
}
