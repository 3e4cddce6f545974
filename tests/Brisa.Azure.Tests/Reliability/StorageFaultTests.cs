using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Models;
using Brisa.Azure.Offline;
using Brisa.Azure.Online;
using Brisa.Azure.RawZone;
using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Azure.Training;
using Brisa.Azure.Tests.Ingestion;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Serving;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Reliability;

/// <summary>
/// Storage stops in the middle of ingestion, materialization and training (on-disk Azurite, stopped at an exact
/// request by <see cref="DurableAzurite.StopWhen"/> and started again on the same ports and data); after the
/// redelivery or retry nothing is lost, nothing is counted twice, and no half-written model becomes champion.
/// </summary>
public sealed class StorageFaultTests
{
    private static readonly FeatureRepositoryDefinition Definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
    private static readonly FeaturePlan Plan = FeaturePlan.Compile(Definitions, trackEventIds: true);

    [Fact]
    public async Task Ingest_StorageStopsMidBatch_RedeliveryLandsEachEventOnceAndCountsMatchReference()
    {
        await using var azurite = new DurableAzuriteScope();
        await azurite.StartAsync();
        var now = DateTimeOffset.UtcNow;
        var events = TestTransaction.Generate(400, 8, TimeSpan.FromDays(5), now.AddMinutes(-1), seed: 7, prefix: "f");
        // Every other batch carries one invalid event, so dead-letter writes are part of those deliveries.
        var batches = events.Chunk(50).Select((chunk, i) => Batch(chunk, i % 2 == 0 ? $"bad-{i}" : null)).ToArray();
        var ingestor = new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(now));
        // Storage goes away while a batch is half written: among its raw files, before its dead letters, between raw and tiles.
        var faults = new Dictionary<int, Func<Request, bool>>
        {
            [2] = r => IsPut(r, "/raw/"),
            [4] = r => IsPut(r, "/deadletter/"),
            [6] = r => r.Uri.Path.Contains("/online", StringComparison.Ordinal) || r.Uri.Path.Contains("$batch", StringComparison.Ordinal),
        };

        var failedDeliveries = 0;
        for (var i = 0; i < batches.Length; i++)
        {
            if (faults.TryGetValue(i, out var fault))
            {
                azurite.Durable.StopWhen(fault);
            }

            // Event Hubs checkpoints a batch only when the function returns: a failed batch is delivered again.
            while (true)
            {
                try
                {
                    await ingestor.IngestAsync([batches[i]], CancellationToken.None);
                    break;
                }
                catch (Exception) when (!azurite.Durable.IsRunning)
                {
                    failedDeliveries++;
                    await azurite.Durable.StartAsync();
                }
            }
        }

        // At-least-once: a batch that succeeded is delivered once more (a checkpoint lost with the instance).
        await ingestor.IngestAsync([batches[3]], CancellationToken.None);

