using Brisa.Core.Generation;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;

namespace Brisa.Core.Tests.Monitoring;

public sealed class DriftMetricsTests
{
    [Fact]
    public void Psi_UniformVersusSkewed_MatchesHandComputedValue()
    {
        // Σ (a − e) ln(a / e) with e = 0.25 each, a = 0.1, 0.2, 0.3, 0.4.
        var psi = DriftMetrics.Psi([25, 25, 25, 25], [10, 20, 30, 40]);

        Assert.Equal(0.2282174095733918, psi, 12);
    }

    [Fact]
    public void Psi_IdenticalProportions_IsZero()
    {
        Assert.Equal(0, DriftMetrics.Psi([10, 20, 30], [1, 2, 3]), 12);
    }

    [Fact]
    public void Psi_EmptyBin_UsesEpsilonFloor()
    {
        // e = (0.5, 0.5, 0), a = (0.5, 0.25, 0.25): the empty baseline bin counts as 1e-4.
        var expected = (-0.25 * Math.Log(0.5)) + ((0.25 - 1e-4) * Math.Log(0.25 / 1e-4));

        Assert.Equal(expected, DriftMetrics.Psi([1, 1, 0], [2, 1, 1]), 12);
    }

    [Fact]
    public void JensenShannonDistance_KnownDistributions_MatchesHandComputedValues()
    {
        Assert.Equal(0.5579230452841438, DriftMetrics.JensenShannonDistance([1, 1], [1, 0]), 12);
        Assert.Equal(0.20050332253142816, DriftMetrics.JensenShannonDistance([25, 25, 25, 25], [10, 20, 30, 40]), 12);
        Assert.Equal(1, DriftMetrics.JensenShannonDistance([1, 0], [0, 1]), 12);
        Assert.Equal(0, DriftMetrics.JensenShannonDistance([3, 4], [6, 8]), 12);
    }

    [Theory]
    [InlineData(1.0, 0.26999967167735456)]
    [InlineData(1.358, 0.05002679733444698)]
    [InlineData(1.628, 0.009975522431181053)]
    [InlineData(0.5, 0.9639452436648751)]
    public void KolmogorovQ_PublishedCriticalValues_Match(double lambda, double expected)
    {
        // 1.358 and 1.628 are the published asymptotic critical values at α = 0.05 and 0.01.
        Assert.Equal(expected, DriftMetrics.KolmogorovQ(lambda), 9);
    }

    [Fact]
    public void KolmogorovSmirnov_TwoSmallSamples_MatchesHandComputedValue()
    {
        var result = DriftMetrics.KolmogorovSmirnov([1, 2, 3, 4, 5], [3, 4, 5, 6, 7, 8]);

        Assert.Equal(0.5, result.Statistic, 12);
        Assert.Equal(0.3670013850902251, result.PValue, 9);
    }

    [Fact]
    public void KolmogorovSmirnov_DisjointSamples_IsOne()
    {
        Assert.Equal(1, DriftMetrics.KolmogorovSmirnov([1, 2, 3], [10, 11, 12]).Statistic, 12);
    }

    [Fact]
    public void KolmogorovSmirnov_BaselineStatisticsAndSameDistribution_IsSmall()
    {
        var baseline = FeatureStatistics.Numeric("x", [.. Enumerable.Range(0, 10_000).Select(i => (float)(i % 1000))]);
        var current = Enumerable.Range(0, 150).Select(i => (double)((i * 37) % 1000)).ToArray();

        var result = DriftMetrics.KolmogorovSmirnov(baseline, current);

        Assert.True(result.Statistic < 0.1, $"D = {result.Statistic}");
        Assert.True(result.PValue > 0.1, $"p = {result.PValue}");
    }

