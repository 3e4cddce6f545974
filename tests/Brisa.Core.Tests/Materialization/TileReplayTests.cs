using Brisa.Core.Aggregation;
using Brisa.Core.Features;
using Brisa.Core.Materialization;
using Brisa.Core.Tests.Training;
using FeaturePlan = Brisa.Core.Features.FeaturePlan;

namespace Brisa.Core.Tests.Materialization;

public class TileReplayTests
{
    private static readonly FeaturePlan Plan = FeaturePlan.Compile(FraudStream.Definitions, trackEventIds: true);
    private static readonly DateTimeOffset Now = new(2026, 5, 10, 12, 34, 56, TimeSpan.Zero);
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    [Fact]
    public void RangeOf_WindowLongerThanTtl_ReadsFromTheOldestTileOfTheWindow()
    {
        // customer_7d: 1 h tiles, 7 d window (168 tiles, the current one included), 2 d TTL.
        var range = TileReplay.RangeOf([View("customer_7d")], Ticks(Now), Skew);

        Assert.Equal((Ticks(new(2026, 5, 3, 13, 0, 0, TimeSpan.Zero)), Ticks(new(2026, 5, 10, 13, 0, 0, TimeSpan.Zero))), range);
    }

    [Fact]
    public void RangeOf_TtlLongerThanWindow_ReadsBackToTheTtlForTheNewestEvent()
    {
        // customer_1h: its window starts at 11:35 (12 five-minute tiles), its 2 h TTL at 10:34:56, whose hour is read.
        var range = TileReplay.RangeOf([View("customer_1h")], Ticks(Now), Skew);

        Assert.Equal(Ticks(new(2026, 5, 10, 10, 0, 0, TimeSpan.Zero)), range.FromTicks);
    }

    [Fact]
    public void RangeOf_SeveralViews_ReadsTheLongestAndEndsAfterTheSkewAllowed()
    {
        var view = View("customer_1h");
        var longTtl = view with { Definition = view.Definition with { Ttl = TimeSpan.FromDays(30) } };

        var range = TileReplay.RangeOf([View("customer_7d"), longTtl], Ticks(new(2026, 5, 10, 12, 57, 0, TimeSpan.Zero)), Skew);

        // 30 days back from 12:57; events up to 5 minutes ahead of now (13:02) are in the stream's tiles, so hour 13 is read.
        Assert.Equal((Ticks(new(2026, 4, 10, 12, 0, 0, TimeSpan.Zero)), Ticks(new(2026, 5, 10, 14, 0, 0, TimeSpan.Zero))), range);
    }

    [Fact]
    public void RangeOf_NoView_Throws()
    {
        Assert.Throws<ArgumentException>(() => TileReplay.RangeOf([], Ticks(Now), Skew));
    }

    private static ViewPlan View(string name) => Plan.FindView(name)!;

    private static long Ticks(DateTimeOffset time) => TiledView.ToUnixTicks(time);
}
