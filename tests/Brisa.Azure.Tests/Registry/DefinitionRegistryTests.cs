using Azure.Storage.Blobs;
using Brisa.Azure.Models;
using Brisa.Azure.Registry;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Registry;

[Collection(AzuriteCollection.Name)]
public sealed class DefinitionRegistryTests(AzuriteFixture azurite)
{
    private static readonly FeatureRepositoryDefinition Sample = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;

    private async Task<DefinitionRegistry> FreshRegistryAsync()
    {
        var container = azurite.Storage.Blobs.GetBlobContainerClient($"registry-{Guid.NewGuid():N}");
        await container.CreateAsync();
        return new DefinitionRegistry(container);
    }

    [Fact]
    public async Task Apply_ThenLoadCurrent_ReturnsSameDefinitionsAndCommit()
    {
        var registry = await FreshRegistryAsync();

        var pointer = await registry.ApplyAsync(Sample, "abc123", DateTimeOffset.UnixEpoch);
        var loaded = await registry.LoadCurrentAsync();

        Assert.Equal(Sample.ComputeVersion(), pointer.Version);
        Assert.Equal(Sample.ComputeVersion(), loaded!.ComputeVersion());
        Assert.Equal("abc123", (await registry.GetPointerAsync())!.GitCommit);
    }

    [Fact]
    public async Task LoadCurrent_EarlierReleaseAppliedDefinitionsBreakingPolicyRules_LoadsWithTheRulesAsWarnings()
    {
        // Valid when an earlier release applied them; BR0525 and BR0105 came (or widened) later.
        var registry = await FreshRegistryAsync();
        await registry.ApplyAsync(EarlierReleaseDefinitions.Definitions, "earlier-release", DateTimeOffset.UnixEpoch);

        var loaded = await registry.LoadCurrentAsync();
        var plan = await registry.PlanChangesAsync(Sample);

        Assert.Equal(EarlierReleaseDefinitions.Definitions.ComputeVersion(), loaded!.ComputeVersion());
        Assert.Equal(["BR0105", "BR0525"], loaded.StoredWarnings.Select(w => w.Code).Order(StringComparer.Ordinal));
        Assert.NotNull(loaded.FindOnDemandFeature("channel")!.Compiled);
        Assert.Equal(loaded.StoredWarnings, plan.DeployedWarnings);
    }

    [Fact]
    public async Task LoadCurrent_StoredVersionBreaksARuleLoadingNeeds_ThrowsNamingTheVersionAndTheRule()
    {
        var registry = await FreshRegistryAsync();
        var broken = Sample with
        {
            FeatureViews = [.. Sample.FeatureViews.Select(v => v.Name == "merchant_1h" ? v with { Entity = "merchnt" } : v)],
        };
        await registry.ApplyAsync(broken, null, DateTimeOffset.UnixEpoch);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => registry.LoadCurrentAsync());