    [Fact]
    public void KolmogorovSmirnov_BaselineMinimumMinusInfinity_FiniteAndSmall()
    {
        // A double field without bounds sent as -1e39 is -∞ as the float the model (and the baseline) reads. Before,
        // the CDF interpolated between (-∞, 0) and p01 as ∞ ∕ ∞: D was NaN, and a NaN p-value never warns.
        var baseline = FeatureStatistics.Numeric("x", [.. Enumerable.Range(0, 10_000).Select(i => (float)(i % 1000)), float.NegativeInfinity]);
        var current = Enumerable.Range(0, 150).Select(i => (double)((i * 37) % 1000)).ToArray();

        var result = DriftMetrics.KolmogorovSmirnov(baseline, current);

        Assert.True(result.Statistic < 0.1, $"D = {result.Statistic}");
        Assert.True(result.PValue > 0.1, $"p = {result.PValue}");
    }

    [Fact]
    public void KolmogorovSmirnov_CountsOftenZeroFromTheSameDistribution_IsSmall()
    {
        // 80 % zeros, then 1 and 2: the baseline CDF jumps at its minimum; the sample's zeros sit on that jump.
        var baseline = FeatureStatistics.Numeric("count", [.. Enumerable.Range(0, 10_000).Select(i => (float)(i % 10 < 8 ? 0 : i % 10 - 7))]);
        var current = Enumerable.Range(0, 150).Select(i => (double)(i % 10 < 8 ? 0 : i % 10 - 7)).ToArray();

        var result = DriftMetrics.KolmogorovSmirnov(baseline, current);

        Assert.True(result.Statistic < 0.15, $"D = {result.Statistic}");
        Assert.True(result.PValue > 0.01, $"p = {result.PValue}");
    }

    [Theory]
    [InlineData(3.0, 3.0)]
    [InlineData(3.0, 4.0)]
    [InlineData(0.5, 1.0)]
    [InlineData(20.0, 22.0)]
    public void KolmogorovSmirnov_PoissonCounts_MatchesTheExactDistanceBetweenTheDistributions(double baselineMean, double currentMean)
    {
        // Counts with atoms above the minimum: before, the interpolated baseline CDF put each jump at the wrong place,
        // and 150 counts from the baseline's own distribution gave D ≈ 0.17 (p < 0.001, an alert) for Poisson(3).
        var baseline = FeatureStatistics.Numeric("count", [.. PoissonSample(baselineMean, 10_000).Select(k => (float)k)]);
        var current = PoissonSample(currentMean, 150).Select(k => (double)k).ToArray();

        var result = DriftMetrics.KolmogorovSmirnov(baseline, current);

        // The textbook statistic, sup over k of |F(k) − G(k)|, from the two samples' own CDFs.
        var exact = Enumerable.Range(0, 60).Max(k => Math.Abs(ShareAtMost(PoissonSample(baselineMean, 10_000), k) - ShareAtMost(current, k)));
        Assert.Equal(exact, result.Statistic, 2);
        if (baselineMean == currentMean)
        {
            Assert.True(result.PValue > 0.5, $"p = {result.PValue}");
        }
        else
        {
            Assert.True(result.PValue < 0.01, $"p = {result.PValue}");
        }
    }

    [Fact]
    public void KolmogorovSmirnov_BaselineStatisticsAndShiftedValues_IsLarge()
    {
        var baseline = FeatureStatistics.Numeric("x", [.. Enumerable.Range(0, 10_000).Select(i => (float)(i % 1000))]);
        var current = Enumerable.Range(0, 150).Select(i => 500.0 + ((i * 37) % 1000)).ToArray();

        var result = DriftMetrics.KolmogorovSmirnov(baseline, current);

        // Uniform(0, 1000) vs Uniform(500, 1500): D = 0.5.
        Assert.InRange(result.Statistic, 0.45, 0.55);
        Assert.True(result.PValue < 1e-6, $"p = {result.PValue}");
    }

