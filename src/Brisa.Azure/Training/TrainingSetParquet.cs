using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Training;
using Parquet;
using Parquet.Schema;

namespace Brisa.Azure.Training;

/// <summary>
/// Writes a <see cref="TrainingSet"/> as one Parquet file: <c>row_id</c>, <c>observation_time</c> (timestamp, UTC,
/// INT96 as in the raw zone and the offline store; DuckDB reads it as <c>TIMESTAMP</c>), then every column with its type (string, double, long, bool, timestamp), nullable; the label is
/// <c>label</c> (bool for binary classification, double for regression). Readable as it is by DuckDB and pandas.
/// </summary>
public static class TrainingSetParquet
{
    /// <summary>The Parquet schema of a set.</summary>
    /// <param name="set">The set.</param>
    /// <returns>The schema.</returns>
    public static ParquetSchema SchemaOf(TrainingSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var fields = new List<Field>
        {
            new DataField<string>("row_id", false),
            Timestamp("observation_time", nullable: false),
        };
        foreach (var column in set.Columns)
        {
            fields.Add(column.Type switch
            {
                FieldType.String => new DataField<string>(column.Name, true),
                FieldType.Long => new DataField<long?>(column.Name),
                FieldType.Bool => new DataField<bool?>(column.Name),
                FieldType.Timestamp => Timestamp(column.Name, nullable: true),
                _ => new DataField<double?>(column.Name),
            });
        }

        return new ParquetSchema(fields);
    }

    /// <summary>Writes the set (one row group).</summary>
    /// <param name="set">The set.</param>
    /// <param name="destination">The stream.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public static async Task WriteAsync(TrainingSet set, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        var schema = SchemaOf(set);
        var fields = schema.GetDataFields();
        var ticks = set.ObservationTicks.ToArray();
        await using var writer = await ParquetWriter.CreateAsync(schema, destination, cancellationToken: cancellationToken);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(fields[0], set.RowIds.ToArray());
        await group.WriteAsync<DateTime>(fields[1], ticks.Select(t => new DateTime(TiledView.UnixEpochTicks + t, DateTimeKind.Utc)).ToArray(), cancellationToken: cancellationToken);
        for (var c = 0; c < set.Columns.Count; c++)
        {
            var column = set.Columns[c];
            var field = fields[c + 2];
            var values = column.Values.ToArray();
            switch (column.Type)
            {
                case FieldType.String:
                    await group.WriteAsync(field, values.Select(v => v.AsText()).ToArray());
                    break;
                case FieldType.Long:
                    await group.WriteAsync<long>(field, values.Select(v => v.AsNumber() is { } x ? (long)x : (long?)null).ToArray(), cancellationToken: cancellationToken);
                    break;
                case FieldType.Bool:
                    await group.WriteAsync<bool>(field, values.Select(v => v.AsNumber() is { } x ? x != 0 : (bool?)null).ToArray(), cancellationToken: cancellationToken);
                    break;
                case FieldType.Timestamp:
                    await group.WriteAsync<DateTime>(field, values.Select(v => v.AsNumber() is { } us ? new DateTime(TiledView.UnixEpochTicks + ((long)us * 10), DateTimeKind.Utc) : (DateTime?)null).ToArray(), cancellationToken: cancellationToken);
                    break;
                default:
                    await group.WriteAsync<double>(field, values.Select(v => v.AsNumber()).ToArray(), cancellationToken: cancellationToken);
                    break;
            }
        }

        group.CompleteValidate();
    }

    // INT96, as the raw zone and the offline store write times: Parquet.Net 6.1 writes wrong min/max statistics for
    // INT64 timestamp columns, and DuckDB's filter pushdown trusts them, so `WHERE observation_time >= t` on this file
    // returned no row at all. Readers ignore INT96 statistics (no defined sort order).
    private static DateTimeDataField Timestamp(string name, bool nullable) =>
        new(name, DateTimeFormat.Impala, isNullable: nullable);
}
