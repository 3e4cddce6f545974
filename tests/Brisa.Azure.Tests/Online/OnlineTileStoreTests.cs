using System.Text;
using Azure.Data.Tables;
using Brisa.Azure.Online;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Online;

[Collection(AzuriteCollection.Name)]
public sealed class OnlineTileStoreTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly FeaturePlan Plan = FeaturePlan.Compile(DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!, trackEventIds: true);

    private static SourceEventBatch Batch(string customer, string prefix, int count, int firstMinutesAgo = 1)
    {
        var schema = Plan.Schemas.Single(s => s.SourceName == "transaction");
        var events = Enumerable.Range(0, count).Select(i =>
            $$$"""{"specversion":"1.0","id":"{{{prefix}}}-{{{i}}}","source":"/t","type":"com.brisa.fraud.transaction","data":{"transaction_id":"{{{prefix}}}-{{{i}}}","customer_id":"{{{customer}}}","merchant_id":"m","amount":1,"currency":"EUR","country":"ES","channel":"pos","timestamp":"{{{Now.AddMinutes(-i - firstMinutesAgo):yyyy-MM-ddTHH:mm:ssZ}}}"}}""");
        var decoded = new CloudEventDecoder([schema]).Decode([new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(",", events) + "]"))], Now);
        return decoded.Sources.Single();
    }

    [Fact]
    public async Task Apply_TwoInstancesInterleaved_StaleCacheDetectedAndNothingLost()
    {
        var customer = $"c-{Guid.NewGuid():N}";
        var view = Plan.FindView("customer_7d")!;
        var first = OnlineTileStore.For(azurite.Storage);
        var second = OnlineTileStore.For(azurite.Storage);
        var now = TiledView.ToUnixTicks(Now);

        await first.ApplyAsync(view.View, view.EntityKeyField, Batch(customer, "a", 3), now);
        await second.ApplyAsync(view.View, view.EntityKeyField, Batch(customer, "b", 4), now);
        var stale = await first.ApplyAsync(view.View, view.EntityKeyField, Batch(customer, "c", 5), now);

        Assert.Equal(1, stale.Conflicts);
        var tiles = await first.ReadAsync(view.View, customer);
        Assert.Equal(12, tiles!.State.EventCount);
    }

    [Fact]
    public async Task Apply_ConcurrentWritersOnOneEntity_EveryEventCountedOnce()
    {
        var customer = $"c-{Guid.NewGuid():N}";
        var view = Plan.FindView("customer_7d")!;
        var now = TiledView.ToUnixTicks(Now);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(w =>
            OnlineTileStore.For(azurite.Storage).ApplyAsync(view.View, view.EntityKeyField, Batch(customer, $"w{w}", 10), now)));

        var tiles = await OnlineTileStore.For(azurite.Storage).ReadAsync(view.View, customer);
        Assert.Equal(80, tiles!.State.EventCount);
    }

    [Fact]
    public async Task Apply_SeveralViewsOfOneEntity_OneReadAndOneWritePerEntity()
    {
        var counter = new RequestCounter();
        var store = new OnlineTileStore(new TableServiceClient(azurite.ConnectionString, counter.Counting(new TableClientOptions())).GetTableClient(StorageNames.OnlineTable));
        var views = CustomerViews();
        var customers = Enumerable.Range(0, 3).Select(i => $"c-{Guid.NewGuid():N}").ToArray();
        var now = TiledView.ToUnixTicks(Now);

        foreach (var customer in customers)
        {
            await store.ApplyAsync(views, Batch(customer, "a", 2), now);
        }

        // New entities: one partition query and one transaction each (not a read and a write per view).
        Assert.Equal(2 * customers.Length, counter.Count);

        counter.Reset();
        foreach (var customer in customers)
        {
            await store.ApplyAsync(views, Batch(customer, "b", 2), now);
        }

        // Rows this store wrote last are not read again: one transaction each.
        Assert.Equal(customers.Length, counter.Count);
        foreach (var customer in customers)
        {
            foreach (var (view, _) in views)
            {
                Assert.Equal(4, (await store.ReadAsync(view, customer))!.State.EventCount);
            }
        }
    }

    [Fact]
    public async Task Apply_SeveralViewsWhileAnotherInstanceWrote_WholeTransactionRetriedAndEveryEventCountedOnce()
    {
        var customer = $"c-{Guid.NewGuid():N}";
        var views = CustomerViews();
        var first = OnlineTileStore.For(azurite.Storage);
        var second = OnlineTileStore.For(azurite.Storage);
        var now = TiledView.ToUnixTicks(Now);

        await first.ApplyAsync(views, Batch(customer, "a", 3), now);
        await second.ApplyAsync(views, Batch(customer, "b", 4), now);
        var stale = await first.ApplyAsync(views, Batch(customer, "c", 5), now);

        Assert.Equal(1, stale.Conflicts);
        Assert.Equal(2 * 5, stale.Applied);
        foreach (var (view, _) in views)
        {
            Assert.Equal(12, (await first.ReadAsync(view, customer))!.State.EventCount);
        }
    }

    [Fact]
    public async Task Apply_SeveralViewsConcurrentWriters_EveryEventCountedOnceInEachView()
    {
        var customer = $"c-{Guid.NewGuid():N}";
        var views = CustomerViews();
        var now = TiledView.ToUnixTicks(Now);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(w =>
            OnlineTileStore.For(azurite.Storage).ApplyAsync(views, Batch(customer, $"w{w}", 10), now)));

        foreach (var (view, _) in views)
        {
            Assert.Equal(80, (await OnlineTileStore.For(azurite.Storage).ReadAsync(view, customer))!.State.EventCount);
        }
    }

    [Fact]
    public async Task Apply_StoredRowCorrupt_ErrorNamesTheRowAndNothingIsWritten()
    {
        var customer = $"c-{Guid.NewGuid():N}";
        var view = Plan.FindView("customer_7d")!;
        var now = TiledView.ToUnixTicks(Now);
        await OnlineTileStore.For(azurite.Storage).ApplyAsync(view.View, view.EntityKeyField, Batch(customer, "a", 2), now);
        var table = azurite.Storage.Tables.GetTableClient(StorageNames.OnlineTable);
        var row = (await table.GetEntityAsync<TableEntity>(TableKeys.Encode(customer), "customer_7d")).Value;
        var tiles = row.GetBinary("Tiles")!;
        tiles[tiles.Length / 2] ^= 0x40;
        row["Tiles"] = tiles;
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        var corrupt = (await table.GetEntityAsync<TableEntity>(TableKeys.Encode(customer), "customer_7d")).Value;

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            OnlineTileStore.For(azurite.Storage).ApplyAsync(view.View, view.EntityKeyField, Batch(customer, "b", 2), now));

        Assert.Contains($"PartitionKey '{TableKeys.Encode(customer)}', RowKey 'customer_7d' (entity '{customer}')", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(error.InnerException);
        Assert.Equal(corrupt.ETag, (await table.GetEntityAsync<TableEntity>(TableKeys.Encode(customer), "customer_7d")).Value.ETag);
    }

    [Fact]
    public async Task Apply_RowDeletedAfterThisInstanceWroteIt_RowWrittenAgainWithTheNewEvents()
    {
        // An operator deletes an entity's row (or empties the table) while this instance still holds the row's ETag.
        var customer = $"c-{Guid.NewGuid():N}";
        var view = Plan.FindView("customer_7d")!;
        var store = OnlineTileStore.For(azurite.Storage);
        var now = TiledView.ToUnixTicks(Now);
        await store.ApplyAsync(view.View, view.EntityKeyField, Batch(customer, "a", 3), now);
        await azurite.Storage.Tables.GetTableClient(StorageNames.OnlineTable).DeleteEntityAsync(TableKeys.Encode(customer), view.Name);

        await store.ApplyAsync(view.View, view.EntityKeyField, Batch(customer, "b", 4), now);

        Assert.Equal(4, (await store.ReadAsync(view.View, customer))!.State.EventCount);
    }

    [Fact]
    public async Task Apply_SeveralViewsRowDeletedAfterThisInstanceWroteThem_RowsWrittenAgainWithTheNewEvents()
    {
        var customer = $"c-{Guid.NewGuid():N}";
        var views = CustomerViews();
        var store = OnlineTileStore.For(azurite.Storage);
        var now = TiledView.ToUnixTicks(Now);
        await store.ApplyAsync(views, Batch(customer, "a", 3), now);
        await azurite.Storage.Tables.GetTableClient(StorageNames.OnlineTable).DeleteEntityAsync(TableKeys.Encode(customer), views[0].View.Name);

        await store.ApplyAsync(views, Batch(customer, "b", 4), now);

        Assert.Equal(4, (await store.ReadAsync(views[0].View, customer))!.State.EventCount);
        Assert.Equal(7, (await store.ReadAsync(views[1].View, customer))!.State.EventCount);
    }

    [Fact]
    public async Task Apply_NewestEventOlderThanTheWindowInALaterBatch_SameEventTimeAsInOneBatch()
    {
        // customer_1h: 1 h window, 2 h TTL. An event 90 minutes old is outside the window but within the TTL: the
        // value is a fresh 0 whether the event came with the older one or in the batch after it (the first batch's
        // prune had already moved the watermark past it).
        var view = Plan.FindView("customer_1h")!;
        var store = OnlineTileStore.For(azurite.Storage);
        var now = TiledView.ToUnixTicks(Now);
        var split = $"c-{Guid.NewGuid():N}";
        var together = $"c-{Guid.NewGuid():N}";

        await store.ApplyAsync(view.View, view.EntityKeyField, Batch(split, "old", 1, firstMinutesAgo: 180), now);
        await store.ApplyAsync(view.View, view.EntityKeyField, Batch(split, "late", 1, firstMinutesAgo: 90), now);
        await store.ApplyAsync(view.View, view.EntityKeyField, Batch(together, "both", 91, firstMinutesAgo: 90), now);

        var expected = TiledView.ToUnixTicks(Now.AddMinutes(-90));
        Assert.Equal(expected, (await OnlineTileStore.For(azurite.Storage).ReadAsync(view.View, together))!.State.NewestEventTicks);
        Assert.Equal(expected, (await OnlineTileStore.For(azurite.Storage).ReadAsync(view.View, split))!.State.NewestEventTicks);
    }

    [Fact]
    public async Task Apply_HotEntityPastTheTableEntityLimit_RowSkippedAndReportedOtherEntitiesWritten()
    {
        // 140,000 events of one merchant within merchant_1h's window: 8 bytes of id hash each, over Azure Table's 1 MiB
        // per entity. Azure refuses such a row (400 EntityTooLarge) on every retry, which held the partition for good;
        // Azurite accepts it, so the row being absent is what shows the limit was applied.
        var hot = $"m-{Guid.NewGuid():N}";
        var quiet = $"m-{Guid.NewGuid():N}";
        var view = Plan.FindView("merchant_1h")!;
        var schema = Plan.Schemas.Single(s => s.SourceName == "transaction");
        var events = Enumerable.Range(0, 140_003).Select(i =>
            $$$"""{"specversion":"1.0","id":"{{{hot}}}-{{{i}}}","source":"/t","type":"com.brisa.fraud.transaction","data":{"transaction_id":"{{{hot}}}-{{{i}}}","customer_id":"c","merchant_id":"{{{(i < 3 ? quiet : hot)}}}","amount":1,"currency":"EUR","country":"ES","channel":"pos","timestamp":"{{{Now.AddSeconds(-(i % 3000) - 1):yyyy-MM-ddTHH:mm:ssZ}}}"}}""");
        var batch = new CloudEventDecoder([schema], new DecoderOptions { MaxEventsPerMessage = 200_000 })
            .Decode([new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(",", events) + "]"))], Now).Sources.Single();
        var store = OnlineTileStore.For(azurite.Storage);

        var summary = await store.ApplyAsync(view.View, view.EntityKeyField, batch, TiledView.ToUnixTicks(Now));

        Assert.Equal(3, (await store.ReadAsync(view.View, quiet))!.State.EventCount);
        Assert.Null(await store.ReadAsync(view.View, hot));
        var skipped = Assert.Single(summary.TooLarge);
        Assert.Equal(("merchant_1h", hot), (skipped.View, skipped.EntityKey));
        Assert.InRange(skipped.Bytes, 1024 * 1024, 2 * 1024 * 1024);
        Assert.Equal(3, summary.Applied);
    }

    [Fact]
    public async Task Read_CorruptRowOfKeyWithControlCharacters_ErrorNamesTheKeyWithVisibleCharacters()
    {
        // The error names the row's entity key so an operator can find it; the key is the producer's, and a line break or
        // an escape sequence in it went as it was into the host's log of the failed batch.
        var customer = $"c-{Guid.NewGuid():N}\n[Error] forged\u001b[2J";
        var view = Plan.FindView("customer_7d")!;
        var store = OnlineTileStore.For(azurite.Storage);
        await store.ApplyAsync(view.View, view.EntityKeyField, Batch(customer.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\u001b", "\\u001b", StringComparison.Ordinal), "k", 2), TiledView.ToUnixTicks(Now));
        var table = azurite.Storage.Tables.GetTableClient(StorageNames.OnlineTable);
        var row = (await table.GetEntityAsync<TableEntity>(TableKeys.Encode(customer), "customer_7d")).Value;
        row["Tiles"] = new byte[] { 2, 0, 0, 0, 1, 2, 3 };
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => OnlineTileStore.For(azurite.Storage).ReadAsync(view.View, customer));

        Assert.DoesNotContain(error.Message, char.IsControl);
        Assert.Contains($"(entity '{customer[..34]}\u240a[Error] forged\u241b[2J')", error.Message, StringComparison.Ordinal);
    }

    private static (TiledView View, int EntityKeyField)[] CustomerViews() =>
        [.. new[] { "customer_1h", "customer_7d" }.Select(name => Plan.FindView(name)!).Select(v => (v.View, v.EntityKeyField))];
}
