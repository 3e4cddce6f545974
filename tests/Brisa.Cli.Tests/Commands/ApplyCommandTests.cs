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
