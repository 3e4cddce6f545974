using System.Diagnostics;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Commands;

/// <summary><c>brisa plan</c> flags breaking changes and <c>brisa apply</c> refuses them without <c>--allow-breaking</c>.</summary>
public sealed class ApplyCommandTests : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly AzuriteFixture azurite;
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("brisa-apply-");

    public ApplyCommandTests(AzuriteFixture azurite) => this.azurite = azurite;

    public void Dispose() => work.Delete(recursive: true);

    [Fact]
    public async Task Apply_RemovedFeatureAModelUses_RefusedWithoutAllowBreaking()
    {
        // This class has its own Azurite (class fixture): start from the sample as deployed.
        var applied = await RunAsync("apply", RepositoryPaths.FraudDefinitions, "--commit", "first");
        Assert.True(applied.ExitCode == 0, applied.Output);

        // The same file without customer_7d:txn_count_7d, in the view and in the model (so the file itself is valid).
        var changed = Path.Combine(work.FullName, "features.yaml");
        var lines = (await File.ReadAllLinesAsync(RepositoryPaths.FraudDefinitions)).Where(l => !l.Contains("txn_count_7d", StringComparison.Ordinal));
        await File.WriteAllLinesAsync(changed, lines);

        var plan = await RunAsync("plan", changed);
        Assert.True(plan.ExitCode == 0, plan.Output);
        Assert.Contains("BREAKING", plan.Output, StringComparison.Ordinal);
        Assert.Contains("customer_7d:txn_count_7d is removed, used by model fraud", plan.Output, StringComparison.Ordinal);
        Assert.Contains("features: - txn_count_7d", plan.Output, StringComparison.Ordinal);
        Assert.Contains("features: - customer_7d:txn_count_7d", plan.Output, StringComparison.Ordinal);

        var refused = await RunAsync("apply", changed, "--commit", "second");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("breaking change", refused.Output, StringComparison.Ordinal);
        Assert.Contains("--allow-breaking", refused.Output, StringComparison.Ordinal);
        Assert.Equal("first", (await Brisa.Azure.Registry.DefinitionRegistry.For(azurite.Storage).GetPointerAsync())!.GitCommit);

        var forced = await RunAsync("apply", changed, "--commit", "second", "--allow-breaking");
        Assert.True(forced.ExitCode == 0, forced.Output);
        Assert.Equal("second", (await Brisa.Azure.Registry.DefinitionRegistry.For(azurite.Storage).GetPointerAsync())!.GitCommit);
    }

    [Fact]
    public async Task Apply_WithoutCommitOption_RecordsTheCommitOfTheFileAndWhetherItIsDirty()
    {
        // The file lives in a repository of its own, applied from another folder (this test's, inside another
        // repository) and outside GitHub Actions: git was asked where brisa ran, so the other repository's HEAD was
        // recorded, and a file edited since its commit was recorded as that commit.
        var repo = Directory.CreateDirectory(Path.Combine(work.FullName, "definitions-repo")).FullName;
        var file = Path.Combine(repo, "features.yaml");
        File.Copy(RepositoryPaths.FraudDefinitions, file);
        Git(repo, "init", "-q");
        Git(repo, "add", "features.yaml");
        Git(repo, "-c", "user.name=test", "-c", "user.email=test@brisa", "commit", "-q", "-m", "definitions");
        var head = Git(repo, "rev-parse", "HEAD");
        var environment = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["GITHUB_SHA"] = null, ["COLUMNS"] = "400" };

        var clean = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(2), environment, "apply", file, "--allow-breaking");
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.Equal(head, (await Brisa.Azure.Registry.DefinitionRegistry.For(azurite.Storage).GetPointerAsync())!.GitCommit);

        await File.AppendAllTextAsync(file, "# edited, not committed\n");
        var dirty = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(2), environment, "apply", file, "--allow-breaking");
        Assert.True(dirty.ExitCode == 0, dirty.Output);
        Assert.Equal(head + "-dirty", (await Brisa.Azure.Registry.DefinitionRegistry.For(azurite.Storage).GetPointerAsync())!.GitCommit);
        Assert.Contains("uncommitted changes", dirty.Output, StringComparison.Ordinal);
    }

    private static string Git(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {git.StandardError.ReadToEnd()}");
        return output.Trim();
    }

    private async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "brisa.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["AzureWebJobsStorage"] = azurite.ConnectionString;
        start.Environment["COLUMNS"] = "400";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
