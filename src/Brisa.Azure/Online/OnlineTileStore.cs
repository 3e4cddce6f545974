using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Ingestion;

namespace Brisa.Azure.Online;

/// <summary>
/// The online store's streaming half: one Table row per (entity key, view) holding the view's tiles as a compact
/// binary property. Updates are read-modify-write with ETag optimistic concurrency, retried on conflict, applied
/// concurrently across entities; a redelivered event is recognised by its id hash in its tile and not counted twice.
/// </summary>
public sealed class OnlineTileStore(TableClient table, OnlineStoreOptions? options = null)
{
    /// <summary>Row property: the original entity key (PartitionKey may be a digest).</summary>
    public const string EntityKeyProperty = "EntityKey";

    /// <summary>Row property: time of the newest event in the tiles.</summary>
    public const string EventTimeProperty = "EventTime";

    /// <summary>Row property: the layout fingerprint of the view the tiles were written for.</summary>
    public const string LayoutProperty = "Layout";

    private const string TilesProperty = "Tiles";
    private const int MaxBinaryProperty = 64 * 1024;

    private readonly OnlineStoreOptions options = options ?? new OnlineStoreOptions();
    private readonly ConcurrentDictionary<(string PartitionKey, string View, ulong Layout), CachedRow> cache = new();

    /// <summary>Creates the store over the account's online table.</summary>
    public static OnlineTileStore For(BrisaStorage storage, OnlineStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new OnlineTileStore(storage.Tables.GetTableClient(StorageNames.OnlineTable), options);
    }

