using Brisa.Core.Features;

namespace Brisa.Core.Materialization;

/// <summary>
/// Which raw events a rebuild of streaming views' online tiles must replay at a time so the tiles end as the stream
/// would have left them: every event in a tile of the view's longest window, and, back to the view's TTL, the entity's
/// newest event (freshness is measured from it: an entity whose events all left the window is still served, with
/// empty-window values, while that event is within the TTL). Older events change nothing the stream would serve.
/// </summary>
public static class TileReplay
{
    /// <summary>The event-time range of raw hour partitions to read for some streaming views at <paramref name="nowTicks"/>.</summary>
    /// <param name="views">The views (at least one).</param>
    /// <param name="nowTicks">The rebuild's time, UTC ticks since the Unix epoch: windows end there, as the stream's do.</param>
    /// <param name="maxFutureSkew">How far ahead of its receipt an event may be (<c>DecoderOptions.MaxFutureSkew</c>): the stream holds such events too.</param>
    /// <returns>[from, to), both on hour boundaries.</returns>
    public static (long FromTicks, long ToTicks) RangeOf(IEnumerable<ViewPlan> views, long nowTicks, TimeSpan maxFutureSkew)
    {
        ArgumentNullException.ThrowIfNull(views);
        var from = long.MaxValue;
        foreach (var view in views)
        {
            var window = view.View.TileStart(view.View.TileOf(nowTicks) - view.View.MaxWindowTiles + 1);
            from = Math.Min(from, Math.Min(window, nowTicks - view.Definition.Ttl.Ticks));
        }

        if (from == long.MaxValue)
        {
            throw new ArgumentException("At least one view is required.", nameof(views));
        }

        return (SourceMaterializer.FloorHour(from), SourceMaterializer.FloorHour(nowTicks + Math.Max(0, maxFutureSkew.Ticks)) + TimeSpan.TicksPerHour);
    }
}
