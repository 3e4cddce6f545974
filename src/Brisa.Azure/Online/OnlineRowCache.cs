using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace Brisa.Azure.Online;

/// <summary>
/// An opt-in, per-instance cache of entity partitions for serving: a partition read within <c>ttl</c> of the last
/// read of the same key is answered from memory, and concurrent reads of one key share one query (single flight).
/// Streaming views are still evaluated at request time from the cached tiles, so windows keep sliding; what a cached
/// row can miss is the events ingested in the last <c>ttl</c>. Hot keys (a busy merchant read by every one of its
/// transactions) then cost one Table query per <c>ttl</c> instead of one per prediction, which also keeps a hot
/// partition under Table storage's per-partition rate.
/// </summary>
public sealed class OnlineRowCache
{
    // Expired entries are dropped by the misses, oldest first, at most this many per miss: bounded work for the request
    // that pays it, and more than the one entry a miss adds, so a backlog drains and distinct keys cannot grow memory
    // without bound. (A sweep of the whole cache per miss cost every miss O(keys) once it held many fresh keys.)
    private const int EvictPerMiss = 64;

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    // Entries whose read succeeded, in the order the reads completed: the order they expire in, but for a read slower
    // than the others, which waits behind younger ones (it expires from its start) and goes when it reaches the head.
    private readonly ConcurrentQueue<(string Key, Entry Entry)> expiry = new();
    private readonly Lock evicting = new();
    private readonly TimeProvider time;
    private readonly long ttlTicks;
    private long hits;
    private long reads;
    private long examined;

    /// <summary>Creates a cache.</summary>
    /// <param name="ttl">How long a read partition is reused; must be positive.</param>
    /// <param name="time">The clock; the system clock when null.</param>
    public OnlineRowCache(TimeSpan ttl, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        this.time = time ?? TimeProvider.System;
        Ttl = ttl;
        ttlTicks = (long)(ttl.TotalSeconds * this.time.TimestampFrequency);
    }

    /// <summary>How long a read partition is reused.</summary>
    public TimeSpan Ttl { get; }

    /// <summary>Lookups answered from memory (or by joining a read in flight) since the cache was made.</summary>
    public long Hits => Interlocked.Read(ref hits);

    /// <summary>Partition reads the cache made since it was made.</summary>
    public long Reads => Interlocked.Read(ref reads);

    /// <summary>Entries eviction has looked at since the cache was made (the work it did; tests bound it).</summary>
    internal long Examined => Interlocked.Read(ref examined);

    /// <summary>Keys held, fresh or not yet evicted.</summary>
    internal int Count => entries.Count;

    /// <summary>The rows of a partition: from memory while fresh, else from <paramref name="fetch"/> (shared by concurrent callers).</summary>
    /// <param name="key">The partition key.</param>
    /// <param name="fetch">Reads the partition; called without the caller's cancellation, since other callers may share it.</param>
    /// <param name="cancellationToken">Stops this caller's wait (not the shared read).</param>
    public async Task<IReadOnlyList<TableEntity>> GetAsync(string key, Func<string, Task<IReadOnlyList<TableEntity>>> fetch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(fetch);
        var now = time.GetTimestamp();
        while (true)
        {
            if (entries.TryGetValue(key, out var entry) && (!entry.Rows.IsCompleted || now - entry.ReadAt < ttlTicks))
            {
                Interlocked.Increment(ref hits);
                return await entry.Rows.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            var fresh = new Entry(now);
            var won = entry is null ? entries.TryAdd(key, fresh) : entries.TryUpdate(key, fresh, entry);
            if (!won)
            {
                continue; // another caller started the read first: share it
            }

            Interlocked.Increment(ref reads);
            Evict(now);
            try
            {
                fresh.Source.SetResult(await fetch(key).ConfigureAwait(false));
                expiry.Enqueue((key, fresh));
            }
            catch (Exception ex)
            {
                // A failed read is not cached (removed before it completes): the next caller tries again.
                entries.TryRemove(new KeyValuePair<string, Entry>(key, fresh));
                fresh.Source.SetException(ex);
            }

            return await fresh.Rows.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Evict(long now)
    {
        // One evictor at a time, so the head it looked at is the one it takes; a miss that finds it busy leaves it be.
        if (!evicting.TryEnter())
        {
            return;
        }

        try
        {
            for (var i = 0; i < EvictPerMiss && expiry.TryPeek(out var head); i++)
            {
                Interlocked.Increment(ref examined);
                if (now - head.Entry.ReadAt < ttlTicks)
                {
                    break;
                }

                expiry.TryDequeue(out _);

                // Only if the key still holds this entry: a newer read of it has its own place further back.
                entries.TryRemove(new KeyValuePair<string, Entry>(head.Key, head.Entry));
            }
        }
        finally
        {
            evicting.Exit();
        }
    }

    private sealed class Entry(long readAt)
    {
        public long ReadAt { get; } = readAt;

        public TaskCompletionSource<IReadOnlyList<TableEntity>> Source { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<IReadOnlyList<TableEntity>> Rows => Source.Task;
    }
}
