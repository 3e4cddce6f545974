using Azure.Core;
using Azure.Storage.Blobs;
using Brisa.Azure.Registry;
using Brisa.Core.Definitions;
using Brisa.Testing;
using Microsoft.Extensions.Logging;

namespace Brisa.Azure.Tests.Registry;

[Collection(AzuriteCollection.Name)]
public sealed class DefinitionsSourceTests(AzuriteFixture azurite)
{
    private static readonly FeatureRepositoryDefinition Sample = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);

    private async Task<(DefinitionRegistry Registry, BlobContainerClient Container)> FreshRegistryAsync()
    {
        var container = azurite.Storage.Blobs.GetBlobContainerClient($"registry-{Guid.NewGuid():N}");
        await container.CreateAsync();
        return (new DefinitionRegistry(container), container);
    }

    [Fact]
    public async Task GetAsync_AfterApplyAndRefreshInterval_ReturnsTheNewVersion()
    {
        var (registry, _) = await FreshRegistryAsync();
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        using var source = new RegistryDefinitionsSource(registry, clock, Refresh);
        await registry.ApplyAsync(Sample, "one", DateTimeOffset.UnixEpoch);
        Assert.Equal(Sample.ComputeVersion(), (await source.GetAsync(CancellationToken.None)).ComputeVersion());

        var changed = Sample with { Description = "changed" };
        await registry.ApplyAsync(changed, "two", DateTimeOffset.UnixEpoch);
        Assert.Equal(Sample.ComputeVersion(), (await source.GetAsync(CancellationToken.None)).ComputeVersion());

        clock.Advance(Refresh);
        Assert.Equal(changed.ComputeVersion(), (await source.GetAsync(CancellationToken.None)).ComputeVersion());
    }

    [Fact]
    public async Task GetAsync_NewVersionUnreadable_KeepsServingTheLoadedVersionAndRetriesAfterTheInterval()
    {
        // E.g. a version applied by a newer brisa with a key this instance does not know yet, during a deploy.
        var (registry, container) = await FreshRegistryAsync();
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        using var source = new RegistryDefinitionsSource(registry, clock, Refresh);
        await registry.ApplyAsync(Sample, "one", DateTimeOffset.UnixEpoch);
        await source.GetAsync(CancellationToken.None);
        var broken = Sample with { Description = "from a newer brisa" };
        await registry.ApplyAsync(broken, "two", DateTimeOffset.UnixEpoch);
        var json = broken.ToJson().Replace("\"project\":", "\"unknown_key\": 1, \"project\":", StringComparison.Ordinal);
        await container.GetBlobClient($"versions/{broken.ComputeVersion()}.json").UploadAsync(BinaryData.FromString(json), overwrite: true);

        clock.Advance(Refresh);
        var served = await source.GetAsync(CancellationToken.None);

        Assert.Equal(Sample.ComputeVersion(), served.ComputeVersion());

        // Fixed (the instance is updated, or the version rewritten): picked up at the next attempt, not before.
        await container.GetBlobClient($"versions/{broken.ComputeVersion()}.json").UploadAsync(BinaryData.FromString(broken.ToJson()), overwrite: true);
        Assert.Equal(Sample.ComputeVersion(), (await source.GetAsync(CancellationToken.None)).ComputeVersion());
        clock.Advance(Refresh);
        Assert.Equal(broken.ComputeVersion(), (await source.GetAsync(CancellationToken.None)).ComputeVersion());
    }

    [Fact]
    public async Task GetAsync_NothingLoadedAndVersionUnreadable_Throws()
    {
        var (registry, container) = await FreshRegistryAsync();
        await registry.ApplyAsync(Sample, "one", DateTimeOffset.UnixEpoch);
        await container.GetBlobClient($"versions/{Sample.ComputeVersion()}.json").UploadAsync(BinaryData.FromString("{"), overwrite: true);
        using var source = new RegistryDefinitionsSource(registry, new ManualClock(DateTimeOffset.UnixEpoch), Refresh);

        await Assert.ThrowsAsync<InvalidDataException>(() => source.GetAsync(CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task GetAsync_CheckedOverHalfTheIntervalAgo_ServedWithoutWaitingAndTheNewVersionLoadedInTheBackground()
    {
        var reads = new PointerReads();
        var (registry, _) = await FreshRegistryAsync(reads);
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        using var source = new RegistryDefinitionsSource(registry, clock, Refresh);
        await registry.ApplyAsync(Sample, "one", DateTimeOffset.UnixEpoch);
        await source.GetAsync(CancellationToken.None);
        var changed = Sample with { Description = "changed" };
        await registry.ApplyAsync(changed, "two", DateTimeOffset.UnixEpoch);

        // Half an interval on, the next pointer read is held: requests are served the loaded version meanwhile.
        reads.Hold();
        clock.Advance(Refresh * 0.6);
        for (var i = 0; i < 10; i++)
        {
            var served = source.GetAsync(CancellationToken.None);
            Assert.True(served.IsCompletedSuccessfully, "a request waited for the registry");
            Assert.Equal(Sample.ComputeVersion(), (await served).ComputeVersion());
        }

        await reads.Gate.Reached.WaitAsync(TimeSpan.FromSeconds(20));
        reads.Gate.Open();
        await WaitForVersionAsync(source, changed.ComputeVersion());
        Assert.Equal(1, reads.SinceHeld);
    }

    [Fact]
    public async Task GetAsync_BackgroundCheckFails_ServesLoadedLogsOnceAndRetriesHalfAnIntervalLater()
    {
        var reads = new PointerReads();
        var (registry, container) = await FreshRegistryAsync(reads);
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var logs = new ListLoggerProvider();
        using var source = new RegistryDefinitionsSource(registry, clock, Refresh, logs.CreateLogger<RegistryDefinitionsSource>());
        await registry.ApplyAsync(Sample, "one", DateTimeOffset.UnixEpoch);
        await source.GetAsync(CancellationToken.None);
        var broken = Sample with { Description = "unreadable" };
        await registry.ApplyAsync(broken, "two", DateTimeOffset.UnixEpoch);
        await container.GetBlobClient($"versions/{broken.ComputeVersion()}.json").UploadAsync(BinaryData.FromString("{"), overwrite: true);
        reads.Count();

        clock.Advance(Refresh * 0.6);
        Assert.Equal(Sample.ComputeVersion(), (await source.GetAsync(CancellationToken.None)).ComputeVersion());
        await WaitForAsync(() => logs.Entries.Count(e => e.Level == LogLevel.Warning) == 1);

        // Before half an interval since the failed attempt: served from memory, no new attempt.
        for (var i = 0; i < 4; i++)
        {
            clock.Advance(Refresh * 0.1);
            Assert.Equal(Sample.ComputeVersion(), (await source.GetAsync(CancellationToken.None)).ComputeVersion());
        }

        await Task.Delay(300);
        Assert.Equal(1, reads.SinceHeld);
        var warning = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.IsType<InvalidDataException>(warning.Exception);
        Assert.Contains(broken.ComputeVersion(), warning.Message, StringComparison.Ordinal);

        // Then one more attempt, still failing, still serving the loaded version.
        clock.Advance(Refresh * 0.1);
        Assert.Equal(Sample.ComputeVersion(), (await source.GetAsync(CancellationToken.None)).ComputeVersion());
        await WaitForAsync(() => logs.Entries.Count(e => e.Level == LogLevel.Warning) == 2);
        Assert.Equal(2, reads.SinceHeld);
    }

    private async Task<(DefinitionRegistry Registry, BlobContainerClient Container)> FreshRegistryAsync(PointerReads reads)
    {
        var blobs = new BlobServiceClient(azurite.ConnectionString, reads.Gate.Gating(new BlobClientOptions()));
        var container = blobs.GetBlobContainerClient($"registry-{Guid.NewGuid():N}");
        await container.CreateAsync();
        return (new DefinitionRegistry(container), container);
    }

    private static async Task WaitForVersionAsync(RegistryDefinitionsSource source, string version)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await source.GetAsync(CancellationToken.None)).ComputeVersion() != version)
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the background check");
            await Task.Delay(20);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the background check");
            await Task.Delay(20);
        }
    }

    /// <summary>Counts the reads of the registry's pointer once told to, and can hold the first of them.</summary>
    private sealed class PointerReads
    {
        private int counting;
        private int holding;
        private int count;

        public PointerReads() => Gate = new RequestGate(request =>
        {
            if (request.Method != RequestMethod.Get || !request.Uri.Path.EndsWith("/current.json", StringComparison.Ordinal) || Volatile.Read(ref counting) == 0)
            {
                return false;
            }

            Interlocked.Increment(ref count);
            return Volatile.Read(ref holding) == 1;
        });

        public RequestGate Gate { get; }

        /// <summary>Pointer reads since <see cref="Count"/> or <see cref="Hold"/>.</summary>
        public int SinceHeld => Volatile.Read(ref count);

        public void Count() => Volatile.Write(ref counting, 1);

        public void Hold()
        {
            Volatile.Write(ref holding, 1);
            Count();
        }
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
    }
}
