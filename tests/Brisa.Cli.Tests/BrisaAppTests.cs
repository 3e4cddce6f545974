using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Brisa.Testing;

namespace Brisa.Cli.Tests;

/// <summary>What every command shares: exit codes and messages for cancellation and failures.</summary>
public sealed class BrisaAppTests
{
    [Fact]
    public async Task Run_CtrlCWhileWaitingForStorage_Exit130AndNoError()
    {
        // Storage that answers the reachability check but never the command's own requests: a command waiting for it.
        using var storage = new TcpListener(IPAddress.Loopback, 0);
        storage.Start();
        using var stopStorage = new CancellationTokenSource();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var serving = AnswerOnlyGetsAsync(storage, waiting, stopStorage.Token);
        var endpoint = $"http://127.0.0.1:{((IPEndPoint)storage.LocalEndpoint).Port}/devstoreaccount1";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // apply, which creates Brisa's containers first (plan only reads, and would get its answer at once).
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "brisa.dll"), "apply", RepositoryPaths.FraudDefinitions, "--commit", "test" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["AzureWebJobsStorage"] =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"BlobEndpoint={endpoint};QueueEndpoint={endpoint};TableEndpoint={endpoint};";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        // Ctrl+C once the apply waits on its first request that storage leaves unanswered (not after a fixed delay: on a
        // loaded machine the runtime's start alone can take longer); the SDK's network timeout (100 s) is far off.
        await Task.WhenAny(waiting.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(2)));
        Assert.False(process.HasExited, $"brisa apply stopped on its own before Ctrl+C: exit {(process.HasExited ? process.ExitCode : 0)}\n{(process.HasExited ? await stdout + await stderr : "")}");
        Assert.True(waiting.Task.IsCompleted, "brisa apply sent no request to storage within 2 minutes");
        using (var signal = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"brisa apply did not exit within 60 s of Ctrl+C; its output until killed:\n{await stdout + await stderr}");
        }

        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{output}");
        Assert.Contains("cancelled", output, StringComparison.Ordinal);
        Assert.DoesNotContain("error", output, StringComparison.OrdinalIgnoreCase);
        await stopStorage.CancelAsync();
        await serving;
    }

    // Answers every GET (the reachability check) with 400 and leaves every other request (creating containers, queues
    // and the table) waiting, as an overloaded account would.
    private static async Task AnswerOnlyGetsAsync(TcpListener server, TaskCompletionSource waiting, CancellationToken cancellationToken)
    {
        var clients = new List<TcpClient>();
        try
        {
            while (true)
            {
                var client = await server.AcceptTcpClientAsync(cancellationToken);
                clients.Add(client);
                _ = AnswerGetsAsync(client.GetStream(), waiting, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The test is over.
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    private static async Task AnswerGetsAsync(NetworkStream stream, TaskCompletionSource waiting, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        while (await reader.ReadLineAsync(cancellationToken) is { } requestLine)
        {
            while (await reader.ReadLineAsync(cancellationToken) is { Length: > 0 })
            {
                // Headers: a GET has no body.
            }

            if (!requestLine.StartsWith("GET ", StringComparison.Ordinal))
            {
                waiting.TrySetResult();
                return;
            }

            await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), cancellationToken);
        }
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
