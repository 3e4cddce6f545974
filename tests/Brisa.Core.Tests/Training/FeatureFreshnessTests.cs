using Brisa.Core.Features;

namespace Brisa.Core.Tests.Training;

public class FeatureFreshnessTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(2);
    private const long Now = 1_000_000_000_000L;

    [Theory]
    [InlineData(false, 0L, false, FeatureStatus.NotFound)]
    [InlineData(true, 0L, false, FeatureStatus.Present)]
    [InlineData(true, 0L, true, FeatureStatus.NullValue)]
    [InlineData(true, 7_200L, false, FeatureStatus.Present)]          // exactly the TTL old: still fresh
    [InlineData(true, 7_201L, false, FeatureStatus.OutsideMaxAge)]    // a second older: expired
    [InlineData(true, 7_201L, true, FeatureStatus.OutsideMaxAge)]     // a stale null is stale
    [InlineData(true, -60L, false, FeatureStatus.Present)]            // event time ahead of the clock
    public void Classify_ByAgeAndValue(bool found, long ageSeconds, bool isNull, FeatureStatus expected)
    {
        var eventTicks = Now - (ageSeconds * TimeSpan.TicksPerSecond);
        Assert.Equal(expected, FeatureFreshness.Classify(found, eventTicks, isNull, Ttl, Now));
    }

    [Fact]
    public void Classify_NoEventTime_IsNotFound_AndZeroTtlNeverExpires()
    {
        Assert.Equal(FeatureStatus.NotFound, FeatureFreshness.Classify(true, null, false, Ttl, Now));
        Assert.Equal(FeatureStatus.Present, FeatureFreshness.Classify(true, 0, false, TimeSpan.Zero, Now));
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(FeatureStatus.OutsideMaxAge, FeatureFreshness.Classify(true, now.AddHours(-3), false, Ttl, now));
        Assert.Equal("OUTSIDE_MAX_AGE", FeatureStatus.OutsideMaxAge.ToWireName());
        Assert.Equal("NULL_VALUE", FeatureStatus.NullValue.ToWireName());
        Assert.True(FeatureStatus.NotFound.IsMissing());
    }
}
