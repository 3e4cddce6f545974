namespace Brisa.Core.Ingestion;

/// <summary>An event (or a whole message) that failed decoding or validation, kept with its original bytes.</summary>
/// <param name="OriginalBytes">Exactly the bytes received for this event (or message, when it could not be split).</param>
/// <param name="EventId">The CloudEvent id, when it could be read.</param>
/// <param name="Source">The source it was routed to, when known.</param>
/// <param name="Reason">What is wrong, in words a producer can act on.</param>
public sealed record RejectedEvent(ReadOnlyMemory<byte> OriginalBytes, string? EventId, string? Source, string Reason);

/// <summary>The result of decoding a delivered batch: accepted rows per source, rejected events, outcomes in order.</summary>
public sealed class DecodedBatch
{
    private readonly Dictionary<string, SourceEventBatch> bySource = new(StringComparer.Ordinal);

    /// <summary>Accepted rows grouped by source.</summary>
    public IReadOnlyCollection<SourceEventBatch> Sources => bySource.Values;

    /// <summary>Rejected events, to dead-letter.</summary>
    public List<RejectedEvent> Rejected { get; } = [];

    /// <summary>One outcome per event in delivery order.</summary>
    public List<EventOutcome> Outcomes { get; } = [];

    /// <summary>Number of accepted events.</summary>
    public int AcceptedCount => bySource.Values.Sum(b => b.Count);

    /// <summary>Rows a new source batch is sized for (an estimate from the delivered bytes), so it rarely grows.</summary>
    internal int CapacityHint { get; set; } = 64;

    internal SourceEventBatch For(EventSchema schema)
    {
        if (!bySource.TryGetValue(schema.SourceName, out var batch))
        {
            batch = new SourceEventBatch(schema, CapacityHint);
            bySource.Add(schema.SourceName, batch);
        }

        return batch;
    }

    internal void Reject(ReadOnlyMemory<byte> bytes, string? id, string? source, string reason)
    {
        Rejected.Add(new RejectedEvent(bytes, id, source, reason));
        Outcomes.Add(new EventOutcome(id, false, reason));
    }
}
