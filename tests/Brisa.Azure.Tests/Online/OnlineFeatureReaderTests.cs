using System.Text;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Online;
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
