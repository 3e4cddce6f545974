using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Materialization;
using Parquet;
using Parquet.Schema;

namespace Brisa.Azure.Offline;

/// <summary>
/// The offline store's Parquet layout for one view: the entity's join key (string), <c>feature_time</c> and
/// <c>event_time</c> (timestamps, UTC, microseconds), then one nullable column per feature typed by its value type
/// (long for count and distinct count, double for sum/mean/min/max/stddev, the field's type for last).
/// One row group per file; readable as it is by DuckDB and Spark.
/// </summary>
public static class OfflineFeatureParquet
{
    /// <summary>The feature time column: the values hold from this instant until the entity's next row.</summary>
    public const string FeatureTimeColumn = OfflineRows.FeatureTimeColumn;

    /// <summary>The event time column: the newest event aggregated (TTL is measured from it).</summary>
    public const string EventTimeColumn = OfflineRows.EventTimeColumn;

    /// <summary>The Parquet schema of a view's files.</summary>
    /// <param name="view">The view.</param>
    /// <param name="definitions">The definitions (for the join key and value types).</param>
    /// <returns>The schema.</returns>
    public static ParquetSchema SchemaOf(ViewPlan view, FeatureRepositoryDefinition definitions)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(definitions);
        var source = definitions.FindSource(view.Definition.Source)!;
        var fields = new List<Field>
        {
            new DataField<string>(JoinKeyOf(view, definitions), false),
            Timestamp(FeatureTimeColumn, false),
            Timestamp(EventTimeColumn, false),
        };
        foreach (var feature in view.Definition.Features)
        {
            fields.Add(feature.GetValueType(source) switch
            {
                FieldType.String => new DataField<string>(feature.Name, true),
                FieldType.Long => new DataField<long?>(feature.Name),
                FieldType.Bool => new DataField<bool?>(feature.Name),
                FieldType.Timestamp => Timestamp(feature.Name, true),
                _ => new DataField<double?>(feature.Name),
            });
        }

