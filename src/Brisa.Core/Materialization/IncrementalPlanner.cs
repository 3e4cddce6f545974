namespace Brisa.Core.Materialization;

/// <summary>One unit of fan-out work: materialize one view over [<see cref="From"/>, <see cref="To"/>).</summary>
/// <param name="View">The view name.</param>
/// <param name="From">Start (inclusive), UTC, on an hour boundary.</param>
/// <param name="To">End (exclusive), UTC, on an hour boundary, after <paramref name="From"/>, at most the next UTC midnight.</param>
/// <param name="Online">
/// Write the view's values at <paramref name="To"/> to the online table too. The planner sets it on every slice: an
/// entity whose window empties during an earlier day's slice is known to that slice only (a later one reads back just
/// its longest window), so only that slice can write it; newer values are never taken back in time, because the
/// online store keeps a row whose values are as of a later instant.
/// </param>
public sealed record MaterializationSlice(string View, DateTimeOffset From, DateTimeOffset To, bool Online = false);

/// <summary>What an incremental run must do.</summary>
/// <param name="Watermark">The watermark read (null on the first run).</param>
/// <param name="From">The planned range start: the watermark, or on the first run the target end minus the initial lookback.</param>
/// <param name="To">The planned range end, the new watermark: <c>floor_hour(now − lateness)</c>.</param>
/// <param name="Slices">One slice per view and UTC day of [From, To), ordered by day then view; empty when up to date.</param>
public sealed record IncrementalPlan(DateTimeOffset? Watermark, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<MaterializationSlice> Slices)
{
    /// <summary>True when there is nothing new to materialize (the watermark is at or after the target end).</summary>
    public bool IsUpToDate => Slices.Count == 0;
}

/// <summary>
/// The pure planning of incremental materialization: from a watermark and the clock, the range to materialize and its
/// slices (one per view and UTC day), which the caller enqueues before advancing the watermark to <see cref="IncrementalPlan.To"/>.
/// </summary>
public static class IncrementalPlanner
{
    /// <summary>The target end of a run: <c>floor_hour(now − lateness)</c>. Events later than this are left to the next run.</summary>
    /// <param name="now">The clock.</param>
    /// <param name="lateness">How long to wait for late events before an hour is materialized; not negative.</param>
    /// <returns>The end, on an hour boundary, UTC.</returns>
    public static DateTimeOffset TargetEnd(DateTimeOffset now, TimeSpan lateness)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lateness, TimeSpan.Zero);
        return FloorHour(now - lateness);
    }

    /// <summary>Plans a run.</summary>
    /// <param name="views">The views to materialize (names, in the order to emit slices).</param>
    /// <param name="watermark">The last watermark, or null on the first run.</param>
    /// <param name="now">The clock.</param>
    /// <param name="lateness">See <see cref="TargetEnd"/>.</param>
    /// <param name="initialLookback">On the first run, how far before the target end to start.</param>
    /// <returns>The plan.</returns>
    public static IncrementalPlan Plan(IReadOnlyList<string> views, DateTimeOffset? watermark, DateTimeOffset now, TimeSpan lateness, TimeSpan initialLookback)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initialLookback, TimeSpan.Zero);
        var to = TargetEnd(now, lateness);
        var from = watermark is { } w ? FloorHour(w) : FloorHour(to - initialLookback);
        if (from >= to || views.Count == 0)
        {
            return new IncrementalPlan(watermark, from, to, []);
        }

        var slices = new List<MaterializationSlice>();
        for (var start = from; start < to;)
        {
            var dayEnd = FloorDay(start).AddDays(1);
            var end = dayEnd < to ? dayEnd : to;
            slices.AddRange(views.Select(v => new MaterializationSlice(v, start, end, Online: true)));
            start = end;
        }

        return new IncrementalPlan(watermark, from, to, slices);
    }

    /// <summary>Checks a slice: a view name, whole UTC hours, From before To, within one UTC day (To may be the next midnight).</summary>
    /// <param name="slice">The slice.</param>
    /// <returns>Null when valid, else what is wrong.</returns>
    public static string? Validate(MaterializationSlice slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        if (string.IsNullOrWhiteSpace(slice.View))
        {
            return "'view' is empty";
        }

        if (!IsWholeHour(slice.From) || !IsWholeHour(slice.To))
        {
            return $"'from' ({slice.From:O}) and 'to' ({slice.To:O}) must be whole hours";
        }

        if (slice.From >= slice.To)
        {
            return $"'from' ({slice.From:O}) must be before 'to' ({slice.To:O})";
        }

        if (slice.To > FloorDay(slice.From).AddDays(1))
        {
            return $"a slice covers at most one UTC day: 'to' ({slice.To:O}) is after the end of the day of 'from' ({slice.From:O})";
        }

        return null;
    }

    /// <summary>The UTC start of the hour containing a time.</summary>
    /// <param name="time">The time.</param>
    /// <returns>The hour start, offset zero.</returns>
    public static DateTimeOffset FloorHour(DateTimeOffset time)
    {
        var utc = time.UtcTicks;
        return new DateTimeOffset(utc - (utc % TimeSpan.TicksPerHour), TimeSpan.Zero);
    }

    /// <summary>The UTC start of the day containing a time.</summary>
    /// <param name="time">The time.</param>
    /// <returns>The day start, offset zero.</returns>
    public static DateTimeOffset FloorDay(DateTimeOffset time)
    {
        var utc = time.UtcTicks;
        return new DateTimeOffset(utc - (utc % TimeSpan.TicksPerDay), TimeSpan.Zero);
    }

    private static bool IsWholeHour(DateTimeOffset time) => time.UtcTicks % TimeSpan.TicksPerHour == 0;
}
