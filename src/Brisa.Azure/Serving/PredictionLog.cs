using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Storage.Blobs;
using Brisa.Azure.Storage;

namespace Brisa.Azure.Serving;

/// <summary>One logged prediction: what was scored, with what, and the result.</summary>
/// <param name="RequestId">The HTTP request.</param>
/// <param name="Id">The instance id (e.g. the transaction id), to join with later labels.</param>
/// <param name="Model">The model.</param>
/// <param name="Version">The version that scored.</param>
/// <param name="Time">When.</param>
/// <param name="Score">The score.</param>
/// <param name="Decision">The decision at the model's threshold; null for a regression model (no threshold).</param>
/// <param name="Features">The model inputs as scored (null = missing).</param>
/// <param name="Keys">The entity keys the features were read for, by join key (e.g. <c>customer_id</c>); null in logs written before keys were logged.</param>
/// <param name="Shadow">
/// True for the challenger's shadow prediction of an instance the champion answered (same request id and id, the
/// challenger's version): never returned to the caller. Written only when true (<c>"shadow": true</c>).
/// </param>
public sealed record PredictionRecord(
    string RequestId,
    string Id,
    string Model,
    string Version,
    DateTimeOffset Time,
    double Score,
    bool? Decision,
    IReadOnlyDictionary<string, object?> Features,
    IReadOnlyDictionary<string, string?>? Keys = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Shadow = false);

/// <summary>
/// The prediction log, off the hot path: records go to a lock-free in-memory queue and a background loop writes them as
/// JSON lines, one blob per flush, to <c>predictions/&lt;model&gt;/date=YYYY-MM-DD/hour=HH/&lt;instance&gt;-&lt;ticks&gt;.jsonl</c>
/// (every <c>flushInterval</c> or 1,000 records, and on shutdown). What a crash can lose: the records of the last
/// interval not yet flushed (at most a few seconds of predictions); the scores themselves were already returned.
/// A flush that failed is retried under the same blob names (the batch keeps its ticks), so the blobs an earlier
/// attempt did write are overwritten rather than written twice.
/// </summary>
public sealed class PredictionLog : IAsyncDisposable
{
    private const int FlushSize = 1000;
    private const int Capacity = 100_000;
    // Named literals: an input the model read as ±Infinity (a double request field beyond float's range) or NaN is
    // written as "Infinity" or "NaN" (drift parses them back), as model metadata is; a bare number would throw, and
    // the exception ended the writer loop, silently stopping the log for the life of the process.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    // A lock-free queue (a bounded channel takes a lock per write, on the request path); beyond Capacity the oldest
    // records are dropped, so a storage outage cannot grow memory without bound.
    private readonly ConcurrentQueue<PredictionRecord> queue = new();
    private int queued;
    private readonly string instance = Guid.NewGuid().ToString("N")[..12];
    private readonly BlobContainerClient container;
    private readonly TimeSpan flushInterval;
    private readonly Task loop;

    // Released when a full batch is queued (and on dispose): the writer wakes per batch or interval, never per record.
    private readonly SemaphoreSlim batchReady = new(0);
    private volatile bool closing;
    private long lastStamp;

    /// <summary>Creates the log and starts its background writer.</summary>
    public PredictionLog(BlobContainerClient container, TimeSpan flushInterval)
    {
        this.container = container;
        this.flushInterval = flushInterval;
        loop = Task.Run(RunAsync);
    }

    /// <summary>Creates the log over the account's predictions container.</summary>
    public static PredictionLog For(BrisaStorage storage, TimeSpan? flushInterval = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new PredictionLog(storage.Blobs.GetBlobContainerClient(StorageNames.PredictionsContainer), flushInterval ?? TimeSpan.FromSeconds(5));
    }

    /// <summary>Records a prediction (never blocks, never throws on the request path).</summary>
    public void Append(PredictionRecord record)
    {
        queue.Enqueue(record);
        var count = Interlocked.Increment(ref queued);
        if (count > Capacity && queue.TryDequeue(out _))
        {
            Interlocked.Decrement(ref queued);
        }

        if (count == FlushSize)
        {
            batchReady.Release();
        }
    }

    /// <summary>Writes what is still queued (records the background writer has not taken yet); <see cref="DisposeAsync"/> writes everything.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var batch = new List<PredictionRecord>();
        while (TryTake(out var record))
        {
            batch.Add(record);
        }

