using Cronos;

namespace Brisa.Cli.Serving;

/// <summary>
/// A timer trigger's schedule with the Functions host's rules, free of any clock or storage: a 6-field NCRONTAB
/// expression (seconds first) evaluated in UTC (<c>WEBSITE_TIME_ZONE</c> is not emulated), no run at start-up, and after
/// a run the next occurrence counted from when that run was due or started, whichever is later. When that occurrence
/// has already gone by when the run ends (an overrun), the timer fires once at once, past due: every other tick missed
/// meanwhile is skipped, so runs of one function never overlap and never pile up.
/// </summary>
public sealed class TimerSchedule
{
    /// <summary>
    /// How late a timer may wake before its run counts as past due: a delay wakes a few milliseconds late as a rule,
    /// a machine that slept or a starved thread pool wakes seconds late.
    /// </summary>
    public static readonly TimeSpan LateTolerance = TimeSpan.FromSeconds(1);

    private readonly CronExpression cron;

    private TimerSchedule(string expression, CronExpression cron)
    {
        Expression = expression;
        this.cron = cron;
    }

    /// <summary>The expression, as configured.</summary>
    public string Expression { get; }

    /// <summary>Parses a 6-field NCRONTAB expression (<c>{second} {minute} {hour} {day} {month} {day-of-week}</c>).</summary>
    /// <exception cref="FormatException">The expression is not a 6-field cron expression.</exception>
    public static TimerSchedule Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        try
        {
            return new TimerSchedule(expression, CronExpression.Parse(expression, CronFormat.IncludeSeconds));
        }
        catch (CronFormatException ex)
        {
            throw new FormatException($"'{expression}' is not a 6-field NCRONTAB expression ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}): {ex.Message}", ex);
        }
    }

    /// <summary>The first occurrence strictly after <paramref name="instant"/>, in UTC.</summary>
    /// <exception cref="InvalidOperationException">The expression never occurs again (e.g. 30 February).</exception>
    public DateTimeOffset NextAfter(DateTimeOffset instant) =>
        cron.GetNextOccurrence(instant, TimeZoneInfo.Utc)
        ?? throw new InvalidOperationException($"The schedule '{Expression}' has no occurrence after {instant:O}.");

    /// <summary>The first tick when the listener starts at <paramref name="now"/>: the next occurrence, never now.</summary>
    public TimerTick First(DateTimeOffset now) => new(NextAfter(now), CatchUp: false);

    /// <summary>The tick after a run due at <paramref name="due"/> that started at <paramref name="started"/> and ended at <paramref name="ended"/>.</summary>
    /// <remarks>
    /// Counting from the later of due and start, as the host does: a timer that woke a little early does not fire
    /// twice for one occurrence, and one that woke late does not fire again at once for the occurrence it was late for.
    /// </remarks>
    public TimerTick After(DateTimeOffset due, DateTimeOffset started, DateTimeOffset ended)
    {
        var next = NextAfter(due > started ? due : started);
        return new TimerTick(next, CatchUp: next <= ended);
    }

    /// <summary>
    /// Whether a run for <paramref name="tick"/> that starts at <paramref name="started"/> is past due
    /// (<c>TimerInfo.IsPastDue</c>): it catches up an occurrence an overrunning run missed, or the timer woke later
    /// than <see cref="LateTolerance"/> after the occurrence.
    /// </summary>
    public static bool IsPastDue(TimerTick tick, DateTimeOffset started) => tick.CatchUp || started - tick.Due > LateTolerance;
}

/// <summary>When a timer fires next.</summary>
/// <param name="Due">The occurrence it fires for.</param>
/// <param name="CatchUp">True when the occurrence had gone by before the previous run ended: it fires at once.</param>
public readonly record struct TimerTick(DateTimeOffset Due, bool CatchUp);
