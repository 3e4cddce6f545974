using System.Text.RegularExpressions;

namespace Brisa.Core.Ingestion;

/// <summary>
/// How rejections are named and counted wherever many are shown (<c>brisa deadletter list|replay</c>, the Warning an
/// ingestion logs): an event of no known source under <see cref="UnknownSource"/>, and one cause as one reason group.
/// </summary>
public static partial class RejectionReasons
{
    /// <summary>The source (and dead-letter folder) of events that could not be routed to a source.</summary>
    public const string UnknownSource = "_unrouted";

    /// <summary>
    /// The reason with what varies from event to event masked (times, numbers, quoted ids and values after
    /// <c>id</c>, <c>is</c> and <c>got</c>), so one cause is one group: "field 'amount': -3 is below the minimum 0" and
    /// "… -7 …" group together, while "'JPY' is not allowed" and "'XYZ' is not allowed" stay apart.
    /// </summary>
    /// <param name="reason">A rejection reason.</param>
    public static string Group(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var text = Timestamp().Replace(reason, "<time>");
        text = QuotedValue().Replace(text, "$1 '…'");
        return Number().Replace(text, "#");
    }

    /// <summary>Reasons counted per <see cref="Group"/>, most frequent first (<see cref="ReasonTally.Counts"/>).</summary>
    /// <param name="reasons">Rejection reasons.</param>
    public static IReadOnlyList<ReasonCount> Count(IEnumerable<string> reasons)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        var tally = new ReasonTally();
        foreach (var reason in reasons)
        {
            tally.Add(reason);
        }

        return tally.Counts();
    }

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T[0-9:.]+Z")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"\b(id|is|got) '[^']*'")]
    private static partial Regex QuotedValue();

    // Not inside names ('line2', 'txn_count_1h') nor the standard's name (ISO 8601).
    [GeneratedRegex(@"(?<![\w']|ISO )-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")]
    private static partial Regex Number();
}

/// <summary>
/// Counts rejection reasons per <see cref="RejectionReasons.Group"/> as they come, holding one entry per group (not
/// the reasons), so a dead-letter listing of any size is counted in bounded memory.
/// </summary>
public sealed class ReasonTally
{
    private readonly Dictionary<string, Entry> groups = new(StringComparer.Ordinal);

    /// <summary>Counts one reason in its group.</summary>
    /// <param name="reason">A rejection reason.</param>
    public void Add(string reason)
    {
        var group = RejectionReasons.Group(reason);
        groups[group] = groups.TryGetValue(group, out var entry)
            ? entry with { Count = entry.Count + 1, Uniform = entry.Uniform && entry.Example == reason }
            : new Entry(1, reason, true);
    }

    /// <summary>
    /// The groups, most frequent first (then by reason, ordinal); a group is named by its reason when all of its
    /// reasons are the same, else by the group with what varies masked.
    /// </summary>
    public IReadOnlyList<ReasonCount> Counts() =>
        groups
            .Select(g => new ReasonCount(g.Value.Uniform ? g.Value.Example : g.Key, g.Value.Count, g.Value.Example))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Reason, StringComparer.Ordinal)
            .ToArray();

    private readonly record struct Entry(int Count, string Example, bool Uniform);
}

/// <summary>The rejections of one reason group.</summary>
/// <param name="Reason">The reason when every rejection of the group gives the same one, else the group (<see cref="RejectionReasons.Group"/>: what varies masked).</param>
/// <param name="Count">Rejections.</param>
/// <param name="Example">The first full reason of the group.</param>
public readonly record struct ReasonCount(string Reason, int Count, string Example);