        Assert.StartsWith($"The applied definitions (registry-", error.Message, StringComparison.Ordinal);
        Assert.Contains($"/versions/{broken.ComputeVersion()}.json) cannot be loaded by this release of Brisa.", error.Message, StringComparison.Ordinal);
        Assert.Contains("definitions.json: error BR0102: unknown entity 'merchnt'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanChanges_LiveVersionANewerBuildApplied_OneBreakingChangeAndApplyReplacesIt()
    {
        // A newer build stored a key this release does not know; a code rollback's apply must not be stuck behind it.
        var container = azurite.Storage.Blobs.GetBlobContainerClient($"registry-{Guid.NewGuid():N}");
        await container.CreateAsync();
        var registry = new DefinitionRegistry(container);
        var newer = Sample with { Description = "applied by a newer build" };
        var pointer = await registry.ApplyAsync(newer, "newer-build", DateTimeOffset.UnixEpoch);
        var stored = container.GetBlobClient($"versions/{pointer.Version}.json");
        var json = (await stored.DownloadContentAsync()).Value.Content.ToString();
        await stored.UploadAsync(BinaryData.FromString(json.Insert(json.LastIndexOf('}'), ",\"key_from_the_future\":1")), overwrite: true);

        var plan = await registry.PlanChangesAsync(Sample);
        var applied = await registry.ApplyAsync(Sample, plan, "rolled-back", DateTimeOffset.UnixEpoch.AddDays(1));

        var change = Assert.Single(plan.Changes);
        Assert.True(change.IsBreaking);
        Assert.Contains($"the live version {pointer.Version[..12]} cannot be read by this release", change.Breaking, StringComparison.Ordinal);
        Assert.Contains("key_from_the_future", change.Breaking, StringComparison.Ordinal);
        Assert.Equal(pointer.Version, plan.Deployed!.Version);
        Assert.Equal(pointer.Version, applied.PreviousVersion);
        Assert.Equal(Sample.ComputeVersion(), (await registry.LoadCurrentAsync())!.ComputeVersion());
    }

    [Fact]
    public async Task Plan_AfterApplyingSameFile_NoChanges()
    {
        var registry = await FreshRegistryAsync();
        Assert.Equal(14, (await registry.PlanAsync(Sample)).Count);

        await registry.ApplyAsync(Sample, null, DateTimeOffset.UnixEpoch);

        Assert.Empty(await registry.PlanAsync(Sample));
    }

    [Fact]
    public async Task Plan_ChangedView_ReportsChangeOnlyForIt()
    {
        var registry = await FreshRegistryAsync();
        await registry.ApplyAsync(Sample, null, DateTimeOffset.UnixEpoch);
        var changed = Sample with
        {
            FeatureViews = Sample.FeatureViews.Select(v => v.Name == "customer_7d" ? v with { Ttl = TimeSpan.FromDays(3) } : v).ToArray(),
        };

        var plan = await registry.PlanAsync(changed);

        Assert.Equal([new DefinitionChange(ChangeKind.Change, "feature_view", "customer_7d", Details: "ttl: 2d → 3d")], plan);
    }

    [Fact]
    public async Task Apply_Twice_SecondRecordsPreviousVersion()
    {
        var registry = await FreshRegistryAsync();
        var first = await registry.ApplyAsync(Sample, null, DateTimeOffset.UnixEpoch);
        var changed = Sample with { Description = "changed" };

        var second = await registry.ApplyAsync(changed, null, DateTimeOffset.UnixEpoch);

        Assert.Equal(first.Version, second.PreviousVersion);
        Assert.NotEqual(first.Version, second.Version);
    }

    [Fact]
    public async Task Apply_SameVersionAgain_KeepsTheVersionItReplaced()
    {
        var registry = await FreshRegistryAsync();
        var first = await registry.ApplyAsync(Sample, "c1", DateTimeOffset.UnixEpoch);
        var changed = Sample with { Description = "changed" };
        await registry.ApplyAsync(changed, "c2", DateTimeOffset.UnixEpoch);

        var again = await registry.ApplyAsync(changed, "c3", DateTimeOffset.UnixEpoch.AddHours(1));

        Assert.Equal(changed.ComputeVersion(), again.Version);
        Assert.Equal(first.Version, again.PreviousVersion);
        Assert.Equal(first.Version, (await registry.GetPointerAsync())!.PreviousVersion);
    }

    [Fact]
    public async Task Apply_RegistryMovedAfterThePlan_RefusesAndKeepsTheOtherApply()
    {
        var registry = await FreshRegistryAsync();
        await registry.ApplyAsync(Sample, "base", DateTimeOffset.UnixEpoch);
        var mine = Sample with { Description = "mine" };
        var theirs = Sample with { FeatureViews = Sample.FeatureViews.Where(v => v.Name != "merchant_1h").ToArray(), Models = [] };
        var plan = await registry.PlanChangesAsync(mine);

        await registry.ApplyAsync(theirs, "theirs", DateTimeOffset.UnixEpoch);

        // The plan showed one description change; applying it now would silently drop merchant_1h.
        Assert.Equal([new DefinitionChange(ChangeKind.Change, "project", "fraud", Details: "description")], plan.Changes);
        await Assert.ThrowsAsync<InvalidOperationException>(() => registry.ApplyAsync(mine, plan, "mine", DateTimeOffset.UnixEpoch));
        Assert.Equal(theirs.ComputeVersion(), (await registry.GetPointerAsync())!.Version);
    }

    [Fact]
    public async Task Apply_TwoFirstAppliesPlannedOnAnEmptyRegistry_OnlyOneWins()
    {
        var registry = await FreshRegistryAsync();
        var mine = Sample with { Description = "mine" };
        var theirs = Sample with { Description = "theirs" };
        var myPlan = await registry.PlanChangesAsync(mine);
        var theirPlan = await registry.PlanChangesAsync(theirs);

        await registry.ApplyAsync(theirs, theirPlan, "theirs", DateTimeOffset.UnixEpoch);

        await Assert.ThrowsAsync<InvalidOperationException>(() => registry.ApplyAsync(mine, myPlan, "mine", DateTimeOffset.UnixEpoch));
        Assert.Equal(("theirs", theirs.ComputeVersion()), ((await registry.GetPointerAsync())!.GitCommit, (await registry.LoadCurrentAsync())!.ComputeVersion()));
    }

    [Fact]
    public async Task PlanChanges_FeatureOnlyTheChampionWasTrainedOn_IsBreaking()
    {
        // The model's definition dropped merchant_7d:merchant_txn_count_7d after its champion was trained on it (not
        // breaking: the champion keeps its inputs). Removing the feature from the view then answers 409 to every
        // predict until a retrained version is promoted.
        var registryContainer = azurite.Storage.Blobs.GetBlobContainerClient($"registry-{Guid.NewGuid():N}");
        var modelsContainer = azurite.Storage.Blobs.GetBlobContainerClient($"models-{Guid.NewGuid():N}");
        await registryContainer.CreateAsync();
        await modelsContainer.CreateAsync();
        var models = new ModelRegistry(modelsContainer);
        var registry = new DefinitionRegistry(registryContainer, models);
        await registry.ApplyAsync(Sample, "deployed", DateTimeOffset.UnixEpoch);
        var champion = TrainingReports.Binary("fraud", DateTimeOffset.UnixEpoch) with
        {
            Version = "v19700101000000000-1a2b3c4d",
            Inputs = [new ModelInput("merchant_7d:merchant_txn_count_7d", FeatureKind.Numeric, "native_missing"), new ModelInput("amount", FeatureKind.Numeric, "native_missing")],
        };
        await models.SaveVersionAsync(champion, new byte[] { 1 });
        await models.PromoteAsync("fraud", champion.Version, null, "test", "test");
        var proposed = Sample with
        {
            FeatureViews = [.. Sample.FeatureViews.Select(v => v.Name != "merchant_7d" ? v : v with { Features = [.. v.Features.Where(f => f.Name != "merchant_txn_count_7d")] })],
        };

        var plan = await registry.PlanChangesAsync(proposed);

        Assert.Equal("feature merchant_7d:merchant_txn_count_7d is removed, used by model fraud (its champion v19700101000000000-1a2b3c4d)", Assert.Single(plan.Changes).Breaking);
        Assert.False(Assert.Single(await new DefinitionRegistry(registryContainer).PlanAsync(proposed)).IsBreaking);
    }
}