    [Fact]
    public void ChiSquare_ThreeCategories_MatchesHandComputedValue()
    {
        // Expected 40, 30, 30 in each row: G² = 2·(50 ln(50/40) + 20 ln(20/30) + 30 ln(30/40) + 40 ln(40/30)); every
        // expected count is at least 5, so p is the χ²(2) tail, exp(−G²/2).
        var result = DriftMetrics.ChiSquare([50, 30, 20], [30, 30, 40]);

        Assert.Equal(11.849392256130013, result.Statistic, 9);
        Assert.Equal(2, result.DegreesOfFreedom);
        Assert.Equal(Math.Exp(-11.849392256130013 / 2), result.PValue, 12);
    }

    [Fact]
    public void ChiSquare_CategoryEmptyOnBothSides_IsDropped()
    {
        var result = DriftMetrics.ChiSquare([50, 0, 30, 20], [30, 0, 30, 40]);

        Assert.Equal(2, result.DegreesOfFreedom);
        Assert.Equal(11.849392256130013, result.Statistic, 9);
    }

    [Fact]
    public void ChiSquare_OneRowInACategoryOfOnePerThousand_PIsAboutItsChance()
    {
        // A single current row: the only table at least as extreme is the one where that row falls in the rare
        // category, so the exact p-value is its chance, 11 ∕ 10,001 (the simulation's resolution is 1 ∕ 2,000).
        var rare = DriftMetrics.ChiSquare([9990, 10], [0, 1]);
        var common = DriftMetrics.ChiSquare([9990, 10], [1, 0]);

        Assert.InRange(rare.PValue, 0.0005, 0.004);
        Assert.Equal(1, common.PValue);
    }

    [Fact]
    public void ChiSquare_SameSparseCounts_SameSimulatedPValue()
    {
        long[] baseline = [.. RareCategoryBaseline()];
        long[] current = [12, 8, 3, 2, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2];

        var p = DriftMetrics.ChiSquare(baseline, current).PValue;

        Assert.Equal(p, DriftMetrics.ChiSquare(baseline, current).PValue);
        Assert.InRange(p, 0.0005, 1);
    }

    [Theory]
    [InlineData(30, 2000)]
    [InlineData(200, 1000)]
    public void ChiSquare_SamplesFromTheBaselineWithRareCategories_FalseAlarmsNearNominal(int rows, int trials)
    {
        // Four common categories, sixteen of 0.2–2 % and (other) at 2.9 %: most expected counts of a small sample are
        // under 1. Before (Pearson's χ² with its χ²(df) p-value), samples of the baseline distribution itself gave
        // p < 0.01 in 7.4 % of these trials at 30 rows and 1.6 % at 200, p < 0.001 in 3.6 % and 0.3 %; now 1.0 % and
        // 1.0 %, 0.1 % and 0 %.
        var baseline = RareCategoryBaseline();
        var random = new Prng(20260301);
        int warn = 0, alert = 0;
        for (var t = 0; t < trials; t++)
        {
            var p = DriftMetrics.ChiSquare(baseline, SampleOf(baseline, rows, random)).PValue;
            warn += p < DriftAnalyzer.WarnPValue ? 1 : 0;
            alert += p < DriftAnalyzer.AlertPValue ? 1 : 0;
        }

        Assert.True((double)warn / trials <= 0.015, $"p < 0.01 in {warn} of {trials}");
        Assert.True((double)alert / trials <= 0.002, $"p < 0.001 in {alert} of {trials}");
    }

    [Theory]
    [InlineData(30, 100, 0.55)]
    [InlineData(200, 20, 1)]
    public void ChiSquare_CommonCategoriesSwapped_StillDetected(int rows, int trials, double power)
    {
        // The top category (35 %) and the fourth (10 %) trade places: a shift among the common categories. Measured
        // over 400 samples of 30 rows: p < 0.01 in 69 % (before: 62 %, with its false alarms).
        var baseline = RareCategoryBaseline();
        var shifted = baseline.ToArray();
        (shifted[0], shifted[3]) = (shifted[3], shifted[0]);

        var rate = DetectionRate(baseline, shifted, rows, trials);

        Assert.True(rate >= power, $"detected in {rate:P0}");
    }

