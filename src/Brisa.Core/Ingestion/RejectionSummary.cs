using System.Globalization;
using System.Text;

namespace Brisa.Core.Ingestion;

/// <summary>
/// A batch's rejections in one bounded line, for the Warning an alert watches: per source (most rejected first) its
/// most frequent reasons, grouped as <c>brisa deadletter list</c> groups them (what varies masked), so the line leads to
/// the records. However large the batch, it names at most <see cref="MaxSources"/> sources and
/// <see cref="MaxReasons"/> reasons each, of at most <see cref="MaxReasonLength"/> characters.
/// </summary>
public static class RejectionSummary
{
    /// <summary>Sources named; the others are counted.</summary>
    public const int MaxSources = 3;

    /// <summary>Reasons named per source; the others are counted.</summary>
    public const int MaxReasons = 3;

    /// <summary>Longest reason quoted (a reason quotes what the producer sent).</summary>
    public const int MaxReasonLength = 200;

    /// <summary>The sources of the rejections, most rejected first, e.g. <c>transaction, _unrouted</c>.</summary>
    /// <param name="rejections">A batch's rejected events.</param>
    public static string Sources(IReadOnlyList<RejectedEvent> rejections)
    {
        ArgumentNullException.ThrowIfNull(rejections);
        return string.Join(", ", BySource(rejections).Select(s => s.Source));
    }

    /// <summary>
    /// E.g. <c>transaction 480 [470× field 'currency': 'JPY' is not allowed; allowed: EUR, USD, GBP | 10× field
    /// 'amount': # is below the minimum 0]; _unrouted 2 [2× unknown event type 'x']</c>.
    /// </summary>
    /// <param name="rejections">A batch's rejected events.</param>
    public static string Describe(IReadOnlyList<RejectedEvent> rejections)
    {
        ArgumentNullException.ThrowIfNull(rejections);
        var sources = BySource(rejections);
        var text = new StringBuilder();
        foreach (var (source, events) in sources.Take(MaxSources))
        {
            var reasons = RejectionReasons.Count(events.Select(e => e.Reason));
            text.Append(text.Length == 0 ? "" : "; ").Append(CultureInfo.InvariantCulture, $"{source} {events.Count} [");
            text.AppendJoin(" | ", reasons.Take(MaxReasons).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Count}× {Printable(r.Reason)}")));
            if (reasons.Count > MaxReasons)
            {
                text.Append(CultureInfo.InvariantCulture, $" | {reasons.Skip(MaxReasons).Sum(r => r.Count)}× other ({reasons.Count - MaxReasons} reasons)");
            }

            text.Append(']');
        }

        if (sources.Count > MaxSources)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {sources.Skip(MaxSources).Sum(s => s.Events.Count)} more in {sources.Count - MaxSources} other source(s)");
        }

        return text.ToString();
    }

    private static List<(string Source, List<RejectedEvent> Events)> BySource(IReadOnlyList<RejectedEvent> rejections) =>
        rejections
            .GroupBy(r => r.Source ?? RejectionReasons.UnknownSource, StringComparer.Ordinal)
            .Select(g => (Source: g.Key, Events: g.ToList()))
            .OrderByDescending(s => s.Events.Count).ThenBy(s => s.Source, StringComparer.Ordinal)
            .ToList();

    // A reason quotes the producer's bytes: cut, with control characters shown as visible ones (ESC as ␛).
    private static string Printable(string reason) =>
        LogText.Printable(reason.Length <= MaxReasonLength ? reason : string.Concat(reason.AsSpan(0, MaxReasonLength - 1), "…"));
}
