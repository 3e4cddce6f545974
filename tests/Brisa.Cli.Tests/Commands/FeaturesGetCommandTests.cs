using System.Text.Json;
using Azure.Data.Tables;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Online;
using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Generation;
using Brisa.Core.Ingestion;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Commands;

/// <summary><c>brisa features get</c> as its own process against Azurite holding a few ingested transactions.</summary>
public sealed class FeaturesGetCommandTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task FeaturesGet_NoStorageConfigured_ExitTwoSaysWhatToSet()
    {
        var (exitCode, output) = await CliRunner.RunProcessAsync(TimeSpan.FromMinutes(1), "features", "get", "customer_1h:txn_count_1h", "--entity", "customer_id=c1");

        Assert.Equal(2, exitCode);
        Assert.Contains("set AzureWebJobsStorage", output);
    }

    [Theory]
    [InlineData(new[] { "features", "get", "customer_1h:txn_count_1h" }, "Give at least one entity key")]
    [InlineData(new[] { "features", "get", "--entity", "customer_id=c1" }, "Give the features to read")]
    [InlineData(new[] { "features", "get", "customer_1h:txn_count_1h", "--service", "fraud", "--entity", "customer_id=c1" }, "not both")]
    [InlineData(new[] { "features", "get", "customer_1h:txn_count_1h", "--entity", "c1" }, "--entity 'c1' is not <key>=<value>")]
    public async Task FeaturesGet_BadArguments_ExitTwoSaysWhatIsWrong(string[] args, string message)
    {
        var (exitCode, output) = await CliRunner.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, output);
    }

    [Fact]
    public async Task FeaturesGet_IngestedTransactions_ValuesStatusesAndEventTimesAsServed()
    {
        var seeded = await SeedAsync();
        var (recent, stale) = (seeded.Recent, seeded.Stale);

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(2),
            azurite.ConnectionString,
            "features", "get", "customer_1h:txn_count_1h", "customer_1h:amount_sum_1h", "customer_7d:amount_mean_7d",
            "--entity", $"customer_id={recent}", "--entity", $"customer_id={stale}", "--entity", "customer_id=fg-unknown");

        Assert.True(exitCode == 0, output);
        Assert.Matches($@"│ customer_id={recent}\s+│ customer_1h:txn_count_1h\s+│ 3\s+│ PRESENT\s+│ " + seeded.Newest.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), output);
        Assert.Matches($@"│ customer_id={recent}\s+│ customer_1h:amount_sum_1h\s+│ 60\s+│ PRESENT", output);
        Assert.Matches($@"│ customer_id={recent}\s+│ customer_7d:amount_mean_7d\s+│ 20\s+│ PRESENT", output);

        // Three days old: past both views' TTL (2 h, 2 d), so served as missing though the rows hold the event.
        Assert.Matches($@"│ customer_id={stale}\s+│ customer_1h:txn_count_1h\s+│\s+│ OUTSIDE_MAX_AGE", output);
        Assert.Matches($@"│ customer_id={stale}\s+│ customer_7d:amount_mean_7d\s+│\s+│ OUTSIDE_MAX_AGE", output);
        Assert.Matches(@"│ customer_id=fg-unknown\s+│ customer_1h:txn_count_1h\s+│\s+│ NOT_FOUND", output);
    }

    [Fact]
    public async Task FeaturesGet_Json_AnswerAsTheHttpApiReturnsIt()
    {
        var seeded = await SeedAsync();

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(2), azurite.ConnectionString, "features", "get", "--service", "fraud", "--entity", $"customer_id={seeded.Recent}", "--entity", $"merchant_id={seeded.Merchant}", "--json");

        Assert.True(exitCode == 0, output);
        using var json = JsonDocument.Parse(output);
        var names = json.RootElement.GetProperty("metadata").GetProperty("feature_names").EnumerateArray().Select(n => n.GetString()).ToList();
        var results = json.RootElement.GetProperty("results");
        var count = results[names.IndexOf("customer_1h:txn_count_1h")];
        Assert.Equal(3, count.GetProperty("values")[0].GetDouble());
        Assert.Equal("PRESENT", count.GetProperty("statuses")[0].GetString());
        var merchant = results[names.IndexOf("merchant_1h:merchant_txn_count_1h")];
        Assert.Equal(3, merchant.GetProperty("values")[0].GetDouble());
        Assert.DoesNotContain("amount_zscore", names);
    }

    [Fact]
    public async Task FeaturesGet_JsonWithDefinitionsFileWarnings_StdoutIsTheJsonAlone()
    {
        var seeded = await SeedAsync();
        // Valid, with a warning per 1-hour view (BR0308: ttl shorter than the tile).
        var file = Path.Combine(Path.GetTempPath(), $"features-ttl-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(RepositoryPaths.FraudDefinitions)).Replace("ttl: 2h", "ttl: 1m", StringComparison.Ordinal));

        var (exitCode, stdout, stderr) = await CliRunner.RunProcessSeparatelyAsync(
            TimeSpan.FromMinutes(2),
            new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString },
            "features", "get", "customer_7d:amount_mean_7d", "--entity", $"customer_id={seeded.Recent}", "--definitions", file, "--json");

        Assert.True(exitCode == 0, stdout + stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(20, json.RootElement.GetProperty("results")[1].GetProperty("values")[0].GetDouble());
        Assert.Contains("warning BR0308", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FeaturesGet_JsonUnknownView_ExitTwoMessageOnStderrNothingOnStdout()
    {
        await SeedAsync();

        var (exitCode, stdout, stderr) = await CliRunner.RunProcessSeparatelyAsync(
            TimeSpan.FromMinutes(2), new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }, "features", "get", "customer_2h:txn_count", "--entity", "customer_id=c1", "--json");

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("Unknown view 'customer_2h'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FeaturesGet_UnknownView_ExitTwoWithTheApisMessage()
    {
        await SeedAsync();

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(2), azurite.ConnectionString, "features", "get", "customer_2h:txn_count", "--entity", "customer_id=c1");

        Assert.Equal(2, exitCode);
        Assert.Contains("Unknown view 'customer_2h'", output);
    }

    [Fact]
    public async Task FeaturesGet_RowOfAnOlderBuildsLayout_NotFoundWithAWarningNamingTheRebuild()
    {
        // After a deploy that changed what tiles hold, the rows an older build wrote read as NOT_FOUND, as for an entity
        // never seen: the command says the row is there and what repairs it.
        var seeded = await SeedAsync();
        var table = azurite.Storage.Tables.GetTableClient(StorageNames.OnlineTable);
        var row = (await table.GetEntityAsync<TableEntity>(TableKeys.Encode(seeded.Recent), "customer_7d")).Value;
        row[OnlineTileStore.LayoutProperty] = row.GetInt64(OnlineTileStore.LayoutProperty) ^ 1;
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(2), azurite.ConnectionString, "features", "get", "customer_7d:amount_mean_7d", "--entity", $"customer_id={seeded.Recent}");

        Assert.True(exitCode == 0, output);
        Assert.Matches($@"│ customer_id={seeded.Recent}\s+│ customer_7d:amount_mean_7d\s+│\s+│ NOT_FOUND", output);
        Assert.Contains("warning: Online rows of view customer_7d were written for another layout", output, StringComparison.Ordinal);
        Assert.Contains("'brisa materialize --tiles --views customer_7d'", output, StringComparison.Ordinal);
    }

    // The sample applied; a recent customer: three transactions (10, 20, 30) in the last half hour at one merchant;
    // a stale one: a transaction three days ago. Names are new for each test, so tests sharing the emulator never
    // see each other's events.
    private async Task<(string Recent, string Stale, string Merchant, DateTimeOffset Newest)> SeedAsync()
    {
        var definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
        await DefinitionRegistry.For(azurite.Storage).ApplyAsync(definitions, "test", DateTimeOffset.UtcNow, CancellationToken.None);
        var run = Guid.NewGuid().ToString("N")[..8];
        var (recent, stale, merchant) = ($"fg-recent-{run}", $"fg-stale-{run}", $"fg-m-{run}");
        var now = DateTimeOffset.UtcNow;
        var newest = new DateTimeOffset(now.AddMinutes(-10).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        GeneratedEvent[] events =
        [
            new TransactionEvent($"fg-{run}-1", now.AddMinutes(-30), recent, merchant, 10, "EUR", "ES", "pos", false),
            new TransactionEvent($"fg-{run}-2", now.AddMinutes(-20), recent, merchant, 20, "EUR", "ES", "pos", false),
            new TransactionEvent($"fg-{run}-3", newest, recent, merchant, 30, "EUR", "ES", "pos", false),
            new TransactionEvent($"fg-{run}-4", now.AddDays(-3), stale, $"{merchant}-2", 40, "EUR", "ES", "pos", false),
        ];
        await new EventIngestor(azurite.Storage, definitions).IngestAsync([new IncomingMessage(FraudStreamJson.ToJsonArray(events))], CancellationToken.None);
        return (recent, stale, merchant, newest);
    }
}
