using System.Diagnostics;
using Brisa.Testing;

namespace Brisa.Cli.Tests;

/// <summary>What every command shares: exit codes and messages for cancellation and failures.</summary>
public sealed class BrisaAppTests
{
    // An account nothing listens on: the SDK retries for about half a minute before it gives up.
    private const string UnreachableStorage =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";

    [Fact]
    public async Task Run_CtrlCWhileWaitingForStorage_Exit130AndNoError()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "brisa.dll"), "plan", RepositoryPaths.FraudDefinitions })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["AzureWebJobsStorage"] = UnreachableStorage;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        // Long enough for the runtime to start and the plan to reach storage; far less than the SDK's retries.
        await Task.Delay(TimeSpan.FromSeconds(8));
        Assert.False(process.HasExited, "brisa plan stopped on its own before Ctrl+C");
        using (var signal = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{output}");
        Assert.Contains("cancelled", output, StringComparison.Ordinal);
        Assert.DoesNotContain("error", output, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("view", "materialize", "--from", "2026-05-01", "--to", "2026-05-02", "--view", "customer_7d")]
    [InlineData("expect-champ", "models", "rollback", "fraud", "--expect-champ", "v20260301000000000-0123abcd")]
    [InlineData("customer", "generate", "--customer", "5")]
    public async Task Run_UnknownOption_ExitTwoNamingIt(string unknown, params string[] args)
    {
        // Spectre's default ignores it: the command would run with the default (every view, a plain rollback).
        var (exitCode, output) = await CliRunner.RunAsync(args);

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains($"Unknown option '{unknown}'", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plan")]
    [InlineData("serve")]
    public async Task Run_AzuriteNotInstalled_ExitThreeSaysWhatToInstall(string command)
    {
        string[] args = command == "plan" ? ["plan", RepositoryPaths.FraudDefinitions] : ["serve", "--port", "1", "--no-timers"];
        var environment = new Dictionary<string, string?> { ["BRISA_AZURITE"] = Path.Combine(Path.GetTempPath(), "no-such-folder", "azurite.js") };

        var (exitCode, output) = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(1), environment, args);

        Assert.Equal(ExitCodes.MissingPrerequisite, exitCode);
        Assert.Contains("BRISA_AZURITE points to", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BadOptionWhileStdoutIsData_ErrorOnStderrNothingOnStdout()
    {
        // 'brisa generate > events.jsonl' with a mistake: the message must reach the user, not the file.
        var (exitCode, stdout, stderr) = await CliRunner.RunProcessSeparatelyAsync(TimeSpan.FromMinutes(1), new Dictionary<string, string?>(), "generate", "--days", "0");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("--days must be at least 1", stderr, StringComparison.Ordinal);
    }
}