    [Theory]
    [InlineData(30, 100, 0.8)]
    [InlineData(200, 20, 1)]
    public void ChiSquare_RareCategorySurges_StillDetected(int rows, int trials, double power)
    {
        // A category of 0.2 % jumps to 15 % (taken from the top one): a new kind of traffic. Measured over 400 samples
        // of 30 rows: p < 0.01 in 89 % (before: 96 %, with its false alarms); from 50 rows, 99 %.
        var baseline = RareCategoryBaseline();
        var shifted = baseline.ToArray();
        shifted[19] += 2960;
        shifted[0] -= 2960;

        var rate = DetectionRate(baseline, shifted, rows, trials);

        Assert.True(rate >= power, $"detected in {rate:P0}");
    }

    // Share of samples of `distribution` whose p-value against `baseline` is below the warning level.
    private static double DetectionRate(long[] baseline, long[] distribution, int rows, int trials)
    {
        var random = new Prng(20260302);
        var detected = Enumerable.Range(0, trials).Count(_ => DriftMetrics.ChiSquare(baseline, SampleOf(distribution, rows, random)).PValue < DriftAnalyzer.WarnPValue);
        return (double)detected / trials;
    }

    // 20,000 baseline rows over 20 top categories and (other), last.
    internal static long[] RareCategoryBaseline()
    {
        double[] shares = [0.35, 0.25, 0.15, 0.10, 0.02, 0.015, 0.012, 0.01, 0.01, 0.008, 0.008, 0.006, 0.006, 0.005, 0.005, 0.004, 0.004, 0.003, 0.003, 0.002];
        return [.. shares.Select(s => (long)Math.Round(s * 20_000)), 20_000 - shares.Sum(s => (long)Math.Round(s * 20_000))];
    }

    // `rows` independent draws from the distribution the counts describe.
    internal static long[] SampleOf(long[] counts, int rows, Prng random)
    {
        var total = counts.Sum();
        var sample = new long[counts.Length];
        for (var r = 0; r < rows; r++)
        {
            var u = (long)(random.NextDouble() * total);
            var j = 0;
            while (u >= counts[j])
            {
                u -= counts[j++];
            }

            sample[j]++;
        }

        return sample;
    }

    [Theory]
    [InlineData(3.841458820694124, 1, 0.05)]
    [InlineData(5.991464547107979, 2, 0.05)]
    [InlineData(7.0, 3, 0.07189777249646513)]
    [InlineData(9.0, 4, 0.061099480960332686)]
    [InlineData(30.0, 10, 0.0008566412107753004)]
    [InlineData(0.5, 10, 0.9999933882894391)]
    public void ChiSquarePValue_KnownValues_Match(double x, int df, double expected)
    {
        Assert.Equal(expected, DriftMetrics.ChiSquarePValue(x, df), 9);
    }

    [Fact]
    public void LogGamma_KnownValues_Match()
    {
        Assert.Equal(Math.Log(24), DriftMetrics.LogGamma(5), 12);
        Assert.Equal(Math.Log(Math.Sqrt(Math.PI)), DriftMetrics.LogGamma(0.5), 12);
        Assert.Equal(Math.Log(362880), DriftMetrics.LogGamma(10), 10);
    }

    [Fact]
    public void RegularizedGamma_PPlusQ_IsOne()
    {
        Assert.Equal(1, DriftMetrics.RegularizedGammaP(2.5, 1.7) + DriftMetrics.RegularizedGammaQ(2.5, 1.7), 12);
        Assert.Equal(1 - Math.Exp(-3), DriftMetrics.RegularizedGammaP(1, 3), 12);
    }

