using System.Globalization;
using System.Text;
using System.Text.Json;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Tests.Ingestion;
using Brisa.Azure.Training;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Training;

[Collection(AzuriteCollection.Name)]
public sealed class ModelTrainingPipelineTests(AzuriteFixture azurite)
{
    private static readonly FeatureRepositoryDefinition Definitions =
        DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions ?? throw new InvalidOperationException("sample definitions are invalid");

    [Fact]
    public async Task BuildSet_EventsBeforeTheHistoryStart_CountInTheFirstRowsWindowsAndTtl()
    {
        // The history starts at `from`; the customer's earlier events are inside the 7-day window (and the 1-hour
        // view's 2-hour TTL) of the first observations, as they are for serving at those times.
        var prefix = $"pipe{Guid.NewGuid():N}"[..12];
        var from = new DateTimeOffset(2031, 7, 18, 12, 0, 0, TimeSpan.Zero);
        var now = from.AddDays(2);
        var customer = prefix + "-c";
        var events = new (string Id, DateTimeOffset Time)[]
        {
            (prefix + "-e1", from.AddDays(-3)),
            (prefix + "-e2", from.AddDays(-1)),
            (prefix + "-e3", from.AddMinutes(-80)),
            (prefix + "-o1", from.AddMinutes(10)),
            (prefix + "-o2", from.AddHours(1)),
        };
        var ingestor = new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(now));
        var ingested = await ingestor.IngestAsync([Message(events.Select(e => (e.Id, customer, prefix + "-m", e.Time)))], CancellationToken.None);
        Assert.Equal(events.Length, ingested.Accepted);

        var model = Definitions.FindModel("fraud")!;
        model = model with { Label = model.Label with { Within = TimeSpan.FromHours(1) } };
        var plan = FeaturePlan.Compile(Definitions, trackEventIds: false);
        var (_, set) = await new ModelTrainingPipeline(azurite.Storage, new FixedTimeProvider(now))
            .BuildSetAsync(plan, model, now, TimeSpan.FromDays(2), progress: null, CancellationToken.None);

        double? Value(string row, string column) => set.Column(column)[set.RowIds.ToList().IndexOf(row)].AsNumber();
        Assert.DoesNotContain(prefix + "-e3", set.RowIds);
        Assert.Equal(3, Value(prefix + "-o1", "customer_7d__txn_count_7d"));
        Assert.Equal(4, Value(prefix + "-o2", "customer_7d__txn_count_7d"));

        // e3 is outside the 1-hour window but inside the view's TTL: present with an empty window, as served.
        Assert.Equal(0, Value(prefix + "-o1", "customer_1h__txn_count_1h"));
    }

    [Fact]
    public async Task Run_EveryObservationYoungerThanItsLabelWindow_SaysSoAndWhatToDo()
    {
        // Two days of transactions and a 30-day label window (the sample's): nothing has a final label yet.
        var prefix = $"young{Guid.NewGuid():N}"[..12];
        var now = new DateTimeOffset(2034, 2, 11, 9, 0, 0, TimeSpan.Zero);
        var events = Enumerable.Range(0, 3).Select(i => (prefix + "-t" + i, prefix + "-c", prefix + "-m", now.AddDays(-2).AddHours(i)));
        var ingested = await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(now)).IngestAsync([Message(events)], CancellationToken.None);
        Assert.Equal(3, ingested.Accepted);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new ModelTrainingPipeline(azurite.Storage, new FixedTimeProvider(now)).RunAsync(Definitions, "fraud", new TrainingPipelineOptions { History = TimeSpan.FromDays(3) }));

        Assert.Contains("3 'transaction' observations", error.Message, StringComparison.Ordinal);
        Assert.Contains("all 3 are younger than the label window (label.within 30d)", error.Message, StringComparison.Ordinal);
        Assert.Contains("older than 30d", error.Message, StringComparison.Ordinal);
    }

    private static IncomingMessage Message(IEnumerable<(string Id, string Customer, string Merchant, DateTimeOffset Time)> events) =>
        new(Encoding.UTF8.GetBytes("[" + string.Join(",", events.Select(e => Envelope(e.Id, JsonSerializer.Serialize(new
        {
            transaction_id = e.Id,
            customer_id = e.Customer,
            merchant_id = e.Merchant,
            amount = 10.0,
            currency = "EUR",
            country = "ES",
            channel = "online",
            timestamp = e.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
        })))) + "]"));

    private static string Envelope(string id, string data) =>
        $$"""{"specversion":"1.0","id":{{JsonSerializer.Serialize(id)}},"source":"/tests","type":"com.brisa.fraud.transaction","data":{{data}}}""";
}
