using System.Globalization;
using System.Text;
using System.Text.Json;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Offline;
using Brisa.Azure.Online;
using Brisa.Azure.RawZone;
using Brisa.Azure.Storage;
using Brisa.Azure.Tests.Ingestion;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Materialization;
using Brisa.Core.Training;
using Brisa.Testing;
using DuckDB.NET.Data;
using static Brisa.Azure.Tests.DuckDb;

namespace Brisa.Azure.Tests.Offline;

/// <summary>
/// The zero-skew proof (DESIGN §4): one generated stream goes through the ingestion path (online tiles), the batch
/// materializer (offline Parquet and online values) and the point-in-time builder; for sampled entities and times all
/// three agree on every feature, and DuckDB — reading the raw and offline Parquet files as they are — agrees too.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SkewTests(AzuriteFixture azurite)
{
    private static readonly FeatureRepositoryDefinition Definitions =
        DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions ?? throw new InvalidOperationException("sample definitions are invalid");

    private static readonly DateTimeOffset Start = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Countries = ["ES", "FR", "DE", "GB", "PT"];

    [Fact]
    public async Task ThreePaths_OnlineBatchPointInTime_AndDuckDb_Agree()
    {
        var prefix = $"skew{Guid.NewGuid():N}"[..12];
        var rng = new Random(2024);
        var span = TimeSpan.FromDays(3);
        var startTicks = TiledView.ToUnixTicks(Start);
        var five = TimeSpan.FromMinutes(5).Ticks;
        var stream = Enumerable.Range(0, 1800).Select(i =>
        {
            long ticks = rng.NextDouble() < 0.1
                ? startTicks + (rng.NextInt64(span.Ticks / five) * five)
                : startTicks + (rng.NextInt64(span.Ticks / 10) * 10);
            return new SampleTransaction(
                $"{prefix}-t{i:D5}",
                $"{prefix}-c{(int)(25 * Math.Pow(rng.NextDouble(), 2))}",
                $"{prefix}-m{rng.Next(6)}",
                Math.Round((rng.NextDouble() * rng.NextDouble() * 900) + 0.01, 2),
                Countries[rng.Next(rng.Next(1, Countries.Length + 1))],
                ticks);
        }).OrderBy(t => t.Ticks).ToList();

        // Checkpoints: random instants (half on a tile boundary, where windows slide), the last at the stream's end.
        var checkpoints = Enumerable.Range(0, 9)
            .Select(i => startTicks + (span.Ticks / 10 * (i + 1)) + (i % 2 == 0 ? 0 : rng.NextInt64(five / 10) * 10))
            .Append(stream[^1].Ticks)
            .ToArray();

        var plan = FeaturePlan.Compile(Definitions, trackEventIds: true);
        var streamingViews = plan.Views.Where(v => v.Definition.Streaming).ToArray();
        var customers = stream.Select(t => t.Customer).Distinct().Take(6).ToArray();
        var merchants = stream.Select(t => t.Merchant).Distinct().Take(3).ToArray();
        string[] KeysOf(ViewPlan view) => view.Definition.Entity == "customer" ? customers : merchants;

        // 1. Stream: ingest up to each checkpoint (shuffled within the slice), read the tiles, evaluate at the checkpoint.
        var tiles = OnlineTileStore.For(azurite.Storage);
        var onlineValues = new Dictionary<(string View, string Key, long T), FeatureVector>();
        var previous = long.MinValue;
        foreach (var t in checkpoints)
        {
            var slice = stream.Where(e => e.Ticks > previous && e.Ticks <= t).OrderBy(_ => rng.Next()).ToList();
            previous = t;
            var ingestor = new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(TiledView.FromUnixTicks(t)));
            var result = await ingestor.IngestAsync(slice.Chunk(150).Select(SampleTransaction.Message).ToArray(), CancellationToken.None);
            Assert.Equal(slice.Count, result.Accepted);
            foreach (var view in streamingViews)
            {
                foreach (var key in KeysOf(view))
                {
                    var state = await tiles.ReadAsync(view.View, key);
                    onlineValues[(view.Name, key, t)] = state is null ? EmptyVector(view) : state.State.Evaluate(t);
                }
            }
        }

        // A redelivery grouped differently: the same events land in other raw files; every reader must dedupe by id.
        var regrouped = stream.Where((_, i) => i % 7 == 0).ToList();
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(TiledView.FromUnixTicks(checkpoints[^1])))
            .IngestAsync([SampleTransaction.Message(regrouped)], CancellationToken.None);

        // 2. Batch: materialize the whole span from the raw zone.
        var end = SourceMaterializer.FloorHour(checkpoints[^1]) + TimeSpan.TicksPerHour;
        var materializer = new FeatureMaterializer(azurite.Storage, Definitions);
        var summary = await materializer.MaterializeAsync(Start, TiledView.FromUnixTicks(end));
        Assert.True(summary.Duplicates > 0, "the regrouped redelivery must show up as duplicates");
        var offlineDir = Directory.CreateTempSubdirectory("brisa-offline-");
        var offlineRows = new Dictionary<string, List<OfflineRows>>();
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        foreach (var view in plan.Views)
        {
            offlineRows[view.Name] = [];
            await foreach (var blob in container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, view.Name + "/", CancellationToken.None))
            {
                Assert.Matches($@"^{view.Name}/date=\d{{4}}-\d{{2}}-\d{{2}}/part-\d{{2}}\.parquet$", blob.Name);
                var bytes = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
                offlineRows[view.Name].Add(await OfflineFeatureParquet.ReadAsync(view, Definitions, new MemoryStream(bytes)));
                var path = Path.Combine(offlineDir.FullName, blob.Name.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllBytesAsync(path, bytes);
            }
        }

        // 3. Point in time: observations at every checkpoint for every sampled entity, events read back from the raw zone.
        var transactions = plan.Schemas.Single(s => s.SourceName == "transaction");
        var rawEvents = new List<SourceEventBatch>();
        await foreach (var batch in RawZoneReader.For(azurite.Storage).ReadRangeAsync(transactions, startTicks - TimeSpan.TicksPerDay, end))
        {
            rawEvents.Add(batch);
        }

        var allFeatures = plan.Views.SelectMany(v => v.Definition.Features.Select(f => new FeatureReference(v.Name, f.Name))).ToArray();
        var builder = new TrainingSetBuilder(plan, allFeatures, options: new TrainingSetOptions { PointInTime = PointInTimeMode.AtObservation, ApplyTtl = false });
        var observations = new ObservationSet(["customer_id", "merchant_id"], [], null);
        var atEnd = end - 1;
        foreach (var t in checkpoints.Append(atEnd))
        {
            for (var i = 0; i < Math.Max(customers.Length, merchants.Length); i++)
            {
                observations.Add($"{t}-{i}", t, [customers[i % customers.Length], merchants[i % merchants.Length]], [], FieldValue.Null);
            }
        }

        var pit = builder.Build(observations, rawEvents);

        // 4. DuckDB over the raw files as they are (the oracle) and over the offline files as they are.
        var rawDir = await DownloadRawAsync("transaction/date=2026-05-");
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        Execute(duck, "SET TimeZone = 'UTC'");
        Execute(duck, $"CREATE TABLE events AS SELECT DISTINCT ON (event_id) * FROM read_parquet('{rawDir.FullName}/transaction/*/*/*.parquet')");
        Assert.Equal((long)stream.Count, Scalar<long>(duck, "SELECT count(*) FROM events"));

        var compared = 0;
        for (var r = 0; r < pit.RowCount; r++)
        {
            var t = pit.ObservationTicks[r];
            foreach (var view in plan.Views)
            {
                var key = pit.Column(view.Definition.Entity == "customer" ? "customer_id" : "merchant_id")[r].Text;
                var pointInTime = view.Definition.Features.Select(f => pit.Column(FeatureRequirements.ColumnNameOf(view.Name, f.Name))[r]).ToArray();
                var context = $"{view.Name} {key} at {TiledView.FromUnixTicks(t):O}";

                AssertSame(view, pointInTime, OfflineAsOf.Latest(offlineRows[view.Name], view, key, t), "batch " + context);
                AssertSame(view, pointInTime, Oracle(duck, view, key, t), "duckdb " + context);
                AssertSame(view, pointInTime, OfflineViaDuckDb(duck, offlineDir.FullName, view, key, t), "duckdb offline " + context);
                if (onlineValues.TryGetValue((view.Name, key, t), out var online))
                {
                    AssertSame(view, pointInTime, online.Values, "online " + context);
                }

                if (t == atEnd && !view.Definition.Streaming)
                {
                    var row = await OnlineValueStore.For(azurite.Storage).ReadAsync(view, key);
                    Assert.NotNull(row);
                    Assert.Equal(TiledView.FromUnixTicks(atEnd), row.FeatureTime);
                    AssertSame(view, pointInTime, row.Values, "online values " + context);
                }

                compared++;
            }
        }

        Assert.Equal(onlineValues.Count, checkpoints.Length * streamingViews.Sum(v => KeysOf(v).Length));
        Assert.True(compared >= 200, $"compared {compared}");

        // Idempotent: the same range again writes the same files with the same bytes.
        var before = await Snapshot(container, "merchant_7d/");
        await materializer.MaterializeAsync(Start, TiledView.FromUnixTicks(end));
        Assert.Equal(before, await Snapshot(container, "merchant_7d/"));
    }

    /// <summary>
    /// Event times as producers write them (offsets from −05:30 to +14:00, one to twelve fractional digits, the leap day,
    /// the last instant of a day, and the US and EU daylight-saving changes, written in the local offsets either side) on
    /// and next to the tile, hour and day edges: each lands in the raw partition of its UTC hour at its UTC microsecond,
    /// and at every edge instant the stream's tiles, the batch materializer's offline rows and the point-in-time builder
    /// (at and strictly before the instant, with the TTL as serving applies it) give the same values, as DuckDB does.
    /// </summary>
    [Fact]
    public async Task ThreePaths_AwkwardEventTimesAtTileHourAndDayEdges_Agree()
    {
        var prefix = $"edge{Guid.NewGuid():N}"[..12];
        (string Sent, string Utc, int Customer)[] times =
        [
            ("2028-02-28T23:59:59.9999999Z", "2028-02-28T23:59:59.999999Z", 0),        // sub-microsecond digits are dropped, not rounded
            ("2028-02-29T00:00:00Z", "2028-02-29T00:00:00Z", 0),                       // the leap day's first instant
            ("2028-02-29T01:00:00+01:00", "2028-02-29T00:00:00Z", 1),
            ("2028-02-28T18:30:00.5-05:30", "2028-02-29T00:00:00.5Z", 0),
            ("2028-02-29T05:29:59.99999999-05:30", "2028-02-29T10:59:59.999999Z", 0),  // eight digits
            ("2028-03-01T01:00:00+14:00", "2028-02-29T11:00:00Z", 0),                  // another UTC day as written
            ("2028-02-29T11:00:00.0000000Z", "2028-02-29T11:00:00Z", 1),
            ("2028-02-29T12:04:59.9999995+01:00", "2028-02-29T11:04:59.999999Z", 0),
            ("2028-02-29T11:05:00.000001Z", "2028-02-29T11:05:00.000001Z", 0),
            ("2028-02-29T11:59:59.123456789012Z", "2028-02-29T11:59:59.123456Z", 1),   // twelve digits
            ("2028-02-29T23:59:59.9999999Z", "2028-02-29T23:59:59.999999Z", 0),
            ("2028-03-01T00:00:00.000001+00:00", "2028-03-01T00:00:00.000001Z", 0),
            ("2028-03-12T01:59:59.999999-05:00", "2028-03-12T06:59:59.999999Z", 0),    // New York, a microsecond before EDT
            ("2028-03-12T03:00:00-04:00", "2028-03-12T07:00:00Z", 0),                  // and the first instant of EDT
            ("2028-03-26T01:59:59.999999+01:00", "2028-03-26T00:59:59.999999Z", 1),    // Berlin, before CEST
            ("2028-03-26T03:00:00+02:00", "2028-03-26T01:00:00Z", 1),                  // and the first instant of CEST
        ];
        var events = times.Select((e, i) => (Id: $"{prefix}-t{i:D2}", e.Sent, Ticks: TiledView.ToUnixTicks(DateTimeOffset.Parse(e.Utc, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)),
            Customer: $"{prefix}-c{e.Customer}", Amount: 10.25 + (i * 3.5), Country: Countries[i % Countries.Length])).ToList();
        var merchant = $"{prefix}-m0";
        string Message(IEnumerable<int> indexes) => "[" + string.Join(",", indexes.Select(i =>
            $$$"""{"specversion":"1.0","id":"{{{events[i].Id}}}","source":"/tests","type":"com.brisa.fraud.transaction","data":{"transaction_id":"{{{events[i].Id}}}","customer_id":"{{{events[i].Customer}}}","merchant_id":"{{{merchant}}}","amount":{{{events[i].Amount.ToString(CultureInfo.InvariantCulture)}}},"currency":"EUR","country":"{{{events[i].Country}}}","channel":"online","timestamp":"{{{events[i].Sent}}}"}}""")) + "]";

        // Instants where values can change or a path could be off by one: each event's time and a microsecond either
        // side, its tile, hour and day edges, the instants its tile leaves the 1-hour and 7-day windows, and its TTLs.
        var five = TimeSpan.FromMinutes(5).Ticks;
        var instants = new SortedSet<long>();
        foreach (var e in events)
        {
            var hour = SourceMaterializer.FloorHour(e.Ticks);
            foreach (var t in new[]
            {
                e.Ticks, e.Ticks - e.Ticks % five, e.Ticks - e.Ticks % five + five, hour + TimeSpan.TicksPerHour, SourceMaterializer.FloorDay(e.Ticks) + TimeSpan.TicksPerDay,
                e.Ticks - e.Ticks % five + TimeSpan.TicksPerHour, hour + TimeSpan.FromDays(7).Ticks, e.Ticks + TimeSpan.FromHours(2).Ticks, e.Ticks + TimeSpan.FromDays(2).Ticks,
            })
            {
                instants.UnionWith([t - 10, t, t + 10]);
            }
        }

        // 1. Stream: the events of each instant ingested at that instant (the ingestor's clock), in time order; the
        // tiles read back after each, so a checkpoint sees the state holding every event before it, or at or before it.
        var plan = FeaturePlan.Compile(Definitions, trackEventIds: true);
        var tiles = OnlineTileStore.For(azurite.Storage);
        var customers = events.Select(e => e.Customer).Distinct().ToArray();
        string[] KeysOf(ViewPlan view) => view.Definition.Entity == "customer" ? customers : [merchant];
        var states = new List<(long Ticks, Dictionary<(string View, string Key), EntityTiles?> State)>();
        foreach (var group in events.Select((e, i) => (e.Ticks, i)).GroupBy(e => e.Ticks).OrderBy(g => g.Key))
        {
            var ingestor = new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(TiledView.FromUnixTicks(group.Key)));
            var result = await ingestor.IngestAsync([new IncomingMessage(Encoding.UTF8.GetBytes(Message(group.Select(g => g.i))))], CancellationToken.None);
            Assert.Equal(group.Count(), result.Accepted);
            var state = new Dictionary<(string View, string Key), EntityTiles?>();
            foreach (var view in plan.Views.Where(v => v.Definition.Streaming))
            {
                foreach (var key in KeysOf(view))
                {
                    state[(view.Name, key)] = (await tiles.ReadAsync(view.View, key))?.State;
                }
            }

            states.Add((group.Key, state));
        }

        // A lower-case 'z' is not ISO 8601's designator (RFC 3339 allows it): dead-lettered with the reason, never read as local time.
        var lower = await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(TiledView.FromUnixTicks(events[^1].Ticks))).IngestAsync(
            [new IncomingMessage(Encoding.UTF8.GetBytes(Message([0]).Replace(events[0].Sent, "2028-02-29T11:04:59.9999999z", StringComparison.Ordinal).Replace("-t00", "-lower", StringComparison.Ordinal)))],
            CancellationToken.None);
        Assert.Equal(1, lower.Rejected);

        // 2. Batch: each cluster of events materialized from the raw zone (a range per cluster, the days between are empty).
        var materializer = new FeatureMaterializer(azurite.Storage, Definitions);
        foreach (var (from, days) in new[] { (new DateTimeOffset(2028, 2, 28, 0, 0, 0, TimeSpan.Zero), 9), (new DateTimeOffset(2028, 3, 12, 0, 0, 0, TimeSpan.Zero), 8), (new DateTimeOffset(2028, 3, 26, 0, 0, 0, TimeSpan.Zero), 8) })
        {
            await materializer.MaterializeAsync(from, from.AddDays(days));
        }

        var offlineRows = new Dictionary<string, List<OfflineRows>>();
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        foreach (var view in plan.Views)
        {
            offlineRows[view.Name] = [];
            await foreach (var blob in container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, view.Name + "/date=2028-", CancellationToken.None))
            {
                var bytes = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
                offlineRows[view.Name].Add(await OfflineFeatureParquet.ReadAsync(view, Definitions, new MemoryStream(bytes)));
            }
        }

        // 3. Point in time over the raw zone, read back; the raw files also go to DuckDB, which checks where each event
        // landed and at which microsecond.
        var transactions = plan.Schemas.Single(s => s.SourceName == "transaction");
        var rawEvents = new List<SourceEventBatch>();
        await foreach (var batch in RawZoneReader.For(azurite.Storage).ReadRangeAsync(transactions, instants.Min - TimeSpan.TicksPerDay, instants.Max + 1))
        {
            rawEvents.Add(batch);
        }

        var rawDir = await DownloadRawAsync("transaction/date=2028-");
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        Execute(duck, "SET TimeZone = 'UTC'");
        Execute(duck, $"CREATE TABLE events AS SELECT * FROM read_parquet('{rawDir.FullName}/transaction/*/*/*.parquet', filename = true) WHERE starts_with(event_id, '{prefix}-')");
        Assert.Equal((long)events.Count, Scalar<long>(duck, "SELECT count(*) FROM events"));
        foreach (var e in events)
        {
            var utc = TiledView.FromUnixTicks(e.Ticks).UtcDateTime;
            Assert.Equal(e.Ticks / 10, Scalar<long>(duck, $"SELECT epoch_us(event_time) FROM events WHERE event_id = '{e.Id}'"));
            Assert.Contains($"/transaction/date={utc:yyyy-MM-dd}/hour={utc:HH}/", Scalar<string>(duck, $"SELECT filename FROM events WHERE event_id = '{e.Id}'"), StringComparison.Ordinal);
        }

        var allFeatures = plan.Views.SelectMany(v => v.Definition.Features.Select(f => new FeatureReference(v.Name, f.Name))).ToArray();
        var observations = new ObservationSet(["customer_id", "merchant_id"], [], null);
        foreach (var t in instants)
        {
            for (var c = 0; c < customers.Length; c++)
            {
                observations.Add($"{t}-{c}", t, [customers[c], merchant], [], FieldValue.Null);
            }
        }

        var at = new TrainingSetBuilder(plan, allFeatures, options: new TrainingSetOptions { PointInTime = PointInTimeMode.AtObservation, ApplyTtl = false }).Build(observations, rawEvents);
        var before = new TrainingSetBuilder(plan, allFeatures).Build(observations, rawEvents);
        Assert.Equal(at.ObservationTicks, before.ObservationTicks);

        var compared = 0;
        for (var r = 0; r < at.RowCount; r++)
        {
            var t = at.ObservationTicks[r];
            foreach (var view in plan.Views)
            {
                var key = at.Column(view.Definition.Entity == "customer" ? "customer_id" : "merchant_id")[r].Text!;
                var context = $"{view.Name} {key} at {TiledView.FromUnixTicks(t):O}";
                var engine = view.Definition.Features.Select(f => at.Column(FeatureRequirements.ColumnNameOf(view.Name, f.Name))[r]).ToArray();
                var served = view.Definition.Features.Select(f => before.Column(FeatureRequirements.ColumnNameOf(view.Name, f.Name))[r]).ToArray();

                AssertSame(view, engine, OfflineAsOf.Latest(offlineRows[view.Name], view, key, t), "batch " + context);
                AssertSame(view, engine, Oracle(duck, view, key, t), "duckdb " + context);
                if (view.Definition.Streaming)
                {
                    AssertSame(view, engine, StreamAt(states, view, key, t, strictlyBefore: false), "stream " + context);
                    AssertSame(view, served, StreamAt(states, view, key, t, strictlyBefore: true), "served stream " + context);
                }

                compared++;
            }
        }

        Assert.Equal(instants.Count * customers.Length * plan.Views.Count, compared);
        Assert.True(instants.Count >= 150, $"{instants.Count} instants");

        // The TTL edge (customer_1h: 2 h) after the entity's last event: exactly the TTL old is still served (an empty
        // 1-hour window, count 0); a microsecond later the view is missing, as serving's FeatureFreshness says.
        var last = events.Last(e => e.Customer == customers[1]).Ticks;
        var count = FeatureRequirements.ColumnNameOf("customer_1h", "txn_count_1h");
        long? ServedCount(long t) => before.Column(count)[Enumerable.Range(0, before.RowCount).Single(r => before.ObservationTicks[r] == t && before.Column("customer_id")[r].Text == customers[1])].AsNumber() is { } n ? (long)n : null;
        Assert.Equal(0, ServedCount(last + TimeSpan.FromHours(2).Ticks));
        Assert.Null(ServedCount(last + TimeSpan.FromHours(2).Ticks + 10));
    }

    /// <summary>The raw zone's files under <paramref name="prefix"/>, copied as they are to a new temporary directory (for DuckDB).</summary>
    private async Task<DirectoryInfo> DownloadRawAsync(string prefix)
    {
        var rawDir = Directory.CreateTempSubdirectory("brisa-raw-");
        var rawContainer = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.RawContainer);
        await foreach (var blob in rawContainer.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None))
        {
            var path = Path.Combine(rawDir.FullName, blob.Name.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, (await rawContainer.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray());
        }

        return rawDir;
    }

    /// <summary>
    /// The stream's values at t from the tiles as read after each ingestion: with every event at or before t (the
    /// engine's value), or with every event before t and the view's TTL applied as serving applies it (missing values).
    /// </summary>
    private static FieldValue[] StreamAt(List<(long Ticks, Dictionary<(string View, string Key), EntityTiles?> State)> states, ViewPlan view, string key, long t, bool strictlyBefore)
    {
        var values = new FieldValue[view.View.FeatureCount];
        var state = states.LastOrDefault(s => strictlyBefore ? s.Ticks < t : s.Ticks <= t).State?[(view.Name, key)];
        if (state is null)
        {
            if (!strictlyBefore)
            {
                view.View.WriteEmpty(values);
            }

            return values;
        }

        var newest = state.Evaluate(t, values);
        var status = FeatureFreshness.Classify(newest is not null, newest, valueIsNull: false, view.Definition.Ttl, t);
        return strictlyBefore && status.IsMissing() ? new FieldValue[values.Length] : values;
    }

    private static async Task<string> Snapshot(global::Azure.Storage.Blobs.BlobContainerClient container, string prefix)
    {
        var text = new StringBuilder();
        await foreach (var blob in container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None))
        {
            var bytes = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
            text.Append(blob.Name).Append(' ').Append(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes))).Append('\n');
        }

        return text.ToString();
    }

    private static FeatureVector EmptyVector(ViewPlan view)
    {
        var values = new FieldValue[view.View.FeatureCount];
        view.View.WriteEmpty(values);
        return new FeatureVector(values, null);
    }

    /// <summary>The oracle: DESIGN §4 written as SQL over the raw events.</summary>
    private static FieldValue[] Oracle(DuckDBConnection duck, ViewPlan view, string key, long t)
    {
        var joinKey = Definitions.FindEntity(view.Definition.Entity)!.JoinKey;
        var g = view.View.TileTicks / 10;
        var tUs = t / 10;
        var tt = Math.DivRem(tUs, g, out var rem) - (rem < 0 ? 1 : 0);
        var aggregates = view.View.Features.Select(f =>
        {
            var field = f.Kind == AggregationKind.Count ? null : view.Source.Fields[f.FieldIndex].Name;
            var filter = $"FILTER (WHERE tile >= {tt - f.WindowTiles + 1})";
            return f.Kind switch
            {
                AggregationKind.Count => $"count(*) {filter}",
                AggregationKind.Sum => $"coalesce(sum({field}) {filter}, 0)",
                AggregationKind.Mean => $"avg({field}) {filter}",
                AggregationKind.Min => $"min({field}) {filter}",
                AggregationKind.Max => $"max({field}) {filter}",
                AggregationKind.StdDev => $"stddev_samp({field}) {filter}",
                AggregationKind.DistinctCount => $"count(DISTINCT {field}) {filter}",
                AggregationKind.Last => $"(list({field} ORDER BY event_time DESC, event_id DESC) FILTER (WHERE tile >= {tt - f.WindowTiles + 1} AND {field} IS NOT NULL))[1]",
                _ => throw new InvalidOperationException(f.Kind.ToString()),
            };
        });
        var sql = $"""
            SELECT {string.Join(", ", aggregates)}
            FROM (SELECT *, epoch_us(event_time) // {g} AS tile FROM events) e
            WHERE {joinKey} = $key AND epoch_us(event_time) <= {tUs} AND tile BETWEEN {tt - view.View.MaxWindowTiles + 1} AND {tt}
            """;
        return QueryRow(duck, sql, key, view.View.FeatureCount);
    }

    /// <summary>The offline files read by DuckDB as they are: an as-of lookup within t's date partition.</summary>
    private static FieldValue[] OfflineViaDuckDb(DuckDBConnection duck, string directory, ViewPlan view, string key, long t)
    {
        var joinKey = Definitions.FindEntity(view.Definition.Entity)!.JoinKey;
        var day = TiledView.FromUnixTicks(t).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var columns = string.Join(", ", view.View.Features.Select(f => f.Name));
        var sql = $"""
            SELECT {columns} FROM read_parquet('{directory}/{view.Name}/date=*/part-*.parquet', hive_partitioning = true)
            WHERE {joinKey} = $key AND CAST(date AS VARCHAR) = '{day}' AND epoch_us(feature_time) <= {t / 10}
            ORDER BY feature_time DESC LIMIT 1
            """;
        var row = QueryRow(duck, sql, key, view.View.FeatureCount, allowEmpty: true);
        return row.Length == 0 ? EmptyVector(view).Values.ToArray() : row;
    }

    private static FieldValue[] QueryRow(DuckDBConnection duck, string sql, string key, int width, bool allowEmpty = false)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new DuckDBParameter("key", key));
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            Assert.True(allowEmpty, "no row: " + sql);
            return [];
        }

        var values = new FieldValue[width];
        for (var i = 0; i < width; i++)
        {
            values[i] = reader.IsDBNull(i) ? FieldValue.Null : reader.GetValue(i) switch
            {
                string s => FieldValue.FromText(s),
                var o => FieldValue.FromNumber(Convert.ToDouble(o, CultureInfo.InvariantCulture)),
            };
        }

        return values;
    }

    /// <summary>Exact for count, min, max, last and distinct count; 1e-9 relative (floor 1) otherwise.</summary>
    internal static void AssertSame(ViewPlan view, IReadOnlyList<FieldValue> expected, IReadOnlyList<FieldValue> actual, string context)
    {
        for (var f = 0; f < view.View.FeatureCount; f++)
        {
            var feature = view.View.Features[f];
            var e = expected[f];
            var a = actual[f];
            if (e.IsNull || a.IsNull || e.IsText || a.IsText)
            {
                Assert.True(e.Equals(a), $"{context} {feature.Name}: expected {e}, got {a}");
                continue;
            }

            if (feature.Kind is AggregationKind.Count or AggregationKind.Min or AggregationKind.Max or AggregationKind.Last or AggregationKind.DistinctCount)
            {
                Assert.True(e.Number == a.Number, $"{context} {feature.Name}: expected exactly {e}, got {a}");
            }
            else
            {
                Assert.True(Math.Abs(e.Number - a.Number) <= 1e-9 * Math.Max(Math.Abs(e.Number), 1.0), $"{context} {feature.Name}: expected {e}, got {a}");
            }
        }
    }
}
