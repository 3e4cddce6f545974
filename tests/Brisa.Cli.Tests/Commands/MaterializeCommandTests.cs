using Brisa.Testing;

namespace Brisa.Cli.Tests.Commands;

public sealed class MaterializeCommandTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Theory]
    [InlineData(new[] { "materialize", "--to", "2026-05-02" }, "--from and --to are required")]
    [InlineData(new[] { "materialize", "--from", "2026-05-03", "--to", "2026-05-02" }, "--from (2026-05-03 00:00:00Z) must be before --to (2026-05-02 00:00:00Z)")]
    [InlineData(new[] { "materialize", "--from", "2026-05-02", "--to", "2026-05-02" }, "must be before --to")]
    [InlineData(new[] { "materialize", "--from", "last tuesday", "--to", "2026-05-02" }, "--from 'last tuesday' is not an ISO 8601 time")]
    [InlineData(new[] { "materialize", "--from", "2026-05-01T00:30Z", "--to", "2026-05-02" }, "must be whole hours")]
    [InlineData(new[] { "materialize", "--from", "01/05/2026", "--to", "2026-05-02" }, "--from '01/05/2026' is not an ISO 8601 time")]
    [InlineData(new[] { "materialize", "--from", "2026-05-01", "--to", "May 2, 2026" }, "--to 'May 2, 2026' is not an ISO 8601 time")]
    [InlineData(new[] { "materialize", "--from", "0026-05-01", "--to", "2026-05-02" }, "--from (0026-05-01 00:00:00Z) is before 2000-01-01 00:00:00Z, the earliest event time ingestion accepts")]
    [InlineData(new[] { "materialize", "--from", "0001-01-01", "--to", "0001-01-02" }, "is before 2000-01-01 00:00:00Z")]
    public async Task Materialize_BadRange_ExitTwoWithMessage(string[] args, string expected)
    {
        var (exitCode, output) = await CliRunner.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, output);
        Assert.DoesNotContain("   at ", output);
    }

    [Theory]
    [InlineData(new[] { "materialize", "--tiles", "--from", "2026-05-01" }, "--tiles rebuilds each streaming view's tiles over its longest window (or its TTL, if longer) up to now: drop --from and --to.")]
    [InlineData(new[] { "materialize", "--tiles", "--no-online" }, "--tiles writes the online tiles: drop --no-online.")]
    [InlineData(new[] { "materialize", "--tiles", "--views", "customer_7d,merchant_7d" }, "--tiles rebuilds the tiles of streaming views; not streaming: merchant_7d (the online values of a view with 'streaming: false' come from 'brisa materialize --from --to'). Streaming views: customer_1h, customer_7d, merchant_1h.")]
    [InlineData(new[] { "materialize", "--tiles", "--views", "custmer_1h" }, "unknown view(s): custmer_1h.")]
    public async Task Materialize_TilesWithBadOptions_ExitTwoWithMessage(string[] args, string expected)
    {
        var (exitCode, output) = await CliRunner.RunAsync([.. args, "--definitions", RepositoryPaths.FraudDefinitions]);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, output);
    }

    [Fact]
    public async Task Materialize_ToAfterTheCurrentHour_ExitTwoNamingTheLatestAllowed()
    {
        var today = DateTimeOffset.UtcNow.UtcDateTime.Date;

        var (exitCode, output) = await CliRunner.RunAsync(
            "materialize", "--from", $"{today:yyyy-MM-dd}", "--to", $"{today.AddDays(2):yyyy-MM-dd}", "--definitions", RepositoryPaths.FraudDefinitions);

        Assert.Equal(2, exitCode);
        Assert.Contains($"--to ({today.AddDays(2):yyyy-MM-dd} 00:00:00Z) is in the future", output);
        Assert.Matches(@"The latest allowed --to is \d{4}-\d\d-\d\d \d\d:00:00Z \(the start of the current UTC hour\)", output);
    }

    [Fact]
    public async Task Materialize_ToAtTheEndOfTheCurrentHour_ExitTwo()
    {
        // Batch views' online values would be those at the end of the hour, minutes or most of an hour ahead: a 1 h
        // window would have left out the events of the last hour that are still in it now, and such a row is kept over
        // the incremental runs' values until one of them reaches that time.
        var endOfHour = await CurrentHourStartAsync(TimeSpan.FromSeconds(30));
        endOfHour = endOfHour.AddHours(1);

        var (exitCode, output) = await CliRunner.RunAsync(
            "materialize", "--from", $"{endOfHour.AddDays(-1):yyyy-MM-ddTHH:mm}Z", "--to", $"{endOfHour:yyyy-MM-ddTHH:mm}Z", "--definitions", RepositoryPaths.FraudDefinitions);

        Assert.Equal(2, exitCode);
        Assert.Contains($"--to ({endOfHour:yyyy-MM-dd HH}:00:00Z) is in the future", output);
        Assert.Contains($"The latest allowed --to is {endOfHour.AddHours(-1):yyyy-MM-dd HH}:00:00Z (the start of the current UTC hour)", output);
    }

    [Fact]
    public async Task Materialize_ToAtTheStartOfTheCurrentHour_Accepted()
    {
        var startOfHour = await CurrentHourStartAsync(TimeSpan.Zero);

        // Without storage the command stops right after the range checks: what it says shows the range passed them.
        var (exitCode, output) = await CliRunner.RunAsync(
            "materialize", "--from", $"{startOfHour.AddDays(-1):yyyy-MM-ddTHH:mm}Z", "--to", $"{startOfHour:yyyy-MM-ddTHH:mm}Z", "--definitions", RepositoryPaths.FraudDefinitions);

        Assert.Equal(2, exitCode);
        Assert.DoesNotContain("in the future", output);
        Assert.Contains("set AzureWebJobsStorage", output);
    }

    /// <summary>The start of the current UTC hour, after waiting for the next hour when fewer than <paramref name="margin"/> are left of this one.</summary>
    private static async Task<DateTimeOffset> CurrentHourStartAsync(TimeSpan margin)
    {
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        if (start.AddHours(1) - now < margin)
        {
            await Task.Delay(start.AddHours(1) - now + TimeSpan.FromSeconds(1));
            start = start.AddHours(1);
        }

        return start;
    }

    [Fact]
    public async Task Materialize_UnknownView_ExitTwoListingKnownViews()
    {
        var (exitCode, output) = await CliRunner.RunAsync(
            "materialize", "--from", "2026-05-01", "--to", "2026-05-02", "--views", "customer_7d,custmer_1h", "--definitions", RepositoryPaths.FraudDefinitions);

        Assert.Equal(2, exitCode);
        Assert.Contains("unknown view(s): custmer_1h. Known views: customer_1h, customer_7d, merchant_1h, merchant_7d.", output);
    }

    [Fact]
    public async Task Materialize_NoStorageConfigured_ExitTwoSaysWhatToSet()
    {
        // A private Azurite's raw zone would be empty: a backfill that read nothing must not report success.
        var (exitCode, output) = await CliRunner.RunProcessAsync(
            TimeSpan.FromMinutes(1), "materialize", "--from", "2026-05-01", "--to", "2026-05-02", "--definitions", RepositoryPaths.FraudDefinitions);

        Assert.Equal(2, exitCode);
        Assert.Contains("set AzureWebJobsStorage", output);
        Assert.DoesNotContain("raw events read", output);
    }

    [Fact]
    public async Task Materialize_DefinitionsFileServedOtherwiseThanLive_ExitTwoUnlessNoOnline()
    {
        // Serving reads online values of the live layout only, and a streaming view's row holds its tiles: a file that
        // changes merchant_7d's features, or makes customer_1h batch-only, would leave the model's features missing.
        var environment = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["COLUMNS"] = "400" };
        var (applied, applyOutput) = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(2), environment, "apply", RepositoryPaths.FraudDefinitions);
        Assert.True(applied == 0, applyOutput);
        var file = Path.Combine(Path.GetTempPath(), $"changed-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(RepositoryPaths.FraudDefinitions))
            .Replace("    ttl: 2h\n    online: true\n    streaming: true\n", "    ttl: 2h\n    online: true\n    streaming: false\n", StringComparison.Ordinal)
            .Replace("      - { name: merchant_amount_mean_7d, field: amount, aggregation: mean, window: 7d }\n",
                "      - { name: merchant_amount_mean_7d, field: amount, aggregation: mean, window: 7d }\n      - { name: merchant_amount_max_7d, field: amount, aggregation: max, window: 7d }\n",
                StringComparison.Ordinal));
        string[] range = ["--from", "2026-05-01T06:00Z", "--to", "2026-05-01T07:00Z"];

        var (refused, refusedOutput) = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(2), environment, ["materialize", .. range, "--definitions", file]);
        var (offlineOnly, offlineOnlyOutput) = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(2), environment, ["materialize", .. range, "--definitions", file, "--no-online"]);
        var (same, sameOutput) = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(2), environment, ["materialize", .. range, "--definitions", RepositoryPaths.FraudDefinitions]);

        Assert.Equal(2, refused);
        Assert.Contains("--definitions defines view(s) customer_1h, merchant_7d otherwise than the registry's live version", refusedOutput);
        Assert.Contains("add --no-online", refusedOutput);
        Assert.DoesNotContain("raw events read", refusedOutput);
        Assert.True(offlineOnly == 0, offlineOnlyOutput);
        Assert.True(same == 0, sameOutput);

        // A tile rebuild from a file whose streaming view differs would write tiles serving ignores and ingestion replaces.
        var tiles = Path.Combine(Path.GetTempPath(), $"tiles-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(tiles, (await File.ReadAllTextAsync(RepositoryPaths.FraudDefinitions))
            .Replace("      - { name: amount_max_7d, field: amount, aggregation: max, window: 7d }\n",
                "      - { name: amount_max_7d, field: amount, aggregation: max, window: 7d }\n      - { name: amount_sum_7d, field: amount, aggregation: sum, window: 7d }\n",
                StringComparison.Ordinal));
        var (tilesRefused, tilesRefusedOutput) = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(2), environment, "materialize", "--tiles", "--definitions", tiles);
        var (tilesSame, tilesSameOutput) = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(2), environment, "materialize", "--tiles", "--views", "merchant_1h", "--definitions", tiles);

        Assert.Equal(2, tilesRefused);
        Assert.Contains("--definitions defines streaming view(s) customer_7d otherwise than the registry's live version", tilesRefusedOutput);
        Assert.True(tilesSame == 0, tilesSameOutput);
    }

    [Fact]
    public async Task Materialize_EmptyRawZone_SucceedsWithSummaryTable()
    {
        // This class's Azurite: nothing was ever ingested, so its raw zone is empty.
        var (exitCode, output) = await CliRunner.RunProcessWithEnvironmentAsync(
            TimeSpan.FromMinutes(2),
            new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["COLUMNS"] = "400" },
            "materialize", "--from", "2026-05-01T06:00Z", "--to", "2026-05-01T09:00Z", "--views", "merchant_7d", "--definitions", RepositoryPaths.FraudDefinitions);

        Assert.True(exitCode == 0, output);
        Assert.Contains("moved back to its UTC day start (2026-05-01 00:00)", output);
        Assert.Contains("Materialized [2026-05-01 00:00:00Z, 2026-05-01 09:00:00Z)", output);
        Assert.Contains("merchant_7d", output);
        Assert.Contains("0 raw events read", output);
        Assert.Matches(@"Feature statistics of this run: offline/_stats/<view>/runs/\d{8}T\d{9}Z-20260501T00-20260501T09\.json", output);
    }
}
