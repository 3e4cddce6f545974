using System.Globalization;
using System.Text.Json;
using Azure.Identity;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;

namespace Brisa.Azure.EventHubs;

/// <summary>
/// Sends CloudEvents JSON lines to Event Hubs with a managed identity / developer credential (no keys), one event
/// per message, partitioned by the entity key so each entity's events stay in order on one partition. The buffered
/// producer forms batches within the hub's size limit.
/// </summary>
public static class EventHubSender
{
    /// <summary>Events looked at for the partition key field before anything is sent.</summary>
    public const int PartitionKeyProbe = 500;

    /// <summary>Sends every body as it is, one event each (a line of <c>brisa send</c>, a replay's original bytes); returns what was sent.</summary>
    /// <param name="fullyQualifiedNamespace">e.g. <c>brisa-dev.servicebus.windows.net</c>.</param>
    /// <param name="eventHubName">The hub.</param>
    /// <param name="bodies">The event bodies.</param>
    /// <param name="partitionKeyField">The data field whose value is the partition key (e.g. <c>customer_id</c>).</param>
    /// <param name="progress">Reports events sent so far.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <exception cref="PartitionKeyFieldNotFoundException">No event of the first <see cref="PartitionKeyProbe"/> has the field; nothing was sent.</exception>
    public static async Task<EventHubSendResult> SendAsync(string fullyQualifiedNamespace, string eventHubName, IEnumerable<BinaryData> bodies, string partitionKeyField, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        using var events = bodies.GetEnumerator();

        // Before connecting: a mistyped field would send every event without a key, spread over every partition.
        var head = new List<BinaryData>();
        while (head.Count < PartitionKeyProbe && events.MoveNext())
        {
            head.Add(events.Current);
        }

        if (MissingPartitionKeyField(head, partitionKeyField) is { } problem)
        {
            throw new PartitionKeyFieldNotFoundException(problem);
        }

        await using var producer = new EventHubBufferedProducerClient(fullyQualifiedNamespace, eventHubName, new DefaultAzureCredential());
        var failures = new List<Exception>();
        producer.SendEventBatchFailedAsync += args =>
        {
            lock (failures)
            {
                failures.Add(args.Exception);
            }

            return Task.CompletedTask;
        };
        producer.SendEventBatchSucceededAsync += _ => Task.CompletedTask;
        int sent = 0, withoutKey = 0;
        foreach (var body in head.Concat(Rest(events)))
        {
            var key = PartitionKeyOf(body, partitionKeyField);
            withoutKey += key is null ? 1 : 0;
            await producer.EnqueueEventAsync(new EventData(body) { ContentType = "application/cloudevents+json" }, new EnqueueEventOptions { PartitionKey = key }, cancellationToken);
            progress?.Report(++sent);
        }

        await producer.FlushAsync(cancellationToken);
        return failures.Count == 0 ? new EventHubSendResult(sent, withoutKey) : throw new AggregateException("Some event batches could not be sent.", failures);
    }

    /// <summary>
    /// Why the events cannot be keyed by the field, or null when they can: among those with a <c>data</c> object, none
    /// has the field as a string or a number (a mistyped field). Events without a <c>data</c> object (malformed ones,
    /// which ingestion dead-letters) have nothing to key by and are not counted either way.
    /// </summary>
    /// <param name="events">The first events to be sent.</param>
    /// <param name="field">The partition key field.</param>
    public static string? MissingPartitionKeyField(IReadOnlyList<BinaryData> events, string field)
    {
        ArgumentNullException.ThrowIfNull(events);
        List<string>? firstFields = null;
        foreach (var body in events)
        {
            if (DataFieldsOf(body) is not { } fields)
            {
                continue;
            }

            if (PartitionKeyOf(body, field) is not null)
            {
                return null;
            }

            firstFields ??= fields;
        }

        return firstFields is null ? null : string.Create(
            CultureInfo.InvariantCulture,
            $"none of the first {events.Count} event(s) has data.{field} (a string or a number): they would go without a partition key, spread over every partition, and an entity's events would no longer stay in order on one. The first event's data has: {(firstFields.Count == 0 ? "no field" : string.Join(", ", firstFields.Take(20)) + (firstFields.Count > 20 ? ", …" : ""))}.");
    }

    private static IEnumerable<BinaryData> Rest(IEnumerator<BinaryData> events)
    {
        while (events.MoveNext())
        {
            yield return events.Current;
        }
    }

    // The names in a body's data object, or null when it has none (not JSON, not an object, no data object).
    private static List<string>? DataFieldsOf(BinaryData body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToMemory());
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                ? data.EnumerateObject().Select(p => p.Name).ToList()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The value of <c>data.&lt;field&gt;</c> of a CloudEvent body, a string or a number (a <c>long</c> join key, as its
    /// integer text), or null (the hub then spreads the event).
    /// </summary>
    public static string? PartitionKeyOf(BinaryData body, string field)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            using var document = JsonDocument.Parse(body.ToMemory());
            // A line may be a JSON array (a batch of events in one message): it has no one key.
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object || !data.TryGetProperty(field, out var value))
            {
                return null;
            }

            return value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),

                // 42 and 42.0 are one entity (the decoder reads both as the long 42).
                JsonValueKind.Number => value.TryGetDouble(out var number) && number == Math.Floor(number) && Math.Abs(number) <= 1L << 53
                    ? ((long)number).ToString(CultureInfo.InvariantCulture)
                    : value.GetRawText(),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What <see cref="EventHubSender"/> sent.</summary>
/// <param name="Sent">Events sent.</param>
/// <param name="WithoutPartitionKey">Of those, the events without the partition key field, sent without a key (the hub spreads them).</param>
public sealed record EventHubSendResult(int Sent, int WithoutPartitionKey);

/// <summary>None of the first events to send has the partition key field: nothing was sent.</summary>
public sealed class PartitionKeyFieldNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PartitionKeyFieldNotFoundException()
    {
    }

    /// <summary>Creates the exception with the message the user sees.</summary>
    public PartitionKeyFieldNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the message the user sees and its cause.</summary>
    public PartitionKeyFieldNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
