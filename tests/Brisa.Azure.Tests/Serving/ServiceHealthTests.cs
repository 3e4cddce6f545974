using Brisa.Azure.Models;
using Brisa.Azure.Registry;
using Brisa.Azure.Serving;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Testing;
using Microsoft.Extensions.Logging;

namespace Brisa.Azure.Tests.Serving;

[Collection(AzuriteCollection.Name)]
public sealed class ServiceHealthTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task CheckAsync_AppliedVersionBreaksARuleLoadingNeeds_DefinitionsCheckFailsNamingTheRule()
    {
        // E.g. a rule an upgrade made stricter that the engine relies on: the report says so instead of a 500.
        var container = azurite.Storage.Blobs.GetBlobContainerClient($"registry-{Guid.NewGuid():N}");
        await container.CreateAsync();
        var registry = new DefinitionRegistry(container);
        var sample = FraudHistory.Definitions;
        await registry.ApplyAsync(sample with { FeatureViews = [.. sample.FeatureViews.Select(v => v with { Entity = "nobody" })] }, null, DateTimeOffset.UnixEpoch);
        using var definitions = new RegistryDefinitionsSource(registry, TimeProvider.System, TimeSpan.FromMinutes(1));
        var health = new ServiceHealth(azurite.Storage, definitions, new ModelCache(new ModelRegistry(azurite.Storage), TimeProvider.System, TimeSpan.FromMinutes(1)));

        var report = await health.CheckAsync(CancellationToken.None);

        Assert.False(report.Healthy);
        var check = Assert.Single(report.Checks, c => c.Service == "definitions");
        Assert.False(check.Healthy);
        Assert.Contains("cannot be loaded by this release of Brisa", check.Detail, StringComparison.Ordinal);
        Assert.Contains("error BR0102: unknown entity 'nobody'", check.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a zip")]
    [InlineData("a zip without a model")]
    public async Task CheckAsync_ChampionMlNetCannotRead_ModelCheckFailsInTheReport(string kind)
    {
        var (model, current, registry) = await ModelCacheTests.TrainAndPromoteAsync(azurite.Storage);
        byte[] unreadable = kind == "not a zip" ? [1, 2, 3] : ModelCacheTests.NotAModel();
        var broken = ModelVersionId.Create(DateTimeOffset.UtcNow, unreadable);
        await registry.SaveVersionAsync(current with { Version = broken }, unreadable);
        await registry.PromoteAsync(model, broken, current.Version, "test", "test");
        var definitions = FraudHistory.Definitions with { Models = [FraudHistory.Definitions.Models[0] with { Name = model }] };
        var health = new ServiceHealth(azurite.Storage, new FixedDefinitionsSource(definitions), new ModelCache(registry, TimeProvider.System, TimeSpan.FromMinutes(1)));

        var report = await health.CheckAsync(CancellationToken.None);

        Assert.False(report.Healthy);
        var check = Assert.Single(report.Checks, c => c.Service == "model:" + model);
        Assert.False(check.Healthy);
        Assert.False(string.IsNullOrWhiteSpace(check.Detail));
    }

    [Fact]
    public async Task CheckAsync_RegistryRefusesTheInstance_ModelCheckGivesTheErrorsFirstLineOnly()
    {
        // The report is anonymous: a storage error's later lines (its response's headers and content) stay in the logs.
        var (model, _, _) = await ModelCacheTests.TrainAndPromoteAsync(azurite.Storage);
        var wrongKey = System.Text.RegularExpressions.Regex.Replace(azurite.ConnectionString, "AccountKey=[^;]+", "AccountKey=" + Convert.ToBase64String(new byte[64]));
        var refused = new ModelRegistry(new global::Azure.Storage.Blobs.BlobServiceClient(wrongKey).GetBlobContainerClient(Brisa.Azure.Storage.StorageNames.ModelsContainer));
        var definitions = FraudHistory.Definitions with { Models = [FraudHistory.Definitions.Models[0] with { Name = model }] };
        var health = new ServiceHealth(azurite.Storage, new FixedDefinitionsSource(definitions), new ModelCache(refused, TimeProvider.System, TimeSpan.FromMinutes(1)));

        var check = Assert.Single((await health.CheckAsync(CancellationToken.None)).Checks, c => c.Service == "model:" + model);

        Assert.False(check.Healthy);
        Assert.Contains("failed to authenticate", check.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', check.Detail!);
    }

    [Fact]
    public async Task CheckAsync_ShadowChallengerCannotBeLoaded_ModelCheckStaysHealthyAndSaysSoWithTheCounts()
    {
        // Shadow scoring never changes an answer, so it never fails the check; but the operator must see it stopped.
        var (model, current, registry) = await ModelCacheTests.TrainAndPromoteAsync(azurite.Storage);
        var unreadable = ModelCacheTests.NotAModel();
        var broken = ModelVersionId.Create(DateTimeOffset.UtcNow, unreadable);
        await registry.SaveVersionAsync(current with { Version = broken }, unreadable);
        await registry.SetChallengerAsync(model, broken, "test", "test");
        var cache = new ModelCache(registry, TimeProvider.System, TimeSpan.FromMinutes(1));
        Assert.Null(await cache.LoadShadowChallengerAsync(model)); // the instance's warm-up: one failed load
        var shadowOn = FraudHistory.Definitions.Models[0] with { Name = model, Serving = new ServingPolicy { ShadowChallenger = true } };
        var health = new ServiceHealth(azurite.Storage, new FixedDefinitionsSource(FraudHistory.Definitions with { Models = [shadowOn] }), cache);

        var report = await health.CheckAsync(CancellationToken.None);

        Assert.True(report.Healthy);
        var check = Assert.Single(report.Checks, c => c.Service == "model:" + model);
        Assert.StartsWith($"champion {current.Version}; shadow challenger {broken} could not be loaded (", check.Detail, StringComparison.Ordinal);
        Assert.EndsWith("; failed on this instance since it started: 1 challenger load(s), 0 shadow scoring(s)", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_ChampionPromotedLaterCannotBeLoaded_ModelCheckFailsNamingBothVersions()
    {
        // The instance loaded a good champion; then one ML.NET cannot read is promoted. Predict keeps serving the
        // loaded one (a warning is logged): health must not go on reporting that one as the champion, all green.
        var (model, current, registry) = await ModelCacheTests.TrainAndPromoteAsync(azurite.Storage);
        var logs = new ListLoggerProvider();
        var cache = new ModelCache(registry, TimeProvider.System, TimeSpan.FromMilliseconds(50), logs.CreateLogger<ModelCache>());
        var definitions = FraudHistory.Definitions with { Models = [FraudHistory.Definitions.Models[0] with { Name = model }] };
        var health = new ServiceHealth(azurite.Storage, new FixedDefinitionsSource(definitions), cache);
        Assert.True((await health.CheckAsync(CancellationToken.None)).Healthy);

        var unreadable = ModelCacheTests.NotAModel();
        var broken = ModelVersionId.Create(DateTimeOffset.UtcNow, unreadable);
        await registry.SaveVersionAsync(current with { Version = broken }, unreadable);
        await registry.PromoteAsync(model, broken, current.Version, "test", "test");
        await Task.Delay(100);
        await health.CheckAsync(CancellationToken.None); // starts the background refresh, which fails
        for (var i = 0; i < 200 && !logs.Entries.Any(e => e.Level == LogLevel.Warning); i++)
        {
            await Task.Delay(50);
        }

        var report = await health.CheckAsync(CancellationToken.None);

        Assert.False(report.Healthy);
        var check = Assert.Single(report.Checks, c => c.Service == "model:" + model);
        Assert.False(check.Healthy);
        Assert.Contains($"champion {broken} could not be loaded", check.Detail, StringComparison.Ordinal);
        Assert.Contains($"still serving {current.Version}", check.Detail, StringComparison.Ordinal);

        // Rolled back to the loaded version: healthy again once the cache has seen it.
        await registry.RollbackAsync(model, current.Version, "test", "test");
        for (var i = 0; i < 200 && !(await health.CheckAsync(CancellationToken.None)).Healthy; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal($"champion {current.Version}", Assert.Single((await health.CheckAsync(CancellationToken.None)).Checks, c => c.Service == "model:" + model).Detail);
    }
}
