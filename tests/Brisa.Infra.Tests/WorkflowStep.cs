using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Brisa.Infra.Tests;

/// <summary>What a workflow step's script did: exit code, stdout and stderr together, and the job summary it wrote.</summary>
public sealed record StepRun(int ExitCode, string Output, string Summary);

/// <summary>
/// Finds a workflow's steps and runs a step's <c>run</c> script as GitHub does (<c>bash -e</c>), in a scratch folder
/// with stand-in commands (such as <c>az</c>) first on the PATH.
/// </summary>
public static class WorkflowStep
{
    /// <summary>The steps of one job of a workflow under .github/workflows.</summary>
    public static IReadOnlyList<YamlMappingNode> Steps(string workflow, string job)
    {
        var node = WorkflowPermissionsTests.Jobs(WorkflowPermissionsTests.Load(workflow)).Single(j => j.Name == job).Job;
        return ((YamlSequenceNode)node.Children[new YamlScalarNode("steps")]).Children.OfType<YamlMappingNode>().ToList();
    }

    /// <summary>A scalar value of a step (or any mapping), or null when it has none.</summary>
    public static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    /// <summary>The <c>run</c> script of the step with this name.</summary>
    public static string Script(string workflow, string job, string stepName) =>
        Scalar(Steps(workflow, job).Single(s => Scalar(s, "name") == stepName), "run")
        ?? throw new InvalidOperationException($"{workflow}: step '{stepName}' of job {job} has no run script");

    /// <summary>
    /// Runs a script in <paramref name="directory"/> with each stand-in command (name → bash body) on the PATH before
    /// the real ones, the given environment variables, and an empty GITHUB_STEP_SUMMARY file.
    /// </summary>
    public static async Task<StepRun> RunAsync(string script, string directory, IReadOnlyDictionary<string, string> commands, IReadOnlyDictionary<string, string> environment)
    {
        var bin = Directory.CreateDirectory(Path.Combine(directory, "bin")).FullName;
        foreach (var (name, body) in commands)
        {
            var path = Path.Combine(bin, name);
            await File.WriteAllTextAsync(path, "#!/usr/bin/env bash\n" + body + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var file = Path.Combine(directory, "step.sh");
        await File.WriteAllTextAsync(file, script);
        var summary = Path.Combine(directory, "summary.md");
        await File.WriteAllTextAsync(summary, string.Empty);

        // GitHub runs a step's 'run' as 'bash -e {0}' in the checkout.
        var start = new ProcessStartInfo("bash") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(file);
        start.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        start.Environment["GITHUB_STEP_SUMMARY"] = summary;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return new StepRun(process.ExitCode, await stdout + await stderr, await File.ReadAllTextAsync(summary));
    }
}
