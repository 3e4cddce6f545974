using System.Globalization;
using System.Text.RegularExpressions;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Offline;
using Brisa.Azure.Online;
using Brisa.Azure.Storage;
using Brisa.Azure.Training;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Training;
using Brisa.Testing;
using DuckDB.NET.Data;
using static Brisa.Azure.Tests.DuckDb;

namespace Brisa.Azure.Tests.Offline;

/// <summary>
/// The offline store and the raw zone as a data scientist reads them outside Brisa: downloaded as they are and read
/// by DuckDB over every file and day with the folders' partitions. One typed schema, nulls as nulls, keys exactly as
/// sent, and the SQL of docs/architecture.md ("Reading the files yourself") giving what training and the online store give.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class DataScientistReadTests(AzuriteFixture azurite)
{
    private static readonly FeatureRepositoryDefinition Definitions = FraudHistory.Definitions;
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = Start.AddDays(5);

    // Keys a CSV, a shell or a SQL literal would mangle: quotes, a backslash, spaces at both ends, non-Latin text, an emoji.
    private static readonly string[] CustomerKeys = ["c'1", "c\"2", "back\\slash", "  spaced  ", "ñandú 🙂", "日本,;", "quiet"];

    [Fact]
    public async Task DownloadedFiles_ReadByDuckDbWithPartitions_OneSchemaExactKeysAndTheValuesOfTrainingAndServing()
    {
        var prefix = $"ds{Guid.NewGuid():N}"[..8] + "-";
        var stream = Transactions(prefix);
        // As they happen (a batch at most 48 minutes old), so the 1 h views' tiles get every event too.
        foreach (var batch in stream.Chunk(4))
        {
            var arrival = new FixedTimeProvider(TiledView.FromUnixTicks(batch[^1].Ticks));
            var result = await new EventIngestor(azurite.Storage, Definitions, arrival).IngestAsync([SampleTransaction.Message(batch)], CancellationToken.None);
            Assert.Equal(batch.Length, result.Accepted);
        }

        // A redelivery grouped otherwise lands a tenth of the events a second time, in other raw files.
        await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(End))
            .IngestAsync([SampleTransaction.Message(stream.Where((_, i) => i % 10 == 3))], CancellationToken.None);
        await new FeatureMaterializer(azurite.Storage, Definitions).MaterializeAsync(Start, End);

        var plan = FeaturePlan.Compile(Definitions, trackEventIds: true); // the tiles' layout, as ingestion writes them
        var folder = Directory.CreateTempSubdirectory("brisa-data-scientist-").FullName;
        foreach (var view in plan.Views)
        {
            // This test's days only: other tests of the collection share the account and write these views' files for their own days.
            await DownloadAsync(StorageNames.OfflineContainer, view.Name + "/date=2026-07-", Path.Combine(folder, "offline"));
        }

        await DownloadAsync(StorageNames.RawContainer, "transaction/date=2026-07-", Path.Combine(folder, "raw"));
        using var duck = Open();
        Execute(duck, $"SET file_search_path = '{folder}'"); // the doc's relative paths, as after a download into the working folder

        // One schema over every file and day: each column in every file, with one physical and logical type.
        foreach (var view in plan.Views)
        {
            var files = Scalar<long>(duck, $"SELECT count(*) FROM glob('offline/{view.Name}/*/*.parquet')");
            Assert.True(files >= 24, $"{view.Name}: {files} files");
            Assert.Equal(0L, Scalar<long>(duck, $"""
                SELECT count(*) FROM (
                  SELECT name FROM parquet_schema('offline/{view.Name}/*/*.parquet') WHERE name <> 'root'
                  GROUP BY name HAVING count(DISTINCT (type, coalesce(logical_type, ''))) <> 1 OR count(*) <> {files})
                """));
            var joinKey = OfflineFeatureParquet.JoinKeyOf(view, Definitions);
            var source = Definitions.FindSource(view.Definition.Source)!;
            var expected = new[] { $"{joinKey} VARCHAR", "feature_time TIMESTAMP", "event_time TIMESTAMP" }
                .Concat(view.Definition.Features.Select(f => $"{f.Name} {DuckType(f.GetValueType(source))}"))
                .Append("date DATE");
            Assert.Equal(expected, Columns(duck, $"offline/{view.Name}/*/*.parquet"));

            // Nulls are nulls: no NaN in a double column, no empty string for a missing text.
            foreach (var feature in view.Definition.Features)
            {
                var bad = feature.GetValueType(source) switch
                {
                    FieldType.Double => $"isnan({feature.Name})",
                    FieldType.String => $"{feature.Name} = ''",
                    _ => null,
                };
                if (bad is not null)
                {
                    Assert.Equal(0L, Scalar<long>(duck, $"SELECT count(*) FROM read_parquet('offline/{view.Name}/*/*.parquet', hive_partitioning = true) WHERE {bad}"));
                }
            }
        }

        Assert.Equal(
            ["event_id VARCHAR", "event_time TIMESTAMP", "transaction_id VARCHAR", "customer_id VARCHAR", "merchant_id VARCHAR", "amount DOUBLE", "currency VARCHAR", "country VARCHAR", "channel VARCHAR", "timestamp TIMESTAMP", "date DATE", "hour VARCHAR"],
            Columns(duck, "raw/transaction/*/*/*.parquet"));

        // Keys exactly as sent, in the raw zone and the offline store alike.
        var sent = stream.Select(t => t.Customer).Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(sent, Strings(duck, "SELECT DISTINCT customer_id FROM read_parquet('raw/transaction/*/*/*.parquet', hive_partitioning = true)"));
        Assert.Equal(sent, Strings(duck, "SELECT DISTINCT customer_id FROM read_parquet('offline/customer_7d/*/*.parquet', hive_partitioning = true)"));

        // The doc's SQL gives every transaction what training gives it (features history of the same rows).
        var documented = RunDocumentedSql(duck);
        Assert.Equal(stream.Count, documented.Count);
        string[] features = ["txn_count_7d", "amount_mean_7d", "last_country_7d"];
        var builder = new TrainingSetBuilder(plan, [.. features.Select(f => new FeatureReference("customer_7d", f))]);
        var rows = new ObservationSet(builder.Requirements.EntityKeyFields, [], null);
        foreach (var t in stream)
        {
            rows.Add(t.Id, t.Ticks, [t.Customer], [], FieldValue.Null);
        }

        var history = await new HistoricalFeatures(azurite.Storage).BuildAsync(plan, builder, rows);
        var rowOf = history.RowIds.Select((id, r) => (id, r)).ToDictionary(x => x.id, x => x.r);
        var missing = 0;
        foreach (var (id, customer, ticks, values) in documented)
        {
            var r = rowOf[id];
            Assert.Equal(history.ObservationTicks[r], ticks);
            Assert.Equal(history.Column(builder.Requirements.EntityKeyFields[0])[r].Text, customer);
            for (var f = 0; f < features.Length; f++)
            {
                var expected = history.Column(FeatureRequirements.ColumnNameOf("customer_7d", features[f]))[r];
                var actual = values[f];
                Assert.True(
                    expected.IsNull || expected.IsText ? expected.Equals(actual) : !actual.IsNull && Math.Abs(expected.Number - actual.Number) <= 1e-9 * Math.Max(Math.Abs(expected.Number), 1),
                    $"{id} {customer} {features[f]}: history {expected}, documented SQL {actual}");
            }

            missing += values[0].IsNull ? 1 : 0;
        }

        // Missing values were met (each customer's first transaction, and the quiet one's first after its pause), and present ones.
        Assert.InRange(missing, CustomerKeys.Length + 1, stream.Count / 4);

        // The latest offline row of each entity holds what the online store serves at the end of the range.
        var last = TiledView.ToUnixTicks(End) - 1;
        var lastDay = End.AddDays(-1).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var view in plan.Views)
        {
            var joinKey = OfflineFeatureParquet.JoinKeyOf(view, Definitions);
            var keys = Strings(duck, $"SELECT DISTINCT {joinKey} FROM read_parquet('offline/{view.Name}/*/*.parquet', hive_partitioning = true) WHERE date = DATE '{lastDay}'");
            Assert.NotEmpty(keys);
            foreach (var key in keys)
            {
                var latest = LatestRow(duck, view, joinKey, key, lastDay);
                IReadOnlyList<FieldValue> online = view.Definition.Streaming
                    ? (await OnlineTileStore.For(azurite.Storage).ReadAsync(view.View, key) ?? throw new Xunit.Sdk.XunitException($"no tiles for {view.Name} {key}")).State.Evaluate(last).Values.ToArray()
                    : (await OnlineValueStore.For(azurite.Storage).ReadAsync(view, key) ?? throw new Xunit.Sdk.XunitException($"no online values for {view.Name} {key}")).Values;
                SkewTests.AssertSame(view, online, latest, $"online {view.Name} {key}");
            }
        }
    }

    /// <summary>Five days of transactions, to the microsecond and never on a whole hour; "quiet" pauses for over two days (its views' TTL).</summary>
    private static List<SampleTransaction> Transactions(string prefix)
    {
        var rng = new Random(7);
        var startTicks = TiledView.ToUnixTicks(Start);
        var list = new List<SampleTransaction>();
        for (var i = 0; i < 600; i++)
        {
            var ticks = startTicks + (i * TimeSpan.FromMinutes(12).Ticks) + TimeSpan.FromSeconds(1 + rng.Next(500)).Ticks + (rng.Next(1_000_000) * 10L);
            var customer = CustomerKeys[i % CustomerKeys.Length];
            if (customer == "quiet" && ticks > startTicks + TimeSpan.TicksPerDay && ticks < startTicks + (TimeSpan.TicksPerDay * 7 / 2))
            {
                customer = CustomerKeys[0];
            }

            list.Add(new SampleTransaction($"{prefix}t{i:D4}", prefix + customer, $"{prefix}m{rng.Next(3)}", Math.Round(rng.NextDouble() * 300, 2), rng.Next(4) == 0 ? "FR" : "ES", ticks));
        }

        return list;
    }

    private async Task DownloadAsync(string containerName, string blobPrefix, string directory)
    {
        var container = azurite.Storage.Blobs.GetBlobContainerClient(containerName);
        await foreach (var blob in container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, blobPrefix, CancellationToken.None))
        {
            var path = Path.Combine(directory, blob.Name.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await container.GetBlobClient(blob.Name).DownloadToAsync(path);
        }
    }

    /// <summary>The SQL block of the section, run statement by statement; the last one's rows.</summary>
    private static List<(string Id, string Customer, long Ticks, FieldValue[] Values)> RunDocumentedSql(DuckDBConnection duck)
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "architecture.md"));
        var section = doc[doc.IndexOf("### Reading the files yourself", StringComparison.Ordinal)..];
        var sql = SqlBlock().Match(section).Groups[1].Value;
        var statements = sql.Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(4, statements.Length);
        foreach (var statement in statements[..^1])
        {
            Execute(duck, statement);
        }

        var rows = new List<(string, string, long, FieldValue[])>();
        using var command = duck.CreateCommand();
        command.CommandText = statements[^1];
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var time = reader.GetDateTime(2);
            rows.Add((reader.GetString(0), reader.GetString(1), TiledView.ToUnixTicks(new DateTimeOffset(time, TimeSpan.Zero)), [.. Enumerable.Range(3, reader.FieldCount - 3).Select(i => Value(reader, i))]));
        }

        return rows;
    }

    private static FieldValue[] LatestRow(DuckDBConnection duck, ViewPlan view, string joinKey, string key, string day)
    {
        using var command = duck.CreateCommand();
        command.CommandText = $"""
            SELECT {string.Join(", ", view.Definition.Features.Select(f => f.Name))}
            FROM read_parquet('offline/{view.Name}/*/*.parquet', hive_partitioning = true)
            WHERE {joinKey} = $key AND date = DATE '{day}' ORDER BY feature_time DESC LIMIT 1
            """;
        command.Parameters.Add(new DuckDBParameter("key", key));
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return [.. Enumerable.Range(0, reader.FieldCount).Select(i => Value(reader, i))];
    }

    private static FieldValue Value(System.Data.Common.DbDataReader reader, int i) =>
        reader.IsDBNull(i) ? FieldValue.Null : reader.GetValue(i) switch
        {
            string s => FieldValue.FromText(s),
            var o => FieldValue.FromNumber(Convert.ToDouble(o, CultureInfo.InvariantCulture)),
        };

    private static List<string> Columns(DuckDBConnection duck, string glob)
    {
        using var command = duck.CreateCommand();
        command.CommandText = $"DESCRIBE SELECT * FROM read_parquet('{glob}', hive_partitioning = true)";
        using var reader = command.ExecuteReader();
        var columns = new List<string>();
        while (reader.Read())
        {
            columns.Add($"{reader.GetString(0)} {reader.GetString(1)}");
        }

        return columns;
    }

    private static string[] Strings(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return [.. values.Order(StringComparer.Ordinal)];
    }

    private static string DuckType(FieldType type) => type switch
    {
        FieldType.String => "VARCHAR",
        FieldType.Long => "BIGINT",
        FieldType.Bool => "BOOLEAN",
        FieldType.Timestamp => "TIMESTAMP",
        _ => "DOUBLE",
    };

    [GeneratedRegex(@"```sql\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SqlBlock();
}
