using System.Runtime.InteropServices;

namespace Brisa.Core.Ingestion;

/// <summary>
/// The events one delivery has taken so far, per source (by the source's index among the decoder's schemas), by their
/// identity (event id, event time): how the raw zone's readers and the online tiles deduplicate events, so a repeat
/// within a delivery is told apart as it would be across deliveries. Identities are per source: a chargeback may carry
/// the id of a transaction (two producers numbering their own events) and is another event.
/// </summary>
/// <remarks>
/// Every decoded event passes here, so the usual case (an id not seen yet in the delivery) is one lookup in a table
/// keyed by the id string alone, which keeps .NET's fast string hashing (a tuple key would hash the id with the slower
/// randomized hash); an id met again at another time, rare, goes to a second set keyed by (id, time).
/// </remarks>
internal sealed class DeliveryIds
{
    private readonly Dictionary<string, long>[] firstTime;
    private readonly HashSet<(string Id, long Ticks)>?[] otherTimes;

    /// <summary>Creates the sets for <paramref name="sources"/> sources.</summary>
    public DeliveryIds(int sources)
    {
        firstTime = new Dictionary<string, long>[sources];
        otherTimes = new HashSet<(string Id, long Ticks)>?[sources];
        for (var i = 0; i < sources; i++)
        {
            firstTime[i] = new Dictionary<string, long>(StringComparer.Ordinal);
        }
    }

    /// <summary>Takes an event for a source; false when the delivery already holds that id at that time for that source.</summary>
    public bool Add(int source, string id, long ticks)
    {
        ref var first = ref CollectionsMarshal.GetValueRefOrAddDefault(firstTime[source], id, out var seen);
        if (!seen)
        {
            first = ticks;
            return true;
        }

        return first != ticks && (otherTimes[source] ??= []).Add((id, ticks));
    }

    /// <summary>Gives an event back (its message rolled back).</summary>
    public void Remove(int source, string id, long ticks)
    {
        var others = otherTimes[source];
        if (others is not null && others.Remove((id, ticks)))
        {
            return;
        }

        var first = firstTime[source];
        if (!first.TryGetValue(id, out var held) || held != ticks)
        {
            return;
        }

        // The id's first time goes back; another time it was taken at, if any, becomes its first.
        if (others is not null && others.FirstOrDefault(o => string.Equals(o.Id, id, StringComparison.Ordinal)) is { Id: not null } other)
        {
            others.Remove(other);
            first[id] = other.Ticks;
        }
        else
        {
            first.Remove(id);
        }
    }

    /// <summary>Forgets every event (a new delivery).</summary>
    public void Clear()
    {
        for (var i = 0; i < firstTime.Length; i++)
        {
            firstTime[i].Clear();
            otherTimes[i]?.Clear();
        }
    }
}