    /// <summary>Applies a source batch's rows to a streaming view's tiles, entity by entity, concurrently.</summary>
    /// <param name="view">The view (its field indexes are the source schema's).</param>
    /// <param name="entityKeyField">Index of the entity's join key in the source schema.</param>
    /// <param name="batch">Accepted rows of the view's source.</param>
    /// <param name="nowTicks">Current Unix ticks, to prune tiles that left every window.</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    public async Task<OnlineApplySummary> ApplyAsync(TiledView view, int entityKeyField, SourceEventBatch batch, long nowTicks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(batch);
        var byEntity = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var row = 0; row < batch.Count; row++)
        {
            if (batch.Value(row, entityKeyField).AsText() is { } key)
            {
                if (!byEntity.TryGetValue(key, out var rows))
                {
                    byEntity[key] = rows = [];
                }

                rows.Add(row);
            }
        }

        var applied = 0;
        var duplicates = 0;
        var conflicts = 0;
        await Parallel.ForEachAsync(
            byEntity,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = cancellationToken },
            async (entry, ct) =>
            {
                var result = await ApplyEntityAsync(view, entry.Key, entry.Value, batch, nowTicks, ct);
                Interlocked.Add(ref applied, result.Applied);
                Interlocked.Add(ref duplicates, result.Duplicates);
                Interlocked.Add(ref conflicts, result.Conflicts);
            });
        return new OnlineApplySummary(byEntity.Count, applied, duplicates, conflicts);
    }

    /// <summary>Reads an entity's tiles for a view, or null when the entity has none (or they were written for another layout).</summary>
    public async Task<OnlineTiles?> ReadAsync(TiledView view, string entityKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Encode(entityKey), view.Name, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } row ? FromRow(row, view, entityKey) : null;
    }

    /// <summary>The tiles in a row already read (e.g. by a partition query), or null when the row is not this view's tiles for this key.</summary>
    public static OnlineTiles? FromRow(TableEntity row, TiledView view, string entityKey)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(view);
        return IsFor(row, view, entityKey) ? new OnlineTiles(view.Decode(ReadTiles(row)), row.Timestamp) : null;
    }

    private async Task<EntityResult> ApplyEntityAsync(TiledView view, string entityKey, List<int> rows, SourceEventBatch batch, long nowTicks, CancellationToken cancellationToken)
    {
        var partitionKey = TableKeys.Encode(entityKey);
        var cacheKey = (partitionKey, view.Name, view.LayoutFingerprint);
        for (var attempt = 1; ; attempt++)
        {
            // The row this instance wrote last is usually still current (an Event Hubs partition has one reader):
            // start from it and let the ETag check catch the rare case where someone else wrote since.
            EntityTiles state;
            ETag? etag;
            if (attempt == 1 && cache.TryGetValue(cacheKey, out var cached))
            {
                state = view.Decode(cached.Tiles);
                etag = cached.ETag;
            }
            else
            {
                var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, view.Name, cancellationToken: cancellationToken);
                var existing = response.HasValue ? response.Value : null;
                state = existing is not null && IsFor(existing, view, entityKey) ? view.Decode(ReadTiles(existing)) : view.CreateState();
                etag = existing?.ETag;
            }

            int applied = 0, duplicates = 0;
            foreach (var row in rows)
            {
                switch (state.Apply(batch.EventTicks(row), batch.Id(row), batch.Row(row)))
                {
                    case ApplyResult.Applied:
                        applied++;
                        break;
                    case ApplyResult.Duplicate:
                        duplicates++;
                        break;
                }
            }

            if (applied == 0)
            {
                return new EntityResult(0, duplicates, attempt - 1);
            }

            state.Prune(nowTicks);
            var encoded = state.Encode();
            var entity = new TableEntity(partitionKey, view.Name)
            {
                [EntityKeyProperty] = entityKey,
                [LayoutProperty] = unchecked((long)view.LayoutFingerprint),
                [EventTimeProperty] = state.NewestEventTicks is { } newest ? TiledView.FromUnixTicks(newest) : null,
            };
            WriteTiles(entity, encoded);
            try
            {
                var written = etag is { } match
                    ? await table.UpdateEntityAsync(entity, match, TableUpdateMode.Replace, cancellationToken)
                    : await table.AddEntityAsync(entity, cancellationToken);
                Remember(cacheKey, written.Headers.ETag, encoded);
                return new EntityResult(applied, duplicates, attempt - 1);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < options.MaxConflictRetries)
            {
                // Another writer got there first: read its state and apply again (our events are not in it yet).
                cache.TryRemove(cacheKey, out _);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), cancellationToken);
            }
        }
    }

    private void Remember((string, string, ulong) key, ETag? etag, byte[] tiles)
    {
        if (etag is not { } value || options.CachedRows <= 0)
        {
            cache.TryRemove(key, out _);
            return;
        }

        if (cache.Count >= options.CachedRows)
        {
            // Bounded memory without LRU bookkeeping: start over; the next write per entity reads its row once.
            cache.Clear();
        }

        cache[key] = new CachedRow(value, tiles);
    }

    private static bool IsFor(TableEntity row, TiledView view, string entityKey) =>
        row.GetString(EntityKeyProperty) == entityKey
        && row.GetInt64(LayoutProperty) == unchecked((long)view.LayoutFingerprint)
        && row.ContainsKey(TilesProperty);

    private static void WriteTiles(TableEntity entity, byte[] encoded)
    {
        // A binary property holds 64 KiB; larger states are split over Tiles, Tiles1, Tiles2, ... (a row holds 1 MiB).
        for (int offset = 0, part = 0; offset < encoded.Length || part == 0; offset += MaxBinaryProperty, part++)
        {
            var length = Math.Min(MaxBinaryProperty, encoded.Length - offset);
            entity[part == 0 ? TilesProperty : TilesProperty + part] = encoded.AsSpan(offset, length).ToArray();
        }
    }

    private static byte[] ReadTiles(TableEntity row)
    {
        var first = row.GetBinary(TilesProperty) ?? [];
        if (!row.ContainsKey(TilesProperty + 1))
        {
            return first;
        }

        using var buffer = new MemoryStream();
        buffer.Write(first);
        for (var part = 1; row.GetBinary(TilesProperty + part) is { } next; part++)
        {
            buffer.Write(next);
        }

        return buffer.ToArray();
    }

    private readonly record struct EntityResult(int Applied, int Duplicates, int Conflicts);

    private sealed record CachedRow(ETag ETag, byte[] Tiles);
}

/// <summary>Tuning of the online store.</summary>
public sealed record OnlineStoreOptions
{
    /// <summary>Entities updated concurrently within one batch. Default 16.</summary>
    public int MaxParallelism { get; init; } = 16;

    /// <summary>Attempts per entity before a conflict is reported as an error. Default 20.</summary>
    public int MaxConflictRetries { get; init; } = 20;

    /// <summary>Rows this instance wrote last, kept with their ETags to skip the read before the next write. Default 20,000; 0 disables.</summary>
    public int CachedRows { get; init; } = 20_000;
}

/// <summary>What one batch did to one view's online tiles.</summary>
/// <param name="Entities">Entities touched.</param>
/// <param name="Applied">Events counted.</param>
/// <param name="Duplicates">Events already counted before (redelivery).</param>
/// <param name="Conflicts">ETag conflicts retried.</param>
public readonly record struct OnlineApplySummary(int Entities, int Applied, int Duplicates, int Conflicts);

/// <summary>An entity's tiles as read from the online table.</summary>
/// <param name="State">The decoded tiles.</param>
/// <param name="UpdatedAt">When the row was last written.</param>
public sealed record OnlineTiles(EntityTiles State, DateTimeOffset? UpdatedAt);
