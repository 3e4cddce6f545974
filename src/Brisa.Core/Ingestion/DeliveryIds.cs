namespace Brisa.Core.Ingestion;

/// <summary>
/// The event ids one delivery has taken so far, per source (by the source's index among the decoder's schemas). An id
/// is unique within its source, which is how the raw zone's readers and the online tiles deduplicate events: a
/// chargeback may carry the id of a transaction (two producers numbering their own events) and is another event.
/// </summary>
internal sealed class DeliveryIds
{
    private readonly HashSet<string>[] bySource;

    /// <summary>Creates the sets for <paramref name="sources"/> sources.</summary>
    public DeliveryIds(int sources)
    {
        bySource = new HashSet<string>[sources];
        for (var i = 0; i < sources; i++)
        {
            bySource[i] = new HashSet<string>(StringComparer.Ordinal);
        }
    }

    /// <summary>Takes an id for a source; false when the delivery already holds it for that source.</summary>
    public bool Add(int source, string id) => bySource[source].Add(id);

    /// <summary>Gives an id back (its event was rejected after all, or its message rolled back).</summary>
    public void Remove(int source, string id) => bySource[source].Remove(id);

    /// <summary>Forgets every id (a new delivery).</summary>
    public void Clear()
    {
        foreach (var ids in bySource)
        {
            ids.Clear();
        }
    }
}
