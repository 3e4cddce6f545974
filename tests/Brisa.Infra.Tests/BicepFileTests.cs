namespace Brisa.Infra.Tests;

/// <summary>Every Bicep and parameters file builds and lints clean: no errors, no warnings (bicepconfig.json raises the rules that matter to errors).</summary>
public sealed class BicepFileTests
{
    /// <summary>Every .bicep and .bicepparam file under infra/.</summary>
    public static TheoryData<string> Files() => new(Bicep.Files);

    [Fact]
    public void InfraFolder_HasMainModulesAndOneParametersFilePerEnvironment()
    {
        Assert.Contains("infra/main.bicep", Bicep.Files);
        Assert.Contains("infra/modules/roles.bicep", Bicep.Files);
        Assert.Contains("infra/dev.bicepparam", Bicep.Files);
        Assert.Contains("infra/prod.bicepparam", Bicep.Files);
        Assert.True(File.Exists(Path.Combine(Bicep.InfraDirectory, "bicepconfig.json")), "infra/bicepconfig.json is missing");
    }

    [Fact]
    public async Task BatchRuns_AllSucceedWithoutDiagnostics()
    {
        foreach (var (command, run) in await Bicep.BatchRunsAsync())
        {
            Assert.True(run.ExitCode == 0, $"bicep {command}: {run}");
            Assert.True(string.IsNullOrWhiteSpace(run.StdErr + run.StdOut), $"bicep {command} reported diagnostics:\n{run.StdErr}{run.StdOut}");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Build_Succeeds_WithoutDiagnostics(string file)
    {
        var run = await Bicep.BuildAsync(file);
        Assert.True(run.ExitCode == 0, $"bicep build {file}: {run}");
        Assert.True(string.IsNullOrWhiteSpace(run.StdErr), $"bicep build {file} reported diagnostics:\n{run.StdErr}");
        Assert.False(string.IsNullOrWhiteSpace(run.StdOut), $"bicep build {file} wrote no JSON");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Lint_IsClean(string file)
    {
        var run = await Bicep.LintAsync(file);
        Assert.True(run.ExitCode == 0, $"bicep lint {file}: {run}");
        Assert.True(string.IsNullOrWhiteSpace(run.StdErr + run.StdOut), $"bicep lint {file} reported diagnostics:\n{run.StdErr}{run.StdOut}");
    }

    [Fact]
    public async Task Lint_FailsOnAViolation_SoACleanLintMeansSomething()
    {
        // An unused parameter is an error under infra/bicepconfig.json; a clean lint above is therefore not vacuous.
        var dir = Directory.CreateTempSubdirectory("brisa-lint-probe-");
        try
        {
            File.Copy(Path.Combine(Bicep.InfraDirectory, "bicepconfig.json"), Path.Combine(dir.FullName, "bicepconfig.json"));
            var probe = Path.Combine(dir.FullName, "probe.bicep");
            await File.WriteAllTextAsync(probe, "param unused string\n");
            var run = await Bicep.LintAsync(probe);
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains("no-unused-params", run.StdErr + run.StdOut, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Parameters_EachEnvironmentNamesItself()
    {
        foreach (var env in new[] { "dev", "prod" })
        {
            var parameters = (await Bicep.CompileAsync($"infra/{env}.bicepparam")).GetProperty("parameters");
            Assert.Equal(env, parameters.GetProperty("environmentName").GetProperty("value").GetString());
            Assert.Equal("10.0", parameters.GetProperty("functionsRuntimeVersion").GetProperty("value").GetString());
        }
    }
}
