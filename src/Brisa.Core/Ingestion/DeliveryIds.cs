namespace Brisa.Core.Ingestion;

/// <summary>
/// The events one delivery has taken so far, per source (by the source's index among the decoder's schemas), by their
/// identity (event id, event time): how the raw zone's readers and the online tiles deduplicate events, so a repeat
/// within a delivery is told apart as it would be across deliveries. Identities are per source: a chargeback may carry
/// the id of a transaction (two producers numbering their own events) and is another event.
/// </summary>
internal sealed class DeliveryIds
{
    private readonly HashSet<(string Id, long Ticks)>[] bySource;

    /// <summary>Creates the sets for <paramref name="sources"/> sources.</summary>
    public DeliveryIds(int sources)
    {
        bySource = new HashSet<(string Id, long Ticks)>[sources];
        for (var i = 0; i < sources; i++)
        {
            bySource[i] = [];
        }
    }

    /// <summary>Takes an event for a source; false when the delivery already holds that id at that time for that source.</summary>
    public bool Add(int source, string id, long ticks) => bySource[source].Add((id, ticks));

    /// <summary>Gives an event back (its message rolled back).</summary>
    public void Remove(int source, string id, long ticks) => bySource[source].Remove((id, ticks));

    /// <summary>Forgets every event (a new delivery).</summary>
    public void Clear()
    {
        foreach (var ids in bySource)
        {
            ids.Clear();
        }
    }
}
