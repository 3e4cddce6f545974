using System.Net;
using System.Net.Sockets;
using System.Text;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Models;
using Brisa.Azure.Offline;
using Brisa.Azure.Registry;
using Brisa.Azure.Training;
using Brisa.Cli.Serving;
using Brisa.Core.Definitions;
using Brisa.Core.Generation;
using Brisa.Core.Ingestion;
using Brisa.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Brisa.Cli.Tests.Serving;

/// <summary>
/// One Azurite with the sample definitions applied, a small fraud stream ingested, its last day materialized and a
/// model trained and promoted through the pipeline; the API served twice over it: by the CLI's host (<c>brisa serve</c>) on a free port, with a
/// function key, and by the Functions classes invoked directly. Both run on the same pinned clock, so streaming windows
/// and statuses cannot move between the two answers to a case.
/// </summary>
public sealed class ServingFixture : IAsyncLifetime
{
    /// <summary>The key the served API requires.</summary>
    public const string Key = "suite-key";

    private readonly AzuriteFixture azurite = new();
    private WebApplication? served;

    /// <summary>Storage.</summary>
    public AzuriteFixture Azurite => azurite;

    /// <summary>The instant both targets answer at.</summary>
    public DateTimeOffset Now { get; } = DateTimeOffset.UtcNow;

    /// <summary>The served API's base address.</summary>
    public Uri ServeUrl { get; private set; } = null!;

    /// <summary>A client of the served API (no key: cases add it).</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The Functions classes, invoked directly.</summary>
    public DirectFunctions Direct { get; private set; } = null!;

    /// <summary>Values the cases refer to: a customer and merchant with history, and the champion version.</summary>
    public IReadOnlyDictionary<string, string> Values { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        var definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
        await DefinitionRegistry.For(azurite.Storage).ApplyAsync(definitions, "suite", Now);

        // Small but trainable (as in PredictorTests): enough frauds whose 30-day chargeback window has closed.
        var stream = FraudStreamGenerator.Generate(new FraudStreamOptions { Customers = 120, Days = 45, Seed = 3, Start = Now.AddDays(-45) });
        var arrived = stream.Events.Where(e => e.Time <= Now).ToList();
        await new EventIngestor(azurite.Storage, definitions).IngestAsync([.. arrived.Chunk(2000).Select(chunk => new IncomingMessage(FraudStreamJson.ToJsonArray(chunk)))], CancellationToken.None);
        // The last day materialized, as the timer would have: batch views have online values, the catalog statistics and freshness.
        var lastHour = new DateTimeOffset(Now.Year, Now.Month, Now.Day, Now.Hour, 0, 0, TimeSpan.Zero);
        await new FeatureMaterializer(azurite.Storage, definitions, new FixedTimeProvider(Now)).MaterializeAsync(lastHour.AddDays(-1), lastHour);
        var trained = await new ModelTrainingPipeline(azurite.Storage).RunAsync(definitions, "fraud");
        var version = trained.Run.Report?.Version ?? throw new InvalidOperationException("training failed: " + trained.Run.Message);
        var registry = new ModelRegistry(azurite.Storage);
        var champion = (await registry.GetAliasesAsync("fraud")).Aliases.Champion;
        if (champion != version)
        {
            // The pipeline's guardrails may hold back a model trained on so little data; the suite needs a champion.
            await registry.PromoteAsync("fraud", version, champion, "suite", "test");
        }

        var last = arrived.OfType<TransactionEvent>().Last();
        Values = new Dictionary<string, string>
        {
            ["customer"] = last.CustomerId,
            ["merchant"] = last.MerchantId,
            ["version"] = version,
            ["now"] = Now.AddMinutes(-1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        };

        var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString };
        var clock = new FixedTimeProvider(Now);
        ServeUrl = new Uri($"http://127.0.0.1:{FreePort()}/");
        served = LocalFunctionsHost.Build(ServeUrl, settings, Key, services => services.AddSingleton<TimeProvider>(clock));
        await served.StartAsync();
        Http = new HttpClient { BaseAddress = ServeUrl };
        Direct = DirectFunctions.Create(settings, clock);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (served is not null)
        {
            await served.DisposeAsync();
        }

        if (Direct is not null)
        {
            await Direct.DisposeAsync();
        }

        await azurite.DisposeAsync();
    }

    /// <summary>A free TCP port on loopback.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The tests that share one <see cref="ServingFixture"/> (its setup trains a model: once per run, not per class).</summary>
[CollectionDefinition(Name)]
public sealed class ServingCollection : ICollectionFixture<ServingFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Serving";
}
