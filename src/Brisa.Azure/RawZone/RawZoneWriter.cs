using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Ingestion;

namespace Brisa.Azure.RawZone;

/// <summary>
/// Lands accepted events in the immutable raw zone: <c>raw/&lt;source&gt;/date=YYYY-MM-DD/hour=HH/&lt;batch-id&gt;.parquet</c>.
/// The batch id is a digest of the file's events' identities (id and time), so a redelivered batch finds its own files
/// and writes nothing instead of adding copies, while a batch holding an id again at another time (another event) gets a
/// file of its own rather than replacing the first. A file is never replaced: resent under the same ids and times with
/// other content, events keep the version first landed, the one the online tiles counted (they skip the resend as a
/// duplicate), so the materializer and training read what the stream served.
/// </summary>
public sealed class RawZoneWriter(BlobContainerClient container)
{
    /// <summary>Writes one file per (date, hour) partition of the batch; returns the blob names written.</summary>
    public async Task<IReadOnlyList<string>> WriteAsync(SourceEventBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var partitions = new SortedDictionary<long, List<int>>();
        for (var row = 0; row < batch.Count; row++)
        {
            var hour = batch.EventTicks(row) / TimeSpan.TicksPerHour;
            if (!partitions.TryGetValue(hour, out var rows))
            {
                partitions[hour] = rows = [];
            }

            rows.Add(row);
        }

        var names = new List<string>(partitions.Count);
        foreach (var (hour, rows) in partitions)
        {
            var name = BlobName(batch.Schema.SourceName, TiledView.FromUnixTicks(hour * TimeSpan.TicksPerHour), BatchId(rows.Select(r => (batch.Id(r), batch.EventTicks(r)))));
            using var buffer = new MemoryStream();
            await RawEventParquet.WriteAsync(batch, rows, buffer, cancellationToken);
            buffer.Position = 0;
            try
            {
                // Never over a file already landed: a redelivery is the same events, and an event resent with other
                // content under the same id and time keeps its first version, the one the online tiles counted.
                await container.GetBlobClient(name).UploadAsync(buffer, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Landed before (BlobAlreadyExists): nothing to write.
            }

            names.Add(name);
        }

        return names;
    }

    /// <summary>The Hive-partitioned blob name of a raw file.</summary>
    public static string BlobName(string source, DateTimeOffset hour, string batchId) =>
        string.Create(CultureInfo.InvariantCulture, $"{source}/date={hour.UtcDateTime:yyyy-MM-dd}/hour={hour.UtcDateTime:HH}/{batchId}.parquet");

    /// <summary>A content-derived batch id: the first 128 bits of SHA-256 over the events' (id, time), sorted.</summary>
    /// <param name="events">Each event's id and time (UTC ticks since the Unix epoch).</param>
    public static string BatchId(IEnumerable<(string Id, long Ticks)> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> ticks = stackalloc byte[sizeof(long)];
        foreach (var (id, t) in events.OrderBy(e => e.Id, StringComparer.Ordinal).ThenBy(e => e.Ticks))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(id));
            hash.AppendData([0]);
            BinaryPrimitives.WriteInt64LittleEndian(ticks, t);
            hash.AppendData(ticks);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16));
    }

    /// <summary>Creates the writer for the account's raw container.</summary>
    public static RawZoneWriter For(BrisaStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new RawZoneWriter(storage.Blobs.GetBlobContainerClient(StorageNames.RawContainer));
    }
}
