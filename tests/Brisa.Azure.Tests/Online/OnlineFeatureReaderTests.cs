using System.Text;
using Azure.Data.Tables;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Online;
using Brisa.Azure.Storage;
using Brisa.Azure.Tests.Ingestion;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Serving;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Online;

[Collection(AzuriteCollection.Name)]
public sealed class OnlineFeatureReaderTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly FeatureRepositoryDefinition Definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;

    private static string Txn(string id, string customer, double amount, string country, DateTimeOffset time) =>
        $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"/t","type":"com.brisa.fraud.transaction","data":{"transaction_id":"{{{id}}}","customer_id":{{{System.Text.Json.JsonSerializer.Serialize(customer)}}},"merchant_id":"m1","amount":{{{amount}}},"currency":"EUR","country":"{{{country}}}","channel":"pos","timestamp":"{{{time:yyyy-MM-ddTHH:mm:ss.fffZ}}}"}}""";

    [Fact]
    public async Task Get_RowsOfAnOlderBuildsLayout_NotFoundViewsNotedAndOneWarningPerView()
    {
        // Rows as an older build left them: a customer's tiles and a merchant's batch values under a layout fingerprint
        // this build does not write, with events in the window. They must read as missing, and the reader must say why
        // (NOT_FOUND alone reads as an entity never seen), once per view, not once per request.
        var customer = $"c-{Guid.NewGuid():N}";
        var merchant = $"m-{Guid.NewGuid():N}";
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now))
            .IngestAsync([new IncomingMessage(Encoding.UTF8.GetBytes("[" + Txn($"{customer}-1", customer, 10, "ES", Now.AddMinutes(-20)) + "]"))], CancellationToken.None);
        var table = azurite.Storage.Tables.GetTableClient(StorageNames.OnlineTable);
        var plan = FeaturePlan.Compile(Definitions, trackEventIds: true);
        foreach (var view in new[] { "customer_1h", "customer_7d" })
        {
            var row = (await table.GetEntityAsync<TableEntity>(TableKeys.Encode(customer), view)).Value;
            row[OnlineTileStore.LayoutProperty] = row.GetInt64(OnlineTileStore.LayoutProperty) ^ 1;
            await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        }

        await table.AddEntityAsync(new TableEntity(TableKeys.Encode(merchant), "merchant_7d")
        {
            [OnlineTileStore.EntityKeyProperty] = merchant,
            [OnlineValueStore.KindProperty] = OnlineValueStore.ValuesKind,
            [OnlineTileStore.LayoutProperty] = unchecked((long)plan.FindView("merchant_7d")!.View.LayoutFingerprint) ^ 1,
            [OnlineTileStore.EventTimeProperty] = Now.AddHours(-3),
            [OnlineValueStore.FeatureTimeProperty] = Now.AddHours(-1),
            ["merchant_amount_mean_7d"] = 12.5,
        });
        var request = OnlineFeatureRequest.Parse(
            Encoding.UTF8.GetBytes($$$"""{"features":["customer_1h:txn_count_1h","customer_7d:txn_count_7d","merchant_7d:merchant_amount_mean_7d"],"entities":{"customer_id":["{{{customer}}}"],"merchant_id":["{{{merchant}}}"]}}"""),
            plan);
        using var logs = new ListLoggerProvider();
        var reader = OnlineFeatureReader.For(azurite.Storage, logger: logs.CreateLogger<OnlineFeatureReader>());

        var first = await reader.GetAsync(request, Now);
        await reader.GetAsync(request, Now);

        Assert.All(first.Results.Skip(2), column => Assert.Equal("NOT_FOUND", column.Statuses[0]));
        Assert.Equal(["customer_1h", "customer_7d", "merchant_7d"], reader.OtherLayoutViews);
        var warnings = logs.Entries.Where(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Equal(3, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("view customer_7d", StringComparison.Ordinal) && w.Contains("'brisa materialize --tiles --views customer_7d'", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("view merchant_7d", StringComparison.Ordinal) && w.Contains("the next materialization writes them again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Get_RowOfAnotherLayoutIdlePastTheWindow_NotNoted()
    {
        // An entity whose events all left the window reads as missing in either layout: nothing is lost, nothing to say.
        var customer = $"c-{Guid.NewGuid():N}";
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now.AddDays(-8)))
            .IngestAsync([new IncomingMessage(Encoding.UTF8.GetBytes("[" + Txn($"{customer}-1", customer, 10, "ES", Now.AddDays(-8).AddMinutes(-5)) + "]"))], CancellationToken.None);
        var table = azurite.Storage.Tables.GetTableClient(StorageNames.OnlineTable);
        var row = (await table.GetEntityAsync<TableEntity>(TableKeys.Encode(customer), "customer_7d")).Value;
        row[OnlineTileStore.LayoutProperty] = row.GetInt64(OnlineTileStore.LayoutProperty) ^ 1;
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        var request = OnlineFeatureRequest.Parse(
            Encoding.UTF8.GetBytes($$$"""{"features":["customer_7d:txn_count_7d"],"entities":{"customer_id":["{{{customer}}}"]}}"""),
            FeaturePlan.Compile(Definitions, trackEventIds: true));
        var reader = OnlineFeatureReader.For(azurite.Storage);

        await reader.GetAsync(request, Now);

        Assert.Empty(reader.OtherLayoutViews);
    }

    [Fact]
    public async Task Get_AfterIngestion_WindowValuesSlideAndTtlApplies()
    {
        var customer = $"c/{Guid.NewGuid():N}#?";
        var events = new[]
        {
            Txn($"{customer}-1", customer, 10, "ES", Now.AddMinutes(-50)),
            Txn($"{customer}-2", customer, 30, "FR", Now.AddMinutes(-20)),
            Txn($"{customer}-3", customer, 20, "DE", Now.AddDays(-2)),
        };
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now))
            .IngestAsync([new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(",", events) + "]"))], CancellationToken.None);
        var plan = FeaturePlan.Compile(Definitions, trackEventIds: true);
        var request = OnlineFeatureRequest.Parse(
            Encoding.UTF8.GetBytes($$$"""{"features":["customer_1h:txn_count_1h","customer_1h:amount_sum_1h","customer_7d:txn_count_7d","customer_7d:last_country_7d"],"entities":{"customer_id":[{{{System.Text.Json.JsonSerializer.Serialize(customer)}}},"nobody"]}}"""),
            plan);
        var reader = OnlineFeatureReader.For(azurite.Storage);

        var now = await reader.GetAsync(request, Now);
        var later = await reader.GetAsync(request, Now.AddMinutes(15));
        var muchLater = await reader.GetAsync(request, Now.AddHours(3));

        Assert.Equal([2L, null], now.Results[1].Values);
        Assert.Equal([40.0, null], now.Results[2].Values);
        Assert.Equal(["PRESENT", "NOT_FOUND"], now.Results[1].Statuses);
        Assert.Equal([3L, null], now.Results[3].Values);
        Assert.Equal("FR", now.Results[4].Values[0]);
        Assert.Equal(Now.AddMinutes(-20), now.Results[1].EventTimestamps[0]);
        Assert.Equal(1L, later.Results[1].Values[0]);
        Assert.Equal("OUTSIDE_MAX_AGE", muchLater.Results[1].Statuses[0]);
        Assert.Equal("PRESENT", muchLater.Results[3].Statuses[0]);
    }
}
