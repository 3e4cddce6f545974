using System.Diagnostics;
using Spectre.Console.Testing;

namespace Brisa.Cli.Tests;

internal static class CliRunner
{
    /// <summary>Runs a command in process against a test console; returns the exit code and the output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var exitCode = await BrisaApp.Create(console).RunAsync(args);
        return (exitCode, console.Output);
    }

    /// <summary>Runs the built brisa as its own process, as a user would.</summary>
    public static Task<(int ExitCode, string Output)> RunProcessAsync(TimeSpan timeout, params string[] args) =>
        RunProcessWithStorageAsync(timeout, storage: null, args);

    /// <summary>Runs the built brisa as its own process against the storage named by a connection string (null: none).</summary>
    public static Task<(int ExitCode, string Output)> RunProcessWithStorageAsync(TimeSpan timeout, string? storage, params string[] args) =>
        RunProcessWithEnvironmentAsync(timeout, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage }, args);

    /// <summary>
    /// Runs the built brisa as its own process with these environment variables set (a null value removes one);
    /// <c>AzureWebJobsStorage</c> is removed unless given.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunProcessWithEnvironmentAsync(TimeSpan timeout, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var (exitCode, stdout, stderr) = await RunProcessSeparatelyAsync(timeout, environment, args);
        return (exitCode, stdout + stderr);
    }

    /// <summary>Runs the built brisa as its own process; returns standard output and standard error apart.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunProcessSeparatelyAsync(TimeSpan timeout, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "brisa.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("AzureWebJobsStorage");
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"brisa {string.Join(' ', args)} did not finish within {timeout}:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