        Assert.Equal(3, failedDeliveries);
        var raw = await ReadRawIdsAsync(azurite.Storage, now);
        Assert.Equal(events.Select(e => e.Id).Order(StringComparer.Ordinal), raw.Order(StringComparer.Ordinal));
        var deadLetters = await DeadLetterWriter.For(azurite.Storage).ReadAllAsync();
        Assert.Equal(["bad-0", "bad-2", "bad-4", "bad-6"], deadLetters.Select(d => d.EventId!).Distinct().Order(StringComparer.Ordinal));
        Assert.All(deadLetters, d => Assert.Equal("field 'amount': -1 is below the minimum 0", d.Reason));
        await AssertOnlineMatchesReferenceAsync(azurite.Storage, events, now);
    }

    [Fact]
    public async Task MaterializeSlice_StorageStopsMidSlice_RetryGivesCleanRunFilesValuesAndWatermark()
    {
        var now = new DateTimeOffset(DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour), TimeSpan.Zero).AddMinutes(30);
        var events = TestTransaction.Generate(300, 6, TimeSpan.FromDays(3), now.AddHours(-2), seed: 11, prefix: "m");
        var options = new IncrementalMaterializeOptions { Lateness = TimeSpan.FromHours(1), InitialLookback = TimeSpan.FromDays(4), LeaseDuration = TimeSpan.FromSeconds(15), LeaseRenewInterval = TimeSpan.FromSeconds(5) };
        await using var azurite = new DurableAzuriteScope();
        await azurite.StartAsync();
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(now)).IngestAsync(TestTransaction.Batch(events), CancellationToken.None);
        var materializer = new IncrementalMaterializer(azurite.Storage, new FixedDefinitionsSource(Definitions), new FixedTimeProvider(now), options);
        var planned = await materializer.PlanAsync();
        Assert.Equal(IncrementalRunStatus.Enqueued, planned.Status);

        // Storage goes away after a few offline files of a slice, then again in the online write of the last slice.
        var offlinePuts = 0;
        var faults = new Queue<Func<Request, bool>>([
            r => IsPut(r, "/offline/") && !r.Uri.Path.Contains("_watermarks", StringComparison.Ordinal) && Interlocked.Increment(ref offlinePuts) == 3,
            r => r.Uri.Path.Contains("$batch", StringComparison.Ordinal) || (r.Uri.Path.Contains("/online", StringComparison.Ordinal) && r.Method != RequestMethod.Get),
        ]);
        azurite.Durable.StopWhen(faults.Dequeue());

        // The queue trigger: a slice that throws stays on the queue and runs again.
        var failedRuns = 0;
        foreach (var slice in planned.Slices)
        {
            while (true)
            {
                try
                {
                    await materializer.RunSliceAsync(slice);
                    break;
                }
                catch (Exception) when (!azurite.Durable.IsRunning)
                {
                    failedRuns++;
                    await azurite.Durable.StartAsync();
                    if (faults.Count > 0)
                    {
                        azurite.Durable.StopWhen(faults.Dequeue());
                    }
                }
            }
        }

        Assert.Equal(2, failedRuns);
        var watermark = await materializer.ReadWatermarkAsync(null);
        Assert.Equal(now.AddHours(-1).AddMinutes(-30), watermark?.Watermark);
        Assert.Equal(IncrementalRunStatus.UpToDate, (await materializer.PlanAsync()).Status);
        var merchants = events.Select(e => e.Merchant).Distinct().Order(StringComparer.Ordinal).ToArray();
        string[] merchantFeatures = ["merchant_7d:merchant_txn_count_7d", "merchant_7d:merchant_amount_sum_7d"];
        var retried = (Files: await OfflineDigestsAsync(azurite.Storage), Online: await ReadAsync(azurite.Storage, merchantFeatures, "merchant_id", merchants, now));
        Assert.All(retried.Online[0], v => Assert.NotNull(v));

        // The reference: one clean run over the same raw data and range must find nothing to change.
        await new FeatureMaterializer(azurite.Storage, Definitions).MaterializeAsync(now.AddDays(-4).AddMinutes(-30), watermark!.Watermark!.Value, null, new MaterializeOptions(), null, CancellationToken.None);
        Assert.Equal(retried.Files, await OfflineDigestsAsync(azurite.Storage));
        Assert.Equal(retried.Online, await ReadAsync(azurite.Storage, merchantFeatures, "merchant_id", merchants, now));
    }

    [Fact]
    public async Task Train_StorageStopsBetweenModelAndMetadata_HalfVersionNeverAliasedAndRetryCompletes()
    {
        await using var azurite = new DurableAzuriteScope();
        await azurite.StartAsync();
        var now = DateTimeOffset.UtcNow;
        await FraudHistory.IngestAsync(azurite.Storage, now, customers: 60, days: 40);
        azurite.Durable.StopWhen(r => IsPut(r, "/models/fraud/") && r.Uri.Path.EndsWith("/metadata.json", StringComparison.Ordinal));
        var pipeline = new ModelTrainingPipeline(azurite.Storage);

        await Assert.ThrowsAnyAsync<Exception>(() => pipeline.RunAsync(Definitions, "fraud"));
        await azurite.Durable.StartAsync();

        var registry = new ModelRegistry(azurite.Storage);
        var written = await ListBlobsAsync(registry, "fraud/");
        var half = Assert.Single(written, n => n.EndsWith("/model.zip", StringComparison.Ordinal));
        Assert.DoesNotContain(written, n => n.EndsWith("/metadata.json", StringComparison.Ordinal));
        Assert.Empty(await registry.ListVersionsAsync("fraud"));
        Assert.Null((await registry.GetAliasesAsync("fraud")).Aliases.Champion);
        var halfVersion = half.Split('/')[1];
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => registry.PromoteAsync("fraud", halfVersion, null, "test", "test"));

        // The crashed run's lock lease lapses within a minute (Azurite drops it on restart); stand in for that minute.
        var lockBlob = registry.Container.GetBlobClient("fraud/.lock");
        if ((await lockBlob.GetPropertiesAsync()).Value.LeaseState == LeaseState.Leased)
        {
            await lockBlob.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        }

        var retried = await pipeline.RunAsync(Definitions, "fraud");

        // The repeated run writes a complete version and aliases it by its own decision (champion, or challenger when
        // a guardrail holds it back on this small history); the half-written version is never aliased.
        var version = retried.Run.Report!.Version;
        var aliases = (await registry.GetAliasesAsync("fraud")).Aliases;
        Assert.Equal([version], await registry.ListVersionsAsync("fraud"));
        Assert.Contains(version, new[] { aliases.Champion, aliases.Challenger });
        Assert.DoesNotContain(halfVersion, new[] { aliases.Champion, aliases.Challenger });
        Assert.NotEmpty(await registry.DownloadModelAsync("fraud", version));
    }

    private static bool IsPut(Request request, string path) =>
        request.Method == RequestMethod.Put && request.Uri.Path.Contains(path, StringComparison.Ordinal);

    private static Core.Ingestion.IncomingMessage Batch(IEnumerable<TestTransaction> events, string? invalidId)
    {
        var json = events.Select(e => e.ToJson()).ToList();
        if (invalidId is not null)
        {
            json.Add(new TestTransaction(invalidId, "x", "x", -1, DateTimeOffset.UtcNow.AddMinutes(-1)).ToJson());
        }

        return new Core.Ingestion.IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(",", json) + "]"));
    }

    private static async Task<List<string>> ReadRawIdsAsync(BrisaStorage storage, DateTimeOffset now)
    {
        var schema = Plan.Schemas.Single(s => s.SourceName == "transaction");
        var ids = new List<string>();
        await foreach (var batch in RawZoneReader.For(storage).ReadRangeAsync(schema, TiledView.ToUnixTicks(now.AddDays(-6)), TiledView.ToUnixTicks(now.AddHours(1))))
        {
            ids.AddRange(Enumerable.Range(0, batch.Count).Select(batch.Id));
        }

        return ids;
    }

    // The reference is plain arithmetic over the events, not the engine: customer_7d (1 h tiles, 7 d window) holds
    // every event of the last 5 days; merchant_1h (5 min tiles, 1 h) those of the 12 newest tiles.
    private static async Task AssertOnlineMatchesReferenceAsync(BrisaStorage storage, IReadOnlyList<TestTransaction> events, DateTimeOffset now)
    {
        var customers = events.Select(e => e.Customer).Distinct().Order(StringComparer.Ordinal).ToArray();
        var byCustomer = await ReadAsync(storage, ["customer_7d:txn_count_7d", "customer_7d:amount_max_7d", "customer_7d:amount_mean_7d"], "customer_id", customers, now);
        for (var c = 0; c < customers.Length; c++)
        {
            var own = events.Where(e => e.Customer == customers[c]).ToArray();
            Assert.Equal((long)own.Length, byCustomer[0][c]);
            Assert.Equal(own.Max(e => e.Amount), byCustomer[1][c]);
            Assert.Equal(own.Average(e => e.Amount), (double)byCustomer[2][c]!, 1e-9);
        }

        var merchants = events.Select(e => e.Merchant).Distinct().Order(StringComparer.Ordinal).ToArray();
        var tileStart = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % (5 * TimeSpan.TicksPerMinute)), TimeSpan.Zero).AddMinutes(-55);
        var byMerchant = await ReadAsync(storage, ["merchant_1h:merchant_txn_count_1h"], "merchant_id", merchants, now);
        for (var m = 0; m < merchants.Length; m++)
        {
            var expected = events.Count(e => e.Merchant == merchants[m] && e.Time >= tileStart && e.Time <= now);
            // A merchant with no event in its window reads as 0 or as absent, depending on whether its row was pruned.
            Assert.Contains(byMerchant[0][m], expected == 0 ? new object?[] { null, 0L } : [(long)expected]);
        }
    }

    private static async Task<List<object?[]>> ReadAsync(BrisaStorage storage, string[] features, string joinKey, string[] keys, DateTimeOffset now)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { ["features"] = features, ["entities"] = new Dictionary<string, string[]> { [joinKey] = keys } });
        var response = await OnlineFeatureReader.For(storage).GetAsync(OnlineFeatureRequest.Parse(Encoding.UTF8.GetBytes(body), Plan), now);
        return [.. response.Results.Skip(1).Select(r => r.Values.ToArray())];
    }

    private static async Task<SortedDictionary<string, string>> OfflineDigestsAsync(BrisaStorage storage)
    {
        var container = storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        var digests = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, CancellationToken.None))
        {
            // Watermarks and run statistics record runs (their ids and times), not materialized data.
            if (!blob.Name.StartsWith("_watermarks/", StringComparison.Ordinal) && !blob.Name.StartsWith("_stats/", StringComparison.Ordinal))
            {
                var content = await container.GetBlobClient(blob.Name).DownloadContentAsync();
                digests[blob.Name] = Convert.ToHexString(SHA256.HashData(content.Value.Content.ToArray()));
            }
        }

        return digests;
    }

    private static async Task<List<string>> ListBlobsAsync(ModelRegistry registry, string prefix)
    {
        var names = new List<string>();
        await foreach (var blob in registry.Container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>One durable Azurite for one test (no state shared between tests).</summary>
    private sealed class DurableAzuriteScope : IAsyncDisposable
    {
        public DurableAzurite Durable { get; } = new();

        public BrisaStorage Storage => Durable.Storage;

        public Task StartAsync() => Durable.InitializeAsync();

        public async ValueTask DisposeAsync() => await Durable.DisposeAsync();
    }
}
