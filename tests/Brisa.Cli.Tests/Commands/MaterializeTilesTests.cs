using Azure.Data.Tables;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Online;
using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Generation;
using Brisa.Core.Ingestion;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Commands;

/// <summary><c>brisa materialize --tiles</c> as its own process, against an Azurite whose streaming tiles were lost.</summary>
public sealed class MaterializeTilesTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task MaterializeTiles_TilesDeleted_RebuildsThemFromTheRawZoneOnce()
    {
        // The sample applied; a customer with three transactions (10, 20, 30) in the last half hour and one three days
        // ago, all ingested; then the customer's customer_1h row is deleted (as an unreadable row is) and its customer_7d
        // row left as an older build's: the same tiles under a layout fingerprint this build does not write.
        var definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
        await DefinitionRegistry.For(azurite.Storage).ApplyAsync(definitions, "test", DateTimeOffset.UtcNow, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        GeneratedEvent[] events =
        [
            new TransactionEvent("mt-1", now.AddMinutes(-30), "mt-c", "mt-m", 10, "EUR", "ES", "pos", false),
            new TransactionEvent("mt-2", now.AddMinutes(-20), "mt-c", "mt-m", 20, "EUR", "FR", "pos", false),
            new TransactionEvent("mt-3", now.AddMinutes(-10), "mt-c", "mt-m", 30, "EUR", "ES", "pos", false),
            new TransactionEvent("mt-4", now.AddDays(-3), "mt-c", "mt-m", 40, "EUR", "ES", "pos", false),
        ];
        await new EventIngestor(azurite.Storage, definitions).IngestAsync([new IncomingMessage(FraudStreamJson.ToJsonArray(events))], CancellationToken.None);
        var table = azurite.Storage.Tables.GetTableClient(StorageNames.OnlineTable);
        await table.DeleteEntityAsync(TableKeys.Encode("mt-c"), "customer_1h");
        var older = (await table.GetEntityAsync<TableEntity>(TableKeys.Encode("mt-c"), "customer_7d")).Value;
        older[OnlineTileStore.LayoutProperty] = older.GetInt64(OnlineTileStore.LayoutProperty) ^ 1;
        await table.UpdateEntityAsync(older, older.ETag, TableUpdateMode.Replace);

        Assert.Empty(await ReadAsync(definitions));
        var environment = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["COLUMNS"] = "400" };

        var (exitCode, output) = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(2), environment, "materialize", "--tiles", "--views", "customer_1h,customer_7d");

        Assert.True(exitCode == 0, output);
        Assert.Contains("Rebuilding the online tiles of 2 streaming view(s) (customer_1h, customer_7d) from the raw zone", output);
        Assert.Contains("Online tiles rebuilt for", output);
        // Per view: its source's raw hours and events read, events applied, already in the tiles, rows written.
        // customer_1h takes the old event too (its window has not left it yet when it is applied) and prunes it.
        Assert.Matches(ViewRow("customer_1h", applied: 4, held: 0, rows: 1), output);
        Assert.Matches(ViewRow("customer_7d", applied: 4, held: 0, rows: 1), output);
        Assert.Contains("4 raw events read in", output);
        Assert.Contains("; 2 rows written; 0 writes retried", output);
        Assert.Contains("Of the rows written, 1 held tiles of another layout (an older build's, or the view's before a change of its tiles) and now count their whole window again: customer_7d 1.", output);
        var values = await ReadAsync(definitions);
        Assert.Equal(FieldValue.FromNumber(3), values[("customer_1h", "txn_count_1h")]);
        Assert.Equal(FieldValue.FromNumber(60), values[("customer_1h", "amount_sum_1h")]);
        Assert.Equal(FieldValue.FromNumber(2), values[("customer_1h", "country_distinct_1h")]);
        Assert.Equal(FieldValue.FromNumber(4), values[("customer_7d", "txn_count_7d")]);

        // Again: every event in a window is already in the tiles; the old one is below customer_1h's window now.
        (exitCode, output) = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(2), environment, "materialize", "--tiles", "--views", "customer_1h,customer_7d");

        Assert.True(exitCode == 0, output);
        Assert.Matches(ViewRow("customer_1h", applied: 0, held: 3, rows: 0), output);
        Assert.Matches(ViewRow("customer_7d", applied: 0, held: 4, rows: 0), output);
        Assert.Contains("; 0 rows written;", output);
        Assert.DoesNotContain("another layout", output);
        Assert.Equal(values, await ReadAsync(definitions));
    }

    private static string ViewRow(string view, int applied, int held, int rows) =>
        $@"{view}\s+│\s+transaction\s+│\s+\[\d{{4}}-\d\d-\d\d \d\d:00:00Z, \d{{4}}-\d\d-\d\d \d\d:00:00Z\)\s+│\s+4\s+│\s+{applied}\s+│\s+{held}\s+│\s+{rows}\s+│";

    /// <summary>The customer's served values of its streaming views, by (view, feature).</summary>
    private async Task<Dictionary<(string View, string Feature), FieldValue>> ReadAsync(FeatureRepositoryDefinition definitions)
    {
        var plan = FeaturePlan.Compile(definitions, trackEventIds: true);
        var views = new[] { plan.FindView("customer_1h")!, plan.FindView("customer_7d")! };
        var rows = await OnlineFeatureReader.For(azurite.Storage).ReadAsync(["mt-c"], views, TiledView.ToUnixTicks(DateTimeOffset.UtcNow));
        return rows.SelectMany(row => views.Single(v => v.Name == row.Key.View).View.Features.Select((f, i) => (Key: (row.Key.View, f.Name), Value: row.Value.Values[i])))
            .ToDictionary(p => p.Key, p => p.Value);
    }
}
