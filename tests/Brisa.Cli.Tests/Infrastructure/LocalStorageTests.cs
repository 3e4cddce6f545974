using System.Diagnostics;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Infrastructure;

public sealed class LocalStorageTests
{
    // The SDK's retries alone take about 28 s against a refused port; the check answers in well under a second.
    private static readonly TimeSpan WellUnderTheRetries = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("https://brisadev.blob.core.windows.net/")]
    [InlineData("AccountName=brisadev")]
    [InlineData("'UseDevelopmentStorage=true'")]
    public async Task Open_MalformedConnectionString_ExitTwoNamingTheSetting(string connectionString)
    {
        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(1), connectionString, "plan", RepositoryPaths.FraudDefinitions);

        Assert.True(exitCode == 2, $"exit {exitCode}\n{output}");
        Assert.Contains("AzureWebJobsStorage is not a storage connection string", output, StringComparison.Ordinal);
    }

    // Every kind of command that opens configured storage: the registry, training, the online store, definitions, the API.
    public static TheoryData<string[]> StorageCommands => new()
    {
        new[] { "models", "list", "fraud" },
        new[] { "train", "fraud" },
        new[] { "features", "get", "customer_1h:txn_count_1h", "--entity", "customer_id=c000014" },
        new[] { "apply", RepositoryPaths.FraudDefinitions },
        new[] { "serve", "--no-timers" },
    };

    [Theory]
    [MemberData(nameof(StorageCommands))]
    public async Task Open_StorageRefusesConnections_ExitThreeAtOnceNamingEndpointAndSetting(string[] args)
    {
        var endpoint = $"http://127.0.0.1:{LoopbackPorts.Refused()}/devstoreaccount1";

        var watch = Stopwatch.StartNew();
        var (exitCode, stdout, stderr) = await CliRunner.RunProcessSeparatelyAsync(
            TimeSpan.FromMinutes(1), new Dictionary<string, string?> { ["AzureWebJobsStorage"] = ConnectionString(endpoint) }, args);

        Assert.True(exitCode == 3, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Equal($"error: cannot reach Blob storage at {endpoint} (from AzureWebJobsStorage): Connection refused", stderr.Trim());
        Assert.DoesNotContain("Retry failed", stdout + stderr, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < WellUnderTheRetries, $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Open_IdentityBasedEndpointRefusesConnections_ExitThreeNamingItsSetting()
    {
        var port = LoopbackPorts.Refused();
        var environment = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage__blobServiceUri"] = $"https://127.0.0.1:{port}/",
            ["AzureWebJobsStorage__queueServiceUri"] = $"https://127.0.0.1:{port}/",
            ["AzureWebJobsStorage__tableServiceUri"] = $"https://127.0.0.1:{port}/",
        };

        var (exitCode, stdout, stderr) = await CliRunner.RunProcessSeparatelyAsync(TimeSpan.FromMinutes(1), environment, "models", "list", "fraud");

        Assert.True(exitCode == 3, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains($"cannot reach Blob storage at https://127.0.0.1:{port}/ (from AzureWebJobsStorage__blobServiceUri): Connection refused", stderr, StringComparison.Ordinal);
    }

    // One or two identity-based settings set (a typo, a forgotten line in CI): say which are missing. Before, plan and serve
    // used a private Azurite in place of the account when blobServiceUri was the one missing, and the other commands
    // answered exit 1 with "not configured".
    [Theory]
    [InlineData("plan", "blobServiceUri")]
    [InlineData("models", "queueServiceUri")]
    [InlineData("models", "tableServiceUri")]
    public async Task Open_IdentityBasedSettingsIncomplete_ExitTwoNamingTheMissingSetting(string command, string missing)
    {
        var environment = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage__blobServiceUri"] = "https://brisadev.blob.core.windows.net/",
            ["AzureWebJobsStorage__queueServiceUri"] = "https://brisadev.queue.core.windows.net/",
            ["AzureWebJobsStorage__tableServiceUri"] = "https://brisadev.table.core.windows.net/",
            ["AzureWebJobsStorage__" + missing] = null,
        };
        string[] args = command == "plan" ? ["plan", RepositoryPaths.FraudDefinitions] : ["models", "list", "fraud"];

        var (exitCode, stdout, stderr) = await CliRunner.RunProcessSeparatelyAsync(TimeSpan.FromMinutes(1), environment, args);

        Assert.True(exitCode == 2, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains($"is incomplete: 'AzureWebJobsStorage__{missing}' not set", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_IdentityBasedUriWithoutScheme_ExitTwoNamingTheSetting()
    {
        var environment = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage__blobServiceUri"] = "brisadev.blob.core.windows.net",
            ["AzureWebJobsStorage__queueServiceUri"] = "https://brisadev.queue.core.windows.net/",
            ["AzureWebJobsStorage__tableServiceUri"] = "https://brisadev.table.core.windows.net/",
        };

        var (exitCode, stdout, stderr) = await CliRunner.RunProcessSeparatelyAsync(TimeSpan.FromMinutes(1), environment, "models", "list", "fraud");

        Assert.True(exitCode == 2, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("'AzureWebJobsStorage__blobServiceUri' is 'brisadev.blob.core.windows.net', not a service URL", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_HostDoesNotResolve_ExitThreeNamingTheHost()
    {
        // .invalid never resolves (RFC 6761).
        var endpoint = "http://brisa-nonexistent.invalid:10000/devstoreaccount1";

        var watch = Stopwatch.StartNew();
        var (exitCode, stdout, stderr) = await CliRunner.RunProcessSeparatelyAsync(
            TimeSpan.FromMinutes(1), new Dictionary<string, string?> { ["AzureWebJobsStorage"] = ConnectionString(endpoint) }, "models", "list", "fraud");

        Assert.True(exitCode == 3, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.StartsWith($"error: cannot reach Blob storage at {endpoint} (from AzureWebJobsStorage): ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < WellUnderTheRetries, $"took {watch.Elapsed}");
    }

    // Azurite's well-known development account (a public key), with every service at one endpoint.
    private static string ConnectionString(string endpoint) =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint={endpoint};QueueEndpoint={endpoint};TableEndpoint={endpoint};";
}
