using System.Collections.Concurrent;
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
    private static readonly ConcurrentDictionary<string, Lazy<Task<BicepRun>>> Runs = new(StringComparer.Ordinal);

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

    /// <summary>Runs <c>bicep lint</c> on a file (relative to the root). Cached: each file is linted once per test run.</summary>
    public static Task<BicepRun> LintAsync(string file) => Run("lint", file);

    /// <summary>Runs <c>bicep build</c> (or <c>build-params</c>) to stdout. Cached.</summary>
    public static Task<BicepRun> BuildAsync(string file) =>
        Run(file.EndsWith(".bicepparam", StringComparison.Ordinal) ? "build-params" : "build", file, "--stdout");

    /// <summary>The ARM JSON that <c>bicep build</c> makes of a .bicep file; fails the test if the build fails.</summary>
    public static async Task<JsonElement> CompileAsync(string file)
    {
        var run = await BuildAsync(file);
        Assert.True(run.ExitCode == 0, $"bicep build {file} failed: {run}");
        using var document = JsonDocument.Parse(run.StdOut);
        return document.RootElement.Clone();
    }

    // At most this many Bicep processes at once (each is a self-contained .NET app of a few hundred MB).
    private static readonly SemaphoreSlim Slots = new(Math.Max(2, Environment.ProcessorCount));

    private static readonly Lazy<bool> AllStarted = new(StartAll);

    private static Task<BicepRun> Run(params string[] args)
    {
        _ = AllStarted.Value;
        return Start(args);
    }

    // The first test that needs Bicep starts every lint and build of every file, so they overlap instead of running
    // one after another as xUnit walks the tests.
    private static bool StartAll()
    {
        foreach (var file in Files)
        {
            _ = Start(["lint", file]);
            _ = Start([file.EndsWith(".bicepparam", StringComparison.Ordinal) ? "build-params" : "build", file, "--stdout"]);
        }

        return true;
    }

    private static Task<BicepRun> Start(string[] args) =>
        Runs.GetOrAdd(string.Join('\u0001', args), _ => new Lazy<Task<BicepRun>>(() => RunThrottledAsync(args))).Value;

    private static async Task<BicepRun> RunThrottledAsync(string[] args)
    {
        await Slots.WaitAsync();
        try
        {
            return await RunProcessAsync(args);
        }
        finally
        {
            Slots.Release();
        }
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
