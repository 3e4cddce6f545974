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
    /// <summary>Sends every line; returns the number of events sent.</summary>
    /// <param name="fullyQualifiedNamespace">e.g. <c>brisa-dev.servicebus.windows.net</c>.</param>
    /// <param name="eventHubName">The hub.</param>
    /// <param name="lines">CloudEvents JSON, one per line.</param>
    /// <param name="partitionKeyField">The data field whose value is the partition key (e.g. <c>customer_id</c>).</param>
    /// <param name="progress">Reports events sent so far.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    public static Task<int> SendAsync(string fullyQualifiedNamespace, string eventHubName, IEnumerable<string> lines, string partitionKeyField, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return SendAsync(fullyQualifiedNamespace, eventHubName, lines.Where(l => !string.IsNullOrWhiteSpace(l)).Select(BinaryData.FromString), partitionKeyField, progress, cancellationToken);
    }

    /// <summary>Sends every body as it is, one event each (a replay's original bytes); returns the number of events sent.</summary>
    /// <param name="fullyQualifiedNamespace">e.g. <c>brisa-dev.servicebus.windows.net</c>.</param>
    /// <param name="eventHubName">The hub.</param>
    /// <param name="bodies">The event bodies.</param>
    /// <param name="partitionKeyField">The data field whose value is the partition key (e.g. <c>customer_id</c>).</param>
    /// <param name="progress">Reports events sent so far.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    public static async Task<int> SendAsync(string fullyQualifiedNamespace, string eventHubName, IEnumerable<BinaryData> bodies, string partitionKeyField, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bodies);
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
        var sent = 0;
        foreach (var body in bodies)
        {
            var options = new EnqueueEventOptions { PartitionKey = PartitionKeyOf(body, partitionKeyField) };
            await producer.EnqueueEventAsync(new EventData(body) { ContentType = "application/cloudevents+json" }, options, cancellationToken);
            progress?.Report(++sent);
        }

        await producer.FlushAsync(cancellationToken);
        return failures.Count == 0 ? sent : throw new AggregateException("Some event batches could not be sent.", failures);
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
            if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object || !data.TryGetProperty(field, out var value))
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
