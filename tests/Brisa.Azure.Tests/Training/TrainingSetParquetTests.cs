using System.Globalization;
using Brisa.Azure.Training;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Training;
using Brisa.Testing;
using DuckDB.NET.Data;
using static Brisa.Azure.Tests.DuckDb;

namespace Brisa.Azure.Tests.Training;

/// <summary>
/// The training set's Parquet (<c>brisa features history</c>) as a data scientist reads it in DuckDB: a time filter must
/// see every row. Parquet.Net 6.1 writes wrong min/max statistics for INT64 timestamp columns and DuckDB's filter
/// pushdown trusts them (see RawEventParquetTests), so a time split done in DuckDB silently lost rows.
/// </summary>
public sealed class TrainingSetParquetTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    // Every 7 min 0.123457 s, so times have sub-second microseconds.
    private static readonly long Step = TimeSpan.FromMinutes(7).Ticks + 1_234_570;

    [Fact]
    public async Task WriteAsync_DuckDbFilteredCountOnTimestamps_MatchesTrueCount()
    {
        const int rows = 1_000;
        var path = await WriteAsync(rows);
        using var duck = Open();

        Assert.Equal((long)rows, Scalar<long>(duck, $"SELECT count(*) FROM read_parquet('{path}')"));
        foreach (var index in new[] { 0, 100, 500, 900, 999 })
        {
            var literal = TiledView.FromUnixTicks(TicksOf(index)).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
            Assert.Equal((long)(rows - index), Scalar<long>(duck, $"SELECT count(*) FROM read_parquet('{path}') WHERE observation_time >= TIMESTAMPTZ '{literal}+00'"));
            Assert.Equal((long)index, Scalar<long>(duck, $"SELECT count(*) FROM read_parquet('{path}') WHERE observation_time < TIMESTAMPTZ '{literal}+00'"));

            // A timestamp column of the set (here the source's own timestamp carried as a request field).
            Assert.Equal((long)(rows - index), Scalar<long>(duck, $"SELECT count(*) FROM read_parquet('{path}') WHERE \"timestamp\" >= TIMESTAMPTZ '{literal}+00'"));
        }
    }

    [Fact]
    public async Task WriteAsync_DuckDb_ReadsTimesToTheMicrosecond()
    {
        var path = await WriteAsync(50);
        using var duck = Open();
        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT row_id, epoch_us(observation_time), epoch_us(\"timestamp\") FROM read_parquet('{path}') ORDER BY row_id";
        using var reader = command.ExecuteReader();
        var r = 0;
        while (reader.Read())
        {
            Assert.Equal($"r{r:D4}", reader.GetString(0));
            Assert.Equal(TicksOf(r) / 10, reader.GetInt64(1));
            Assert.Equal(TicksOf(r) / 10, reader.GetInt64(2));
            r++;
        }

        Assert.Equal(50, r);
    }

    [Fact]
    public async Task WriteAsync_JoinKeyAlsoARequestField_OneColumnOfThatName()
    {
        // customer_id keys customer_1h and is read as a model input too: one column, or Spark refuses the file
        // ("Found duplicate column(s)") and DuckDB renames the second one customer_id_1.
        var plan = FeaturePlan.Compile(FraudHistory.Definitions, trackEventIds: false);
        var builder = new TrainingSetBuilder(plan, [FeatureReference.Parse("customer_1h:txn_count_1h")], ["customer_id", "amount"], FraudHistory.Definitions.FindSource("transaction"));
        var rows = new ObservationSet(builder.Requirements.EntityKeyFields, builder.Requirements.RequestFields, FieldType.Bool);
        rows.Add("r0", TicksOf(0), ["c1"], [FieldValue.FromText("c1"), FieldValue.FromNumber(12.5)], FieldValue.FromNumber(0));
        var set = builder.Build(rows, []);
        var path = Path.Combine(Directory.CreateTempSubdirectory("brisa-trainingset-").FullName, "set.parquet");
        await using (var file = File.Create(path))
        {
            await TrainingSetParquet.WriteAsync(set, file);
        }

        using var duck = Open();
        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT * FROM read_parquet('{path}')";
        using var reader = command.ExecuteReader();
        var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();

        Assert.Equal(["row_id", "observation_time", "customer_id", "amount", "customer_1h__txn_count_1h", "label"], names);
        Assert.True(reader.Read());
        Assert.Equal("c1", reader.GetString(names.IndexOf("customer_id")));
    }

    private static long TicksOf(int row) => TiledView.ToUnixTicks(Start) + (row * Step / 10 * 10);

    // Rows of the sample's customer_1h count, one every Step, with the transaction's own timestamp as a request field.
    private static async Task<string> WriteAsync(int count)
    {
        var plan = FeaturePlan.Compile(FraudHistory.Definitions, trackEventIds: false);
        var transaction = FraudHistory.Definitions.FindSource("transaction");
        var builder = new TrainingSetBuilder(plan, [FeatureReference.Parse("customer_1h:txn_count_1h")], ["timestamp"], transaction);
        var rows = new ObservationSet(builder.Requirements.EntityKeyFields, builder.Requirements.RequestFields, FieldType.Bool);
        for (var i = 0; i < count; i++)
        {
            rows.Add($"r{i:D4}", TicksOf(i), ["c1"], [FieldValue.FromNumber(TicksOf(i) / 10)], FieldValue.FromNumber(i % 2));
        }

        var set = builder.Build(rows, []);
        var path = Path.Combine(Directory.CreateTempSubdirectory("brisa-trainingset-").FullName, "set.parquet");
        await using var file = File.Create(path);
        await TrainingSetParquet.WriteAsync(set, file);
        return path;
    }
}
