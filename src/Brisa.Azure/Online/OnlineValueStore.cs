using Azure;
using Azure.Data.Tables;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Materialization;

namespace Brisa.Azure.Online;

/// <summary>
/// The online store's batch half: one row per (entity key, batch-only view) holding the view's latest materialized
/// values as typed properties. Rows of streaming views hold tiles (<see cref="OnlineTileStore"/>); the materializer
/// writes value rows only for views with <c>streaming: false</c>, so it never replaces a tiles row.
/// </summary>
/// <remarks>
/// Row layout: PartitionKey <c>TableKeys.Encode(entity key)</c>, RowKey the view name; <c>EntityKey</c> (string),
/// <c>Kind</c> = <c>values</c>, <c>Layout</c> (the view's layout fingerprint, as a tiles row), <c>EventTime</c>
/// (newest event aggregated; TTL is measured from it), <c>FeatureTime</c> (the instant the values are as of), then one
/// property per feature named as the feature: Int64 for count/distinct count, Double for the others, the field's type
/// for last (String, Double, Int64, Boolean, DateTimeOffset); a null value is an absent property. The Table's own
/// <c>Timestamp</c> is the update time.
/// </remarks>
public sealed class OnlineValueStore(TableClient table)
{
    /// <summary>Row property: the row kind, <c>values</c>.</summary>
    public const string KindProperty = "Kind";

    /// <summary>The kind of value rows.</summary>
    public const string ValuesKind = "values";

    /// <summary>Row property: the instant the values are as of.</summary>
    public const string FeatureTimeProperty = "FeatureTime";

    /// <summary>
    /// Row property: the instant the run that wrote the values started reading the raw zone
    /// (<see cref="Offline.FeatureMaterializer.RawAsOfMetadata"/>); decides between two writes of the same <c>FeatureTime</c>.
    /// </summary>
    public const string RawAsOfProperty = "RawAsOf";

    // Conflicts come only from another slice writing the same row at the same moment; past this, the slice fails and is retried.
    private const int MaxAttempts = 5;

    private static readonly string[] StoredColumns = [KindProperty, OnlineTileStore.LayoutProperty, FeatureTimeProperty, RawAsOfProperty];

    /// <summary>Creates the store over the account's online table.</summary>
    /// <param name="storage">The account.</param>
    /// <returns>The store.</returns>
    public static OnlineValueStore For(BrisaStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new OnlineValueStore(storage.Tables.GetTableClient(StorageNames.OnlineTable));
    }

    /// <summary>
    /// Writes the values of a view, entities concurrently, each row only if what is stored is not newer: a row whose
    /// values are as of a later instant (<c>FeatureTime</c>, same view layout), or as of the same instant but computed
    /// from a later view of the raw zone (<c>RawAsOf</c>), is kept, so a slice that finishes after a newer one cannot
    /// take the online values back in time, nor one of the same range that read less raw data. Each row is read, then replaced only if unchanged since
    /// (its ETag) or added if absent; a concurrent write makes it compare again. Writing the same values twice leaves
    /// the same rows.
    /// </summary>
    /// <param name="values">The latest values of one view.</param>
    /// <param name="definitions">The definitions (for value types).</param>
    /// <param name="rawAsOf">When the run that computed the values started reading the raw zone.</param>
    /// <param name="maxParallelism">Entities written concurrently.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The number of rows written (rows kept because they were newer are not counted).</returns>
    public async Task<int> WriteAsync(OnlineValues values, FeatureRepositoryDefinition definitions, DateTimeOffset rawAsOf, int maxParallelism = 16, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(definitions);
        var view = values.View;
        if (view.Definition.Streaming)
        {
            throw new InvalidOperationException($"View '{view.Name}' is streaming: its online rows hold tiles and are kept by ingestion.");
        }

        var source = definitions.FindSource(view.Definition.Source)!;
        var types = view.Definition.Features.Select(f => f.GetValueType(source)).ToArray();
        var featureTime = TiledView.FromUnixTicks(values.FeatureTicks);
        var written = 0;
        await Parallel.ForEachAsync(
            values.Rows,
            new ParallelOptions { MaxDegreeOfParallelism = maxParallelism, CancellationToken = cancellationToken },
            async (row, ct) =>
            {
                if (await WriteUnlessNewerAsync(ToEntity(view, row, types, featureTime, rawAsOf), view.View.LayoutFingerprint, featureTime, rawAsOf, ct))
                {
                    Interlocked.Increment(ref written);
                }
            });
        return written;
    }

