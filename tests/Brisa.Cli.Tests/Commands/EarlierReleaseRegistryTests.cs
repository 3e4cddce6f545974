using System.Text.Json;
using Brisa.Azure.Registry;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Commands;

/// <summary>
/// After an upgrade, the registry (this class's own Azurite) holds definitions an earlier release applied, valid then
/// but breaking policy rules BR0525 and BR0105 added since: commands load them and say what to fix, and a file with the
/// same definitions is refused.
/// </summary>
public sealed class EarlierReleaseRegistryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private Dictionary<string, string?> Environment => new() { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["COLUMNS"] = "400" };

    [Fact]
    public async Task Plan_DeployedDefinitionsBreakPolicyRules_WarnsAndTheSameDefinitionsAsAFileAreRefused()
    {
        var registry = DefinitionRegistry.For(azurite.Storage);
        await registry.ApplyAsync(EarlierReleaseDefinitions.Definitions, "earlier-release", DateTimeOffset.UtcNow);
        var file = Path.Combine(Path.GetTempPath(), $"earlier-release-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, EarlierReleaseDefinitions.Yaml());

        try
        {
            var plan = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(2), Environment, "plan", RepositoryPaths.FraudDefinitions);
            var apply = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(2), Environment, "apply", file, "--commit", "same-again");

            Assert.True(plan.ExitCode == 0, plan.Output);
            Assert.Contains("warning: the applied definitions break rule BR0525: parameter 'learning_rate' of trainer 'lightgbm' must be greater than 0 but is -0.05.", plan.Output, StringComparison.Ordinal);
            Assert.Contains("warning: the applied definitions break rule BR0105: on-demand feature 'channel' of model 'fraud' has the same name as its request field 'channel'.", plan.Output, StringComparison.Ordinal);
            Assert.Contains("applying it clears these warnings", plan.Output, StringComparison.Ordinal);
            Assert.True(apply.ExitCode == 2, apply.Output);
            Assert.Contains("error BR0525: parameter 'learning_rate' of trainer 'lightgbm' must be greater than 0 but is -0.05.", apply.Output, StringComparison.Ordinal);
            Assert.Contains("error BR0105: on-demand feature 'channel' of model 'fraud' has the same name as its request field 'channel'.", apply.Output, StringComparison.Ordinal);
            Assert.Equal("earlier-release", (await registry.GetPointerAsync())!.GitCommit);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task FeaturesGet_LiveDefinitionsBreakPolicyRules_AnswersWithTheWarningsOnStandardError()
    {
        await DefinitionRegistry.For(azurite.Storage).ApplyAsync(EarlierReleaseDefinitions.Definitions, "earlier-release", DateTimeOffset.UtcNow);

        var (exitCode, stdout, stderr) = await CliRunner.RunProcessSeparatelyAsync(
            TimeSpan.FromMinutes(2), Environment, "features", "get", "customer_1h:txn_count_1h", "--entity", "customer_id=c1", "--json");

        Assert.True(exitCode == 0, stdout + stderr);
        using var answer = JsonDocument.Parse(stdout);
        Assert.Equal("NOT_FOUND", answer.RootElement.GetProperty("results")[1].GetProperty("statuses")[0].GetString());
        Assert.Contains("warning: the applied definitions break rule BR0525:", stderr, StringComparison.Ordinal);
        Assert.Contains("warning: the applied definitions break rule BR0105:", stderr, StringComparison.Ordinal);
    }
}
