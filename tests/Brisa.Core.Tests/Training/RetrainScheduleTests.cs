using Brisa.Core.Training;

namespace Brisa.Core.Tests.Training;

public class RetrainScheduleTests
{
    private const string SundaysAtTwo = "0 0 2 * * SUN";
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 3, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, null)]
    [InlineData(null, -1.0)]
    [InlineData(SundaysAtTwo, null)]
    public void IsDue_NoScheduleOrNeverTrained_Due(string? schedule, double? lastDaysAgo)
    {
        Assert.True(RetrainSchedule.IsDue(schedule, lastDaysAgo is { } d ? Monday.AddDays(d) : null, Monday));
    }

    [Fact]
    public void IsDue_OccurrenceSinceLastTraining_Due()
    {
        // Trained last Saturday; Sunday 02:00 has passed since.
        Assert.True(RetrainSchedule.IsDue(SundaysAtTwo, Monday.AddDays(-2), Monday));
    }

    [Fact]
    public void IsDue_TrainedAfterTheLastOccurrence_NotDue()
    {
        // Trained Sunday 02:30: the next occurrence is next Sunday.
        Assert.False(RetrainSchedule.IsDue(SundaysAtTwo, Monday.AddDays(-1).AddMinutes(-30), Monday));
        Assert.Equal(new DateTimeOffset(2026, 12, 13, 2, 0, 0, TimeSpan.Zero), RetrainSchedule.NextAfter(SundaysAtTwo, Monday));
    }

    [Fact]
    public void IsDue_OccurrenceExactlyNow_Due()
    {
        Assert.True(RetrainSchedule.IsDue("0 0 3 * * *", Monday.AddHours(-1), Monday));
    }

    [Fact]
    public void IsDue_TickFiringAMomentBeforeTheOccurrence_Due()
    {
        Assert.True(RetrainSchedule.IsDue("0 0 3 * * *", Monday.AddDays(-1).AddSeconds(20), Monday.AddMilliseconds(-3)));
        Assert.False(RetrainSchedule.IsDue("0 0 3 * * *", Monday.AddDays(-1).AddSeconds(20), Monday.AddMinutes(-2)));
    }

    [Fact]
    public void NextAfter_FiveFields_FormatExceptionNamingTheSchedule()
    {
        var error = Assert.Throws<FormatException>(() => RetrainSchedule.NextAfter("0 3 * * *", Monday));

        Assert.StartsWith("schedule '0 3 * * *'", error.Message, StringComparison.Ordinal);
    }
}
