using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Azure.Storage.Blobs;
using Brisa.Azure.Storage;
using Brisa.Core.Ingestion;

namespace Brisa.Azure.RawZone;

/// <summary>
/// Writes rejected events to <c>deadletter/&lt;source&gt;/date=/hour=/&lt;batch-id&gt;.jsonl</c>: one JSON line per event
/// with its original bytes (as text when valid UTF-8, else base64), the reason, the source and the time of receipt (an
/// event's own <see cref="RejectedEvent.ReceivedAt"/>, Event Hubs' enqueued time, else the attempt's).
/// The blob name is a digest of the rejected events' ids and bytes, so a batch redelivered within the hour (any time,
/// for events with an enqueued time) overwrites itself.
/// </summary>
public sealed class DeadLetterWriter(BlobContainerClient container)
{
    /// <summary>Source folder for events that could not be routed to a source (<see cref="RejectionReasons.UnknownSource"/>).</summary>
    public const string UnknownSource = RejectionReasons.UnknownSource;

    /// <summary>Writes the rejected events of a batch (grouped by source and hour of receipt); returns the blob names written.</summary>
    public async Task<IReadOnlyList<string>> WriteAsync(IReadOnlyList<RejectedEvent> rejected, DateTimeOffset receivedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        var names = new List<string>();
        foreach (var group in rejected.GroupBy(r => (Source: r.Source ?? UnknownSource, Hour: HourOf(r.ReceivedAt ?? receivedAt))))
        {
            var content = Serialize(group, receivedAt);
            var digest = Digest(group);
            var hour = group.Key.Hour;
            var name = string.Create(CultureInfo.InvariantCulture, $"{group.Key.Source}/date={hour:yyyy-MM-dd}/hour={hour:HH}/{digest}.jsonl");
            await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken);
            names.Add(name);
        }

        return names;
    }

    /// <summary>Reads every dead-letter record under a prefix (for tests, the CLI and replays).</summary>
    public async Task<IReadOnlyList<DeadLetterRecord>> ReadAllAsync(string? prefix = null, CancellationToken cancellationToken = default)
    {
        var records = new List<DeadLetterRecord>();
        await foreach (var item in container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, prefix, cancellationToken))
        {
            records.AddRange(await DeadLetterReader.ReadBlobAsync(container, item.Name, cancellationToken));
        }

        return records;
    }

    /// <summary>
    /// The first 128 bits of SHA-256 over what was received (each event's id and original bytes), not over the reasons:
    /// a pushed message's reason can name the server's clock ("… in the future (the message arrived at …)"), which moves
    /// between a request and its retry, and a redelivered batch must overwrite its blob rather than add one.
    /// </summary>
    private static string Digest(IEnumerable<RejectedEvent> events)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var rejected in events)
        {
            // Length-prefixed, so no two different sequences of events hash the same bytes (-1: no id).
            var id = rejected.EventId is { } text ? Encoding.UTF8.GetBytes(text) : null;
            AppendLength(hash, id?.Length ?? -1);
            hash.AppendData(id ?? []);
            AppendLength(hash, rejected.OriginalBytes.Length);
            hash.AppendData(rejected.OriginalBytes.Span);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16));
    }

    private static DateTime HourOf(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, DateTimeKind.Utc);
    }

    private static void AppendLength(IncrementalHash hash, int length)
    {
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, length);
        hash.AppendData(bytes);
    }

    private static byte[] Serialize(IEnumerable<RejectedEvent> events, DateTimeOffset receivedAt)
    {
        using var buffer = new MemoryStream();
        foreach (var rejected in events)
        {
            var bytes = rejected.OriginalBytes.Span;
            var isText = Utf8.IsValid(bytes);
            var record = new DeadLetterRecord(
                rejected.Reason,
                rejected.Source,
                rejected.EventId,
                rejected.ReceivedAt ?? receivedAt,
                isText ? Encoding.UTF8.GetString(bytes) : null,
                isText ? null : Convert.ToBase64String(bytes));
            JsonSerializer.Serialize(buffer, record, DeadLetterJson.Default.DeadLetterRecord);
            buffer.WriteByte((byte)'\n');
        }

        return buffer.ToArray();
    }

    /// <summary>Creates the writer for the account's dead-letter container.</summary>
    public static DeadLetterWriter For(BrisaStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new DeadLetterWriter(storage.Blobs.GetBlobContainerClient(StorageNames.DeadLetterContainer));
    }
}

/// <summary>One dead-lettered event.</summary>
/// <param name="Reason">Why it was rejected.</param>
/// <param name="Source">The source it was routed to, if known.</param>
/// <param name="EventId">Its CloudEvent id, if readable.</param>
/// <param name="ReceivedAt">When Brisa received it.</param>
/// <param name="Original">The original bytes as UTF-8 text, when valid UTF-8.</param>
/// <param name="OriginalBase64">The original bytes as base64 otherwise.</param>
public sealed record DeadLetterRecord(string Reason, string? Source, string? EventId, DateTimeOffset ReceivedAt, string? Original, string? OriginalBase64)
{
    /// <summary>The original bytes, exactly as received.</summary>
    public byte[] OriginalBytes() => Original is not null ? Encoding.UTF8.GetBytes(Original) : Convert.FromBase64String(OriginalBase64 ?? "");
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(DeadLetterRecord))]
internal sealed partial class DeadLetterJson : System.Text.Json.Serialization.JsonSerializerContext;