    /// <summary>Reads an entity's value row of a view, or null when there is none (or it belongs to another layout or key).</summary>
    /// <param name="view">The view.</param>
    /// <param name="entityKey">The entity key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The row, or null.</returns>
    public async Task<OnlineValueRow?> ReadAsync(ViewPlan view, string entityKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Encode(entityKey), view.Name, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } row ? FromRow(row, view, entityKey) : null;
    }

    /// <summary>The values in a row already read (e.g. by a partition query), or null when it is not this view's value row for this key.</summary>
    /// <param name="row">The table row.</param>
    /// <param name="view">The view.</param>
    /// <param name="entityKey">The entity key.</param>
    /// <returns>The values, or null.</returns>
    public static OnlineValueRow? FromRow(TableEntity row, ViewPlan view, string entityKey)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(view);
        if (row.GetString(OnlineTileStore.EntityKeyProperty) != entityKey
            || row.GetString(KindProperty) != ValuesKind
            || row.GetInt64(OnlineTileStore.LayoutProperty) != unchecked((long)view.View.LayoutFingerprint))
        {
            return null;
        }

        var values = new FieldValue[view.View.FeatureCount];
        for (var f = 0; f < values.Length; f++)
        {
            values[f] = row.TryGetValue(view.View.Features[f].Name, out var value) ? FromProperty(value) : FieldValue.Null;
        }

        return new OnlineValueRow(values, row.GetDateTimeOffset(OnlineTileStore.EventTimeProperty), row.GetDateTimeOffset(FeatureTimeProperty), row.Timestamp);
    }

    private async Task<bool> WriteUnlessNewerAsync(TableEntity entity, ulong layout, DateTimeOffset featureTime, DateTimeOffset rawAsOf, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stored = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, StoredColumns, cancellationToken);
            var existing = stored.HasValue ? stored.Value : null;
            if (existing is not null
                && existing.GetString(KindProperty) == ValuesKind
                && existing.GetInt64(OnlineTileStore.LayoutProperty) == unchecked((long)layout)
                && existing.GetDateTimeOffset(FeatureTimeProperty) is { } storedTime
                && (storedTime > featureTime || (storedTime == featureTime && existing.GetDateTimeOffset(RawAsOfProperty) > rawAsOf)))
            {
                return false;
            }

            try
            {
                if (existing is not null)
                {
                    await table.UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    await table.AddEntityAsync(entity, cancellationToken);
                }

                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412 && attempt < MaxAttempts)
            {
                // Another writer changed the row since it was read: compare with what it wrote.
            }
        }
    }

    private static TableEntity ToEntity(ViewPlan view, OnlineValue row, FieldType[] types, DateTimeOffset featureTime, DateTimeOffset rawAsOf)
    {
        var entity = new TableEntity(TableKeys.Encode(row.EntityKey), view.Name)
        {
            [OnlineTileStore.EntityKeyProperty] = row.EntityKey,
            [KindProperty] = ValuesKind,
            [OnlineTileStore.LayoutProperty] = unchecked((long)view.View.LayoutFingerprint),
            [OnlineTileStore.EventTimeProperty] = TiledView.FromUnixTicks(row.EventTicks),
            [FeatureTimeProperty] = featureTime,
            [RawAsOfProperty] = rawAsOf,
        };
        for (var f = 0; f < types.Length; f++)
        {
            var value = row.Values[f];
            if (value.IsNull)
            {
                continue;
            }

            entity[view.View.Features[f].Name] = types[f] switch
            {
                FieldType.String => value.AsText(),
                FieldType.Long => (long)value.Number,
                FieldType.Bool => value.Number != 0,
                FieldType.Timestamp => TiledView.FromUnixTicks((long)value.Number * 10),
                _ => value.Number,
            };
        }

        return entity;
    }

    private static FieldValue FromProperty(object? value) => value switch
    {
        null => FieldValue.Null,
        string s => FieldValue.FromText(s),
        long l => FieldValue.FromNumber(l),
        int i => FieldValue.FromNumber(i),
        double d => FieldValue.FromNumber(d),
        bool b => FieldValue.FromNumber(b ? 1 : 0),
        DateTimeOffset t => FieldValue.FromNumber(TiledView.ToUnixTicks(t) / 10),
        _ => FieldValue.Null,
    };
}

/// <summary>A view's value row as read from the online table.</summary>
/// <param name="Values">One value per feature, in the view's order (null when absent).</param>
/// <param name="EventTime">The newest event aggregated: classify with <see cref="FeatureFreshness.Classify(bool, DateTimeOffset?, bool, TimeSpan, DateTimeOffset)"/>.</param>
/// <param name="FeatureTime">The instant the values are as of.</param>
/// <param name="UpdatedAt">When the row was written.</param>
public sealed record OnlineValueRow(IReadOnlyList<FieldValue> Values, DateTimeOffset? EventTime, DateTimeOffset? FeatureTime, DateTimeOffset? UpdatedAt);
