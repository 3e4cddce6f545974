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
