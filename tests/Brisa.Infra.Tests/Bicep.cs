using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Brisa.Testing;

namespace Brisa.Infra.Tests;

/// <summary>The result of one Bicep CLI run.</summary>
public sealed record BicepRun(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Exit code and output, for assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n{StdErr}\n{(StdOut.Length > 2000 ? StdOut[..2000] : StdOut)}";
}

/// <summary>
/// Runs the Bicep CLI restored from NuGet (<c>Azure.Bicep.CommandLine.linux-x64</c>, a <c>PackageDownload</c> of this
/// project). Nothing is downloaded at test time: when the package is not in the NuGet packages folder, tests fail
/// and say to restore.
/// </summary>
public static class Bicep
{
    /// <summary>The infra folder.</summary>
    public static string InfraDirectory => Path.Combine(RepositoryPaths.Root, "infra");

    /// <summary>Every .bicep and .bicepparam file under infra/, relative to the repository root, sorted.</summary>
    public static IReadOnlyList<string> Files { get; } = Directory
        .EnumerateFiles(InfraDirectory, "*.*", SearchOption.AllDirectories)
        .Where(f => f.EndsWith(".bicep", StringComparison.Ordinal) || f.EndsWith(".bicepparam", StringComparison.Ordinal))
        .Select(f => Path.GetRelativePath(RepositoryPaths.Root, f).Replace('\\', '/'))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>The Bicep CLI executable.</summary>
    public static string Executable { get; } = Locate();

    /// <summary>
    /// The <c>bicep lint</c> diagnostics of one file (relative to the root; an absolute path is linted on its own).
    /// Files under infra/ are linted in one batch (<c>bicep lint --pattern</c>): each Bicep process takes seconds to
    /// start, and several at once contend rather than overlap.
    /// </summary>
    public static async Task<BicepRun> LintAsync(string file)
    {
        if (Path.IsPathRooted(file))
        {
            return await RunProcessAsync(["lint", file]);
        }

        var batch = await Batch.Value;
        return ForFile(file.EndsWith(".bicepparam", StringComparison.Ordinal) ? batch.LintParams : batch.Lint, file, json: null, needsJson: false);
    }

    /// <summary>The <c>bicep build</c> (or <c>build-params</c>) diagnostics of one file under infra/, with its JSON as StdOut.</summary>
    public static async Task<BicepRun> BuildAsync(string file)
    {
        var batch = await Batch.Value;
        var output = Path.Combine(batch.OutDir, Path.ChangeExtension(Path.GetRelativePath("infra", file), ".json"));
        var json = File.Exists(output) ? await File.ReadAllTextAsync(output) : null;
        return ForFile(file.EndsWith(".bicepparam", StringComparison.Ordinal) ? batch.BuildParams : batch.Build, file, json, needsJson: true);
    }

    /// <summary>The ARM JSON that <c>bicep build</c> makes of a file; fails the test if the build fails.</summary>
    public static async Task<JsonElement> CompileAsync(string file)
    {
        var run = await BuildAsync(file);
        Assert.True(run.ExitCode == 0, $"bicep build {file} failed: {run}");
        using var document = JsonDocument.Parse(run.StdOut);
        return document.RootElement.Clone();
    }

    /// <summary>The four batch runs (lint and build of .bicep and .bicepparam files), for whole-run assertions.</summary>
    public static async Task<IReadOnlyList<(string Command, BicepRun Run)>> BatchRunsAsync()
    {
        var batch = await Batch.Value;
        return [("lint *.bicep", batch.Lint), ("lint *.bicepparam", batch.LintParams), ("build *.bicep", batch.Build), ("build-params *.bicepparam", batch.BuildParams)];
    }

    private sealed record BatchResult(BicepRun Lint, BicepRun LintParams, BicepRun Build, BicepRun BuildParams, string OutDir);

    private static readonly Lazy<Task<BatchResult>> Batch = new(RunBatchAsync);

    private static async Task<BatchResult> RunBatchAsync()
    {
        var outDir = Directory.CreateTempSubdirectory("brisa-bicep-").FullName;
        return new BatchResult(
            await RunProcessAsync(["lint", "--pattern", "infra/**/*.bicep"]),
            await RunProcessAsync(["lint", "--pattern", "infra/**/*.bicepparam"]),
            await RunProcessAsync(["build", "--pattern", "infra/**/*.bicep", "--outdir", outDir]),
            await RunProcessAsync(["build-params", "--pattern", "infra/**/*.bicepparam", "--outdir", outDir]),
            outDir);
    }

    // Diagnostics read "<full path>(line,col) : <Level> <rule>: <message>"; keep the lines about this file.
    private static BicepRun ForFile(BicepRun run, string file, string? json, bool needsJson)
    {
        var full = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, file));
        var lines = (run.StdErr + "\n" + run.StdOut).Split('\n').Where(l => l.StartsWith(full + "(", StringComparison.Ordinal)).ToList();
        var failed = lines.Any(l => l.Contains(") : Error ", StringComparison.Ordinal)) || (needsJson && json is null);
        return new BicepRun(failed ? Math.Max(1, run.ExitCode) : 0, json ?? "", string.Join('\n', lines));
    }

    private static async Task<BicepRun> RunProcessAsync(string[] args)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // No telemetry, no update checks: the tests must behave the same offline.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bicep did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new BicepRun(process.ExitCode, await stdout, await stderr);
    }

    private static string Locate()
    {
        Assert.True(OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64,
            "The Bicep CLI package restored here is Azure.Bicep.CommandLine.linux-x64: run these tests on Linux x64 (as CI does).");
        var metadata = typeof(Bicep).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        var candidates = new List<string>();
        if (metadata.TryGetValue("BicepCli", out var restored) && !string.IsNullOrEmpty(restored))
        {
            candidates.Add(restored);
        }

        var relative = metadata["BicepCliRelativePath"]!;
        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages)
        {
            candidates.Add(Path.Combine(packages, relative));
        }

        candidates.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages", relative));
        var found = candidates.FirstOrDefault(File.Exists);
        Assert.True(found is not null,
            $"Bicep CLI not found (looked in: {string.Join(", ", candidates)}). Run 'dotnet restore tests/Brisa.Infra.Tests': the package is a PackageDownload of that project.");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(found) & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(found, File.GetUnixFileMode(found) | UnixFileMode.UserExecute);
        }

        return found;
    }
}
