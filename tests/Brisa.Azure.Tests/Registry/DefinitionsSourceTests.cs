using Azure.Storage.Blobs;
using Brisa.Azure.Registry;
using Brisa.Core.Definitions;
using Brisa.Testing;

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

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
    }
}
