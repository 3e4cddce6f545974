using Brisa.Core.Aggregation;
using Brisa.Core.Ingestion;
using Brisa.Core.Tests.Monitoring;
using Brisa.Core.Training;

namespace Brisa.Core.Tests.Training;

public sealed class LabelIndexTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryFind_BoundsInclusive_EarliestEventInside()
    {
        var index = new LabelIndex(LiveRegressionAnalyzerTests.TripDuration);
        index.Add(LiveRegressionAnalyzerTests.Batch(("a", 1, 10, 11), ("b", 1, 20, 22)));

        Assert.True(index.TryFind("1", Ticks(10), Ticks(20), out var both));
        Assert.Equal(11, both.AsNumber());
        Assert.True(index.TryFind("1", Ticks(10) + 1, Ticks(20), out var second));
        Assert.Equal(22, second.AsNumber());
        Assert.False(index.TryFind("1", Ticks(10) + 1, Ticks(20) - 1, out _));
        Assert.False(index.TryFind("2", long.MinValue, long.MaxValue, out _));
        Assert.False(index.TryFind(null, long.MinValue, long.MaxValue, out _));
    }

    [Fact]
    public void Add_KnownAt_LeavesLaterEventsOut()
    {
        var index = new LabelIndex(LiveRegressionAnalyzerTests.TripDuration, Day1.AddMinutes(15));
        index.Add(LiveRegressionAnalyzerTests.Batch(("a", 1, 15, 11), ("b", 2, 16, 22)));

        Assert.Equal(1, index.Count);
        Assert.False(index.TryFind("2", long.MinValue, long.MaxValue, out _));
    }

    [Fact]
    public void Add_EventsOfAnotherSource_Throws()
    {
        var trips = EventSchema.FromDefinition(LiveRegressionAnalyzerTests.Rides.FindSource("trip")!);
        var index = new LabelIndex(LiveRegressionAnalyzerTests.TripDuration);

        var error = Assert.Throws<ArgumentException>(() => index.Add(new SourceEventBatch(trips)));

        Assert.Contains("must come from source 'trip_end', not 'trip'", error.Message, StringComparison.Ordinal);
    }

    private static long Ticks(double minutes) => TiledView.ToUnixTicks(Day1.AddMinutes(minutes));
}
