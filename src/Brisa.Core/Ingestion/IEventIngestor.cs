using Brisa.Core.Materialization;

namespace Brisa.Core.Ingestion;

/// <summary>One delivered message: the raw bytes as received, and where it came from.</summary>
/// <param name="Body">The message body exactly as delivered (a CloudEvent or a batch of them, JSON).</param>
/// <param name="PartitionId">The Event Hubs partition, or null for the push endpoint.</param>
/// <param name="SequenceNumber">The Event Hubs sequence number, or null for the push endpoint.</param>
/// <param name="EnqueuedTime">
/// When Event Hubs accepted the message, or null for the push endpoint. Event times are checked for clock skew against
/// it rather than against the clock of the attempt, so a retried batch gets the same verdict as its first attempt.
/// </param>
public sealed record IncomingMessage(ReadOnlyMemory<byte> Body, string? PartitionId = null, long? SequenceNumber = null, DateTimeOffset? EnqueuedTime = null);

/// <summary>What became of one event.</summary>
/// <param name="EventId">The CloudEvent id, when it could be read.</param>
/// <param name="Accepted">True when the event landed in the raw zone.</param>
/// <param name="Reason">Why it was rejected (null when accepted).</param>
public sealed record EventOutcome(string? EventId, bool Accepted, string? Reason);

/// <summary>The outcome of one ingested batch.</summary>
/// <param name="Outcomes">Per event, in delivery order.</param>
public sealed record IngestionResult(IReadOnlyList<EventOutcome> Outcomes)
{
    /// <summary>Number of accepted events.</summary>
    public int Accepted => Outcomes.Count(o => o.Accepted);

    /// <summary>Number of rejected events (all of them are in dead-letter).</summary>
    public int Rejected => Outcomes.Count - Accepted;

    /// <summary>The rejected events as they were dead-lettered (source, reason, original bytes), in delivery order.</summary>
    public IReadOnlyList<RejectedEvent> Rejections { get; init; } = [];

    /// <summary>Events counted into online tiles, once per streaming view.</summary>
    public int OnlineApplied { get; init; }

    /// <summary>
    /// Events the online tiles held already (a redelivery): not counted again. Each event counts once, however many
    /// streaming views held it, so this compares with <see cref="Accepted"/>.
    /// </summary>
    public int OnlineDuplicates { get; init; }

    /// <summary>Online row writes retried because another writer changed the entity's rows first (ETag conflicts).</summary>
    public int OnlineConflicts { get; init; }

    /// <summary>
    /// Online rows left as they were because their tiles grew past Table storage's 1 MiB entity limit, as
    /// "view 'v', entity 'k' (n bytes)": the batch still lands (raw zone, other rows), and these go stale.
    /// </summary>
    public IReadOnlyList<string> OnlineTooLarge { get; init; } = [];

    /// <summary>
    /// Per streaming view, online rows that held tiles of another layout (written by an older build, or before a change
    /// of the view's tiles) with events still in the view's longest window, started over from this batch's events:
    /// until <c>brisa materialize --tiles</c> replays the raw zone into them, their window features count only events
    /// from then on (empty when none).
    /// </summary>
    public IReadOnlyDictionary<string, int> OnlineRowsRestarted { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// The (source, day) pairs of accepted events whose day the incremental materializer had already passed, recorded
    /// so its next run re-materializes them (empty for on-time events).
    /// </summary>
    public IReadOnlyList<LateDay> LateDays { get; init; } = [];
}

/// <summary>
/// The one ingestion path shared by the Event Hubs trigger and the push endpoint:
/// decode, validate, dead-letter, land raw Parquet, update online tiles.
/// </summary>
public interface IEventIngestor
{
    /// <summary>Ingests one delivered batch. Safe to call again with the same batch (redelivery).</summary>
    Task<IngestionResult> IngestAsync(IReadOnlyList<IncomingMessage> messages, CancellationToken cancellationToken);
}
