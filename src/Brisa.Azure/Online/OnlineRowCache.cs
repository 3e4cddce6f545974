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
    // Expired entries are swept when the cache holds this many keys, so distinct keys cannot grow memory without bound.
    private const int SweepAt = 50_000;

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly TimeProvider time;
    private readonly long ttlTicks;
    private long hits;
    private long reads;

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
            if (entries.Count > SweepAt)
            {
                Sweep(now);
            }

            try
            {
                fresh.Source.SetResult(await fetch(key).ConfigureAwait(false));
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

    private void Sweep(long now)
    {
        foreach (var (key, entry) in entries)
        {
            if (entry.Rows.IsCompleted && now - entry.ReadAt >= ttlTicks)
            {
                entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }
    }

    private sealed class Entry(long readAt)
    {
        public long ReadAt { get; } = readAt;

        public TaskCompletionSource<IReadOnlyList<TableEntity>> Source { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<IReadOnlyList<TableEntity>> Rows => Source.Task;
    }
}
