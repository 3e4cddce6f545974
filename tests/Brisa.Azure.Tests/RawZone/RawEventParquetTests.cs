using System.Globalization;
using Brisa.Azure.RawZone;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;
using DuckDB.NET.Data;
using static Brisa.Azure.Tests.DuckDb;
using Parquet;
using Parquet.Schema;

namespace Brisa.Azure.Tests.RawZone;

/// <summary>
/// The raw zone's Parquet as other engines read it. Parquet.Net 6.1 writes wrong min/max statistics for INT64
/// timestamp columns; DuckDB's filter pushdown trusts them and skips row groups, so a filtered query over raw files
/// silently loses rows. These tests pin that a filtered DuckDB count equals the true count, and that the round trip
/// through <see cref="RawEventParquet"/> keeps every timestamp to the microsecond.
/// </summary>
public sealed class RawEventParquetTests
{
    private static readonly EventSchema Schema = new("payment", "com.brisa.test.payment", "ts",
    [
        new SchemaField("ts", FieldType.Timestamp, true),
        new SchemaField("customer_id", FieldType.String, true),
        new SchemaField("amount", FieldType.Double, false),
        new SchemaField("settled_at", FieldType.Timestamp, false),
        new SchemaField("attempts", FieldType.Long, false),
        new SchemaField("online", FieldType.Bool, false),
    ]);

    private static readonly DateTimeOffset Start = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Events every 7 minutes 13.123457 s over ~5 days, sub-second microseconds included; some settled_at null.</summary>
    private static SourceEventBatch Batch(int count = 1_000)
    {
        var batch = new SourceEventBatch(Schema);
        var step = TimeSpan.FromMinutes(7).Ticks + TimeSpan.FromSeconds(13).Ticks + 1_234_570;
        for (var i = 0; i < count; i++)
        {
            var ticks = TiledView.ToUnixTicks(Start) + (i * step);
            var micros = ticks / 10;
            batch.Add($"e{i:D5}", ticks,
            [
                FieldValue.FromNumber(micros),
                FieldValue.FromText($"c{i % 17}"),
                FieldValue.FromNumber(i * 1.25),
                i % 5 == 0 ? FieldValue.Null : FieldValue.FromNumber(micros + 3_600_000_001L),
                FieldValue.FromNumber(i % 4),
                FieldValue.FromNumber(i % 2),
            ]);
        }

        return batch;
    }