        return new ParquetSchema(fields);
    }

    /// <summary>Writes rows as one file (one row group).</summary>
    /// <param name="rows">The rows.</param>
    /// <param name="definitions">The definitions.</param>
    /// <param name="destination">The stream.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public static async Task WriteAsync(OfflineRows rows, FeatureRepositoryDefinition definitions, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var schema = SchemaOf(rows.View, definitions);
        var fields = schema.GetDataFields();
        var n = rows.Count;
        var types = TypesOf(rows.View, definitions);
        await using var writer = await ParquetWriter.CreateAsync(schema, destination, cancellationToken: cancellationToken);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(fields[0], Enumerable.Range(0, n).Select(rows.EntityKeyOf).ToArray());
        await group.WriteAsync<DateTime>(fields[1], Enumerable.Range(0, n).Select(r => ToDateTime(rows.FeatureTicksOf(r))).ToArray(), cancellationToken: cancellationToken);
        await group.WriteAsync<DateTime>(fields[2], Enumerable.Range(0, n).Select(r => ToDateTime(rows.EventTicksOf(r))).ToArray(), cancellationToken: cancellationToken);
        for (var f = 0; f < rows.View.View.FeatureCount; f++)
        {
            var feature = f;
            FieldValue At(int r) => rows.ValuesOf(r)[feature];
            var field = fields[f + 3];
            switch (types[f])
            {
                case FieldType.String:
                    await group.WriteAsync(field, Enumerable.Range(0, n).Select(r => At(r).AsText()).ToArray());
                    break;
                case FieldType.Long:
                    await group.WriteAsync<long>(field, Enumerable.Range(0, n).Select(r => At(r).AsNumber() is { } x ? (long)x : (long?)null).ToArray(), cancellationToken: cancellationToken);
                    break;
                case FieldType.Bool:
                    await group.WriteAsync<bool>(field, Enumerable.Range(0, n).Select(r => At(r).AsNumber() is { } x ? x != 0 : (bool?)null).ToArray(), cancellationToken: cancellationToken);
                    break;
                case FieldType.Timestamp:
                    await group.WriteAsync<DateTime>(field, Enumerable.Range(0, n).Select(r => At(r).AsNumber() is { } us ? ToDateTime((long)us * 10) : (DateTime?)null).ToArray(), cancellationToken: cancellationToken);
                    break;
                default:
                    await group.WriteAsync<double>(field, Enumerable.Range(0, n).Select(r => At(r).AsNumber()).ToArray(), cancellationToken: cancellationToken);
                    break;
            }
        }

        group.CompleteValidate();
    }

    /// <summary>Reads a file written by <see cref="WriteAsync"/> back into rows.</summary>
    /// <param name="view">The view.</param>
    /// <param name="definitions">The definitions.</param>
    /// <param name="source">The stream.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The rows.</returns>
    public static async Task<OfflineRows> ReadAsync(ViewPlan view, FeatureRepositoryDefinition definitions, Stream source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        var types = TypesOf(view, definitions);
        var rows = new OfflineRows(view);
        await using var reader = await ParquetReader.CreateAsync(source, cancellationToken: cancellationToken);
        var fields = reader.Schema.GetDataFields();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var n = checked((int)group.RowCount);
            var keys = new string?[n];
            await group.ReadAsync(fields[0], keys.AsMemory(), cancellationToken: cancellationToken);
            var featureTimes = new DateTime[n];
            await group.ReadAsync(fields[1], featureTimes.AsMemory(), cancellationToken: cancellationToken);
            var eventTimes = new DateTime[n];
            await group.ReadAsync(fields[2], eventTimes.AsMemory(), cancellationToken: cancellationToken);
            var columns = new FieldValue[view.View.FeatureCount][];
            for (var f = 0; f < columns.Length; f++)
            {
                columns[f] = await ReadColumnAsync(group, fields[f + 3], types[f], n, cancellationToken);
            }

            var values = new FieldValue[columns.Length];
            for (var r = 0; r < n; r++)
            {
                for (var f = 0; f < columns.Length; f++)
                {
                    values[f] = columns[f][r];
                }

                rows.Add(keys[r]!, featureTimes[r].Ticks - TiledView.UnixEpochTicks, eventTimes[r].Ticks - TiledView.UnixEpochTicks, values);
            }
        }

        return rows;
    }

    /// <summary>The join key column name of a view (its entity's join key).</summary>
    /// <param name="view">The view.</param>
    /// <param name="definitions">The definitions.</param>
    /// <returns>The column name.</returns>
    public static string JoinKeyOf(ViewPlan view, FeatureRepositoryDefinition definitions)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(definitions);
        return definitions.FindEntity(view.Definition.Entity)!.JoinKey;
    }

    private static FieldType[] TypesOf(ViewPlan view, FeatureRepositoryDefinition definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var source = definitions.FindSource(view.Definition.Source)!;
        return view.Definition.Features.Select(f => f.GetValueType(source)).ToArray();
    }

    private static async Task<FieldValue[]> ReadColumnAsync(ParquetRowGroupReader group, DataField field, FieldType type, int n, CancellationToken cancellationToken)
    {
        var values = new FieldValue[n];
        if (type == FieldType.String)
        {
            var data = new string?[n];
            await group.ReadAsync(field, data.AsMemory(), cancellationToken: cancellationToken);
            for (var i = 0; i < n; i++)
            {
                values[i] = FieldValue.FromText(data[i]);
            }
        }
        else if (type == FieldType.Long)
        {
            var data = new long?[n];
            await group.ReadAsync(field, data.AsMemory(), cancellationToken: cancellationToken);
            for (var i = 0; i < n; i++)
            {
                values[i] = FieldValue.FromNumber(data[i]);
            }
        }
        else if (type == FieldType.Bool)
        {
            var data = new bool?[n];
            await group.ReadAsync(field, data.AsMemory(), cancellationToken: cancellationToken);
            for (var i = 0; i < n; i++)
            {
                values[i] = FieldValue.FromNumber(data[i] is { } b ? (b ? 1 : 0) : null);
            }
        }
        else if (type == FieldType.Timestamp)
        {
            var data = new DateTime?[n];
            await group.ReadAsync(field, data.AsMemory(), cancellationToken: cancellationToken);
            for (var i = 0; i < n; i++)
            {
                values[i] = FieldValue.FromNumber(data[i] is { } t ? (t.Ticks - TiledView.UnixEpochTicks) / 10 : null);
            }
        }
        else
        {
            var data = new double?[n];
            await group.ReadAsync(field, data.AsMemory(), cancellationToken: cancellationToken);
            for (var i = 0; i < n; i++)
            {
                values[i] = FieldValue.FromNumber(data[i]);
            }
        }

        return values;
    }

    // Impala (INT96, nanosecond precision). Parquet.Net 6.1 writes the min/max statistics of INT64 timestamp
    // columns (Timestamp micros and DateAndTimeMicros alike) scaled wrongly (milliseconds read as microseconds), so
    // DuckDB's filter pushdown skips row groups it must read and `WHERE feature_time <= t` loses rows. INT96 has no
    // defined sort order, so readers ignore its statistics; DuckDB, Spark, Synapse and Fabric read it as a timestamp.
    private static DateTimeDataField Timestamp(string name, bool nullable) =>
        new(name, DateTimeFormat.Impala, isNullable: nullable);

    private static DateTime ToDateTime(long unixTicks) => new(TiledView.UnixEpochTicks + unixTicks, DateTimeKind.Utc);
}
