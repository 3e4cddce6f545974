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
        var rawDir = Directory.CreateTempSubdirectory("brisa-raw-");
        var rawContainer = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.RawContainer);
        await foreach (var blob in rawContainer.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, "transaction/date=2026-05-", CancellationToken.None))
        {
            var path = Path.Combine(rawDir.FullName, blob.Name.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, (await rawContainer.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray());
        }

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