    private static async Task<string> WriteFileAsync(SourceEventBatch batch)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("brisa-rawparquet-").FullName, "batch.parquet");
        await using var file = File.Create(path);
        await RawEventParquet.WriteAsync(batch, Enumerable.Range(0, batch.Count).ToArray(), file);
        return path;
    }

    [Fact]
    public async Task DuckDb_FilteredCountOnEventTime_MatchesTrueCount()
    {
        var batch = Batch();
        var path = await WriteFileAsync(batch);
        using var duck = Open();

        Assert.Equal((long)batch.Count, Scalar<long>(duck, $"SELECT count(*) FROM read_parquet('{path}')"));
        foreach (var fraction in new[] { 0.0, 0.1, 0.5, 0.9, 0.999 })
        {
            var index = (int)(fraction * (batch.Count - 1));
            var threshold = TiledView.FromUnixTicks(batch.EventTicks(index) / 10 * 10);
            var literal = threshold.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
            var expectedAtOrAfter = Enumerable.Range(0, batch.Count).Count(r => batch.EventTicks(r) / 10 * 10 >= TiledView.ToUnixTicks(threshold));

            Assert.Equal((long)expectedAtOrAfter, Scalar<long>(duck, $"SELECT count(*) FROM read_parquet('{path}') WHERE event_time >= TIMESTAMPTZ '{literal}+00'"));
            Assert.Equal((long)(batch.Count - expectedAtOrAfter), Scalar<long>(duck, $"SELECT count(*) FROM read_parquet('{path}') WHERE event_time < TIMESTAMPTZ '{literal}+00'"));
            Assert.Equal((long)expectedAtOrAfter, Scalar<long>(duck, $"SELECT count(*) FROM read_parquet('{path}') WHERE ts >= TIMESTAMPTZ '{literal}+00'"));
        }

        // A timestamp field with nulls, filtered the same way.
        var settledAfter = Start.AddDays(2);
        var expectedSettled = Enumerable.Range(0, batch.Count)
            .Count(r => batch.Value(r, 3).AsNumber() is { } us && (long)us * 10 >= TiledView.ToUnixTicks(settledAfter));
        Assert.Equal((long)expectedSettled, Scalar<long>(duck, $"SELECT count(*) FROM read_parquet('{path}') WHERE settled_at >= TIMESTAMPTZ '2026-05-03 00:00:00+00'"));
    }

    [Fact]
    public async Task DuckDb_ReadsEventTimeAsUtcTimestampToTheMicrosecond()
    {
        var batch = Batch(50);
        var path = await WriteFileAsync(batch);
        using var duck = Open();

        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT event_id, epoch_us(event_time), epoch_us(ts), epoch_us(settled_at), typeof(event_time) FROM read_parquet('{path}') ORDER BY event_id";
        using var reader = command.ExecuteReader();
        var r = 0;
        while (reader.Read())
        {
            Assert.Equal(batch.Id(r), reader.GetString(0));
            Assert.Equal(batch.EventTicks(r) / 10, reader.GetInt64(1));
            Assert.Equal((long)batch.Value(r, 0).AsNumber()!.Value, reader.GetInt64(2));
            if (batch.Value(r, 3).AsNumber() is { } settled)
            {
                Assert.Equal((long)settled, reader.GetInt64(3));
            }
            else
            {
                Assert.True(reader.IsDBNull(3));
            }

            Assert.StartsWith("TIMESTAMP", reader.GetString(4), StringComparison.Ordinal);
            r++;
        }

        Assert.Equal(batch.Count, r);
    }

    [Fact]
    public async Task ReadAsync_RoundTrip_KeepsEveryValueToTheMicrosecond()
    {
        var batch = Batch(200);
        using var buffer = new MemoryStream();
        await RawEventParquet.WriteAsync(batch, Enumerable.Range(0, batch.Count).ToArray(), buffer);
        buffer.Position = 0;

        var read = await RawEventParquet.ReadAsync(buffer, Schema);

        Assert.Equal(batch.Count, read.Count);
        for (var r = 0; r < batch.Count; r++)
        {
            Assert.Equal(batch.Id(r), read.Id(r));
            Assert.Equal(batch.EventTicks(r) / 10 * 10, read.EventTicks(r));
            for (var f = 0; f < Schema.Fields.Count; f++)
            {
                Assert.Equal(batch.Value(r, f), read.Value(r, f));
            }
        }
    }

    [Fact]
    public async Task ReadAsync_FieldTypesChangedSinceWritten_ConvertedOrNull()
    {
        // Every written type read as another: to string as invariant text, long to double exactly, text that is no number as null.
        var batch = Batch(20);
        using var buffer = new MemoryStream();
        await RawEventParquet.WriteAsync(batch, Enumerable.Range(0, batch.Count).ToArray(), buffer);
        buffer.Position = 0;
        var retyped = new EventSchema(Schema.SourceName, Schema.EventType, "ts",
            [.. Schema.Fields.Select(f => f.Name switch
            {
                "customer_id" => f with { Type = FieldType.Double },
                "attempts" => f with { Type = FieldType.Double },
                "ts" => f,
                _ => f with { Type = FieldType.String },
            })]);

        var read = await RawEventParquet.ReadAsync(buffer, retyped);

        Assert.Equal(batch.Count, read.Count);
        for (var r = 0; r < batch.Count; r++)
        {
            Assert.Equal(batch.Value(r, 0), read.Value(r, 0));
            Assert.True(read.Value(r, 1).IsNull);
            Assert.Equal((r * 1.25).ToString(CultureInfo.InvariantCulture), read.Value(r, 2).AsText());
            Assert.Equal(batch.Value(r, 3).AsNumber() is { } us ? TiledView.FromUnixTicks((long)us * 10).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture) : null, read.Value(r, 3).AsText());
            Assert.Equal(r % 4, read.Value(r, 4).AsNumber());
            Assert.Equal(r % 2 == 1 ? "true" : "false", read.Value(r, 5).AsText());
        }
    }

    [Fact]
    public async Task ReadAsync_LegacyInt64MicrosFile_ReadsExactly()
    {
        // Files written before the switch to INT96: event_time and timestamp fields as INT64 micros, UTC.
        var schema = new EventSchema("legacy", "com.brisa.test.legacy", "ts", [new SchemaField("ts", FieldType.Timestamp, true)]);
        var micros = new[] { TiledView.ToUnixTicks(Start) / 10 + 1, TiledView.ToUnixTicks(Start) / 10 + 3_600_000_007L };
        var times = micros.Select(us => new DateTime(TiledView.UnixEpochTicks + (us * 10), DateTimeKind.Utc)).ToArray();
        var parquetSchema = new ParquetSchema(
            new DataField<string>("event_id", false),
            new DateTimeDataField("event_time", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false),
            new DateTimeDataField("ts", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true));
        var fields = parquetSchema.GetDataFields();
        using var buffer = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(parquetSchema, buffer))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(fields[0], new[] { "a", "b" });
            await group.WriteAsync<DateTime>(fields[1], times);
            await group.WriteAsync<DateTime>(fields[2], times.Select(t => (DateTime?)t).ToArray());
            group.CompleteValidate();
        }

        buffer.Position = 0;
        var read = await RawEventParquet.ReadAsync(buffer, schema);

        Assert.Equal(2, read.Count);
        for (var r = 0; r < 2; r++)
        {
            Assert.Equal(micros[r] * 10, read.EventTicks(r));
            Assert.Equal(FieldValue.FromNumber(micros[r]), read.Value(r, 0));
        }
    }
}
