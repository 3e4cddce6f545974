namespace Brisa.Core.Ingestion;

/// <summary>An event (or a whole message) that failed decoding or validation, kept with its original bytes.</summary>
/// <param name="OriginalBytes">Exactly the bytes received for this event (or message, when it could not be split).</param>
/// <param name="EventId">The CloudEvent id, when it could be read.</param>
/// <param name="Source">The source it was routed to, when known.</param>
/// <param name="Reason">What is wrong, in words a producer can act on.</param>
/// <param name="ReceivedAt">
/// When its message was received, if the message says so (Event Hubs' enqueued time, the same on every redelivery);
/// null: the time of the attempt.
/// </param>
public sealed record RejectedEvent(ReadOnlyMemory<byte> OriginalBytes, string? EventId, string? Source, string Reason, DateTimeOffset? ReceivedAt = null);

/// <summary>The result of decoding a delivered batch: accepted rows per source, rejected events, outcomes in order.</summary>
public sealed class DecodedBatch
{
    private readonly Dictionary<string, SourceEventBatch> bySource = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SourceEventBatch> spare = new(StringComparer.Ordinal);
    private readonly OutcomeList outcomes;

    // Sources in the order they were added, and where the batch stood at the last checkpoint (see Checkpoint()).
    private readonly List<SourceEventBatch> added = [];
    private readonly List<int> checkpointCounts = [];
    private int checkpointOutcomes;

    /// <summary>Creates an empty batch.</summary>
    public DecodedBatch() => outcomes = new OutcomeList(Rejected);

    /// <summary>Accepted rows grouped by source.</summary>
    public IReadOnlyCollection<SourceEventBatch> Sources => bySource.Values;

    /// <summary>Rejected events, to dead-letter.</summary>
    public List<RejectedEvent> Rejected { get; } = [];

    /// <summary>One outcome per event in delivery order.</summary>
    /// <remarks>Held compactly (an id and a reference to the rejection per event); an <see cref="EventOutcome"/> is made when read.</remarks>
    public IReadOnlyList<EventOutcome> Outcomes => outcomes;

    /// <summary>Number of accepted events.</summary>
    public int AcceptedCount => bySource.Values.Sum(b => b.Count);

    /// <summary>Rows a new source batch is sized for (an estimate from the delivered bytes), so it rarely grows.</summary>
    internal int CapacityHint { get; set; } = 64;

    /// <summary>
    /// Empties the batch for reuse by <see cref="CloudEventDecoder.Decode(IReadOnlyList{IncomingMessage}, DateTimeOffset, DecodedBatch)"/>,
    /// keeping its arrays: a caller that decodes delivery after delivery then allocates no row storage.
    /// Rows, rejections and outcomes read before are gone.
    /// </summary>
    public void Reset()
    {
        foreach (var (name, batch) in bySource)
        {
            batch.Truncate(0);
            spare[name] = batch;
        }

        bySource.Clear();
        added.Clear();
        Rejected.Clear();
        outcomes.Truncate(0);
    }

    internal SourceEventBatch For(EventSchema schema)
    {
        if (!bySource.TryGetValue(schema.SourceName, out var batch))
        {
            if (!spare.Remove(schema.SourceName, out batch) || !ReferenceEquals(batch.Schema, schema))
            {
                batch = new SourceEventBatch(schema, CapacityHint);
            }

            bySource.Add(schema.SourceName, batch);
            added.Add(batch);
        }

        return batch;
    }

    internal void Reject(ReadOnlyMemory<byte> bytes, string? id, string? source, string reason)
    {
        outcomes.Add(id, Rejected.Count);
        Rejected.Add(new RejectedEvent(bytes, id, source, reason));
    }

    /// <summary>Records an accepted event's outcome.</summary>
    internal void Accept(string id) => outcomes.Add(id, -1);

    /// <summary>Number of outcomes recorded (for rolling back a malformed message).</summary>
    internal int OutcomeCount => outcomes.Count;

    /// <summary>Drops outcomes from <paramref name="count"/> on.</summary>
    internal void TruncateOutcomes(int count) => outcomes.Truncate(count);

    /// <summary>
    /// Remembers where the batch stands (rows per source, outcomes) so that <see cref="RollbackToCheckpoint"/> can undo
    /// an optimistic decode exactly, as if it never ran. Only accepted rows may be added in between (no rejections).
    /// </summary>
    internal void Checkpoint()
    {
        checkpointCounts.Clear();
        foreach (var source in added)
        {
            checkpointCounts.Add(source.Count);
        }

        checkpointOutcomes = outcomes.Count;
    }

    /// <summary>Undoes everything since <see cref="Checkpoint"/>, including sources it added (so <see cref="Sources"/> is as it was).</summary>
    internal void RollbackToCheckpoint()
    {
        // Newest first: the dictionary then reuses the freed entries in their original order, so enumeration order
        // of sources added later is the same as if these had never been added.
        for (var i = added.Count - 1; i >= checkpointCounts.Count; i--)
        {
            var source = added[i];
            source.Truncate(0);
            bySource.Remove(source.Schema.SourceName);
            spare[source.Schema.SourceName] = source;
            added.RemoveAt(i);
        }

        for (var i = 0; i < added.Count; i++)
        {
            added[i].Truncate(checkpointCounts[i]);
        }

        outcomes.Truncate(checkpointOutcomes);
    }

    /// <summary>Outcomes as (id, index into <see cref="Rejected"/> or −1 when accepted): no object per accepted event.</summary>
    private sealed class OutcomeList(List<RejectedEvent> rejected) : IReadOnlyList<EventOutcome>
    {
        private Entry[] entries = [];

        public int Count { get; private set; }

        public EventOutcome this[int index]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
                var entry = entries[index];
                return entry.Rejected < 0 ? new EventOutcome(entry.Id, true, null) : new EventOutcome(entry.Id, false, rejected[entry.Rejected].Reason);
            }
        }

        public void Add(string? id, int rejectedIndex)
        {
            if (Count == entries.Length)
            {
                Array.Resize(ref entries, Math.Max(64, Count * 2));
            }

            entries[Count++] = new Entry(id, rejectedIndex);
        }

        public void Truncate(int count)
        {
            Array.Clear(entries, count, Count - count);
            Count = count;
        }

        public IEnumerator<EventOutcome> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private readonly record struct Entry(string? Id, int Rejected);
    }
}
