using Brisa.Core.Materialization;

namespace Brisa.Core.Tests.Materialization;

public sealed class IncrementalPlannerTests
{
    private static readonly DateTimeOffset Day = new(2026, 5, 10, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TargetEnd_FloorsNowMinusLatenessToTheHour()
    {
        Assert.Equal(Day.AddHours(8), IncrementalPlanner.TargetEnd(Day.AddHours(9).AddMinutes(59), TimeSpan.FromHours(1)));
        Assert.Equal(Day.AddHours(9), IncrementalPlanner.TargetEnd(Day.AddHours(9).AddMinutes(59), TimeSpan.Zero));
        Assert.Equal(Day.AddHours(7), IncrementalPlanner.TargetEnd(new DateTimeOffset(2026, 5, 10, 10, 30, 0, TimeSpan.FromHours(2)), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Plan_FromWatermark_OneSlicePerViewAndDay_EachWritesOnline()
    {
        var plan = IncrementalPlanner.Plan(["a", "b"], Day.AddHours(-3), Day.AddDays(1).AddHours(5).AddMinutes(10), TimeSpan.FromHours(1), TimeSpan.FromDays(7));

        Assert.Equal(Day.AddHours(-3), plan.From);
        Assert.Equal(Day.AddDays(1).AddHours(4), plan.To);
        Assert.Equal(
            [
                new MaterializationSlice("a", Day.AddHours(-3), Day, Online: true),
                new MaterializationSlice("b", Day.AddHours(-3), Day, Online: true),
                new MaterializationSlice("a", Day, Day.AddDays(1), Online: true),
                new MaterializationSlice("b", Day, Day.AddDays(1), Online: true),
                new MaterializationSlice("a", Day.AddDays(1), Day.AddDays(1).AddHours(4), Online: true),
                new MaterializationSlice("b", Day.AddDays(1), Day.AddDays(1).AddHours(4), Online: true),
            ],
            plan.Slices);
        Assert.All(plan.Slices, s => Assert.Null(IncrementalPlanner.Validate(s)));
    }

    [Fact]
    public void Plan_FirstRun_StartsAtLookback()
    {
        var plan = IncrementalPlanner.Plan(["a"], null, Day.AddHours(2), TimeSpan.FromHours(1), TimeSpan.FromDays(7));

        Assert.Equal(Day.AddHours(1).AddDays(-7), plan.From);
        Assert.Equal(8, plan.Slices.Count);
        Assert.All(plan.Slices, s => Assert.True(s.Online));
    }

    [Fact]
    public void Plan_EndingAtMidnight_LastSliceEndsAtMidnight()
    {
        var plan = IncrementalPlanner.Plan(["a"], Day.AddHours(-2), Day.AddHours(1), TimeSpan.FromHours(1), TimeSpan.FromDays(1));

        Assert.Equal([new MaterializationSlice("a", Day.AddHours(-2), Day, Online: true)], plan.Slices);
    }

    [Fact]
    public void Plan_WatermarkAtOrAfterTarget_IsUpToDate()
    {
        Assert.True(IncrementalPlanner.Plan(["a"], Day.AddHours(8), Day.AddHours(9).AddMinutes(59), TimeSpan.FromHours(1), TimeSpan.FromDays(7)).IsUpToDate);
        Assert.True(IncrementalPlanner.Plan(["a"], Day.AddHours(12), Day.AddHours(9), TimeSpan.FromHours(1), TimeSpan.FromDays(7)).IsUpToDate);
        Assert.True(IncrementalPlanner.Plan([], null, Day, TimeSpan.FromHours(1), TimeSpan.FromDays(7)).IsUpToDate);
    }

    [Fact]
    public void Message_RoundTrips()
    {
        var slice = new MaterializationSlice("customer_7d", Day.AddHours(3), Day.AddHours(4), Online: true);

        var text = MaterializationSliceMessage.Serialize(slice);

        Assert.Equal("""{"view":"customer_7d","from":"2026-05-10T03:00:00Z","to":"2026-05-10T04:00:00Z","online":true}""", text);
        Assert.Equal(slice, MaterializationSliceMessage.Parse(text));
        Assert.Equal(slice with { Online = false }, MaterializationSliceMessage.Parse("""{"view":"customer_7d","from":"2026-05-10T05:00:00+02:00","to":"2026-05-10T04:00:00Z","extra":1}"""));
    }
}
