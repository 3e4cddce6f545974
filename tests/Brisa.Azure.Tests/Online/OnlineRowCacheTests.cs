using Azure.Data.Tables;
using Brisa.Azure.Online;

namespace Brisa.Azure.Tests.Online;

public sealed class OnlineRowCacheTests
{
    private static readonly IReadOnlyList<TableEntity> Rows = [new TableEntity("p", "r")];

    [Fact]
    public async Task Get_WithinTtl_ReadsOnceAndAfterTtlReadsAgain()
    {
        var clock = new SteppedClock();
        var cache = new OnlineRowCache(TimeSpan.FromSeconds(1), clock);
        var reads = 0;
        Task<IReadOnlyList<TableEntity>> Fetch(string key)
        {
            reads++;
            return Task.FromResult(Rows);
        }

        await cache.GetAsync("k", Fetch);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        await cache.GetAsync("k", Fetch);
        Assert.Equal(1, reads);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await cache.GetAsync("k", Fetch);
        await cache.GetAsync("other", Fetch);
        Assert.Equal(3, reads);
        Assert.Equal((1L, 3L), (cache.Hits, cache.Reads));
    }

    [Fact]
    public async Task Get_ConcurrentCallersOfOneKey_ShareOneRead()
    {
        var cache = new OnlineRowCache(TimeSpan.FromMinutes(1), new SteppedClock());
        var release = new TaskCompletionSource<IReadOnlyList<TableEntity>>();
        var reads = 0;
        Task<IReadOnlyList<TableEntity>> Fetch(string key)
        {
            Interlocked.Increment(ref reads);
            return release.Task;
        }

        var callers = Enumerable.Range(0, 16).Select(_ => Task.Run(() => cache.GetAsync("k", Fetch))).ToArray();
        await Task.Delay(50);
        release.SetResult(Rows);
        var results = await Task.WhenAll(callers);

        Assert.Equal(1, reads);
        Assert.All(results, r => Assert.Same(Rows, r));
        Assert.Equal((15L, 1L), (cache.Hits, cache.Reads));
    }

    [Fact]
    public async Task Get_AfterAFailedRead_ReadsAgain()
    {
        var cache = new OnlineRowCache(TimeSpan.FromMinutes(1), new SteppedClock());
        var reads = 0;
        Task<IReadOnlyList<TableEntity>> Fetch(string key) =>
            ++reads == 1 ? Task.FromException<IReadOnlyList<TableEntity>>(new InvalidOperationException("storage away")) : Task.FromResult(Rows);

        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetAsync("k", Fetch));
        Assert.Same(Rows, await cache.GetAsync("k", Fetch));
        Assert.Equal(2, reads);
    }

    [Fact]
    public async Task Get_MissesWithManyFreshKeys_EvictionWorkBoundedPerMiss()
    {
        // 60,000 keys read within the TTL, then 1,000 more misses: a sweep of the whole cache per miss looked at some
        // 60 million entries; eviction may look at a few per miss.
        var cache = new OnlineRowCache(TimeSpan.FromMinutes(1), new SteppedClock());
        for (var i = 0; i < 61_000; i++)
        {
            await cache.GetAsync("k" + i, _ => Task.FromResult(Rows));
        }

        Assert.Equal(61_000, cache.Count);
        Assert.InRange(cache.Examined, 0, 64L * 61_000);
    }

    [Fact]
    public async Task Get_MissesAfterKeysExpired_ExpiredKeysEvictedAFewPerMiss()
    {
        var clock = new SteppedClock();
        var cache = new OnlineRowCache(TimeSpan.FromSeconds(1), clock);
        for (var i = 0; i < 10_000; i++)
        {
            await cache.GetAsync("old" + i, _ => Task.FromResult(Rows));
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 200; i++)
        {
            await cache.GetAsync("new" + i, _ => Task.FromResult(Rows));
        }

        // Every expired key gone (64 per miss), every fresh one kept, and a fresh one still answered from memory.
        Assert.Equal(200, cache.Count);
        Assert.Same(Rows, await cache.GetAsync("new0", _ => throw new InvalidOperationException("read again")));
    }

    [Fact]
    public void Constructor_NonPositiveTtl_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnlineRowCache(TimeSpan.Zero));

    private sealed class SteppedClock : TimeProvider
    {
        private long ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => ticks;

        public void Advance(TimeSpan by) => ticks += by.Ticks;
    }
}
