using System.IO.Compression;
using Azure.Core;
using Azure.Storage.Blobs;
using Brisa.Azure.Models;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Models;

[Collection(AzuriteCollection.Name)]
public sealed class ModelRegistryTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Run_WorseChallenger_NotPromoted_BetterPromoted_RollbackRestores()
    {
        var (registry, service, model) = Setup();

        var weak = await service.RunAsync(model, Table(seed: 1, corruptTraining: 0.9));
        Assert.True(weak.Status == TrainingRunStatus.Promoted, weak.Message);
        Assert.StartsWith("Promoted: no champion yet", weak.Message, StringComparison.Ordinal);

        var better = await service.RunAsync(model, Table(seed: 1, corruptTraining: 0));
        Assert.True(better.Status == TrainingRunStatus.Promoted, better.Message);
        Assert.Equal(weak.Report!.Version, better.Report!.Promotion!.ChampionVersion);
        Assert.True(better.Report.Promotion.CandidateValue < better.Report.Promotion.ChampionValue);

        var worse = await service.RunAsync(model, Table(seed: 1, corruptTraining: 0.95));
        Assert.Equal(TrainingRunStatus.Challenger, worse.Status);
        Assert.Contains("does not beat the champion", worse.Message, StringComparison.Ordinal);
        var aliases = (await registry.GetAliasesAsync(model.Name)).Aliases;
        Assert.Equal(better.Report.Version, aliases.Champion);
        Assert.Equal(worse.Report!.Version, aliases.Challenger);

        await registry.RollbackAsync(model.Name, null, "bad release", "test");
        aliases = (await registry.GetAliasesAsync(model.Name)).Aliases;
        Assert.Equal(weak.Report.Version, aliases.Champion);
        Assert.Empty(aliases.PreviousChampions);

        var history = await registry.GetHistoryAsync(model.Name);
        Assert.Equal(
            [ModelHistoryAction.Promote, ModelHistoryAction.Promote, ModelHistoryAction.Challenger, ModelHistoryAction.Rollback],
            history.Select(h => h.Action));
        Assert.Equal(better.Report.Version, history[^1].PreviousChampion);
        Assert.Equal([weak.Report.Version, better.Report.Version, worse.Report.Version], await registry.ListVersionsAsync(model.Name));

        var metadata = await registry.GetMetadataAsync(model.Name, better.Report.Version);
        Assert.Equal(better.Report.ToJson(), metadata!.ToJson());
        Assert.Equal(["x", "noise", "kind"], metadata.Inputs.Select(i => i.Name));
        Assert.NotEmpty(metadata.Baseline[0].BinCounts);
        Assert.Contains(model.Name, await registry.ListModelsAsync());
    }

    [Fact]
    public async Task Run_ValidationWindowLengthenedOverTheChampionsTrainingRows_StaysChallengerAndSaysWhy()
    {
        var (registry, service, model) = Setup();
        var weak = await service.RunAsync(model, Table(seed: 1, corruptTraining: 0.9));
        Assert.True(weak.Status == TrainingRunStatus.Promoted, weak.Message);

        // Twice the window now reaches back over rows the champion was trained on: scored on them, it would look
        // better than it is, so the (better) candidate is kept as challenger for a person to decide.
        var longer = model with { Split = new SplitDefinition { Validation = TimeSpan.FromDays(6) } };
        var better = await service.RunAsync(longer, Table(seed: 1, corruptTraining: 0));

        Assert.Equal(TrainingRunStatus.Challenger, better.Status);
        Assert.Contains("champion_comparable", better.Report!.Promotion!.Guardrails.Where(c => !c.Passed).Select(c => c.Name));
        Assert.Contains("rows it learned from", better.Message, StringComparison.Ordinal);
        Assert.Equal(weak.Report!.Version, (await registry.GetAliasesAsync(model.Name)).Aliases.Champion);
    }

    [Fact]
    public async Task Run_ChampionZipOverTheLimit_StaysChallengerAndSaysWhy()
    {
        // The registry reads no model.zip over its limit (a huge or hostile file would take the memory): the champion
        // is then not compared, and the candidate is kept as challenger, the reason naming the setting.
        var (registry, service, model) = Setup(maxModelZipBytes: 1000);
        var first = await service.RunAsync(model, Table(seed: 1, corruptTraining: 0.9));
        Assert.True(first.Status == TrainingRunStatus.Promoted, first.Message);

        var second = await service.RunAsync(model, Table(seed: 1, corruptTraining: 0));

        Assert.Equal(TrainingRunStatus.Challenger, second.Status);
        Assert.Contains("champion_comparable", second.Report!.Promotion!.Guardrails.Where(c => !c.Passed).Select(c => c.Name));
        Assert.Contains($"could not be re-evaluated on the same window (Model '{model.Name}' version '{first.Report!.Version}': its model.zip is ", second.Message, StringComparison.Ordinal);
        Assert.Contains("over the limit of 1000 bytes (Brisa:Models:MaxZipBytes)", second.Message, StringComparison.Ordinal);
        Assert.Equal(first.Report.Version, (await registry.GetAliasesAsync(model.Name)).Aliases.Champion);
    }

    [Fact]
    public async Task DownloadModelAsync_FileOrWhatItUnpacksToOverTheLimit_Refused()
    {
        var (registry, _, model) = Setup();
        var version = await SaveAsync(registry, model, Table(seed: 3, corruptTraining: 0));
        var zip = await registry.DownloadModelAsync(model.Name, version);
        var report = (await registry.GetMetadataAsync(model.Name, version))!;

        // A small file that unpacks to 4 MiB (zeros deflate about a thousandfold).
        var bomb = ZipOfZeros(4 * 1024 * 1024);
        Assert.True(bomb.Length < 64 * 1024, $"{bomb.Length} bytes");
        var bombVersion = ModelVersionId.Create(T0, bomb);
        await registry.SaveVersionAsync(report with { Version = bombVersion }, bomb);

        var limited = new ModelRegistry(azurite.Storage, maxModelZipBytes: 64 * 1024);
        Assert.True(zip.Length < 64 * 1024, $"{zip.Length} bytes");
        Assert.Equal(zip, await limited.DownloadModelAsync(model.Name, version));
        var unpacked = await Assert.ThrowsAsync<ModelTooLargeException>(() => limited.DownloadModelAsync(model.Name, bombVersion));
        Assert.Contains($"Model '{model.Name}' version '{bombVersion}': its model.zip unpacks to 4194304 bytes, over the limit of 65536 bytes (Brisa:Models:MaxZipBytes)", unpacked.Message, StringComparison.Ordinal);

        var smaller = new ModelRegistry(azurite.Storage, maxModelZipBytes: zip.Length - 1);
        var file = await Assert.ThrowsAsync<ModelTooLargeException>(() => smaller.DownloadModelAsync(model.Name, version));
        Assert.Contains($"its model.zip is {zip.Length} bytes, over the limit of {zip.Length - 1} bytes", file.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_TwoConcurrentPromotions_OnlyOneWins()
    {
        var (registry, _, model) = Setup();
        var first = await SaveAsync(registry, model, Table(seed: 2, corruptTraining: 0));
        await registry.PromoteAsync(model.Name, first, null, "first", "test");
        var a = await SaveAsync(registry, model, Table(seed: 3, corruptTraining: 0));
        var b = await SaveAsync(registry, model, Table(seed: 4, corruptTraining: 0));

        var results = await Task.WhenAll(
            Attempt(() => registry.PromoteAsync(model.Name, a, first, "a", "test")),
            Attempt(() => registry.PromoteAsync(model.Name, b, first, "b", "test")));
        Assert.Equal(1, results.Count(r => r is null));
        Assert.IsType<ModelConcurrencyException>(Assert.Single(results, r => r is not null));

        var aliases = (await registry.GetAliasesAsync(model.Name)).Aliases;
        Assert.Contains(aliases.Champion, new[] { a, b });
        Assert.Equal([first], aliases.PreviousChampions);

        // A promotion decided against a champion that has since changed is refused too.
        var stale = await Assert.ThrowsAsync<ModelConcurrencyException>(() => registry.PromoteAsync(model.Name, aliases.Champion == a ? b : a, first, "late", "test"));
        Assert.Contains("re-evaluate", stale.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_SameVersionTwice_IsRefusedAndIncompleteVersionCannotBeAliased()
    {
        var (registry, _, model) = Setup();
        var outcome = ModelTraining.Train(model, Table(seed: 5, corruptTraining: 0), new TrainingOptions { ComputeImportance = false });
        await registry.SaveVersionAsync(outcome.Report, outcome.ModelBytes);
        await Assert.ThrowsAsync<InvalidOperationException>(() => registry.SaveVersionAsync(outcome.Report, outcome.ModelBytes));

        var partial = "v20260301000000000-0123abcd";
        await registry.Container.GetBlobClient($"{model.Name}/{partial}/model.zip").UploadAsync(BinaryData.FromBytes(outcome.ModelBytes));
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => registry.PromoteAsync(model.Name, partial, null, "x", "test"));
        Assert.Contains("no complete version", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(partial, await registry.ListVersionsAsync(model.Name));
    }

    [Fact]
    public async Task Run_LockHeldByAnotherRun_ExitsWithClearMessage()
    {
        var (registry, service, model) = Setup();
        await using (var held = await registry.TryLockForTrainingAsync(model.Name, TimeSpan.Zero))
        {
            Assert.NotNull(held);
            Assert.Null(await registry.TryLockForTrainingAsync(model.Name, TimeSpan.Zero));
            var result = await service.RunAsync(model, Table(seed: 6, corruptTraining: 0));
            Assert.Equal(TrainingRunStatus.Busy, result.Status);
            Assert.Contains("being trained by another run", result.Message, StringComparison.Ordinal);
        }

        await using var again = await registry.TryLockForTrainingAsync(model.Name, TimeSpan.Zero);
        Assert.NotNull(again);
    }

    [Fact]
    public async Task Rollback_ToVersionNeverChampion_PlainRollbackThenRestoresTheReplacedChampion()
    {
        var (registry, model, v) = await ChampionsAsync(3);
        await registry.PromoteAsync(model, v[0], null, "first", "test");
        await registry.PromoteAsync(model, v[1], v[0], "second", "test");

        await registry.RollbackAsync(model, v[2], "try the other one", "test");
        var aliases = await registry.RollbackAsync(model, null, "back again", "test");

        Assert.Equal(v[1], aliases.Champion);
        Assert.Equal([v[0]], aliases.PreviousChampions);
    }

    [Fact]
    public async Task Rollback_ToTheChallenger_ClearsTheChallenger()
    {
        var (registry, model, v) = await ChampionsAsync(3);
        await registry.PromoteAsync(model, v[0], null, "first", "test");
        await registry.PromoteAsync(model, v[1], v[0], "second", "test");
        await registry.SetChallengerAsync(model, v[2], "not better", "test");

        var aliases = await registry.RollbackAsync(model, v[2], "the challenger is better after all", "test");

        Assert.Equal(v[2], aliases.Champion);
        Assert.Null(aliases.Challenger);
        Assert.Null((await registry.GetAliasesAsync(model)).Aliases.Challenger);
        Assert.Equal([v[0], v[1]], aliases.PreviousChampions);
    }

    [Fact]
    public async Task Promote_EarlierChampion_ListsEachPreviousChampionOnceWithoutTheChampion()
    {
        var (registry, model, v) = await ChampionsAsync(3);
        await registry.PromoteAsync(model, v[0], null, "first", "test");
        await registry.PromoteAsync(model, v[1], v[0], "second", "test");
        await registry.PromoteAsync(model, v[2], v[1], "third", "test");

        var aliases = await registry.PromoteAsync(model, v[0], v[2], "the first was best", "test");

        Assert.Equal(v[0], aliases.Champion);
        Assert.Equal([v[1], v[2]], aliases.PreviousChampions);
        Assert.Equal(v[2], (await registry.RollbackAsync(model, null, "undo", "test")).Champion);
    }

    [Fact]
    public async Task Promote_TheChampionAgain_PlainRollbackStillRestoresThePreviousOne()
    {
        var (registry, model, v) = await ChampionsAsync(2);
        await registry.PromoteAsync(model, v[0], null, "first", "test");
        await registry.PromoteAsync(model, v[1], v[0], "second", "test");
        await registry.PromoteAsync(model, v[1], v[1], "again", "test");

        var aliases = await registry.RollbackAsync(model, null, "undo", "test");

        Assert.Equal(v[0], aliases.Champion);
        Assert.Empty(aliases.PreviousChampions);
    }

    [Fact]
    public async Task Rollback_ExpectedChampionReplacedSince_ThrowsAndChangesNothing()
    {
        var (registry, model, v) = await ChampionsAsync(3);
        await registry.PromoteAsync(model, v[0], null, "first", "test");
        await registry.PromoteAsync(model, v[1], v[0], "bad one", "test");
        await registry.PromoteAsync(model, v[2], v[1], "retrained meanwhile", "test");
        var before = await registry.GetAliasesAsync(model);

        var refused = await Assert.ThrowsAsync<ModelConcurrencyException>(() => registry.RollbackAsync(model, null, "undo the bad one", "test", expectedChampion: v[1]));

        Assert.Contains($"the champion is {v[2]}, not {v[1]}", refused.Message, StringComparison.Ordinal);
        var after = await registry.GetAliasesAsync(model);
        Assert.Equal(before.ETag, after.ETag);
        Assert.Equal(v[2], after.Aliases.Champion);
        Assert.Equal(v[1], (await registry.RollbackAsync(model, null, "undo the new one", "test", expectedChampion: v[2])).Champion);
    }

    [Fact]
    public async Task Promote_ChallengerSetMeanwhile_PromotedAsTheChampionIsUnchanged()
    {
        // An operator promotes v1 over champion v0 while a retraining on another instance sets its version as
        // challenger. Before, the promotion failed on the aliases' ETag although the champion it was decided against
        // was still champion: a retraining's promotion lost that way became a challenger instead.
        var (registry, model, v) = await ChampionsAsync(3);
        await registry.PromoteAsync(model, v[0], null, "first", "test");

        var promoted = await ChangedElsewhereWhileAsync(
            model,
            other => other.PromoteAsync(model, v[1], v[0], "operator", "test"),
            () => registry.SetChallengerAsync(model, v[2], "retrained", "test"));

        Assert.Equal((v[1], v[2]), (promoted.Champion, promoted.Challenger));
        var aliases = (await registry.GetAliasesAsync(model)).Aliases;
        Assert.Equal((v[1], v[2]), (aliases.Champion, aliases.Challenger));
        Assert.Equal([v[0]], aliases.PreviousChampions);
        Assert.Equal(
            [(ModelHistoryAction.Promote, v[0]), (ModelHistoryAction.Challenger, v[2]), (ModelHistoryAction.Promote, v[1])],
            (await registry.GetHistoryAsync(model)).Select(h => (h.Action, h.Version)));
    }

    [Fact]
    public async Task Rollback_ChallengerSetMeanwhile_RolledBackAsTheChampionIsUnchanged()
    {
        var (registry, model, v) = await ChampionsAsync(3);
        await registry.PromoteAsync(model, v[0], null, "first", "test");
        await registry.PromoteAsync(model, v[1], v[0], "bad one", "test");

        var rolledBack = await ChangedElsewhereWhileAsync(
            model,
            other => other.RollbackAsync(model, null, "undo the bad one", "test"),
            () => registry.SetChallengerAsync(model, v[2], "retrained", "test"));

        Assert.Equal((v[0], v[2]), (rolledBack.Champion, rolledBack.Challenger));
        var aliases = (await registry.GetAliasesAsync(model)).Aliases;
        Assert.Equal((v[0], v[2]), (aliases.Champion, aliases.Challenger));
        Assert.Empty(aliases.PreviousChampions);
    }

    [Fact]
    public async Task Rollback_AnotherChampionPromotedMeanwhile_RefusedAndTheNewChampionStays()
    {
        // A plain rollback is decided against the champion the operator's read saw: a promotion landing in between is
        // not rolled back in its place.
        var (registry, model, v) = await ChampionsAsync(3);
        await registry.PromoteAsync(model, v[0], null, "first", "test");
        await registry.PromoteAsync(model, v[1], v[0], "bad one", "test");

        var refused = await Assert.ThrowsAsync<ModelConcurrencyException>(() => ChangedElsewhereWhileAsync(
            model,
            other => other.RollbackAsync(model, null, "undo the bad one", "test"),
            () => registry.PromoteAsync(model, v[2], v[1], "retrained meanwhile", "test")));
        Assert.Contains(v[2], refused.Message, StringComparison.Ordinal);
        var aliases = (await registry.GetAliasesAsync(model)).Aliases;
        Assert.Equal(v[2], aliases.Champion);
        Assert.Equal([v[0], v[1]], aliases.PreviousChampions);
    }

    /// <summary>
    /// Runs <paramref name="change"/> on another instance's registry, held just before its write of the model's aliases
    /// (after its read) while <paramref name="meanwhile"/> runs to the end.
    /// </summary>
    private async Task<ModelAliases> ChangedElsewhereWhileAsync(string model, Func<ModelRegistry, Task<ModelAliases>> change, Func<Task> meanwhile)
    {
        var gate = new RequestGate(r => r.Method == RequestMethod.Put && r.Uri.Path.EndsWith($"/models/{model}/aliases.json", StringComparison.Ordinal));
        var blobs = new BlobServiceClient(azurite.ConnectionString, gate.Gating(new BlobClientOptions()));
        var changing = change(new ModelRegistry(blobs.GetBlobContainerClient(StorageNames.ModelsContainer)));
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(20));
        await meanwhile();
        gate.Open();
        return await changing.WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>A fresh model with <paramref name="count"/> saved versions, oldest first, none aliased yet.</summary>
    private async Task<(ModelRegistry Registry, string Model, string[] Versions)> ChampionsAsync(int count)
    {
        var (registry, _, model) = Setup();
        var versions = new string[count];
        for (var i = 0; i < count; i++)
        {
            versions[i] = await SaveAsync(registry, model, Table(seed: 20 + i, corruptTraining: 0));
        }

        return (registry, model.Name, versions);
    }

    private (ModelRegistry Registry, ModelTrainingService Service, ModelDefinition Model) Setup(long maxModelZipBytes = ModelRegistry.DefaultMaxModelZipBytes)
    {
        var registry = new ModelRegistry(azurite.Storage, maxModelZipBytes: maxModelZipBytes);
        return (registry, new ModelTrainingService(registry), NewModel());
    }

    /// <summary>A model of its own name over <see cref="Table"/>'s columns (30 LightGBM iterations: trained in about a second).</summary>
    internal static ModelDefinition NewModel() =>
        new()
        {
            Name = "m" + Guid.NewGuid().ToString("N")[..10],
            ObservationSource = "obs",
            Label = new LabelDefinition { Source = "lbl", Key = "id", Within = TimeSpan.FromDays(1) },
            RequestFields = ["x", "noise", "kind"],
            Trainer = new TrainerDefinition { Parameters = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["number_of_iterations"] = "30", ["seed"] = "1" } },
            Split = new SplitDefinition { Validation = TimeSpan.FromDays(3) },
            Promotion = new PromotionPolicy { Margin = 0.02, MinRows = 100, MinPositives = 10 },
            Cost = new CostMatrix { FalseNegative = CostAmount.FromField("amount"), FalsePositive = 5, TruePositive = 5, Currency = "EUR" },
        };

    private static async Task<string> SaveAsync(ModelRegistry registry, ModelDefinition model, TrainingTable table)
    {
        var outcome = ModelTraining.Train(model, table, new TrainingOptions { ComputeImportance = false });
        await registry.SaveVersionAsync(outcome.Report, outcome.ModelBytes);
        return outcome.Report.Version;
    }

    private static byte[] ZipOfZeros(int length)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("zeros.bin", CompressionLevel.SmallestSize).Open();
            entry.Write(new byte[length]);
        }

        return buffer.ToArray();
    }

    private static async Task<Exception?> Attempt(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    /// <summary>
    /// 3000 rows over 10 days: the label depends on x; <paramref name="corruptTraining"/> of the training-period
    /// labels (older than the 3-day validation window) are replaced by coin flips at the base rate.
    /// </summary>
    internal static TrainingTable Table(int seed, double corruptTraining)
    {
        const int N = 3000;
        var random = new Random(seed);
        var times = new DateTimeOffset[N];
        var labels = new float[N];
        var x = new float[N];
        var noise = new float[N];
        var kind = new string?[N];
        var amounts = new double[N];
        for (var i = 0; i < N; i++)
        {
            times[i] = T0.AddMinutes(i * 10.0 * 24 * 60 / N);
            x[i] = (float)random.NextDouble();
            noise[i] = random.NextDouble() < 0.05 ? float.NaN : (float)random.NextDouble();
            kind[i] = random.Next(10) switch { < 5 => "a", < 9 => "b", _ => null };
            amounts[i] = 20 + (random.NextDouble() * 200);
            var p = 1 / (1 + Math.Exp(-12 * (x[i] - 0.85)));
            labels[i] = random.NextDouble() < p ? 1 : 0;
            if (times[i] < T0.AddDays(7) && random.NextDouble() < corruptTraining)
            {
                labels[i] = random.NextDouble() < 0.15 ? 1 : 0;
            }
        }

        return new TrainingTable(
            times,
            labels,
            [FeatureColumn.Numeric("x", x), FeatureColumn.Numeric("noise", noise), FeatureColumn.Categorical("kind", kind)],
            new Dictionary<string, double[]> { ["amount"] = amounts });
    }
}
