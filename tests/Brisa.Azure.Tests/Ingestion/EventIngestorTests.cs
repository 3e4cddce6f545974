using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Online;
using Brisa.Azure.RawZone;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Ingestion;

/// <summary>The whole ingestion path against Azurite: decode, dead-letter, raw zone, online tiles, redelivery.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EventIngestorTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly FeatureRepositoryDefinition Definitions =
        DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions ?? throw new InvalidOperationException("sample definitions are invalid");

    private static readonly string[] AwkwardCustomers =
    [
        "a/b\\c#d?e",
        "quote\"apostrophe'",
        "ключ-日本-🙂",
        new string('x', 1024),
        "tab\tand\u0001control",
    ];

    private sealed record Txn(string Id, string Customer, double Amount, string Country, DateTimeOffset Time);

    [Fact]
    public async Task Ingest_StreamDeliveredTwice_RawOnceAndOnlineCountsMatchReference()
    {
        var source = $"run-{Guid.NewGuid():N}";
        var stream = GenerateStream(seed: 7, count: 1500, customerPrefix: source);
        var messages = stream.Chunk(100).Select(chunk => Message(chunk)).ToArray();
        var ingestor = new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now));

        var first = await ingestor.IngestAsync(messages, CancellationToken.None);
        var redelivered = await ingestor.IngestAsync(messages, CancellationToken.None);

        Assert.Equal(stream.Count, first.Accepted);
        Assert.Equal(0, first.Rejected);
        Assert.Equal(first.Outcomes, redelivered.Outcomes);
        Assert.True(first.OnlineApplied > 0);
        Assert.Equal(0, first.OnlineDuplicates);
        Assert.Equal(0, redelivered.OnlineApplied);
        Assert.True(redelivered.OnlineDuplicates > 0);

        var rawIds = await ReadRawIdsAsync(stream.Select(t => t.Id).ToHashSet());
        Assert.Equal(stream.Select(t => t.Id).Order(), rawIds.Order());

        var plan = FeaturePlan.Compile(Definitions, trackEventIds: true);
        var view = plan.FindView("customer_1h")!;
        var store = OnlineTileStore.For(azurite.Storage);
        var nowTicks = TiledView.ToUnixTicks(Now);
        foreach (var customer in stream.GroupBy(t => t.Customer))
        {
            var tiles = await store.ReadAsync(view.View, customer.Key);
            Assert.NotNull(tiles);
            var values = tiles.State.Evaluate(nowTicks).Values;
            var expected = ReferenceWindow(customer, view.View, nowTicks, TimeSpan.FromHours(1));
            Assert.Equal(expected.Count(), values[0].AsNumber());
            Assert.Equal(expected.Sum(t => t.Amount), values[1].AsNumber()!.Value, 1e-9 * Math.Max(1, expected.Sum(t => t.Amount)));
        }
    }

    [Fact]
    public async Task Ingest_BatchRedelivered_OnlineDuplicatesCountsEventsOnceNotOncePerView()
    {
        // The sample's transactions feed three streaming views (customer_1h, customer_7d, merchant_1h): a redelivery of
        // 50 events was reported as 150 already counted, three times what the batch and the push endpoint's answer hold.
        var prefix = $"dup-{Guid.NewGuid():N}";
        var stream = Enumerable.Range(0, 50).Select(i => new Txn($"{prefix}-t{i}", $"{prefix}-c{i % 7}", 10 + i, "ES", Now.AddMinutes(-i))).ToList();
        var ingestor = new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now));

        var first = await ingestor.IngestAsync([Message(stream)], CancellationToken.None);
        var redelivered = await ingestor.IngestAsync([Message(stream)], CancellationToken.None);

        Assert.Equal(0, first.OnlineDuplicates);
        Assert.Equal(stream.Count, redelivered.Accepted);
        Assert.Equal(stream.Count, redelivered.OnlineDuplicates);
    }

    [Fact]
    public async Task Ingest_IdReusedAtAnotherTimeInAnotherBatch_BothLandInRawAndCountOnline()
    {
        // An event is (id, time): the same id 10 minutes later is another event, which the materializer and training
        // count, so the stream counts it too, and its raw file (same hour, same id) must not replace the first one's.
        var id = $"reused-{Guid.NewGuid():N}";
        var customer = $"c-{id}";
        var ingestor = new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now));

        await ingestor.IngestAsync([Message([new Txn(id, customer, 10, "ES", Now.AddMinutes(-30))])], CancellationToken.None);
        var second = await ingestor.IngestAsync([Message([new Txn(id, customer, 20, "ES", Now.AddMinutes(-20))])], CancellationToken.None);
        var again = await ingestor.IngestAsync([Message([new Txn(id, customer, 20, "ES", Now.AddMinutes(-20))])], CancellationToken.None);

        Assert.Equal(0, second.OnlineDuplicates);
        Assert.Equal(1, again.OnlineDuplicates);
        Assert.Equal([id, id], await ReadRawIdsAsync([id]));
        var view = FeaturePlan.Compile(Definitions, trackEventIds: true).FindView("customer_1h")!;
        var tiles = await OnlineTileStore.For(azurite.Storage).ReadAsync(view.View, customer);
        Assert.Equal(FieldValue.FromNumber(2), tiles!.State.Evaluate(TiledView.ToUnixTicks(Now)).Values[0]);
    }

    [Fact]
    public async Task Ingest_EventResentWithOtherContent_RawKeepsTheVersionTheTilesCounted()
    {
        // Same id and time, another amount: the tiles skip it as a redelivery, so the raw zone (what the materializer
        // and training read) must keep the first amount too, not the resend's.
        var id = $"resent-{Guid.NewGuid():N}";
        var customer = $"c-{id}";
        var ingestor = new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now));

        await ingestor.IngestAsync([Message([new Txn(id, customer, 10, "ES", Now.AddMinutes(-30))])], CancellationToken.None);
        var resent = await ingestor.IngestAsync([Message([new Txn(id, customer, 99, "ES", Now.AddMinutes(-30))])], CancellationToken.None);

        Assert.Equal(1, resent.OnlineDuplicates);
        Assert.Equal([(id, 10.0)], await ReadRawAsync([id]));
        var view = FeaturePlan.Compile(Definitions, trackEventIds: true).FindView("customer_1h")!;
        var tiles = await OnlineTileStore.For(azurite.Storage).ReadAsync(view.View, customer);
        var amountSum = view.View.Features.Select(f => f.Name).ToList().IndexOf("amount_sum_1h");
        Assert.Equal(FieldValue.FromNumber(10), tiles!.State.Evaluate(TiledView.ToUnixTicks(Now)).Values[amountSum]);
    }

    [Fact]
    public async Task Ingest_RowsOfAnotherLayoutWithEventsInTheWindow_StartedOverAndReportedPerView()
    {
        // After a deploy that changed what tiles hold (the event identity, 2026-12-08), the rows an older build wrote
        // carry a layout fingerprint this build does not write. The stream starts them over, which loses their window
        // until 'brisa materialize --tiles'; the result says so per view, for the functions' warning. A row whose events
        // all left the window loses nothing and is not reported.
        var prefix = $"old-{Guid.NewGuid():N}";
        var (active, idle) = ($"{prefix}-active", $"{prefix}-idle");
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now.AddDays(-8)))
            .IngestAsync([Message([new Txn($"{prefix}-i1", idle, 10, "ES", Now.AddDays(-8).AddMinutes(-5))])], CancellationToken.None);
        var ingestor = new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now));
        await ingestor.IngestAsync([Message([new Txn($"{prefix}-a1", active, 10, "ES", Now.AddMinutes(-30)), new Txn($"{prefix}-a2", active, 20, "ES", Now.AddMinutes(-25))])], CancellationToken.None);
        await AsOlderBuildsRowsAsync(active, idle);

        var upgraded = new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now));
        var first = await upgraded.IngestAsync([Message([new Txn($"{prefix}-a3", active, 30, "ES", Now.AddMinutes(-10)), new Txn($"{prefix}-i2", idle, 30, "ES", Now.AddMinutes(-10))])], CancellationToken.None);
        var next = await upgraded.IngestAsync([Message([new Txn($"{prefix}-a4", active, 40, "ES", Now.AddMinutes(-5))])], CancellationToken.None);

        Assert.Equal(new Dictionary<string, int> { ["customer_1h"] = 1, ["customer_7d"] = 1 }, first.OnlineRowsRestarted);
        Assert.Empty(next.OnlineRowsRestarted);
        var view = FeaturePlan.Compile(Definitions, trackEventIds: true).FindView("customer_7d")!;
        var tiles = await OnlineTileStore.For(azurite.Storage).ReadAsync(view.View, active);
        Assert.Equal(2, tiles!.State.EventCount);
    }

    // What an older build left: the same rows under a layout fingerprint this build does not write.
    private async Task AsOlderBuildsRowsAsync(params string[] customers)
    {
        var table = azurite.Storage.Tables.GetTableClient(StorageNames.OnlineTable);
        foreach (var customer in customers)
        {
            await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Encode(customer)}")))
            {
                row[OnlineTileStore.LayoutProperty] = row.GetInt64(OnlineTileStore.LayoutProperty) ^ 1;
                await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
            }
        }
    }

    [Fact]
    public async Task Ingest_AwkwardEntityKeys_RoundTripThroughTableKeys()
    {
        var stream = AwkwardCustomers
            .Select((customer, i) => new Txn($"awk-{Guid.NewGuid():N}-{i}", customer, 10 + i, "ES", Now.AddMinutes(-5)))
            .ToList();
        var ingestor = new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now));

        var result = await ingestor.IngestAsync([Message(stream)], CancellationToken.None);

        Assert.Equal(AwkwardCustomers.Length, result.Accepted);
        var view = FeaturePlan.Compile(Definitions, trackEventIds: true).FindView("customer_1h")!;
        var table = azurite.Storage.Tables.GetTableClient(StorageNames.OnlineTable);
        foreach (var customer in AwkwardCustomers)
        {
            var tiles = await OnlineTileStore.For(azurite.Storage).ReadAsync(view.View, customer);
            Assert.NotNull(tiles);
            var row = await table.GetEntityAsync<global::Azure.Data.Tables.TableEntity>(TableKeys.Encode(customer), view.Name);
            Assert.Equal(customer, row.Value.GetString(OnlineTileStore.EntityKeyProperty));
            Assert.Equal(customer.Length < 200 ? customer : null, TableKeys.TryDecode(row.Value.PartitionKey));
        }
    }

    [Fact]
    public async Task Ingest_BadEventsCorpus_AllDeadLetteredWithReasonsAndNoValidEventLost()
    {
        var good = GenerateStream(seed: 11, count: 40, customerPrefix: $"good-{Guid.NewGuid():N}");
        var badSource = $"bad-{Guid.NewGuid():N}";
        var corpus = new (string Body, string ReasonStart)[]
        {
            ("{\"specversion\":\"1.0\",\"id\":", "malformed JSON"),
            (Envelope($"{badSource}-1", """{"transaction_id":"x","customer_id":"c","merchant_id":"m","amount":"ten","currency":"EUR","country":"ES","channel":"pos","timestamp":"2026-11-29T11:00:00Z"}"""), "field 'amount': expected a number"),
            (Envelope($"{badSource}-2", """{"transaction_id":"x","merchant_id":"m","amount":1,"currency":"EUR","country":"ES","channel":"pos","timestamp":"2026-11-29T11:00:00Z"}"""), "missing required field 'customer_id'"),
            (Envelope($"{badSource}-3", """{"transaction_id":"x","customer_id":"c","merchant_id":"m","amount":1,"currency":"EUR","country":"ES","channel":"pos","timestamp":"2027-01-01T00:00:00Z"}"""), "field 'timestamp': 2027-01-01T00:00:00Z is"),
            (Envelope($"{badSource}-4", $$"""{"transaction_id":"x","customer_id":"c","merchant_id":"m","amount":1,"currency":"EUR","country":"ES","channel":"pos","blob":"{{new string('z', 1024 * 1024)}}","timestamp":"2026-11-29T11:00:00Z"}"""), "event is "),
            (Envelope($"{badSource}\u0007ctl", """{"transaction_id":"x","customer_id":"c","merchant_id":"m","amount":1,"currency":"EUR","country":"ES","channel":"pos","timestamp":"2026-11-29T11:00:00Z"}"""), "id contains the control character U+0007"),
            (Envelope($"{badSource}-6", """{"transaction_id":"x","customer_id":"c","merchant_id":"m","amount":1,"currency":"XXX","country":"ES","channel":"pos","timestamp":"2026-11-29T11:00:00Z"}"""), "field 'currency': 'XXX' is not allowed"),
        };
        var messages = corpus.Select(c => new IncomingMessage(Encoding.UTF8.GetBytes(c.Body))).Append(Message(good)).ToArray();
        var ingestor = new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now));

        var result = await ingestor.IngestAsync(messages, CancellationToken.None);

        Assert.Equal(good.Count, result.Accepted);
        Assert.Equal(corpus.Length, result.Rejected);
        var deadLetters = await DeadLetterWriter.For(azurite.Storage).ReadAllAsync();
        foreach (var (body, reasonStart) in corpus)
        {
            var record = Assert.Single(deadLetters, d => d.Original == body);
            Assert.StartsWith(reasonStart, record.Reason);
            Assert.Equal(Encoding.UTF8.GetBytes(body), record.OriginalBytes());
        }

        var rawIds = await ReadRawIdsAsync(good.Select(t => t.Id).ToHashSet());
        Assert.Equal(good.Select(t => t.Id).Order(), rawIds.Order());
    }

    private static IEnumerable<Txn> ReferenceWindow(IEnumerable<Txn> events, TiledView view, long atTicks, TimeSpan window)
    {
        var k = window.Ticks / view.TileTicks;
        var tile = view.TileOf(atTicks);
        return events.Where(e =>
        {
            var ticks = TiledView.ToUnixTicks(e.Time);
            var eventTile = view.TileOf(ticks);
            return eventTile > tile - k && eventTile <= tile && ticks <= atTicks;
        });
    }

    private async Task<List<string>> ReadRawIdsAsync(HashSet<string> ofInterest) => [.. (await ReadRawAsync(ofInterest)).Select(e => e.Id)];

    // The raw zone's transactions with one of these ids: id and amount.
    private async Task<List<(string Id, double Amount)>> ReadRawAsync(HashSet<string> ofInterest)
    {
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.RawContainer);
        var schema = FeaturePlan.Compile(Definitions, trackEventIds: false).Schemas.Single(s => s.SourceName == "transaction");
        var amount = schema.IndexOf("amount");
        var events = new List<(string Id, double Amount)>();
        await foreach (var blob in container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, "transaction/", CancellationToken.None))
        {
            Assert.Matches(@"^transaction/date=\d{4}-\d{2}-\d{2}/hour=\d{2}/[0-9a-f]{32}\.parquet$", blob.Name);
            using var content = new MemoryStream((await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray());
            var rows = await RawEventParquet.ReadAsync(content, schema);
            for (var r = 0; r < rows.Count; r++)
            {
                if (ofInterest.Contains(rows.Id(r)))
                {
                    events.Add((rows.Id(r), rows.Value(r, amount).Number));
                }
            }
        }

        return events;
    }

    [Fact]
    public async Task Ingest_BatchTouchingManyCustomers_OneTableWritePerEntityForAllItsViews()
    {
        var counter = new RequestCounter();
        var storage = new BrisaStorage(
            new BlobServiceClient(azurite.ConnectionString),
            new QueueServiceClient(azurite.ConnectionString),
            new TableServiceClient(azurite.ConnectionString, counter.Counting(new TableClientOptions())));
        var ingestor = new EventIngestor(storage, Definitions, new FixedTimeProvider(Now));
        var prefix = $"tx-{Guid.NewGuid():N}";
        const int customers = 20;
        List<Txn> Batch(string round) => [.. Enumerable.Range(0, customers).Select(i => new Txn($"{prefix}-{round}-{i}", $"{prefix}-c{i}", 10, "ES", Now.AddMinutes(-i)))];

        await ingestor.IngestAsync([Message(Batch("a"))], CancellationToken.None);

        // Streaming views: customer_1h and customer_7d (one partition per customer), merchant_1h (the merchant's).
        // Entities this instance has not written before: one read and one write each, the customer's two views together.
        Assert.Equal(2 * (customers + 1), counter.Count);

        counter.Reset();
        await ingestor.IngestAsync([Message(Batch("b"))], CancellationToken.None);

        // Rows it wrote last are not read again.
        Assert.Equal(customers + 1, counter.Count);
        var plan = FeaturePlan.Compile(Definitions, trackEventIds: true);
        foreach (var name in new[] { "customer_1h", "customer_7d" })
        {
            var tiles = await OnlineTileStore.For(azurite.Storage).ReadAsync(plan.FindView(name)!.View, $"{prefix}-c0");
            Assert.Equal(2, tiles!.State.EventCount);
        }
    }

    [Fact]
    public async Task Ingest_StreamingViewWithLongJoinKey_OnlineTilesKeyedByTheNumber()
    {
        // A join key may be a long (definitions.md); the entity key is then the integer's invariant text, as the
        // materializer, the training set builder and the serving request use it.
        const string yaml = """
            project: stores
            entities:
              - { name: store, join_key: store_id }
            sources:
              - name: sale
                event_type: com.example.sale
                id_field: sale_id
                timestamp_field: timestamp
                fields:
                  - { name: sale_id, type: string, required: true }
                  - { name: store_id, type: long, required: true }
                  - { name: amount, type: double, required: true }
                  - { name: timestamp, type: timestamp, required: true }
            feature_views:
              - name: store_1h
                entity: store
                source: sale
                tile: 5m
                ttl: 2h
                online: true
                streaming: true
                features:
                  - { name: sale_count_1h, aggregation: count, window: 1h }
            """;
        var definitions = DefinitionLoader.Parse(yaml, "stores.yaml").Definitions!;
        var prefix = $"sale-{Guid.NewGuid():N}";
        var store = Random.Shared.NextInt64(1, 1L << 40);
        var events = Enumerable.Range(0, 3).Select(i =>
            $$$"""{"specversion":"1.0","id":"{{{prefix}}}-{{{i}}}","source":"/tests","type":"com.example.sale","data":{"sale_id":"{{{prefix}}}-{{{i}}}","store_id":{{{store}}},"amount":5,"timestamp":"{{{Now.AddMinutes(-i - 1):yyyy-MM-ddTHH:mm:ssZ}}}"}}""");
        var ingestor = new EventIngestor(azurite.Storage, definitions, new FixedTimeProvider(Now));

        var result = await ingestor.IngestAsync([new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(",", events) + "]"))], CancellationToken.None);

        Assert.Equal(3, result.Accepted);
        Assert.Equal(3, result.OnlineApplied);
        var view = FeaturePlan.Compile(definitions, trackEventIds: true).FindView("store_1h")!;
        var tiles = await OnlineTileStore.For(azurite.Storage).ReadAsync(view.View, store.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(3, tiles!.State.EventCount);
    }

    [Fact]
    public async Task Ingest_FutureEventRedeliveredMinutesLater_DeadLetteredOnce()
    {
        // The trigger's retry runs a failed batch again seconds to minutes later: the reason's wording follows the clock
        // ("is 59m in the future (the message arrived at ...)"), the event does not.
        var id = $"future-{Guid.NewGuid():N}";
        var message = Message([new Txn(id, $"{id}-c", 10, "ES", Now.AddHours(1))]);

        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now)).IngestAsync([message], CancellationToken.None);
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now.AddMinutes(2))).IngestAsync([message], CancellationToken.None);

        var deadLetters = await DeadLetterWriter.For(azurite.Storage).ReadAllAsync("transaction/");
        Assert.Single(deadLetters, d => d.EventId == id);
    }

    [Fact]
    public async Task Ingest_EventAheadOfEnqueuedTimeRetriedAfterTheSkew_StaysOnlyInDeadLetter()
    {
        // Six minutes ahead of when Event Hubs took it: rejected on the first attempt, and still rejected when the
        // retry's clock has caught up, so the event never ends up both dead-lettered and in the raw zone.
        var id = $"ahead-{Guid.NewGuid():N}";
        var message = Message([new Txn(id, $"{id}-c", 10, "ES", Now.AddMinutes(6))]) with { PartitionId = "0", SequenceNumber = 1, EnqueuedTime = Now };

        var first = await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now)).IngestAsync([message], CancellationToken.None);
        var retried = await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now.AddMinutes(10))).IngestAsync([message], CancellationToken.None);

        Assert.Equal(0, first.Accepted);
        Assert.Equal(0, retried.Accepted);
        var deadLetters = await DeadLetterWriter.For(azurite.Storage).ReadAllAsync("transaction/");
        Assert.Single(deadLetters, d => d.EventId == id);
        Assert.Empty(await ReadRawIdsAsync([id]));
    }

    [Fact]
    public async Task Ingest_RejectedEventRetriedInALaterHour_DeadLetteredOnceUnderItsEnqueuedHour()
    {
        // The trigger's retry policy runs a failing batch again for as long as it fails (5 s to 5 min apart): each hour
        // of attempts wrote the batch's rejected events again under that hour. Event Hubs' enqueued time does not move.
        var id = $"retried-{Guid.NewGuid():N}";
        var enqueued = Now.AddMinutes(-3);
        var message = new IncomingMessage(Encoding.UTF8.GetBytes(Envelope(id, """{"amount":"ten"}""")), "0", 17, enqueued);

        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now)).IngestAsync([message], CancellationToken.None);
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now.AddHours(1).AddMinutes(5))).IngestAsync([message], CancellationToken.None);
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now.AddHours(5))).IngestAsync([message], CancellationToken.None);

        var record = Assert.Single(await DeadLetterWriter.For(azurite.Storage).ReadAllAsync("transaction/"), d => d.EventId == id);
        Assert.Equal(enqueued, record.ReceivedAt);
    }

    [Fact]
    public async Task Ingest_TransactionAndChargebackWithOneIdInOneBatch_BothLandInTheirSourcesAndNothingDeadLettered()
    {
        // Two producers numbering their own events (a transactions table and a chargebacks table): ids are unique per
        // source, and either event alone in a batch is accepted. Together in one batch the chargeback was dead-lettered
        // as a "duplicate" of the transaction.
        var id = $"{Random.Shared.NextInt64(1L << 40)}";
        var chargeback = $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"/disputes","type":"com.brisa.fraud.chargeback","data":{"chargeback_id":"{{{id}}}","transaction_id":"t-{{{id}}}","customer_id":"c-{{{id}}}","amount":10,"timestamp":"{{{Now.AddMinutes(-2):yyyy-MM-ddTHH:mm:ssZ}}}"}}""";
        var transaction = Encoding.UTF8.GetString(Message([new Txn(id, $"c-{id}", 10, "ES", Now.AddMinutes(-30))]).Body.Span);
        var ingestor = new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(Now));

        var result = await ingestor.IngestAsync([new IncomingMessage(Encoding.UTF8.GetBytes($"[{transaction[1..^1]},{chargeback}]"))], CancellationToken.None);

        Assert.Equal([new EventOutcome(id, true, null), new EventOutcome(id, true, null)], result.Outcomes);
        Assert.Equal([id], await ReadRawIdsAsync([id]));
        var hour = new DateTimeOffset(Now.Year, Now.Month, Now.Day, Now.AddMinutes(-2).Hour, 0, 0, TimeSpan.Zero);
        var raw = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.RawContainer);
        Assert.True(await raw.GetBlobClient(RawZoneWriter.BlobName("chargeback", hour, RawZoneWriter.BatchId([(id, TiledView.ToUnixTicks(Now.AddMinutes(-2)))]))).ExistsAsync());
        Assert.DoesNotContain(await DeadLetterWriter.For(azurite.Storage).ReadAllAsync(), d => d.EventId == id);
    }

    private static List<Txn> GenerateStream(int seed, int count, string customerPrefix)
    {
        var random = new Random(seed);
        var countries = new[] { "ES", "FR", "DE", "GB" };
        return Enumerable.Range(0, count)
            .Select(i => new Txn(
                $"{customerPrefix}-t{i}",
                i % 10 == 0 ? AwkwardCustomers[random.Next(AwkwardCustomers.Length)] + customerPrefix : $"{customerPrefix}-c{random.Next(40)}",
                Math.Round(random.NextDouble() * 500, 2),
                countries[random.Next(countries.Length)],
                Now.AddSeconds(-random.Next(3 * 3600))))
            .ToList();
    }

    private static IncomingMessage Message(IEnumerable<Txn> events) =>
        new(Encoding.UTF8.GetBytes("[" + string.Join(",", events.Select(e => Envelope(e.Id, JsonSerializer.Serialize(new
        {
            transaction_id = e.Id,
            customer_id = e.Customer,
            merchant_id = "m1",
            amount = e.Amount,
            currency = "EUR",
            country = e.Country,
            channel = "online",
            timestamp = e.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
        })))) + "]"));

    private static string Envelope(string id, string data) =>
        $$"""{"specversion":"1.0","id":{{JsonSerializer.Serialize(id)}},"source":"/tests","type":"com.brisa.fraud.transaction","data":{{data}}}""";
}
