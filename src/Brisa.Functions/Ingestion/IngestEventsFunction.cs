using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Core.Amqp;
using Azure.Messaging.EventHubs;
using Brisa.Core.Ingestion;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Ingestion;

/// <summary>
/// <c>IngestEvents</c>: the Event Hubs trigger (batched). A thin adapter onto <see cref="IEventIngestor"/>, the one
/// ingestion path it shares with the push endpoint.
/// </summary>
/// <remarks>
/// A storage failure is not caught: the invocation fails. The Event Hubs trigger checkpoints a batch whether or not its
/// invocation succeeded, so the retry policy is what keeps a failed batch from being skipped: the host runs it again,
/// with a backoff from 5 s to 5 min and no limit, holding the partition until it succeeds. Retrying is safe because
/// ingestion is idempotent per batch (DESIGN §5: a raw file's batch id is a hash of its event ids, so a batch run again
/// overwrites itself, and the online tiles skip event ids they hold). Bad events never fail a batch (they go
/// to dead-letter); a stored tile row that cannot be read (corrupt, or written by a newer build) does, every time, and
/// then the partition waits for an operator.
/// </remarks>
public sealed partial class IngestEventsFunction(IEventIngestor ingestor, ILogger<IngestEventsFunction> logger)
{
    /// <summary>The trigger metadata key under which the host passes the partition context (a JSON object).</summary>
    internal const string PartitionContextKey = "PartitionContext";

    /// <summary>Ingests one batch of events delivered by Event Hubs.</summary>
    /// <param name="events">The batch, in partition order.</param>
    /// <param name="context">The invocation context; its trigger metadata carries the partition.</param>
    /// <param name="cancellationToken">Signalled when the host shuts down or loses the partition.</param>
    [Function("IngestEvents")]
    [ExponentialBackoffRetry(-1, "00:00:05", "00:05:00")]
    public async Task Run(
        [EventHubTrigger("%EventHubName%", Connection = "EventHub", ConsumerGroup = "%EventHubConsumerGroup%", IsBatched = true)] EventData[] events,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(context);

        var partitionId = ReadPartitionId(context.BindingContext.BindingData);
        var messages = ToMessages(events, partitionId);
        if (messages.Count == 0)
        {
            return;
        }

        var result = await ingestor.IngestAsync(messages, cancellationToken);
        LogBatch(logger, messages.Count, partitionId ?? "?", messages[0].SequenceNumber, messages[^1].SequenceNumber, result.Accepted, result.Rejected, result.OnlineDuplicates, result.OnlineConflicts);
        if (result.Rejected > 0)
        {
            LogRejected(logger, result.Rejected, result.Outcomes.Count, partitionId ?? "?", messages[0].SequenceNumber, messages[^1].SequenceNumber, RejectionSummary.Sources(result.Rejections), RejectionSummary.Describe(result.Rejections));
        }

        if (result.OnlineTooLarge.Count > 0)
        {
            LogTooLarge(logger, result.OnlineTooLarge.Count, partitionId ?? "?", LogText.Printable(string.Join("; ", result.OnlineTooLarge)));
        }

        IngestionLog.RowsRestarted(logger, result);

        if (result.LateDays.Count > 0)
        {
            LogLateDays(logger, string.Join(", ", result.LateDays.Select(d => $"{d.Source} {d.Day:yyyy-MM-dd}")));
        }
    }

    /// <summary>Maps delivered events to ingestion messages: body as delivered, partition, sequence number, enqueued time.</summary>
    internal static IReadOnlyList<IncomingMessage> ToMessages(IReadOnlyList<EventData> events, string? partitionId)
    {
        var messages = new IncomingMessage[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            messages[i] = new IncomingMessage(BodyOf(e), partitionId, e.SequenceNumber, e.EnqueuedTime == default ? null : e.EnqueuedTime);
        }

        return messages;
    }

    /// <summary>
    /// The body of a delivered event. Producers on the Event Hubs SDKs send a data body; a plain AMQP producer (a JMS
    /// text message, Qpid) may send a value, for which <see cref="EventData.EventBody"/> throws, which failed the whole
    /// batch on every retry. A string or binary value is taken as the body; anything else becomes a text saying what
    /// arrived, which the decoder dead-letters.
    /// </summary>
    private static ReadOnlyMemory<byte> BodyOf(EventData e)
    {
        var body = e.GetRawAmqpMessage().Body;
        if (body.BodyType == AmqpMessageBodyType.Data)
        {
            return e.EventBody.ToMemory();
        }

        if (body.TryGetValue(out var value))
        {
            switch (value)
            {
                case string text:
                    return Encoding.UTF8.GetBytes(text);
                case byte[] bytes:
                    return bytes;
            }
        }

        var what = value is null ? body.BodyType.ToString() : string.Create(CultureInfo.InvariantCulture, $"{body.BodyType} of type {value.GetType().Name}: {value}");
        return Encoding.UTF8.GetBytes($"unsupported AMQP body ({what}); send the CloudEvent JSON as the message's data (or as an AMQP string value)");
    }

    /// <summary>
    /// Reads the partition id from the trigger metadata. The isolated worker gets the host's <c>PartitionContext</c>
    /// as JSON (a string or a <see cref="JsonElement"/>), not as the SDK type; null when absent or unreadable.
    /// </summary>
    internal static string? ReadPartitionId(IReadOnlyDictionary<string, object?> bindingData)
    {
        if (!bindingData.TryGetValue(PartitionContextKey, out var raw) || raw is null)
        {
            return null;
        }

        try
        {
            return raw switch
            {
                JsonElement element => PartitionIdOf(element),
                string json => PartitionIdOf(JsonDocument.Parse(json).RootElement),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? PartitionIdOf(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, "PartitionId", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
            {
                return property.Value.GetString();
            }
        }

        return null;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Ingested {Count} messages from partition {PartitionId} (sequence {FirstSequence}..{LastSequence}): {Accepted} events accepted, {Rejected} rejected; " +
            "online tiles: {OnlineDuplicates} events already counted (a redelivery), {OnlineConflicts} write conflicts retried")]
    private static partial void LogBatch(ILogger logger, int count, string partitionId, long? firstSequence, long? lastSequence, int accepted, int rejected, int onlineDuplicates, int onlineConflicts);

    // Its own event at Warning, so an alert catches a producer whose events are rejected (the line above is Information).
    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "{Rejected} of {Events} events were rejected and dead-lettered (partition {PartitionId}, sequence {FirstSequence}..{LastSequence}; sources {Sources}); " +
            "most frequent reasons by source: {Reasons}. 'brisa deadletter list --source <source>' counts them all (docs/operations.md, 'Backfill and replays')")]
    private static partial void LogRejected(ILogger logger, int rejected, int events, string partitionId, long? firstSequence, long? lastSequence, string sources, string reasons);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error,
        Message = "{Count} online rows from partition {PartitionId} were not updated: their tiles would pass Table storage's 1 MiB entity limit; " +
            "their streaming features stay as last written until the view's TTL (docs/operations.md, 'An online row too large'): {Rows}")]
    private static partial void LogTooLarge(ILogger logger, int count, string partitionId, string rows);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "Events landed for days the incremental materializer had passed; recorded for its next run to re-materialize: {Days}")]
    private static partial void LogLateDays(ILogger logger, string days);
}