        await WriteAsync(batch, NextStamp(), cancellationToken);
    }

    /// <summary>Reads every logged prediction of a model (tests, the demo; monitoring reads its span with <see cref="ReadAsync"/>).</summary>
    public async Task<IReadOnlyList<PredictionRecord>> ReadAllAsync(string model, CancellationToken cancellationToken = default)
    {
        var records = new List<PredictionRecord>();
        await foreach (var blob in container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, model + "/", cancellationToken))
        {
            records.AddRange(await ReadBlobAsync(blob.Name, unreadable: null, cancellationToken));
        }

        return records;
    }

    /// <summary>
    /// Streams the logged predictions of a model from the blobs of the hours <paramref name="from"/> to
    /// <paramref name="to"/> (UTC; a blob's records are of its hour, so records just outside the span can come too).
    /// </summary>
    /// <remarks>
    /// The log is never pruned: listing and downloading the whole of it made every drift run slower and bigger as the
    /// log grew. One listing per day of the span, one blob in memory at a time.
    /// </remarks>
    /// <param name="model">The model.</param>
    /// <param name="from">Start of the span.</param>
    /// <param name="to">End of the span.</param>
    /// <param name="unreadable">
    /// Called with the blob name for each line that is not a record (not JSON, or without its id, request id, model,
    /// version or features); the line is skipped. Null: such a line throws, as <see cref="ReadAllAsync"/> does.
    /// </param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The records, blob by blob, oldest day first.</returns>
    public async IAsyncEnumerable<PredictionRecord> ReadAsync(string model, DateTimeOffset from, DateTimeOffset to, Action<string>? unreadable = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        var first = HourOf(from);
        var last = HourOf(to);
        for (var day = first.Date; day <= last.Date; day = day.AddDays(1))
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"{model}/date={day:yyyy-MM-dd}/");
            await foreach (var blob in container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, prefix, cancellationToken))
            {
                var hour = blob.Name.AsSpan(prefix.Length);
                if (!hour.StartsWith("hour=") || hour.Length < 7
                    || !int.TryParse(hour.Slice(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var h)
                    || day.AddHours(h) < first || day.AddHours(h) > last)
                {
                    continue;
                }

                foreach (var record in await ReadBlobAsync(blob.Name, unreadable, cancellationToken))
                {
                    yield return record;
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        closing = true;
        batchReady.Release();
        await loop;
        await FlushAsync();
        batchReady.Dispose();
    }

    private async Task RunAsync()
    {
        var batch = new List<PredictionRecord>();
        var stamp = 0L;
        while (true)
        {
            // Sleeps until a batch is full or the interval has passed (not woken per record: that is a hand-off per
            // prediction), and yields when woken: else the request whose Release wakes it would go on to serialize and
            // upload the whole batch inline.
            if (Volatile.Read(ref queued) < FlushSize && !closing)
            {
                await batchReady.WaitAsync(flushInterval).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            }

            // A new batch gets its blob names now; a batch kept after a failed flush keeps them (and may grow), so its
            // retry replaces the blobs that attempt wrote instead of adding copies of their records.
            if (batch.Count == 0)
            {
                stamp = NextStamp();
            }

            while (batch.Count < FlushSize && TryTake(out var record))
            {
                batch.Add(record);
            }

            try
            {
                await WriteAsync(batch, stamp, CancellationToken.None);
                batch.Clear();
            }
            catch (Exception ex) when (ex is global::Azure.RequestFailedException or AggregateException)
            {
                // Storage hiccup, or storage unreachable (the SDK gives up with an AggregateException): keep the records
                // and try again at the next interval (bounded by FlushSize). Letting it escape would end this loop and
                // silently stop the log for the life of the process.
            }

            if (closing)
            {
                return;
            }
        }
    }

    private static DateTime HourOf(DateTimeOffset time) =>
        new(time.UtcDateTime.Ticks - (time.UtcDateTime.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc);

    private async Task<List<PredictionRecord>> ReadBlobAsync(string name, Action<string>? unreadable, CancellationToken cancellationToken)
    {
        var content = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken);
        var records = new List<PredictionRecord>();
        foreach (var line in content.Value.Content.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (unreadable is null)
            {
                records.Add(JsonSerializer.Deserialize<PredictionRecord>(line, Json)!);
                continue;
            }

            PredictionRecord? record;
            try
            {
                record = JsonSerializer.Deserialize<PredictionRecord>(line, Json);
            }
            catch (JsonException)
            {
                record = null;
            }

            // The writer never leaves these out; a line without them is damaged, or was not written by it.
            if (record is { Id: not null, RequestId: not null, Model: not null, Version: not null, Features: not null })
            {
                records.Add(record);
            }
            else
            {
                unreadable(name);
            }
        }

        return records;
    }

    private bool TryTake([MaybeNullWhen(false)] out PredictionRecord record)
    {
        if (!queue.TryDequeue(out record))
        {
            return false;
        }

        Interlocked.Decrement(ref queued);
        return true;
    }

    // UTC ticks, unique per instance (two batches in one tick would share blob names, and overwrite each other).
    private long NextStamp()
    {
        while (true)
        {
            var last = Volatile.Read(ref lastStamp);
            var next = Math.Max(DateTime.UtcNow.Ticks, last + 1);
            if (Interlocked.CompareExchange(ref lastStamp, next, last) == last)
            {
                return next;
            }
        }
    }

    private async Task WriteAsync(List<PredictionRecord> batch, long stamp, CancellationToken cancellationToken)
    {
        foreach (var group in batch.GroupBy(r => (r.Model, Hour: HourOf(r.Time))))
        {
            using var buffer = new MemoryStream();
            foreach (var record in group)
            {
                JsonSerializer.Serialize(buffer, record, Json);
                buffer.WriteByte((byte)'\n');
            }

            var name = string.Create(CultureInfo.InvariantCulture, $"{group.Key.Model}/date={group.Key.Hour:yyyy-MM-dd}/hour={group.Key.Hour:HH}/{instance}-{stamp}.jsonl");
            buffer.Position = 0;
            await container.GetBlobClient(name).UploadAsync(buffer, overwrite: true, cancellationToken);
        }
    }
}
