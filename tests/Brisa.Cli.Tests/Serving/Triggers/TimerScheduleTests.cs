using Brisa.Cli.Serving;

namespace Brisa.Cli.Tests.Serving.Triggers;

/// <summary>The timer's scheduling rules, without a clock or storage.</summary>
public sealed class TimerScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Parse_FiveFields_FormatExceptionNamesTheExpression()
    {
        var error = Assert.Throws<FormatException>(() => TimerSchedule.Parse("*/15 * * * *"));

        Assert.Contains("'*/15 * * * *'", error.Message, StringComparison.Ordinal);
        Assert.Contains("6-field", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NextAfter_LocalSettingsSchedules_UtcOccurrences()
    {
        var at = new DateTimeOffset(2026, 3, 1, 12, 7, 30, TimeSpan.FromHours(2)); // 10:07:30Z

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 15, 0, TimeSpan.Zero), TimerSchedule.Parse("0 */15 * * * *").NextAfter(at));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 3, 0, 0, TimeSpan.Zero), TimerSchedule.Parse("0 0 3 * * *").NextAfter(at));
        Assert.Equal(TimeSpan.Zero, TimerSchedule.Parse("0 0 * * * *").NextAfter(at).Offset);
    }

    [Fact]
    public void First_StartedExactlyOnAnOccurrence_NextOneNotNow()
    {
        var tick = TimerSchedule.Parse("0 */15 * * * *").First(T0);

        Assert.Equal(T0.AddMinutes(15), tick.Due);
        Assert.False(tick.CatchUp);
    }

    [Fact]
    public void After_RunEndsBeforeNextOccurrence_NextOccurrenceOnTime()
    {
        var tick = TimerSchedule.Parse("* * * * * *").After(T0, T0.AddMilliseconds(3), T0.AddMilliseconds(400));

        Assert.Equal(T0.AddSeconds(1), tick.Due);
        Assert.False(tick.CatchUp);
        Assert.False(TimerSchedule.IsPastDue(tick, T0.AddSeconds(1).AddMilliseconds(2)));
    }

    [Fact]
    public void After_RunOverrunsSeveralTicks_OneCatchUpPastDueOthersSkipped()
    {
        // Due at 12:00:00, ran until 12:00:03.5: the ticks at :01, :02 and :03 were missed.
        var tick = TimerSchedule.Parse("* * * * * *").After(T0, T0, T0.AddSeconds(3.5));

        Assert.Equal(T0.AddSeconds(1), tick.Due);
        Assert.True(tick.CatchUp);
        Assert.True(TimerSchedule.IsPastDue(tick, T0.AddSeconds(3.5)));
    }

    [Fact]
    public void After_TimerWokeEarly_SameOccurrenceNotFiredTwice()
    {
        var tick = TimerSchedule.Parse("0 */15 * * * *").After(T0, T0.AddMilliseconds(-2), T0.AddSeconds(1));

        Assert.Equal(T0.AddMinutes(15), tick.Due);
    }

    [Fact]
    public void After_TimerWokeMuchLater_CountsFromTheStart()
    {
        // Due at 12:00, started at 12:20 (the machine slept): next is 12:30, not an immediate 12:15.
        var tick = TimerSchedule.Parse("0 */15 * * * *").After(T0, T0.AddMinutes(20), T0.AddMinutes(21));

        Assert.Equal(T0.AddMinutes(30), tick.Due);
        Assert.False(tick.CatchUp);
    }

    [Fact]
    public void IsPastDue_WokeLaterThanTolerance_True()
    {
        var tick = new TimerTick(T0, CatchUp: false);

        Assert.False(TimerSchedule.IsPastDue(tick, T0 + TimerSchedule.LateTolerance));
        Assert.True(TimerSchedule.IsPastDue(tick, T0 + TimerSchedule.LateTolerance + TimeSpan.FromMilliseconds(1)));
    }
}
