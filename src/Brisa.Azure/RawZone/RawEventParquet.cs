using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;
using Parquet;
using Parquet.Schema;

namespace Brisa.Azure.RawZone;

/// <summary>
/// The raw zone's Parquet layout for one source: <c>event_id</c>, <c>event_time</c> (UTC, microsecond values),
/// then every schema field with its own type (string, double, long, bool, timestamp), nullable.
/// Readable as it is by DuckDB and Spark.
/// </summary>
/// <remarks>
/// Timestamps (<c>event_time</c> and timestamp fields) are INT96 (Impala: UTC, nanosecond precision, microsecond
/// values), like the offline store. Parquet.Net 6.1 writes the min/max statistics of INT64 timestamp columns in
/// milliseconds while the values are microseconds; DuckDB trusts them, so <c>WHERE event_time &gt;= t</c> skips row
/// groups it must read (a count of 0 instead of every row) and even <c>ORDER BY</c> results come back corrupted
/// (compressed materialization sizes values from the statistics). INT96 has no defined sort order, so readers ignore
/// its statistics. <see cref="ReadAsync"/> reads both encodings (files written before the switch are INT64 micros).
/// </remarks>
public static class RawEventParquet
{
    /// <summary>The column holding the CloudEvent id.</summary>
    public const string IdColumn = RawZoneColumns.Id;

    /// <summary>The column holding the event time.</summary>
    public const string TimeColumn = RawZoneColumns.Time;

    /// <summary>The Parquet schema of a source.</summary>
    public static ParquetSchema SchemaOf(EventSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var fields = new List<Field>
        {
            new DataField<string>(IdColumn, false),
            Timestamp(TimeColumn, false),
        };
        foreach (var field in schema.Fields)
        {
            fields.Add(field.Type switch
            {
                FieldType.String => new DataField<string>(field.Name, true),
                FieldType.Double => new DataField<double?>(field.Name),
                FieldType.Long => new DataField<long?>(field.Name),
                FieldType.Bool => new DataField<bool?>(field.Name),
                FieldType.Timestamp => Timestamp(field.Name, true),
                _ => throw new NotSupportedException($"Field type {field.Type} has no Parquet mapping."),
            });
        }

        return new ParquetSchema(fields);
    }

    /// <summary>Writes the given rows of a batch as one row group.</summary>
    public static async Task WriteAsync(SourceEventBatch batch, IReadOnlyList<int> rows, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(rows);
        var parquetSchema = SchemaOf(batch.Schema);
        var dataFields = parquetSchema.GetDataFields();
        await using var writer = await ParquetWriter.CreateAsync(parquetSchema, destination, cancellationToken: cancellationToken);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(dataFields[0], rows.Select(batch.Id).ToArray());
        await group.WriteAsync<DateTime>(dataFields[1], rows.Select(r => ToDateTime(batch.EventTicks(r) / 10)).ToArray(), cancellationToken: cancellationToken);
        for (var f = 0; f < batch.Schema.Fields.Count; f++)
        {
            var column = dataFields[f + 2];
            var field = f;
            switch (batch.Schema.Fields[f].Type)
            {
                case FieldType.String:
                    await group.WriteAsync(column, rows.Select(r => batch.Value(r, field).AsText()).ToArray());
                    break;
                case FieldType.Double:
                    await group.WriteAsync<double>(column, rows.Select(r => batch.Value(r, field).AsNumber()).ToArray(), cancellationToken: cancellationToken);
                    break;
                case FieldType.Long:
                    await group.WriteAsync<long>(column, rows.Select(r => (long?)batch.Value(r, field).AsNumber()).ToArray(), cancellationToken: cancellationToken);
                    break;
                case FieldType.Bool:
                    await group.WriteAsync<bool>(column, rows.Select(r => batch.Value(r, field).AsNumber() is { } b ? b != 0 : (bool?)null).ToArray(), cancellationToken: cancellationToken);
                    break;
                case FieldType.Timestamp:
                    await group.WriteAsync<DateTime>(column, rows.Select(r => batch.Value(r, field).AsNumber() is { } us ? ToDateTime((long)us) : (DateTime?)null).ToArray(), cancellationToken: cancellationToken);
                    break;
            }
        }

        group.CompleteValidate();
    }

