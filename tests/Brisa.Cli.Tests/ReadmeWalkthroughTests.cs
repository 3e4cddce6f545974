using System.Diagnostics;
using Brisa.Testing;

namespace Brisa.Cli.Tests;

/// <summary>
/// The README's "Running the API locally" blocks, run as they are with bash (<c>brisa</c> on the PATH is the built
/// CLI), so the walkthrough cannot rot: every line must succeed, and <c>kill</c> must stop the API and its Azurite.
/// </summary>
public sealed class ReadmeWalkthroughTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("brisa-readme-");

    public void Dispose() => work.Delete(recursive: true);

    public static TheoryData<int, string> Blocks()
    {
        var blocks = new TheoryData<int, string>();
        var expected = new[] { "txn_count_1h", "\"score\"" };
        var found = ReadBlocks();
        Assert.Equal(expected.Length, found.Count);
        for (var i = 0; i < found.Count; i++)
        {
            blocks.Add(i, expected[i]);
        }

        return blocks;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public async Task Readme_RunningTheApiBlock_RunsAsAScript(int index, string expectedOutput)
    {
        var script = Path.Combine(work.FullName, "walkthrough.sh");
        // The trap stops a background API when a line fails, so a failure cannot leave it running.
        await File.WriteAllTextAsync(script, "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + ReadBlocks()[index]);
        var bin = work.CreateSubdirectory("bin");
        var brisa = Path.Combine(bin.FullName, "brisa");
        await File.WriteAllTextAsync(brisa, $"#!/usr/bin/env bash\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "brisa.dll")}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(brisa, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var (exitCode, output) = await RunAsync(script, bin.FullName, TimeSpan.FromMinutes(8));

        Assert.True(exitCode == 0, output);
        Assert.Contains(expectedOutput, output, StringComparison.Ordinal);
    }

    private static List<string> ReadBlocks()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var section = readme[readme.IndexOf("\n## Running the API locally", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        return [.. section.Split("```bash\n").Skip(1).Select(part => part[..part.IndexOf("```", StringComparison.Ordinal)])];
    }

    // Standard output is read to its end, which comes only when the background API (which inherits it) has exited.
    private async Task<(int ExitCode, string Output)> RunAsync(string script, string bin, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = work.FullName, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        start.Environment.Remove("AzureWebJobsStorage");
        start.Environment.Remove("BRISA_FUNCTION_KEY");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            var output = await stdout.WaitAsync(cancel.Token) + await stderr.WaitAsync(cancel.Token);
            var log = Path.Combine(work.FullName, "demo.log");
            return (process.ExitCode, File.Exists(log) ? output + await File.ReadAllTextAsync(log) : output);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the README block did not finish within {timeout} (or its API did not stop on kill)");
        }
    }
}
