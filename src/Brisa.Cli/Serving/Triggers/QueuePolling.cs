namespace Brisa.Cli.Serving;

/// <summary>
/// The queue listener's back-off between empty polls, as the Functions queue extension's: it starts small after an
/// empty receive, doubles while the queue stays empty, and resets as soon as a receive returns messages.
/// </summary>
public static class QueuePolling
{
    /// <summary>The first wait after an empty receive (the extension's minimum polling interval).</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The wait after an empty receive, given the previous wait (zero after a receive that found messages).</summary>
    public static TimeSpan NextInterval(TimeSpan previous, TimeSpan maximum)
    {
        var next = previous < MinimumInterval ? MinimumInterval : previous * 2;
        return next > maximum ? maximum : next;
    }
}
