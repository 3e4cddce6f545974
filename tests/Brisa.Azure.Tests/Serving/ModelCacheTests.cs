using System.IO.Compression;
using Azure.Core;
using Azure.Storage.Blobs;
using Brisa.Azure.Models;
using Brisa.Azure.Serving;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Modeling;
using Brisa.Core.Serving;
using Brisa.Testing;
using Microsoft.Extensions.Logging;

namespace Brisa.Azure.Tests.Serving;

[Collection(AzuriteCollection.Name)]
public sealed class ModelCacheTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Refresh = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task GetAsync_NoChampion_NotFoundSayingHowToGetOne()
    {
        // A first version that failed a guardrail stays challenger: "train it first" alone sent the operator in circles.
        var cache = new ModelCache(new ModelRegistry(azurite.Storage), new ManualClock(T0), Refresh, new ListLoggerProvider().CreateLogger<ModelCache>());

        var error = await Assert.ThrowsAsync<Brisa.Core.Serving.ServingException>(() => cache.GetAsync("never_promoted", null, CancellationToken.None));

        Assert.Equal(404, error.Status);
        Assert.Equal("No champion", error.Title);
        Assert.Contains("'brisa models promote never_promoted <version>'", error.Message, StringComparison.Ordinal);
        Assert.Contains("?version=challenger", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_PromotedChampionUnloadable_ServesCurrentLogsAndRetriesOncePerInterval()
    {
        var (model, current, registry) = await TrainAndPromoteAsync(azurite.Storage);
        var counter = new RequestCounter();
        var counted = new ModelRegistry(new BlobServiceClient(azurite.ConnectionString, counter.Counting(new BlobClientOptions())).GetBlobContainerClient(StorageNames.ModelsContainer));
        var clock = new ManualClock(T0);
        var logs = new ListLoggerProvider();
        var cache = new ModelCache(counted, clock, Refresh, logs.CreateLogger<ModelCache>());
        Assert.Equal(current.Version, (await cache.GetAsync(model, null, CancellationToken.None)).Version);

        // A new champion whose model.zip ML.NET cannot read (a zip, but no model in it: InvalidOperationException).
        var unreadable = NotAModel();
        var broken = ModelVersionId.Create(T0.AddHours(1), unreadable);
        await registry.SaveVersionAsync(current with { Version = broken }, unreadable);
        await registry.PromoteAsync(model, broken, current.Version, "test", "test");

        clock.Advance(Refresh * 2);
        Assert.Equal(current.Version, (await cache.GetAsync(model, null, CancellationToken.None)).Version);
        await WaitForAsync(() => logs.Entries.Count(e => e.Level == LogLevel.Warning) == 1);
        await QuietAsync(counter);

        // Within the interval: served from memory, no storage request, no new attempt.
        var before = counter.Count;
        for (var i = 0; i < 5; i++)
        {
            clock.Advance(Refresh / 10);
            Assert.Equal(current.Version, (await cache.GetAsync(model, null, CancellationToken.None)).Version);
            await QuietAsync(counter);
        }

        Assert.Equal(before, counter.Count);
        var warning = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.IsType<InvalidOperationException>(warning.Exception);
        Assert.Contains(broken, warning.Message, StringComparison.Ordinal);
        Assert.Contains(current.Version, warning.Message, StringComparison.Ordinal);

        // After the interval: one more attempt, still failing, still serving the current champion.
        clock.Advance(Refresh);
        Assert.Equal(current.Version, (await cache.GetAsync(model, null, CancellationToken.None)).Version);
        await WaitForAsync(() => logs.Entries.Count(e => e.Level == LogLevel.Warning) == 2);
        Assert.True(counter.Count > before);
    }

    [Fact]
    public async Task GetAsync_RolledBackWhileThisInstanceLoadsThePromotedVersion_RestoredChampionServedAfterOneInterval()
    {
        // Scale-out: another instance promotes B and rolls it back while this one is loading B. This instance read the
        // aliases before the rollback, so it swaps to B once loaded; its next check, one interval later, brings A back.
        // Each answer is one version's model with that version's report, never a mix.
        var (model, a, registry) = await TrainAndPromoteAsync(azurite.Storage);
        var zip = await registry.DownloadModelAsync(model, a.Version);
        var b = ModelVersionId.Create(T0.AddHours(1), [.. zip, 1]);
        await registry.SaveVersionAsync(a with { Version = b }, zip);
        var gate = new RequestGate(r => r.Method == RequestMethod.Get && r.Uri.Path.EndsWith($"/{model}/{b}/model.zip", StringComparison.Ordinal));
        var gated = new ModelRegistry(new BlobServiceClient(azurite.ConnectionString, gate.Gating(new BlobClientOptions())).GetBlobContainerClient(StorageNames.ModelsContainer));
        var clock = new ManualClock(T0);
        var cache = new ModelCache(gated, clock, Refresh);
        async Task<string> ServedAsync()
        {
            var loaded = await cache.GetAsync(model, null, CancellationToken.None);
            Assert.Equal(loaded.Version, loaded.Report.Version);
            return loaded.Version;
        }

        Assert.Equal(a.Version, await ServedAsync());
        await registry.PromoteAsync(model, b, a.Version, "test", "test");
        clock.Advance(Refresh * 2);
        Assert.Equal(a.Version, await ServedAsync());
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(20));
        await registry.RollbackAsync(model, null, "bad release", "test");
        Assert.Equal(a.Version, await ServedAsync());
        gate.Open();
        await WaitForServedAsync(ServedAsync, b);

        clock.Advance(Refresh / 2);
        Assert.Equal(b, await ServedAsync());
        clock.Advance(Refresh);
        await WaitForServedAsync(ServedAsync, a.Version);
    }

    [Fact]
    public async Task GetAsync_MoreNamedVersionsThanTheBound_KeepsTheMostRecentlyUsed()
    {
        // A registry keeps every version ever trained: a caller walking through them must not keep them all loaded.
        var (model, current, registry) = await TrainAndPromoteAsync(azurite.Storage);
        var zip = await registry.DownloadModelAsync(model, current.Version, CancellationToken.None);
        var named = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            var version = ModelVersionId.Create(T0.AddHours(i), zip);
            await registry.SaveVersionAsync(current with { Version = version }, zip);
            named.Add(version);
        }

        var counter = new RequestCounter();
        var counted = new ModelRegistry(new BlobServiceClient(azurite.ConnectionString, counter.Counting(new BlobClientOptions())).GetBlobContainerClient(StorageNames.ModelsContainer));
        var cache = new ModelCache(counted, new ManualClock(T0), Refresh, maxNamedVersions: 2);
        async Task<int> RequestsToGet(string version)
        {
            var before = counter.Count;
            Assert.Equal(version, (await cache.GetAsync(model, version, CancellationToken.None)).Version);
            return counter.Count - before;
        }

        Assert.True(await RequestsToGet(named[0]) > 0);
        Assert.True(await RequestsToGet(named[1]) > 0);
        Assert.Equal(0, await RequestsToGet(named[0]));

        // A third version evicts the least recently used (named[1]), not the one just read again.
        Assert.True(await RequestsToGet(named[2]) > 0);
        Assert.Equal(0, await RequestsToGet(named[0]));
        Assert.Equal(0, await RequestsToGet(named[2]));
        Assert.True(await RequestsToGet(named[1]) > 0);
    }

    [Fact]
    public void Constructor_NoRoomForNamedVersions_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelCache(new ModelRegistry(azurite.Storage), TimeProvider.System, Refresh, maxNamedVersions: 0));
    }

    /// <summary>A small model, trained and promoted to champion under a fresh name.</summary>
    [Fact]
    public async Task GetAsync_ChampionZipOverTheLimit_ServingExceptionNamingTheSetting()
    {
        // Not a 500 that hides its cause: the operator's to fix (serve another version, or raise the limit).
        var (model, current, registry) = await TrainAndPromoteAsync(azurite.Storage);
        var limited = new ModelRegistry(azurite.Storage, maxModelZipBytes: 100);
        var cache = new ModelCache(limited, new ManualClock(T0), Refresh);

        var error = await Assert.ThrowsAsync<ServingException>(() => cache.GetAsync(model, null, CancellationToken.None));

        Assert.Equal((500, "Model too large"), (error.Status, error.Title));
        Assert.StartsWith($"Model '{model}' version '{current.Version}': its model.zip is ", error.Message, StringComparison.Ordinal);
        Assert.Contains("over the limit of 100 bytes (Brisa:Models:MaxZipBytes)", error.Message, StringComparison.Ordinal);
        Assert.Equal(current.Version, (await new ModelCache(registry, new ManualClock(T0), Refresh).GetAsync(model, null, CancellationToken.None)).Version);
    }

    internal static async Task<(string Model, TrainingReport Current, ModelRegistry Registry)> TrainAndPromoteAsync(BrisaStorage storage)
    {
        var model = new ModelDefinition
        {
            Name = "cache_" + Guid.NewGuid().ToString("N")[..10],
            ObservationSource = "obs",
            Label = new LabelDefinition { Source = "lbl", Key = "id", Within = TimeSpan.FromDays(1) },
            RequestFields = ["x"],
            Trainer = new TrainerDefinition { Parameters = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["number_of_iterations"] = "10", ["seed"] = "1" } },
            Split = new SplitDefinition { Validation = TimeSpan.FromDays(3) },
            Promotion = new PromotionPolicy { Margin = 0.02, MinRows = 10, MinPositives = 1 },
        };
        var outcome = ModelTraining.Train(model, Table(), new TrainingOptions { ComputeImportance = false });
        var registry = new ModelRegistry(storage);
        await registry.SaveVersionAsync(outcome.Report, outcome.ModelBytes);
        await registry.PromoteAsync(model.Name, outcome.Report.Version, null, "test", "test");
        return (model.Name, outcome.Report, registry);
    }

    private static TrainingTable Table()
    {
        const int N = 1000;
        var random = new Random(7);
        var times = new DateTimeOffset[N];
        var labels = new float[N];
        var x = new float[N];
        for (var i = 0; i < N; i++)
        {
            times[i] = T0.AddMinutes(i * 10.0 * 24 * 60 / N);
            x[i] = (float)random.NextDouble();
            labels[i] = random.NextDouble() < x[i] * x[i] ? 1 : 0;
        }

        return new TrainingTable(times, labels, [FeatureColumn.Numeric("x", x)]);
    }

    /// <summary>A zip without an ML.NET model in it: loading it throws InvalidOperationException.</summary>
    internal static byte[] NotAModel()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open());
            writer.Write("not an ML.NET model");
        }

        return buffer.ToArray();
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the background refresh");
            await Task.Delay(20);
        }
    }

    private static async Task WaitForServedAsync(Func<Task<string>> served, string version)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await served() != version)
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {version} to be served");
            await Task.Delay(20);
        }
    }

    // Until no request was sent for a while: a background refresh, if any, is over.
    private static async Task QuietAsync(RequestCounter counter)
    {
        var last = -1;
        while (counter.Count != last)
        {
            last = counter.Count;
            await Task.Delay(300);
        }
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
    }
}
