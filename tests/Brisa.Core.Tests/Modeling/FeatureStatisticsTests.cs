using Brisa.Core.Generation;
using Brisa.Core.Modeling;

namespace Brisa.Core.Tests.Modeling;

public sealed class FeatureStatisticsTests
{
    [Fact]
    public void Numeric_FlagWithFewOnes_OnesInABinOfTheirOwn()
    {
        // Every decile of 95 % zeros is 0: before, the only edge was 0, and the 1s shared the bin "≥ 0" with the 0s.
        var values = Enumerable.Repeat(0f, 950).Concat(Enumerable.Repeat(1f, 50)).ToArray();

        var s = FeatureStatistics.Numeric("is_foreign", values);

        Assert.Equal([0.0, 1.0], s.BinEdges);
        Assert.Equal([0L, 950, 50], s.BinCounts);
    }

    [Fact]
    public void Numeric_MostlyZeroThenContinuous_ZerosInABinOfTheirOwn()
    {
        var random = new Prng(3);
        var positives = Enumerable.Range(0, 300).Select(_ => (float)(1 + random.NextDouble())).ToArray();
        var values = Enumerable.Repeat(0f, 700).Concat(positives).ToArray();

        var s = FeatureStatistics.Numeric("refunds_7d", values);

        Assert.Equal(0, s.BinEdges[0]);
        Assert.Equal(positives.Min(), s.BinEdges[1]);
        Assert.Equal(700, s.BinCounts[1]);
        Assert.Equal(1000, s.BinCounts.Sum());
    }

    [Fact]
    public void Numeric_ContinuousValues_DecileEdgesOnly()
    {
        var random = new Prng(4);
        var values = Enumerable.Range(0, 10_000).Select(_ => (float)random.NextDouble()).ToArray();

        var s = FeatureStatistics.Numeric("x", values);

        Assert.Equal(9, s.BinEdges.Count);
        Assert.All(s.BinCounts.Skip(1), c => Assert.InRange(c, 990, 1010));
    }
}
