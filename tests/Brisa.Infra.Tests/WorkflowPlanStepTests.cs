using System.Diagnostics;
using Brisa.Testing;
using YamlDotNet.RepresentationModel;

namespace Brisa.Infra.Tests;

/// <summary>
/// The pull request's "Plan definitions against the dev registry" step (ci.yml), run in bash with a stand-in <c>az</c>:
/// only a dev environment that was never deployed skips the plan; any other failure to read its deployment fails the
/// step instead of passing it without a plan.
/// </summary>
public sealed class WorkflowPlanStepTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("brisa-plan-step-");

    public void Dispose() => work.Delete(recursive: true);

    [Fact]
    public async Task PlanStep_DeploymentNeverMade_SkipsThePlanAndSaysSo()
    {
        var (exitCode, output, summary) = await RunAsync("ERROR: (DeploymentNotFound) Deployment 'brisa-dev' could not be found.");

        Assert.True(exitCode == 0, output);
        Assert.Contains("dev is not deployed yet", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanStep_DeploymentUnreadable_FailsInsteadOfSkippingThePlan()
    {
        // The what-if step before it can pass while this read fails (a transient error, a role without
        // deployments/read): the pull request was shown as planned, with no plan.
        var (exitCode, output, summary) = await RunAsync("ERROR: (AuthorizationFailed) The client 'x' does not have authorization to perform action 'Microsoft.Resources/deployments/read'.");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("AuthorizationFailed", output, StringComparison.Ordinal);
        Assert.DoesNotContain("not deployed", summary, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output, string Summary)> RunAsync(string azError)
    {
        // A stand-in az: 'az deployment group show' fails with the given error, as the Azure CLI does.
        var bin = Directory.CreateDirectory(Path.Combine(work.FullName, "bin")).FullName;
        var az = Path.Combine(bin, "az");
        await File.WriteAllTextAsync(az, $"#!/usr/bin/env bash\necho \"{azError.Replace("\"", "\\\"", StringComparison.Ordinal)}\" >&2\nexit 1\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var script = Path.Combine(work.FullName, "step.sh");
        await File.WriteAllTextAsync(script, PlanStepScript());
        var summary = Path.Combine(work.FullName, "summary.md");
        await File.WriteAllTextAsync(summary, string.Empty);

        // GitHub runs a step's 'run' as 'bash -e {0}' in the checkout.
        var start = new ProcessStartInfo("bash") { WorkingDirectory = work.FullName, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(script);
        start.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        start.Environment["RESOURCE_GROUP"] = "rg-brisa-dev";
        start.Environment["GITHUB_STEP_SUMMARY"] = summary;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr, await File.ReadAllTextAsync(summary));
    }

    private static string PlanStepScript()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, ".github", "workflows", "ci.yml")))
        {
            stream.Load(reader);
        }

        var jobs = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("jobs")];
        var steps = (YamlSequenceNode)((YamlMappingNode)jobs.Children[new YamlScalarNode("what-if")]).Children[new YamlScalarNode("steps")];
        var step = steps.Children.OfType<YamlMappingNode>().Single(s => s.Children.TryGetValue(new YamlScalarNode("name"), out var name) && name.ToString() == "Plan definitions against the dev registry");
        return step.Children[new YamlScalarNode("run")].ToString();
    }
}
