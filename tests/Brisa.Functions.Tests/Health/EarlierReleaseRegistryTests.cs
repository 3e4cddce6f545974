using System.Text;
using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Core.Serving;
using Brisa.Functions.Health;
using Brisa.Functions.Ingestion;
using Brisa.Functions.Serving;
using Brisa.Functions.Tests.Reliability;
using Brisa.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Tests.Health;

/// <summary>
/// After an upgrade, the Function App runs on definitions an earlier release applied, which break policy rules added
/// since: it loads them from the registry (its own Azurite) and keeps ingesting and serving, and says what to fix.
/// </summary>
public sealed class EarlierReleaseRegistryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Functions_AppliedDefinitionsBreakPolicyRules_IngestServeAndHealthNamesTheRules()
    {
        await DefinitionRegistry.For(azurite.Storage).ApplyAsync(EarlierReleaseDefinitions.Definitions, "earlier-release", DateTimeOffset.UtcNow);
        using var services = new FunctionServices(azurite.ConnectionString);
        var customer = $"c-{Guid.NewGuid():N}";

        var pushed = await services.Create<PushEventsFunction>().Run(Push(Transaction(customer, "t1"), Transaction(customer, "t2")), CancellationToken.None);
        var online = await services.Create<OnlineFeaturesFunction>().Run(
            ServingFixture.Request($$$"""{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":["{{{customer}}}"]}}"""), CancellationToken.None);
        var health = await services.Create<HealthFunction>().Run(new DefaultHttpContext().Request, CancellationToken.None);

        Assert.Equal(2, Assert.IsType<PushResponse>(Assert.IsType<OkObjectResult>(pushed).Value).Accepted);
        var features = Assert.IsType<OnlineFeatureResponse>(Assert.IsType<OkObjectResult>(online).Value);
        Assert.Equal([2L], features.Results[1].Values);
        Assert.Equal(["PRESENT"], features.Results[1].Statuses);
        var report = Assert.IsType<StorageHealth>(Assert.IsType<ObjectResult>(health).Value);
        Assert.True(report.Healthy);
        var definitions = Assert.Single(report.Checks, c => c.Service == "definitions");
        Assert.Contains("break rule(s) BR0105, BR0525", definitions.Detail, StringComparison.Ordinal);
        var logged = services.Logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Category == typeof(RegistryDefinitionsSource).FullName).Select(e => e.Message).ToList();
        Assert.Equal(2, logged.Count);
        Assert.Contains(logged, m => m.Contains("the applied definitions break rule BR0525: parameter 'learning_rate' of trainer 'lightgbm' must be greater than 0 but is -0.05", StringComparison.Ordinal));
        Assert.Contains(logged, m => m.Contains("the applied definitions break rule BR0105: on-demand feature 'channel' of model 'fraud' has the same name as its request field 'channel'", StringComparison.Ordinal));
    }

    private static HttpRequest Push(params string[] events)
    {
        var context = new DefaultHttpContext();
        var bytes = Encoding.UTF8.GetBytes("[" + string.Join(',', events) + "]");
        context.Request.Method = "POST";
        context.Request.ContentType = "application/cloudevents-batch+json";
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        return context.Request;
    }

    private static string Transaction(string customer, string id)
    {
        var time = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        return $$$"""{"specversion":"1.0","id":"{{{customer}}}-{{{id}}}","source":"/t","type":"com.brisa.fraud.transaction","data":{"transaction_id":"{{{customer}}}-{{{id}}}","customer_id":"{{{customer}}}","merchant_id":"m1","amount":12.5,"currency":"EUR","country":"ES","channel":"pos","timestamp":"{{{time}}}"}}""";
    }
}
