using Brisa.Core.Modeling;

namespace Brisa.Core.Tests.Modeling;

public sealed class FeatureStatisticsBuilderTests
{
    [Fact]
    public void Build_FewerValuesThanSample_EqualsBatchStatistics()
    {
        var rng = new Random(7);
        var values = Enumerable.Range(0, 3000).Select(i => i % 17 == 0 ? float.NaN : (float)Math.Exp(rng.NextDouble() * 4)).ToArray();
        var builder = new FeatureStatisticsBuilder("amount", FeatureKind.Numeric);
        foreach (var v in values)
        {
            builder.AddNumber(float.IsNaN(v) ? null : v);
        }

        var streamed = builder.Build();
        var batch = FeatureStatistics.Numeric("amount", values);

        Assert.Equal(batch.Count, streamed.Count);
        Assert.Equal(batch.Missing, streamed.Missing);
        Assert.Equal(batch.Mean!.Value, streamed.Mean!.Value, 1e-9);
        Assert.Equal(batch.Std!.Value, streamed.Std!.Value, 1e-9);
        Assert.Equal(batch.Min, streamed.Min);
        Assert.Equal(batch.Max, streamed.Max);
        Assert.Equal(batch.Quantiles, streamed.Quantiles);
        Assert.Equal(batch.BinEdges, streamed.BinEdges);
        Assert.Equal(batch.BinCounts, streamed.BinCounts);
    }

    [Fact]
    public void Build_StreamLargerThanSample_ExactMomentsAndQuantilesWithinRankError()
    {
        const int n = 200_000;
        var rng = new Random(11);
        var values = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 1000).ToArray();
        var builder = new FeatureStatisticsBuilder("x", FeatureKind.Numeric, sampleSize: 4096);
        foreach (var v in values)
        {
            builder.AddNumber(v);
        }

        var s = builder.Build();
        var sorted = values.Order().ToArray();

        Assert.Equal(n, s.Count);
        Assert.Equal(values.Average(), s.Mean!.Value, 1e-6);
        Assert.Equal(sorted[0], s.Min);
        Assert.Equal(sorted[^1], s.Max);
        Assert.Equal(n, s.BinCounts.Sum());
        for (var i = 0; i < FeatureStatistics.QuantileLevels.Count; i++)
        {
            // The estimate's rank among all values is within 4.5 standard errors (1/√4096 ≈ 1.6 %) of the level.
            var rank = (double)Array.BinarySearch(sorted, s.Quantiles[i]) / n;
            Assert.InRange(rank, FeatureStatistics.QuantileLevels[i] - 0.035, FeatureStatistics.QuantileLevels[i] + 0.035);
        }

        // Decile bins of a uniform stream hold about a tenth each.
        Assert.All(s.BinCounts, c => Assert.InRange(c, n * 0.07, n * 0.13));
    }

    [Fact]
    public void Build_SameStreamTwice_SameStatistics()
    {
        FeatureStatistics Run()
        {
            var builder = new FeatureStatisticsBuilder("x", FeatureKind.Numeric, sampleSize: 64);
            for (var i = 0; i < 10_000; i++)
            {
                builder.AddNumber((i * 7919) % 10_007);
            }

            return builder.Build();
        }

        var first = Run();
        var second = Run();

        Assert.Equal(first.Quantiles, second.Quantiles);
        Assert.Equal(first.BinCounts, second.BinCounts);
    }

    [Fact]
    public void Build_Categories_TopCountsMissingAndOther()
    {
        var builder = new FeatureStatisticsBuilder("country", FeatureKind.Categorical);
        var stream = Enumerable.Repeat("ES", 50).Concat(Enumerable.Repeat("FR", 30)).Concat(Enumerable.Range(0, 25).Select(i => $"X{i}")).Concat([null, "", null]);
        foreach (var value in stream)
        {
            builder.AddCategory(value);
        }

        var s = builder.Build();

        Assert.Equal(FeatureKind.Categorical, s.Kind);
        Assert.Equal(108, s.Count);
        Assert.Equal(3, s.Missing);
        Assert.Equal(FeatureStatistics.MaxCategories, s.Categories.Count);
        Assert.Equal(new CategoryCount("ES", 50), s.Categories[0]);
        Assert.Equal(new CategoryCount("FR", 30), s.Categories[1]);
        Assert.Equal(105 - s.Categories.Sum(c => c.Count), s.OtherCount);
        Assert.Equal(7, s.OtherCount);
    }

    [Fact]
    public void Build_MoreDistinctCategoriesThanCapacity_FrequentValueKeptWithLowerBoundCount()
    {
        const int capacity = 32;
        var builder = new FeatureStatisticsBuilder("merchant", FeatureKind.Categorical, categoryCapacity: capacity);
        long heavy = 0, n = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var value = i % 3 == 0 ? "hot" : $"m{i}";
            heavy += value == "hot" ? 1 : 0;
            n++;
            builder.AddCategory(value);
        }

        var top = builder.Build().Categories[0];

        Assert.Equal("hot", top.Value);
        Assert.InRange(top.Count, heavy - (n / (capacity + 1)), heavy);
    }

    [Fact]
    public void AddCategory_NumericFeature_Throws()
    {
        var builder = new FeatureStatisticsBuilder("x", FeatureKind.Numeric);

        Assert.Throws<InvalidOperationException>(() => builder.AddCategory("a"));
    }
}