    [Fact]
    public void Histogram_ValuesOnEdges_GoToUpperBin()
    {
        Assert.Equal([1L, 2, 1], DriftMetrics.Histogram([1, 2], [0.5, 1, 1.5, 2, double.NaN]));
    }

    [Fact]
    public void EffectiveSampleSize_TwoClusters_MatchesHandComputedAnova()
    {
        // Means 2 and 5 around 3.5: MSB = 13.5, MSW = 1, m0 = 3, ρ = 12.5 ∕ 15.5; deff = 1 + (18 ∕ 6 − 1)·ρ.
        var size = DriftMetrics.EffectiveSampleSize([1.0, 2, 3, 4, 5, 6], ["a", "a", "a", "b", "b", "b"]);

        Assert.Equal(6 / (1 + (2 * 12.5 / 15.5)), size, 12);
    }

    [Fact]
    public void EffectiveSampleSize_ConstantWithinClusters_IsKishSize()
    {
        // ρ = 1: n² ∕ Σ m² = 100 ∕ (25 + 9 + 4).
        double[] values = [1, 1, 1, 1, 1, 2, 2, 2, 3, 3];
        string?[] keys = ["a", "a", "a", "a", "a", "b", "b", "b", "c", "c"];

        Assert.Equal(100.0 / 38, DriftMetrics.EffectiveSampleSize(values, keys), 12);
        Assert.Equal(100.0 / 38, DriftMetrics.EffectiveSampleSize([.. values.Select(v => v == 2 ? "y" : "x")], keys), 12);
    }

    [Fact]
    public void EffectiveSampleSize_IndependentValues_IsAboutTheRowCount()
    {
        var rng = new Random(7);
        var keys = Enumerable.Range(0, 4000).Select(_ => "k" + rng.Next(40)).ToArray();
        var numbers = keys.Select(_ => rng.NextDouble()).ToArray();
        var categories = keys.Select(_ => "c" + rng.Next(5)).ToArray();

        Assert.InRange(DriftMetrics.EffectiveSampleSize(numbers, keys), 3000, 4000);
        Assert.InRange(DriftMetrics.EffectiveSampleSize(categories, keys), 3000, 4000);
    }

    // n counts laid out in the exact Poisson(mean) proportions (largest remainders), so the test is deterministic.
    private static int[] PoissonSample(double mean, int n)
    {
        var pmf = new double[60];
        pmf[0] = Math.Exp(-mean);
        for (var k = 1; k < pmf.Length; k++)
        {
            pmf[k] = pmf[k - 1] * mean / k;
        }

        var counts = pmf.Select(p => (int)Math.Floor(p * n)).ToArray();
        foreach (var k in Enumerable.Range(0, pmf.Length).OrderByDescending(k => (pmf[k] * n) - counts[k]).Take(n - counts.Sum()))
        {
            counts[k]++;
        }

        return [.. counts.SelectMany((c, k) => Enumerable.Repeat(k, c))];
    }

    private static double ShareAtMost(IReadOnlyCollection<int> sample, int k) => (double)sample.Count(v => v <= k) / sample.Count;

    private static double ShareAtMost(IReadOnlyCollection<double> sample, int k) => (double)sample.Count(v => v <= k) / sample.Count;

    [Fact]
    public void EffectiveSampleSize_MissingValuesAndKeys_AreLeftOut()
    {
        Assert.Equal(2, DriftMetrics.EffectiveSampleSize([1.0, double.NaN, 2, 3], ["a", "a", null, "b"]), 12);
        Assert.Equal(0, DriftMetrics.EffectiveSampleSize([double.NaN], ["a"]));
        Assert.Equal(3, DriftMetrics.EffectiveSampleSize([1.0, 2, 3], ["a", "b", "c"]));
        Assert.Throws<ArgumentException>(() => DriftMetrics.EffectiveSampleSize([1.0], ["a", "b"]));
    }
}
