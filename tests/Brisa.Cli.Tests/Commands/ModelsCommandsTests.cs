using Brisa.Azure.Models;
using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Commands;

public sealed class ModelsCommandsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Theory]
    [InlineData("list")]
    [InlineData("rollback")]
    public async Task Models_NoStorageConfigured_ExitTwoSaysWhatToSet(string verb)
    {
        var (exitCode, output) = await CliRunner.RunAsync("models", verb, "fraud");

        Assert.Equal(2, exitCode);
        Assert.Contains("set AzureWebJobsStorage", output);
    }

    [Theory]
    [InlineData("models", "list", "fraud")]
    [InlineData("models", "rollback", "fraud")]
    [InlineData("train", "fraud")]
    public async Task ModelsAndTrain_IdentityBasedStorage_UseItInsteadOfAskingForAConnectionString(params string[] args)
    {
        // Endpoints that answer, over plain http, so the token credential refuses at once: proof the command went to
        // these URIs, with no Azure login.
        var environment = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage__blobServiceUri"] = $"http://127.0.0.1:{azurite.Azurite.BlobPort}/devstoreaccount1",
            ["AzureWebJobsStorage__queueServiceUri"] = $"http://127.0.0.1:{azurite.Azurite.QueuePort}/devstoreaccount1",
            ["AzureWebJobsStorage__tableServiceUri"] = $"http://127.0.0.1:{azurite.Azurite.TablePort}/devstoreaccount1",
        };

        var (exitCode, output) = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(1), environment, args);

        Assert.DoesNotContain("set AzureWebJobsStorage", output, StringComparison.Ordinal);
        Assert.Contains("HTTPS", output, StringComparison.Ordinal);
        Assert.Equal(1, exitCode);
    }

    [Theory]
    [InlineData(1, null, "has no previous champion to roll back to")]
    [InlineData(2, 1, "is already the champion")]
    public async Task Rollback_NothingToGoBackTo_ExitTwoPointsToTheVersions(int champions, int? version, string message)
    {
        var (_, model, versions) = await RegistryWithChampionsAsync(champions);
        string[] args = version is { } v ? ["models", "rollback", model, versions[v]] : ["models", "rollback", model];

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(1), azurite.ConnectionString, args);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.Contains($"Versions: 'brisa models list {model}'", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("promote", "v20990101000000000-deadbeef")]
    [InlineData("rollback", "v20990101000000000-deadbeef")]
    public async Task PromoteRollback_VersionNotInTheRegistry_ExitTwoNamesTheVersions(string verb, string version)
    {
        var model = $"m{Guid.NewGuid():N}"[..12];
        var storage = BrisaStorage.FromConnectionString(azurite.ConnectionString);
        await storage.EnsureCreatedAsync();
        var trained = TrainingReports.Binary(model, DateTimeOffset.UtcNow) with { Version = "v20260301000000000-0123abcd" };
        await new ModelRegistry(storage).SaveVersionAsync(trained, new byte[] { 1 });

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(1), azurite.ConnectionString, "models", verb, model, version);

        Assert.True(exitCode == 2, output);
        Assert.Contains($"model '{model}' has no version '{version}'. Versions: v20260301000000000-0123abcd", output, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_ExpectChampionButARetrainPromotedSince_ExitTwoNamesTheChampionAndChangesNothing()
    {
        // The operator saw v2 misbehave; before the rollback, a retrain promoted v3.
        var (registry, model, v) = await RegistryWithChampionsAsync(3);

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(1), azurite.ConnectionString, "models", "rollback", model, "--expect-champion", v[1], "--reason", "v2 misbehaves");

        Assert.True(exitCode == 2, output);
        Assert.Contains($"the champion of {model} is {v[2]}, not {v[1]} (--expect-champion): nothing was rolled back", output, StringComparison.Ordinal);
        var aliases = (await registry.GetAliasesAsync(model)).Aliases;
        Assert.Equal(v[2], aliases.Champion);
        Assert.Equal([v[0], v[1]], aliases.PreviousChampions);
        Assert.DoesNotContain(await registry.GetHistoryAsync(model), h => h.Action == ModelHistoryAction.Rollback);
    }

    [Fact]
    public async Task Rollback_ExpectChampionIsTheChampion_RollsBack()
    {
        var (registry, model, v) = await RegistryWithChampionsAsync(2);

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(1), azurite.ConnectionString, "models", "rollback", model, "--expect-champion", v[1]);

        Assert.True(exitCode == 0, output);
        Assert.Equal(v[0], (await registry.GetAliasesAsync(model)).Aliases.Champion);
    }

    [Fact]
    public async Task Promote_ExpectChampionButARetrainPromotedSince_ExitTwoNamesTheChampionAndChangesNothing()
    {
        // The operator decided to bring v1 back over v2; before the promotion, a retrain promoted v3.
        var (registry, model, v) = await RegistryWithChampionsAsync(3);
        var history = await registry.GetHistoryAsync(model);

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(1), azurite.ConnectionString, "models", "promote", model, v[0], "--expect-champion", v[1], "--reason", "v2 misbehaves");

        Assert.True(exitCode == 2, output);
        Assert.Contains($"the champion of {model} is {v[2]}, not {v[1]} (--expect-champion): nothing was promoted", output, StringComparison.Ordinal);
        var aliases = (await registry.GetAliasesAsync(model)).Aliases;
        Assert.Equal(v[2], aliases.Champion);
        Assert.Equal([v[0], v[1]], aliases.PreviousChampions);
        Assert.Equal(history.Count, (await registry.GetHistoryAsync(model)).Count);
    }

    [Fact]
    public async Task Promote_ExpectChampionIsTheChampion_Promotes()
    {
        var (registry, model, v) = await RegistryWithChampionsAsync(2);

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(1), azurite.ConnectionString, "models", "promote", model, v[0], "--expect-champion", v[1]);

        Assert.True(exitCode == 0, output);
        Assert.Contains($"of {model} is now {v[0]} (was {v[1]})", output, StringComparison.Ordinal);
        Assert.Equal(v[0], (await registry.GetAliasesAsync(model)).Aliases.Champion);
    }

    [Theory]
    [InlineData(new[] { "models", "list", "Fraud" }, "'Fraud' is not a model name")]
    [InlineData(new[] { "models", "rollback", "fraud", "--expect-champion", "latest" }, "--expect-champion 'latest' is not a model version")]
    [InlineData(new[] { "models", "promote", "fraud", "v20260301000000000-0123abcd", "--expect-champion", "latest" }, "--expect-champion 'latest' is not a model version")]
    [InlineData(new[] { "models", "rollback", "../fraud" }, "'../fraud' is not a model name")]
    [InlineData(new[] { "models", "promote", "fraud", "latest" }, "'latest' is not a model version")]
    public async Task Models_MalformedModelOrVersion_ExitTwoSaysWhatIsWrong(string[] args, string message)
    {
        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(1), azurite.ConnectionString, args);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", output, StringComparison.Ordinal);
    }

    // A model whose versions were promoted one after the other: the last is champion, the others previous champions.
    private async Task<(ModelRegistry Registry, string Model, string[] Versions)> RegistryWithChampionsAsync(int count)
    {
        var model = $"m{Guid.NewGuid():N}"[..12];
        var storage = BrisaStorage.FromConnectionString(azurite.ConnectionString);
        await storage.EnsureCreatedAsync();
        var registry = new ModelRegistry(storage);
        var versions = Enumerable.Range(1, count).Select(i => $"v2026030{i}000000000-0123abcd").ToArray();
        string? champion = null;
        foreach (var version in versions)
        {
            await registry.SaveVersionAsync(TrainingReports.Binary(model, DateTimeOffset.UtcNow) with { Version = version }, new byte[] { 1 });
            await registry.PromoteAsync(model, version, champion, "trained", "test");
            champion = version;
        }

        return (registry, model, versions);
    }

    [Theory]
    [InlineData("fraud_linaer", "unknown model 'fraud_linaer'. Known models: fraud.")]
    [InlineData("fruad", "unknown model 'fruad'. Did you mean 'fraud'? Known models: fraud.")]
    [InlineData("fraud", "model 'fraud' has no trained version yet: 'brisa train fraud' trains one.")]
    public async Task Models_NoVersions_SaysWhetherTheModelIsUnknownOrNotTrainedYet(string model, string message)
    {
        // The sample applied, its model never trained here (the other tests train models of random names).
        var storage = BrisaStorage.FromConnectionString(azurite.ConnectionString);
        await storage.EnsureCreatedAsync();
        var sample = DefinitionLoader.Load(Path.Combine(RepositoryPaths.Root, "samples", "fraud", "features.yaml")).Definitions!;
        await DefinitionRegistry.For(storage).ApplyAsync(sample, "test", DateTimeOffset.UtcNow);

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(1), azurite.ConnectionString, "models", "list", model);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_RegressionModel_ErrorMetricsInsteadOfAucAndSavings()
    {
        var model = $"r{Guid.NewGuid():N}"[..12];
        var storage = BrisaStorage.FromConnectionString(azurite.ConnectionString);
        await storage.EnsureCreatedAsync();
        var trained = TrainingReports.Binary(model, DateTimeOffset.UtcNow) with
        {
            Version = "v20260301000000000-0123abcd",
            Task = ModelTask.Regression,
            Evaluation = new ModelEvaluation(null, null, null, null, new RegressionMetrics(119, 1.8718, 1.5086, 0.9845)),
        };
        await new ModelRegistry(storage).SaveVersionAsync(trained, new byte[] { 1 });

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(1), azurite.ConnectionString, "models", "list", model);

        Assert.True(exitCode == 0, output);
        Assert.Matches(@"│ version\s+│ alias\s+│ trained\s+│ RMSE\s+│ MAE\s+│ R²\s+│", output);
        Assert.Matches(@"│ v20260301000000000-0123abcd\s+│\s+│ [0-9: -]+│ 1\.872\s+│ 1\.509\s+│ 0\.985\s+│", output);
        Assert.DoesNotContain("AUC", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_BinaryModel_SavedOutOfSampleAndAnOlderReportMarkedInSample()
    {
        var model = $"b{Guid.NewGuid():N}"[..12];
        var storage = BrisaStorage.FromConnectionString(azurite.ConnectionString);
        await storage.EnsureCreatedAsync();
        var inSample = new BusinessResult("EUR", 0.5, 100, 1300, 2000, 1200, 0.92, new ConfusionMatrix(10, 10, 100, 2), []);
        var registry = new ModelRegistry(storage);
        foreach (var (version, business) in new[]
        {
            ("v20260301000000000-0123abcd", inSample),
            ("v20260302000000000-0123abcd", inSample with { OutOfSample = new CrossFittedResult(400, 1300, 900, 0.69, new ConfusionMatrix(8, 14, 96, 4), [], []) }),
        })
        {
            var report = TrainingReports.Binary(model, DateTimeOffset.UtcNow) with { Version = version, Evaluation = new ModelEvaluation(null, 0.5, business.Confusion, business, null) };
            await registry.SaveVersionAsync(report, new byte[] { 1 });
        }

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(1), azurite.ConnectionString, "models", "list", model);

        Assert.True(exitCode == 0, output);
        Assert.Matches(@"│ saved \(out-of-sample\)\s+│ threshold\s+│", output);
        Assert.Matches(@"│ v20260301000000000-0123abcd\s+│[^\n]*│ 1,200 EUR \(92\.0 %\) in-sample\s+│ 0\.5000\s+│", output);
        Assert.Matches(@"│ v20260302000000000-0123abcd\s+│[^\n]*│ 900 EUR \(69\.0 %\)\s+│ 0\.5000\s+│", output);
    }

    [Fact]
    public async Task Models_UnknownVerb_ExitTwo()
    {
        var (exitCode, output) = await CliRunner.RunAsync("models", "explode", "fraud");

        Assert.Equal(2, exitCode);
        Assert.DoesNotContain("   at ", output);
    }
}
