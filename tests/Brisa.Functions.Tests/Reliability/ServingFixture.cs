using System.Text;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Models;
using Brisa.Azure.Offline;
using Brisa.Azure.Online;
using Brisa.Azure.Registry;
using Brisa.Azure.Serving;
using Brisa.Azure.Training;
using Brisa.Core.Modeling;
using Brisa.Functions.Catalog;
using Brisa.Functions.Ingestion;
using Brisa.Functions.Models;
using Brisa.Functions.Serving;
using Brisa.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Brisa.Functions.Tests.Reliability;

/// <summary>
/// A private Azurite with a fraud history, a trained champion and a second version to swap to, and every HTTP
/// function of the serving API built over it as the Functions host builds them.
/// </summary>
public sealed class ServingFixture : IAsyncLifetime
{
    private readonly AzuriteFixture azurite = new();

    public AzuriteFixture Azurite => azurite;

    public ModelRegistry Registry { get; private set; } = null!;

    public string Champion { get; private set; } = null!;

    public string Other { get; private set; } = null!;

    public string Customer { get; private set; } = null!;

    public string Merchant { get; private set; } = null!;

    public PredictionLog Log { get; private set; } = null!;

    public ModelCache Models { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        var now = DateTimeOffset.UtcNow;
        var arrived = await FraudHistory.IngestAsync(azurite.Storage, now, customers: 60, days: 40);
        var last = arrived.OfType<Core.Generation.TransactionEvent>().Last();
        (Customer, Merchant) = (last.CustomerId, last.MerchantId);
        var trained = await new ModelTrainingPipeline(azurite.Storage).RunAsync(FraudHistory.Definitions, "fraud");
        Registry = new ModelRegistry(azurite.Storage);
        var first = trained.Run.Report!.Version;
        if ((await Registry.GetAliasesAsync("fraud")).Aliases.Champion is null)
        {
            // A guardrail held it back on this small history; serving only needs a champion.
            await Registry.PromoteAsync("fraud", first, null, "reliability tests", "test");
        }

        var zip = await Registry.DownloadModelAsync("fraud", first);
        Other = ModelVersionId.Create(DateTimeOffset.UtcNow.AddSeconds(1), [.. zip, 1]);
        await Registry.SaveVersionAsync(trained.Run.Report with { Version = Other }, zip);
        Champion = first;
        Log = PredictionLog.For(azurite.Storage);
        Models = new ModelCache(Registry, TimeProvider.System, TimeSpan.FromMilliseconds(100));
    }

    public async Task DisposeAsync()
    {
        if (Log is not null)
        {
            await Log.DisposeAsync();
        }

        await azurite.DisposeAsync();
    }

    public PushEventsFunction Push(int maxBodyBytes = 4 * 1024 * 1024) =>
        new(new EventIngestor(azurite.Storage, FraudHistory.Definitions), Options.Create(new PushOptions { MaxBodyBytes = maxBodyBytes }), NullLogger<PushEventsFunction>.Instance);

    public OnlineFeaturesFunction Online() =>
        new(new FixedDefinitionsSource(FraudHistory.Definitions), new ServingPlans(), OnlineFeatureReader.For(azurite.Storage), TimeProvider.System, NullLogger<OnlineFeaturesFunction>.Instance);

    public PredictFunction Predict() =>
        new(new FixedDefinitionsSource(FraudHistory.Definitions), new ServingPlans(), new Predictor(Models, OnlineFeatureReader.For(azurite.Storage), Log, TimeProvider.System), NullLogger<PredictFunction>.Instance);

    public CatalogFunctions Catalog() => new(new FixedDefinitionsSource(FraudHistory.Definitions), FeatureStatisticsStore.For(azurite.Storage), TimeProvider.System, NullLogger<CatalogFunctions>.Instance);

    public ModelInfoFunction ModelInfo() => new(Registry, new FixedDefinitionsSource(FraudHistory.Definitions), NullLogger<ModelInfoFunction>.Instance);

    public string ValidInstance(double amount = 42.5) =>
        $$"""{"customer_id":"{{Customer}}","merchant_id":"{{Merchant}}","amount":{{amount}},"currency":"EUR","country":"ES","channel":"pos"}""";

    public static HttpRequest Request(byte[] body, string? contentType = "application/json", string method = "POST", string? query = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        if (query is not null)
        {
            context.Request.QueryString = new QueryString(query);
        }

        return context.Request;
    }

    public static HttpRequest Request(string body, string? contentType = "application/json") => Request(Encoding.UTF8.GetBytes(body), contentType);
}

[CollectionDefinition(Name)]
public sealed class ServingCollection : ICollectionFixture<ServingFixture>
{
    public const string Name = "Serving";
}
