using Cronos;

namespace Brisa.Core.Training;

/// <summary>
/// When a model's own <c>schedule</c> wants it retrained. The <c>RetrainModels</c> timer ticks on the app's
/// <c>Brisa:RetrainSchedule</c>; at each tick a model without a schedule is retrained, and a model with one is
/// retrained when its schedule fell due since it was last trained (so the tick rate bounds how often, and a tick
/// missed while the app was down is made up at the next one).
/// </summary>
public static class RetrainSchedule
{
    // A timer may fire a moment before its time (and the tick and the model's schedule are often the same time of day):
    // an occurrence that close still counts, or the model would wait a whole period for the next one.
    private static readonly TimeSpan EarlyTick = TimeSpan.FromMinutes(1);

    /// <summary>Whether the model is due at <paramref name="now"/> (an occurrence up to a minute ahead counts: a tick may fire early).</summary>
    /// <param name="schedule">The model's NCRONTAB schedule with seconds (6 fields, UTC), or null.</param>
    /// <param name="lastTrainedAt">When its newest version was trained, or null when it has none.</param>
    /// <param name="now">The tick's time.</param>
    /// <returns>True to retrain now.</returns>
    /// <exception cref="FormatException">The schedule is not 6-field NCRONTAB (the definitions validator refuses it before).</exception>
    public static bool IsDue(string? schedule, DateTimeOffset? lastTrainedAt, DateTimeOffset now) =>
        schedule is null || lastTrainedAt is not { } last || NextAfter(schedule, last) is { } next && next <= now + EarlyTick;

    /// <summary>The schedule's first occurrence after <paramref name="from"/>, or null when there is none.</summary>
    /// <param name="schedule">NCRONTAB with seconds (6 fields, UTC).</param>
    /// <param name="from">Exclusive start.</param>
    /// <returns>The occurrence.</returns>
    /// <exception cref="FormatException">The schedule is not 6-field NCRONTAB.</exception>
    public static DateTimeOffset? NextAfter(string schedule, DateTimeOffset from)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        try
        {
            return CronExpression.Parse(schedule, CronFormat.IncludeSeconds).GetNextOccurrence(from, TimeZoneInfo.Utc);
        }
        catch (CronFormatException ex)
        {
            throw new FormatException($"schedule '{schedule}': {ex.Message}", ex);
        }
    }
}
