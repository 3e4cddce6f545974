namespace Brisa.Core.Features;

/// <summary>The status of one served feature value (DESIGN §6, Feast-compatible names).</summary>
public enum FeatureStatus
{
    /// <summary>The value is present and fresh (<c>PRESENT</c>).</summary>
    Present,

    /// <summary>The entity has a fresh row but this feature's value is null, e.g. the mean of an empty window (<c>NULL_VALUE</c>).</summary>
    NullValue,

    /// <summary>The entity has no row for the view (<c>NOT_FOUND</c>).</summary>
    NotFound,

    /// <summary>The row is older than the view's TTL; the value is served as missing (<c>OUTSIDE_MAX_AGE</c>).</summary>
    OutsideMaxAge,
}

/// <summary>
/// TTL on read (DESIGN §4): the one rule every reader of online values applies, and the training-set builder
/// mirrors so that models train on what serving will show them.
/// </summary>
public static class FeatureFreshness
{
    /// <summary>The wire name of a status: <c>PRESENT</c>, <c>NULL_VALUE</c>, <c>NOT_FOUND</c>, <c>OUTSIDE_MAX_AGE</c>.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The name.</returns>
    public static string ToWireName(this FeatureStatus status) => status switch
    {
        FeatureStatus.Present => "PRESENT",
        FeatureStatus.NullValue => "NULL_VALUE",
        FeatureStatus.NotFound => "NOT_FOUND",
        FeatureStatus.OutsideMaxAge => "OUTSIDE_MAX_AGE",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown status."),
    };

    /// <summary>
    /// True when a value whose newest event is at <paramref name="eventTicks"/> is too old at <paramref name="nowTicks"/>:
    /// its age (now − event time) is strictly greater than the TTL. A zero or negative TTL means no limit; an
    /// event time in the future (clock skew) has a negative age and is fresh.
    /// </summary>
    /// <param name="eventTicks">The value's event time: the newest event aggregated into it, UTC ticks since the Unix epoch.</param>
    /// <param name="ttl">The view's TTL.</param>
    /// <param name="nowTicks">The read time, UTC ticks since the Unix epoch.</param>
    /// <returns>True when the value must be served as missing.</returns>
    public static bool IsExpired(long eventTicks, TimeSpan ttl, long nowTicks) =>
        ttl > TimeSpan.Zero && nowTicks - eventTicks > ttl.Ticks;

    /// <summary>
    /// Classifies one feature value read from the online store (or computed as of a time by the training-set builder).
    /// </summary>
    /// <param name="found">True when the entity has a row (state) for the view.</param>
    /// <param name="eventTicks">The row's event time (newest event aggregated), UTC ticks since the Unix epoch; null when unknown (treated as not found).</param>
    /// <param name="valueIsNull">True when the feature's value in the row is null.</param>
    /// <param name="ttl">The view's TTL (zero or negative: no limit).</param>
    /// <param name="nowTicks">The read time, UTC ticks since the Unix epoch.</param>
    /// <returns>
    /// <see cref="FeatureStatus.NotFound"/> without a row or event time; otherwise <see cref="FeatureStatus.OutsideMaxAge"/>
    /// when expired (checked before nullness: a stale null is still stale); otherwise <see cref="FeatureStatus.NullValue"/>
    /// or <see cref="FeatureStatus.Present"/>.
    /// </returns>
    public static FeatureStatus Classify(bool found, long? eventTicks, bool valueIsNull, TimeSpan ttl, long nowTicks)
    {
        if (!found || eventTicks is not { } e)
        {
            return FeatureStatus.NotFound;
        }

        if (IsExpired(e, ttl, nowTicks))
        {
            return FeatureStatus.OutsideMaxAge;
        }

        return valueIsNull ? FeatureStatus.NullValue : FeatureStatus.Present;
    }

    /// <summary>Classifies a value read at <paramref name="now"/> (see <see cref="Classify(bool, long?, bool, TimeSpan, long)"/>).</summary>
    /// <param name="found">True when the entity has a row for the view.</param>
    /// <param name="eventTime">The row's event time.</param>
    /// <param name="valueIsNull">True when the value is null.</param>
    /// <param name="ttl">The view's TTL.</param>
    /// <param name="now">The read time.</param>
    /// <returns>The status.</returns>
    public static FeatureStatus Classify(bool found, DateTimeOffset? eventTime, bool valueIsNull, TimeSpan ttl, DateTimeOffset now) =>
        Classify(found, eventTime is { } e ? e.UtcTicks - Aggregation.TiledView.UnixEpochTicks : null, valueIsNull, ttl, now.UtcTicks - Aggregation.TiledView.UnixEpochTicks);

    /// <summary>True when a status means the value is served as missing (everything but <see cref="FeatureStatus.Present"/>).</summary>
    /// <param name="status">The status.</param>
    /// <returns>Whether the served value is null.</returns>
    public static bool IsMissing(this FeatureStatus status) => status != FeatureStatus.Present;
}