    /// <summary>
    /// Reads a raw file back into rows of the schema (every row group, in order). A schema field the file has no column
    /// for (added to the source after the file was written) reads as null; columns the schema no longer has are skipped;
    /// a column written with another type (the field's type changed since) is converted where nothing is lost and reads
    /// as null where it cannot be (<see cref="FieldConversion"/>).
    /// </summary>
    public static async Task<SourceEventBatch> ReadAsync(Stream source, EventSchema schema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var batch = new SourceEventBatch(schema);
        await using var reader = await ParquetReader.CreateAsync(source, cancellationToken: cancellationToken);
        var dataFields = reader.Schema.GetDataFields();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = checked((int)group.RowCount);
            var ids = new string?[count];
            await group.ReadAsync(dataFields[0], ids.AsMemory(), cancellationToken: cancellationToken);
            var times = new DateTime[count];
            await group.ReadAsync(dataFields[1], times.AsMemory(), cancellationToken: cancellationToken);
            var columns = new FieldValue[schema.Fields.Count][];
            for (var f = 0; f < schema.Fields.Count; f++)
            {
                // A field the source gained after the file was written: its events did not have it, so it is null.
                if (dataFields.FirstOrDefault(d => d.Name == schema.Fields[f].Name) is not { } field)
                {
                    columns[f] = new FieldValue[count];
                    continue;
                }

                // A field whose type changed since: read as written, then converted where nothing is lost, else null.
                var written = TypeOf(field);
                var type = schema.Fields[f].Type;
                columns[f] = await ReadColumnAsync(group, field, written, count, cancellationToken);
                if (written != type)
                {
                    for (var r = 0; r < count; r++)
                    {
                        columns[f][r] = FieldConversion.Convert(columns[f][r], written, type);
                    }
                }
            }

            var row = new FieldValue[columns.Length];
            for (var r = 0; r < count; r++)
            {
                for (var f = 0; f < columns.Length; f++)
                {
                    row[f] = columns[f][r];
                }

                batch.Add(ids[r] ?? throw new InvalidDataException("Raw file has a null event_id."), times[r].Ticks - TiledView.UnixEpochTicks, row);
            }
        }

        return batch;
    }

    private static async Task<FieldValue[]> ReadColumnAsync(ParquetRowGroupReader group, DataField field, FieldType type, int count, CancellationToken cancellationToken)
    {
        var values = new FieldValue[count];
        switch (type)
        {
            case FieldType.String:
                var strings = new string?[count];
                await group.ReadAsync(field, strings.AsMemory(), cancellationToken: cancellationToken);
                for (var i = 0; i < count; i++)
                {
                    values[i] = FieldValue.FromText(strings[i]);
                }

                break;
            case FieldType.Double:
                var doubles = new double?[count];
                await group.ReadAsync(field, doubles.AsMemory(), cancellationToken: cancellationToken);
                for (var i = 0; i < count; i++)
                {
                    values[i] = FieldValue.FromNumber(doubles[i]);
                }

                break;
            case FieldType.Long:
                var longs = new long?[count];
                await group.ReadAsync(field, longs.AsMemory(), cancellationToken: cancellationToken);
                for (var i = 0; i < count; i++)
                {
                    values[i] = FieldValue.FromNumber(longs[i]);
                }

                break;
            case FieldType.Bool:
                var bools = new bool?[count];
                await group.ReadAsync(field, bools.AsMemory(), cancellationToken: cancellationToken);
                for (var i = 0; i < count; i++)
                {
                    values[i] = FieldValue.FromNumber(bools[i] is { } b ? (b ? 1 : 0) : null);
                }

                break;
            case FieldType.Timestamp:
                var times = new DateTime?[count];
                await group.ReadAsync(field, times.AsMemory(), cancellationToken: cancellationToken);
                for (var i = 0; i < count; i++)
                {
                    values[i] = FieldValue.FromNumber(times[i] is { } t ? (t.Ticks - TiledView.UnixEpochTicks) / 10 : null);
                }

                break;
        }

        return values;
    }

    // The field type a column was written with (SchemaOf's mapping, read back: Parquet.Net reads strings as char memory).
    private static FieldType TypeOf(DataField field) =>
        field.ClrType == typeof(ReadOnlyMemory<char>) ? FieldType.String
        : field.ClrType == typeof(double) ? FieldType.Double
        : field.ClrType == typeof(long) ? FieldType.Long
        : field.ClrType == typeof(bool) ? FieldType.Bool
        : field.ClrType == typeof(DateTime) ? FieldType.Timestamp
        : throw new InvalidDataException($"Raw file column '{field.Name}' has type {field.ClrType.Name}, which no source field type is written as.");

    // INT96 (see the remarks): its statistics are ignored by readers, unlike Parquet.Net's wrong INT64 ones.
    private static DateTimeDataField Timestamp(string name, bool nullable) =>
        new(name, DateTimeFormat.Impala, isNullable: nullable);

    private static DateTime ToDateTime(long unixMicros) => new(TiledView.UnixEpochTicks + (unixMicros * 10), DateTimeKind.Utc);
}
