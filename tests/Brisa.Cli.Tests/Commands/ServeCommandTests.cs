using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Brisa.Cli.Serving;
using Brisa.Cli.Tests.Serving;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Commands;

/// <summary><c>brisa serve</c> as a user runs it: its own process, a key made and printed, required by every endpoint but health.</summary>
public sealed partial class ServeCommandTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Serve_KeyAndNoAuth_BadInput()
    {
        var (exitCode, output) = await CliRunner.RunAsync("serve", "--key", "k", "--no-auth");

        Assert.Equal(2, exitCode);
        Assert.Contains("--key and --no-auth exclude each other", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_AsProcessWithoutKey_GeneratesPrintsAndRequiresIt()
    {
        var port = ServingFixture.FreePort();
        using var process = StartServe(port, ["--definitions", RepositoryPaths.FraudDefinitions], (FunctionKeys.EnvironmentVariable, null));
        try
        {
            var key = await ReadKeyAsync(process, TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

            using var health = await http.GetAsync("api/health");
            using var withoutKey = await http.GetAsync("api/catalog");
            using var withKey = await http.GetAsync($"api/catalog?code={key}");

            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
            Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    // Serve's output often goes to a log file or a CI log: a key the user gave must not end up there.
    [Fact]
    public async Task Serve_AsProcessWithKeyFromEnvironment_RequiresItAndNeverPrintsIt()
    {
        var key = FunctionKeys.Generate();
        var port = ServingFixture.FreePort();

        // Configured storage serves the registry, where nothing is applied: pin the sample instead.
        using var process = StartServe(port, ["--no-timers", "--definitions", RepositoryPaths.FraudDefinitions], (FunctionKeys.EnvironmentVariable, key));
        try
        {
            var lines = await ReadUntilAsync(process, line => line.Contains("no timers", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            using var withoutKey = await http.GetAsync("api/catalog");
            using var withKey = await http.GetAsync($"api/catalog?code={key}");

            Assert.DoesNotContain(lines, l => l.Contains(key, StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("function key: $BRISA_FUNCTION_KEY", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
            Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Serve_AsProcess_PrintsEveryTriggerScheduleFromLocalSettingsUnlessEnvironmentSets()
    {
        using var process = StartServe(("Brisa__MaterializeSchedule", "*/5 * * * * *"));
        try
        {
            var lines = await ReadUntilAsync(process, line => line.Contains("queue RetrainModelOnRequest", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

            Assert.Contains(lines, l => l.Contains("timer MaterializeFeatures", StringComparison.Ordinal) && l.Contains("*/5 * * * * * (%Brisa:MaterializeSchedule%) UTC", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("timer RetrainModels", StringComparison.Ordinal) && l.Contains("0 0 3 * * *", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("timer MonitorDrift", StringComparison.Ordinal) && l.Contains("0 0 * * * *", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("queue MaterializeSlice", StringComparison.Ordinal) && l.Contains("then materialize-poison", StringComparison.Ordinal));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Serve_ConfiguredStorageNothingApplied_FollowsRegistryAndSaysApplyFirst()
    {
        // This class's Azurite has an empty registry (no test here applies): serve must not fall back to the sample there.
        var port = ServingFixture.FreePort();
        using var process = StartServe(port);
        try
        {
            var lines = await ReadUntilAsync(process, line => line.Contains("queue RetrainModelOnRequest", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            using var catalog = await http.GetAsync("api/catalog");

            Assert.Contains(lines, l => l.Contains("definitions: registry", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("no definitions applied yet: run brisa apply <file>", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, catalog.StatusCode);
            Assert.Contains("no-definitions-deployed", await catalog.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Serve_ScheduleNotSixFields_BadInputNamingTheFunction()
    {
        using var process = StartServe(("Brisa__MonitorDriftSchedule", "0 * * * *"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = await process.StandardOutput.ReadToEndAsync(cancel.Token);
        await process.WaitForExitAsync(cancel.Token);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("MonitorDrift: '0 * * * *' is not a 6-field NCRONTAB expression", output, StringComparison.Ordinal);
    }

    // A Brisa:* setting is input, as a schedule is: one line naming it and exit 2 (it was exit 1, and a cache TTL that
    // did not parse printed the host's stack trace first).
    [Theory]
    [InlineData("Brisa__Online__MaxParallelism", "0", "Brisa:Online")]
    [InlineData("Brisa__Push__MaxBodyBytes", "0", "Brisa:Push")]
    [InlineData("Brisa__Serving__OnlineCacheTtl", "1 second", "Brisa:Serving:OnlineCacheTtl")]
    [InlineData("Brisa__Materialize__Lateness", "an hour", "Brisa:Materialize:Lateness")]
    public async Task Serve_BrisaSettingNotValid_BadInputNamingTheSettingWithoutStackTrace(string variable, string value, string setting)
    {
        var (exitCode, output) = await CliRunner.RunProcessWithEnvironmentAsync(
            TimeSpan.FromMinutes(1),
            new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString, [variable] = value },
            "serve", "--no-auth", "--no-timers", "--definitions", RepositoryPaths.FraudDefinitions, "--port", ServingFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exitCode == 2, $"exit {exitCode}\n{output}");
        Assert.Contains(setting, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    // Another serve (or a Functions host) on the port is the usual case: one line saying so, not the host's stack trace.
    [Fact]
    public async Task Serve_PortInUse_BadInputNamingThePortWithoutStackTrace()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(1), azurite.ConnectionString, "serve", "--no-auth", "--no-timers", "--definitions", RepositoryPaths.FraudDefinitions, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exitCode == 2, $"exit {exitCode}\n{output}");
        Assert.Contains($"port {port} on 127.0.0.1 is already in use", output, StringComparison.Ordinal);
        Assert.Contains("--port", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private Process StartServe(params (string Name, string? Value)[] environment) => StartServe(ServingFixture.FreePort(), environment);

    private Process StartServe(int port, params (string Name, string? Value)[] environment) => StartServe(port, ["--no-auth"], environment);

    // brisa serve as its own process against this class's Azurite; an environment value of null removes the variable.
    private Process StartServe(int port, string[] options, params (string Name, string? Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "brisa.dll"));
        start.ArgumentList.Add("serve");
        foreach (var option in options)
        {
            start.ArgumentList.Add(option);
        }

        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.Environment["AzureWebJobsStorage"] = azurite.ConnectionString;
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

        return Process.Start(start)!;
    }

    private static async Task<List<string>> ReadUntilAsync(Process process, Func<string, bool> last, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var seen = new List<string>();
        while (await process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
        {
            seen.Add(line);
            if (last(line))
            {
                return seen;
            }
        }

        throw new InvalidOperationException("brisa serve ended early:\n" + string.Join('\n', seen) + await process.StandardError.ReadToEndAsync());
    }

    private static async Task<string> ReadKeyAsync(Process process, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var seen = new List<string>();
        while (await process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
        {
            seen.Add(line);
            if (GeneratedKey().Match(line) is { Success: true } match)
            {
                return match.Groups["key"].Value;
            }
        }

        throw new InvalidOperationException("brisa serve printed no generated key:\n" + string.Join('\n', seen) + await process.StandardError.ReadToEndAsync());
    }

    [GeneratedRegex(@"function key \(generated\): (?<key>[A-Za-z0-9_-]{43})")]
    private static partial Regex GeneratedKey();
}
