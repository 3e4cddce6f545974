using System.Globalization;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Registry;
using Brisa.Core.Definitions;
using Brisa.Core.Generation;
using Brisa.Core.Ingestion;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Commands;

/// <summary><c>brisa features history</c> as its own process against Azurite holding a few ingested transactions.</summary>
public sealed class FeaturesHistoryCommandTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Count1h = "customer_1h__txn_count_1h";
    private const string Mean7d = "customer_7d__amount_mean_7d";

    [Theory]
    [InlineData(new[] { "features", "history", "customer_1h:txn_count_1h", "-o", "x.parquet" }, "Give the rows: --entities")]
    [InlineData(new[] { "features", "history", "--entities", "rows.csv", "-o", "x.parquet" }, "Give the features")]
    [InlineData(new[] { "features", "history", "customer_1h:txn_count_1h", "--service", "fraud", "-o", "x.parquet" }, "not both")]
    [InlineData(new[] { "features", "history", "customer_1h:txn_count_1h", "--entities", "rows.csv" }, "Give the file to write: -o")]
    [InlineData(new[] { "features", "history", "--service", "fraud", "--strictly-before", "-o", "x.parquet" }, "--strictly-before applies to --entities rows")]
    public async Task FeaturesHistory_BadArguments_ExitTwoSaysWhatIsWrong(string[] args, string message)
    {
        var (exitCode, output) = await CliRunner.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, output);
    }

    [Fact]
    public async Task FeaturesHistory_EntityRows_PointInTimeValuesAsTheOnlineStoreServedThem()
    {
        var seeded = await SeedAsync();
        var now = seeded.Now;
        var rows = await CsvAsync(
            "row_id,customer_id,event_timestamp",
            $"now,{seeded.Recent},{Iso(now)}",
            $"at-second,{seeded.Recent},{Iso(now.AddMinutes(-20))}",
            $"before-any,{seeded.Recent},{Iso(now.AddMinutes(-31))}",
            $"stale-then,{seeded.Stale},{Iso(now.AddDays(-3).AddMinutes(1))}",
            $"stale-now,{seeded.Stale},{Iso(now)}",
            $"unknown,fh-nobody,{Iso(now)}",
            $"years-ago,{seeded.Recent},2020-01-01T00:00:00Z");
        var output = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.parquet");

        var (exitCode, text) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(2), azurite.ConnectionString, "features", "history", "customer_1h:txn_count_1h", "customer_7d:amount_mean_7d", "--entities", rows, "-o", output);

        Assert.True(exitCode == 0, text);
        Assert.Contains($"7 row(s), 2020-01-01 00:00:00 UTC to {now:yyyy-MM-dd HH:mm:ss} UTC: 2 feature(s) written to {output}", text);
        var values = await HistoryParquet.ReadAsync(output);
        // The same values features get serves now (see FeaturesGetCommandTests): three transactions of 10, 20, 30.
        Assert.Equal((3.0, 20.0), (values["now"][Count1h], values["now"][Mean7d]));
        // At or before the row's time: the second transaction, at that very instant, is in.
        Assert.Equal((2.0, 15.0), (values["at-second"][Count1h], values["at-second"][Mean7d]));
        Assert.Equal((1.0, 40.0), (values["stale-then"][Count1h], values["stale-then"][Mean7d]));
        // Not found, or past the views' TTLs (2 h, 2 d): missing, as served.
        foreach (var missing in new[] { "before-any", "stale-now", "unknown", "years-ago" })
        {
            Assert.Equal((null, null), (values[missing][Count1h], values[missing][Mean7d]));
        }

        var strictly = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.parquet");
        (exitCode, text) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(2), azurite.ConnectionString, "features", "history", "customer_1h:txn_count_1h", "customer_7d:amount_mean_7d", "--entities", rows, "-o", strictly, "--strictly-before");

        Assert.True(exitCode == 0, text);
        var before = await HistoryParquet.ReadAsync(strictly);
        Assert.Equal((1.0, 10.0), (before["at-second"][Count1h], before["at-second"][Mean7d]));
        Assert.Equal((3.0, 20.0), (before["now"][Count1h], before["now"][Mean7d]));
    }

    [Fact]
    public async Task FeaturesHistory_Service_TheLabelledSetTrainWouldFitOn()
    {
        var seeded = await SeedAsync();
        var output = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.parquet");

        var (exitCode, text) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(2), azurite.ConnectionString, "features", "history", "--service", "fraud", "-o", output);

        Assert.True(exitCode == 0, text);
        Assert.Contains("with the label written to", text);
        Assert.Contains("observation(s) of the last 90 days are left out: their label window (label.within) is still open", text);
        var values = await HistoryParquet.ReadAsync(output);
        // Only the old transactions: the recent ones' chargeback window (30 days) is still open.
        Assert.Equal(1.0, values[seeded.OldFraud]["label"]);
        Assert.Equal(0.0, values[seeded.OldOk]["label"]);
        Assert.DoesNotContain(values.Keys, id => id.StartsWith(seeded.Run + "-recent", StringComparison.Ordinal));
        // Strictly before each observation: the first old transaction does not see itself.
        Assert.Null(values[seeded.OldOk][Count1h]);
        Assert.Equal(1.0, values[seeded.OldFraud][Count1h]);
    }

    [Fact]
    public async Task FeaturesHistory_OutputFolderMissing_ExitTwoBeforeReading()
    {
        var rows = await CsvAsync("event_timestamp,customer_id", "2026-05-01T00:00:00Z,c1");
        var output = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}", "x.parquet");

        var (exitCode, text) = await CliRunner.RunAsync("features", "history", "customer_7d:amount_mean_7d", "--entities", rows, "-o", output);

        Assert.Equal(2, exitCode);
        Assert.Contains("no folder", text);
    }

    [Theory]
    [InlineData("event_timestamp,customer\n2026-05-01T00:00:00Z,c1\n", "no column 'customer_id'")]
    [InlineData("event_timestamp,customer_id\n2026-05-01T00:00:00Z,c1\nsoon,c2\n", "line 3: 'soon' in column 'event_timestamp' is not a time")]
    public async Task FeaturesHistory_BadEntityFile_ExitTwoNamesFileAndLine(string csv, string message)
    {
        await SeedAsync();
        var rows = await CsvAsync(csv);

        var (exitCode, text) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(2), azurite.ConnectionString, "features", "history", "customer_7d:amount_mean_7d", "--entities", rows, "-o", rows + ".parquet");

        Assert.Equal(2, exitCode);
        Assert.Contains($"{rows}:", text);
        Assert.Contains(message, text);
        Assert.False(File.Exists(rows + ".parquet"));
    }

    // The sample applied; a recent customer with three transactions (10, 20, 30) 30, 20 and 10 minutes ago; a stale
    // one with a transaction three days ago; an old customer with two transactions 40 days ago, the second
    // charged back. Names are new for each test.
    private async Task<(string Run, string Recent, string Stale, string OldOk, string OldFraud, DateTimeOffset Now)> SeedAsync()
    {
        var definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
        await DefinitionRegistry.For(azurite.Storage).ApplyAsync(definitions, "test", DateTimeOffset.UtcNow, CancellationToken.None);
        var run = "fh" + Guid.NewGuid().ToString("N")[..8];
        var (recent, stale, old) = ($"{run}-c-recent", $"{run}-c-stale", $"{run}-c-old");
        var now = new DateTimeOffset(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var (oldOk, oldFraud) = ($"{run}-old-1", $"{run}-old-2");
        GeneratedEvent[] events =
        [
            new TransactionEvent($"{run}-recent-1", now.AddMinutes(-30), recent, "m1", 10, "EUR", "ES", "pos", false),
            new TransactionEvent($"{run}-recent-2", now.AddMinutes(-20), recent, "m1", 20, "EUR", "ES", "pos", false),
            new TransactionEvent($"{run}-recent-3", now.AddMinutes(-10), recent, "m1", 30, "EUR", "ES", "pos", false),
            new TransactionEvent($"{run}-stale-1", now.AddDays(-3), stale, "m2", 40, "EUR", "ES", "pos", false),
            new TransactionEvent(oldOk, now.AddDays(-40), old, "m3", 50, "EUR", "ES", "pos", false),
            new TransactionEvent(oldFraud, now.AddDays(-40).AddMinutes(5), old, "m3", 900, "USD", "NG", "online", true),
            new ChargebackEvent($"{run}-cb-1", now.AddDays(-35), oldFraud, old, 900, "fraud", true),
        ];
        await new EventIngestor(azurite.Storage, definitions).IngestAsync([new IncomingMessage(FraudStreamJson.ToJsonArray(events))], CancellationToken.None);
        return (run, recent, stale, oldOk, oldFraud, now);
    }

    private static async Task<string> CsvAsync(params string[] lines)
    {
        var path = Path.Combine(Path.GetTempPath(), $"rows-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, string.Join('\n', lines) + "\n");
        return path;
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
