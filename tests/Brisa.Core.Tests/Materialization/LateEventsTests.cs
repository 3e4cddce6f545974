using Brisa.Core.Aggregation;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Materialization;
using Brisa.Core.Tests.Training;

namespace Brisa.Core.Tests.Materialization;

public sealed class LateEventsTests
{
    private static readonly DateTimeOffset Day = new(2026, 5, 10, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    // The sample's transaction views: customer_1h (5 m tiles, 1 h), customer_7d (1 h tiles, 7 d), merchant_1h, merchant_7d.
    private static readonly ViewPlan[] Views = FraudStream.Plan.Views.Where(v => v.Definition.Source == "transaction").ToArray();

    private static ViewPlan View(string name) => Views.Single(v => v.Name == name);

    private static SourceEventBatch Batch(params DateTimeOffset[] times)
    {
        var schema = FraudStream.Transactions;
        var batch = new SourceEventBatch(schema);
        var row = new FieldValue[schema.Fields.Count];
        for (var i = 0; i < times.Length; i++)
        {
            batch.Add($"e{i}", TiledView.ToUnixTicks(times[i]), row);
        }

        return batch;
    }

    [Fact]
    public void OnTimeFrom_YesterdayStaysOnTimeUntilAWatermarkCouldHavePassedIt()
    {
        // A run at 00:59 plans up to 23:00 of yesterday at most: yesterday's events need no watermark read yet.
        Assert.Equal(Day.AddDays(-1), LateEvents.OnTimeFrom(Day.AddMinutes(30), Hour));
        Assert.Equal(Day.AddDays(-1), LateEvents.OnTimeFrom(Day.AddMinutes(58).AddSeconds(59), Hour));

        // From 00:59 on (one minute allowed for the planner's clock being ahead), a run may have passed midnight.
        Assert.Equal(Day, LateEvents.OnTimeFrom(Day.AddMinutes(59), Hour));
        Assert.Equal(Day, LateEvents.OnTimeFrom(Day.AddHours(5), TimeSpan.Zero));
        Assert.Equal(Day.AddDays(-1), LateEvents.OnTimeFrom(Day.AddHours(1).AddMinutes(30), TimeSpan.FromHours(2)));
    }

    [Fact]
    public void DaysBefore_OnTimeEvents_Empty()
    {
        var days = LateEvents.DaysBefore(Batch(Day.AddHours(3), Day.AddDays(1), Day.AddMinutes(1)), Day);

        Assert.Empty(days);
    }

    [Fact]
    public void DaysBefore_MixedBatch_EachOlderDayOnceAscending()
    {
        var days = LateEvents.DaysBefore(
            Batch(Day.AddHours(9), Day.AddDays(-1).AddHours(23), Day.AddDays(-3).AddMinutes(5), Day.AddDays(-1), Day.AddDays(-3).AddHours(20), Day.AddTicks(-1)),
            Day);

        Assert.Equal([Day.AddDays(-3), Day.AddDays(-1)], days);
    }

    [Fact]
    public void IsPassed_OnlyWhenTheWatermarkIsInALaterDay()
    {
        Assert.False(LateEvents.IsPassed(Day, null));
        Assert.False(LateEvents.IsPassed(Day, Day.AddHours(23)));
        Assert.False(LateEvents.IsPassed(Day.AddDays(1), Day.AddHours(5)));
        Assert.True(LateEvents.IsPassed(Day, Day.AddDays(1)));
        Assert.True(LateEvents.IsPassed(Day.AddDays(-3), Day.AddDays(1).AddHours(5)));
    }

    [Fact]
    public void LastAffectedDay_ReachesAsFarAsTheLongestWindowFromTheDaysLastTile()
    {
        // customer_1h: the 23:55 tile leaves the 1 h window at 00:55 the next day.
        Assert.Equal(Day.AddDays(1), LateEvents.LastAffectedDay(View("customer_1h"), Day));

        // customer_7d: the 23:00 tile leaves the 7 d window at 23:00 seven days later.
        Assert.Equal(Day.AddDays(7), LateEvents.LastAffectedDay(View("customer_7d"), Day.AddHours(15)));
    }

    [Fact]
    public void Plan_LateDayTwoDaysBehind_EachAffectedDayOfEachViewUpToTheWatermark()
    {
        var watermark = Day.AddDays(2).AddHours(9);

        var slices = LateEvents.Plan([new LateDay("transaction", Day)], Views, watermark, []);

        Assert.Equal(
            [
                new MaterializationSlice("customer_1h", Day, Day.AddDays(1), Online: true),
                new MaterializationSlice("customer_7d", Day, Day.AddDays(1), Online: true),
                new MaterializationSlice("merchant_1h", Day, Day.AddDays(1), Online: true),
                new MaterializationSlice("merchant_7d", Day, Day.AddDays(1), Online: true),
                new MaterializationSlice("customer_1h", Day.AddDays(1), Day.AddDays(2), Online: true),
                new MaterializationSlice("customer_7d", Day.AddDays(1), Day.AddDays(2), Online: true),
                new MaterializationSlice("merchant_1h", Day.AddDays(1), Day.AddDays(2), Online: true),
                new MaterializationSlice("merchant_7d", Day.AddDays(1), Day.AddDays(2), Online: true),
                new MaterializationSlice("customer_7d", Day.AddDays(2), watermark, Online: true),
                new MaterializationSlice("merchant_7d", Day.AddDays(2), watermark, Online: true),
            ],
            slices);
        Assert.All(slices, s => Assert.Null(IncrementalPlanner.Validate(s)));
    }

    [Fact]
    public void Plan_DayTheRunPlansAnyway_LeftToItsSlice()
    {
        var watermark = Day.AddDays(2).AddHours(10);
        var planned = IncrementalPlanner.Plan(Views.Select(v => v.Name).ToArray(), Day.AddDays(2).AddHours(9), watermark.AddHours(1).AddMinutes(20), Hour, TimeSpan.FromDays(7)).Slices;

        var slices = LateEvents.Plan([new LateDay("transaction", Day.AddDays(1))], Views, watermark, planned);

        Assert.Equal(4, planned.Count);
        Assert.Equal(Views.Select(v => new MaterializationSlice(v.Name, Day.AddDays(1), Day.AddDays(2), Online: true)), slices);
    }

    [Fact]
    public void Plan_SeveralDaysAndSources_OneSlicePerViewAndDay_OnlyViewsOfTheSource()
    {
        var watermark = Day.AddDays(3);

        var slices = LateEvents.Plan(
            [new LateDay("transaction", Day.AddDays(1)), new LateDay("chargeback", Day), new LateDay("transaction", Day)],
            [View("customer_1h"), View("merchant_7d")],
            watermark,
            []);

        Assert.Equal(
            [
                new MaterializationSlice("customer_1h", Day, Day.AddDays(1), Online: true),
                new MaterializationSlice("merchant_7d", Day, Day.AddDays(1), Online: true),
                new MaterializationSlice("customer_1h", Day.AddDays(1), Day.AddDays(2), Online: true),
                new MaterializationSlice("merchant_7d", Day.AddDays(1), Day.AddDays(2), Online: true),
                new MaterializationSlice("customer_1h", Day.AddDays(2), Day.AddDays(3), Online: true),
                new MaterializationSlice("merchant_7d", Day.AddDays(2), Day.AddDays(3), Online: true),
            ],
            slices);
    }

    [Fact]
    public void Plan_DayAtOrAfterTheWatermark_NothingToRedo()
    {
        // A watermark lowered by hand after the day was recorded: the regular runs recompute the day when they reach it.
        Assert.Empty(LateEvents.Plan([new LateDay("transaction", Day.AddDays(2))], Views, Day.AddDays(2), []));
        Assert.Empty(LateEvents.Plan([new LateDay("transaction", Day.AddDays(3))], Views, Day.AddDays(2).AddHours(9), []));
    }
}
