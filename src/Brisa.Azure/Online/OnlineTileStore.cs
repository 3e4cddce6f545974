using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Features;
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

    // Azure Table refuses an entity over 1 MiB (400 EntityTooLarge) on every attempt, so a row over it would fail its
    // batch for good and hold the partition; Azurite does not enforce the limit.
    private const int MaxEntityBytes = 1024 * 1024;

    // An entity group transaction carries at most 100 operations and 4 MiB, and binary properties travel as base64 (4/3 larger).
    private const int MaxTransactionRows = 100;
    private const int MaxTransactionTiles = 2 * 1024 * 1024;

    // Per view in ApplyAsync: events applied, events held already, rows written, rows of another layout started over.
    private const int PerViewCounts = 4;

    private static readonly OnlineStoreOptions Defaults = new();
    private readonly OnlineStoreOptions options = options ?? Defaults;
    private readonly RecentlyWritten<(string PartitionKey, string View, ulong Layout), CachedRow> cache = new((options ?? Defaults).CachedRows);

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
    public Task<OnlineApplySummary> ApplyAsync(TiledView view, int entityKeyField, SourceEventBatch batch, long nowTicks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        return ApplyAsync([(view, entityKeyField)], batch, nowTicks, cancellationToken);
    }

    /// <summary>
    /// Applies a source batch's rows to several streaming views' tiles, entity by entity, concurrently. Views keyed by
    /// the same field share each entity's partition, so an entity's rows of all of them are read with one partition
    /// query and written with one entity group transaction: one round trip instead of one per view, and the views of
    /// an entity change together or not at all.
    /// </summary>
    /// <param name="views">The views with the index of each one's entity join key in the source schema.</param>
    /// <param name="batch">Accepted rows of the views' source.</param>
    /// <param name="nowTicks">Current Unix ticks, to prune tiles that left every window.</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    /// <returns>
    /// Rows touched (one per entity and view), events applied and duplicates (once per view), the batch's events some
    /// view held already (each once), conflicts retried (once per entity).
    /// </returns>
    public async Task<OnlineApplySummary> ApplyAsync(IReadOnlyList<(TiledView View, int EntityKeyField)> views, SourceEventBatch batch, long nowTicks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(batch);
        var work = new List<(string Key, TiledView[] Views, int[] Indexes, List<int> Rows)>();
        foreach (var group in Enumerable.Range(0, views.Count).GroupBy(i => views[i].EntityKeyField))
        {
            var indexes = group.ToArray();
            var groupViews = indexes.Select(i => views[i].View).ToArray();
            foreach (var (key, rows) in RowsByEntity(batch, group.Key))
            {
                work.Add((key, groupViews, indexes, rows));
            }
        }

        // Per view, in the order given (PerViewCounts each).
        var perView = new int[views.Count * PerViewCounts];

        var tooLarge = new ConcurrentBag<OversizedRow>();

        // Per batch row: some view held it already. Views keyed by different fields see the same row, so an event is
        // counted once here however many views held it. Tasks only ever set a row to true, so two setting one agree.
        var held = new bool[batch.Count];
        var touched = 0;
        var applied = 0;
        var duplicates = 0;
        var conflicts = 0;
        await Parallel.ForEachAsync(
            work,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = cancellationToken },
            async (entry, ct) =>
            {
                var result = await ApplyEntityAsync(entry.Views, entry.Indexes, entry.Key, entry.Rows, batch, nowTicks, tooLarge, held, perView, ct);
                Interlocked.Add(ref touched, entry.Views.Length);
                Interlocked.Add(ref applied, result.Applied);
                Interlocked.Add(ref duplicates, result.Duplicates);
                Interlocked.Add(ref conflicts, result.Conflicts);
            });
        return new OnlineApplySummary(touched, applied, duplicates, conflicts)
        {
            TooLarge = [.. tooLarge],
            DuplicateEvents = held.Count(h => h),
            Views = [.. Enumerable.Range(0, views.Count).Select(v => new ViewApplyCounts(views[v].View.Name, perView[v * PerViewCounts], perView[(v * PerViewCounts) + 1], perView[(v * PerViewCounts) + 2])
            {
                RowsRestarted = perView[(v * PerViewCounts) + 3],
            })],
        };
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
        return IsFor(row, view, entityKey) ? new OnlineTiles(Decode(row, view), row.Timestamp) : null;
    }

    private static Dictionary<string, List<int>> RowsByEntity(SourceEventBatch batch, int entityKeyField)
    {
        var byEntity = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var row = 0; row < batch.Count; row++)
        {
            // A long join key is keyed by its invariant text, as the materializer and the serving request key it.
            if (EntityKeys.FromField(batch.Value(row, entityKeyField)) is { } key)
            {
                if (!byEntity.TryGetValue(key, out var rows))
                {
                    byEntity[key] = rows = [];
                }

                rows.Add(row);
            }
        }

        return byEntity;
    }

    private async Task<EntityResult> ApplyEntityAsync(TiledView[] views, int[] indexes, string entityKey, List<int> rows, SourceEventBatch batch, long nowTicks, ConcurrentBag<OversizedRow> tooLarge, bool[] held, int[] perView, CancellationToken cancellationToken)
    {
        var partitionKey = TableKeys.Encode(entityKey);
        var states = new EntityTiles[views.Length];
        var etags = new ETag?[views.Length];
        var counts = new (int Applied, int Duplicates, bool Written)[views.Length];
        var otherLayout = new bool[views.Length];

        // Hashed once for all the views (and every retry) rather than once per view.
        var idHashes = new ulong[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            idHashes[i] = StableHash.EventIdentity(batch.Id(rows[i]), batch.EventTicks(rows[i]));
        }

        for (var attempt = 1; ; attempt++)
        {
            // The rows this instance wrote last are usually still current (an Event Hubs partition has one reader):
            // start from them and let the ETag checks catch the rare case where someone else wrote since.
            Array.Clear(otherLayout);
            if (attempt > 1 || !TryFromCache(views, partitionKey, states, etags))
            {
                await ReadStatesAsync(views, entityKey, partitionKey, states, etags, nowTicks, otherLayout, cancellationToken);
            }

            int applied = 0, duplicates = 0;
            bool[]? heldHere = null;
            var writes = new List<(int View, TableEntity Entity, byte[] Tiles)>(views.Length);
            var oversized = new List<OversizedRow>();
            for (var v = 0; v < views.Length; v++)
            {
                var viewApplied = 0;
                var viewDuplicates = 0;
                var newestMoved = false;
                for (var i = 0; i < rows.Count; i++)
                {
                    var row = rows[i];
                    switch (states[v].Apply(batch.EventTicks(row), batch.Id(row), idHashes[i], batch.Row(row)))
                    {
                        case ApplyResult.Applied:
                            viewApplied++;
                            break;
                        case ApplyResult.Duplicate:
                            duplicates++;
                            viewDuplicates++;
                            (heldHere ??= new bool[rows.Count])[i] = true;
                            break;
                        case ApplyResult.NewestOnly:
                            newestMoved = true;
                            break;
                    }
                }

                counts[v] = (0, viewDuplicates, false);
                if (viewApplied > 0 || newestMoved)
                {
                    states[v].Prune(nowTicks);
                    var encoded = states[v].Encode();
                    var entity = ToRow(views[v], entityKey, partitionKey, states[v], encoded);
                    if (EntitySize(entity) is var size && size > MaxEntityBytes)
                    {
                        // Left as it was (the events stay in the raw zone) rather than failing the batch on every retry.
                        oversized.Add(new OversizedRow(views[v].Name, entityKey, size));
                        continue;
                    }

                    applied += viewApplied;
                    counts[v] = (viewApplied, viewDuplicates, true);
                    writes.Add((v, entity, encoded));
                }
            }

            try
            {
                await WriteAsync(views, partitionKey, writes, etags, cancellationToken);
                foreach (var row in oversized)
                {
                    tooLarge.Add(row);
                }

                // Only the attempt that was written counts: a retry reads the rows again and decides anew.
                for (var v = 0; v < views.Length; v++)
                {
                    var at = indexes[v] * PerViewCounts;
                    Interlocked.Add(ref perView[at], counts[v].Applied);
                    Interlocked.Add(ref perView[at + 1], counts[v].Duplicates);
                    Interlocked.Add(ref perView[at + 2], counts[v].Written ? 1 : 0);
                    Interlocked.Add(ref perView[at + 3], counts[v].Written && otherLayout[v] ? 1 : 0);
                }

                if (heldHere is not null)
                {
                    for (var i = 0; i < rows.Count; i++)
                    {
                        if (heldHere[i])
                        {
                            held[rows[i]] = true;
                        }
                    }
                }

                return new EntityResult(applied, duplicates, attempt - 1);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412 && attempt < options.MaxConflictRetries)
            {
                // Another writer got there first: read its state and apply again (our events are not in it yet, or,
                // where an earlier transaction of this entity went through, their ids are and they count once).
                // 404: a row read (or cached) with an ETag was deleted since; kept in the cache, it would fail every
                // retry of the batch and hold the partition for good.
                foreach (var view in views)
                {
                    cache.Remove((partitionKey, view.Name, view.LayoutFingerprint));
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), cancellationToken);
            }
        }
    }

    private bool TryFromCache(TiledView[] views, string partitionKey, EntityTiles[] states, ETag?[] etags)
    {
        for (var v = 0; v < views.Length; v++)
        {
            if (!cache.TryGet((partitionKey, views[v].Name, views[v].LayoutFingerprint), out var cached))
            {
                return false;
            }

            states[v] = views[v].Decode(cached.Tiles);
            etags[v] = cached.ETag;
        }

        return true;
    }

    /// <summary>Reads the entity's rows of the views: a point read for one view, one partition query for several.</summary>
    /// <remarks>
    /// A view whose row holds another layout's tiles (an older build's, or the view's before a definitions change)
    /// starts over; it is flagged in <paramref name="otherLayout"/> when its newest event is still within the view's
    /// longest window, so starting over loses window events (an entity idle for longer loses nothing).
    /// </remarks>
    private async Task ReadStatesAsync(TiledView[] views, string entityKey, string partitionKey, EntityTiles[] states, ETag?[] etags, long nowTicks, bool[] otherLayout, CancellationToken cancellationToken)
    {
        var found = new TableEntity?[views.Length];
        if (views.Length == 1)
        {
            var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, views[0].Name, cancellationToken: cancellationToken);
            found[0] = response.HasValue ? response.Value : null;
        }
        else
        {
            // A string filter: the SDK's expression overload costs about twice as much per query (docs/benchmarks.md, serving).
            await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}"), cancellationToken: cancellationToken))
            {
                var v = Array.FindIndex(views, view => view.Name == row.RowKey);
                if (v >= 0)
                {
                    found[v] = row;
                }
            }
        }

        for (var v = 0; v < views.Length; v++)
        {
            var existing = found[v];
            states[v] = existing is not null && IsFor(existing, views[v], entityKey) ? Decode(existing, views[v]) : views[v].CreateState();
            otherLayout[v] = existing is not null && IsOtherLayoutInWindow(existing, views[v], entityKey, nowTicks);
            etags[v] = existing?.ETag;
        }
    }

    /// <summary>
    /// Writes the changed rows, each checked against the ETag it was read with (or added when new): one request for a
    /// single row, one entity group transaction for several (split where a transaction would pass its limits).
    /// </summary>
    private async Task WriteAsync(TiledView[] views, string partitionKey, List<(int View, TableEntity Entity, byte[] Tiles)> writes, ETag?[] etags, CancellationToken cancellationToken)
    {
        for (var start = 0; start < writes.Count;)
        {
            var end = start + 1;
            for (long bytes = writes[start].Tiles.Length; end < writes.Count && end - start < MaxTransactionRows && bytes + writes[end].Tiles.Length <= MaxTransactionTiles; end++)
            {
                bytes += writes[end].Tiles.Length;
            }

            var chunk = writes.GetRange(start, end - start);
            IReadOnlyList<Response> responses;
            if (chunk.Count == 1)
            {
                var (v, entity, _) = chunk[0];
                responses = [etags[v] is { } match
                    ? await table.UpdateEntityAsync(entity, match, TableUpdateMode.Replace, cancellationToken)
                    : await table.AddEntityAsync(entity, cancellationToken)];
            }
            else
            {
                var actions = chunk.Select(w => etags[w.View] is { } match
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, w.Entity, match)
                    : new TableTransactionAction(TableTransactionActionType.Add, w.Entity));
                responses = (await table.SubmitTransactionAsync(actions, cancellationToken)).Value;
            }

            for (var i = 0; i < chunk.Count; i++)
            {
                var view = views[chunk[i].View];
                Remember((partitionKey, view.Name, view.LayoutFingerprint), responses[i].Headers.ETag, chunk[i].Tiles);
            }

            start = end;
        }
    }

    /// <summary>An entity's size as Azure Table counts it against its 1 MiB limit (keys and names in UTF-16, binary as is).</summary>
    internal static long EntitySize(TableEntity entity)
    {
        // 4 bytes + 2 per key character + per property 8 bytes, 2 per name character and the value; plus Timestamp.
        long size = 4 + (2L * (entity.PartitionKey.Length + entity.RowKey.Length)) + 8 + (2 * "Timestamp".Length) + 8;
        foreach (var (name, value) in entity)
        {
            if (name is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")
            {
                continue;
            }

            size += 8 + (2L * name.Length) + value switch
            {
                byte[] bytes => 4 + bytes.Length,
                string text => 4 + (2L * text.Length),
                _ => 8,
            };
        }

        return size;
    }

    private static TableEntity ToRow(TiledView view, string entityKey, string partitionKey, EntityTiles state, byte[] encoded)
    {
        var entity = new TableEntity(partitionKey, view.Name)
        {
            [EntityKeyProperty] = entityKey,
            [LayoutProperty] = unchecked((long)view.LayoutFingerprint),
            [EventTimeProperty] = state.NewestEventTicks is { } newest ? TiledView.FromUnixTicks(newest) : null,
        };
        WriteTiles(entity, encoded);
        return entity;
    }

    private void Remember((string, string, ulong) key, ETag? etag, byte[] tiles)
    {
        if (etag is { } value)
        {
            cache.Set(key, new CachedRow(value, tiles));
        }
        else
        {
            cache.Remove(key);
        }
    }

    /// <summary>
    /// True when the row is this entity's row of the view (tiles, or a batch view's values) written for another layout
    /// (by an older build: tiles of event ids alone, or fields by index; or before a change of the view's tiles) and
    /// its newest event is still in the view's longest window as of <paramref name="nowTicks"/>: read as missing, and
    /// started over by the stream, it loses window events.
    /// </summary>
    internal static bool IsOtherLayoutInWindow(TableEntity row, TiledView view, string entityKey, long nowTicks) =>
        row.GetString(EntityKeyProperty) == entityKey
        && row.GetInt64(LayoutProperty) is { } layout
        && layout != unchecked((long)view.LayoutFingerprint)
        && row.GetDateTimeOffset(EventTimeProperty) is { } newest
        && (TiledView.ToUnixTicks(newest) / view.TileTicks) > (nowTicks / view.TileTicks) - view.MaxWindowTiles;

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

    /// <summary>A row's tiles; an unreadable row (corrupt, or a newer format) names itself, so an operator can find it.</summary>
    private static EntityTiles Decode(TableEntity row, TiledView view)
    {
        try
        {
            return view.Decode(ReadTiles(row));
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException(
                $"Online row PartitionKey '{row.PartitionKey}', RowKey '{row.RowKey}' (entity '{LogText.Printable(row.GetString(EntityKeyProperty) ?? string.Empty)}') cannot be read: {ex.Message} See docs/operations.md, 'A partition stopped'.",
                ex);
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

    /// <summary>Rows this instance wrote last, kept with their ETags to skip the read before the next write (the most recently used survive when it fills). Default 20,000; 0 disables.</summary>
    public int CachedRows { get; init; } = 20_000;
}

/// <summary>What one batch did to the online tiles of the views it was applied to.</summary>
/// <param name="Rows">Rows touched: one per entity and view.</param>
/// <param name="Applied">Events counted (not those of rows left unwritten as <see cref="TooLarge"/>).</param>
/// <param name="Duplicates">Events already counted before (redelivery), once per view that held them.</param>
/// <param name="Conflicts">ETag conflicts retried.</param>
public readonly record struct OnlineApplySummary(int Rows, int Applied, int Duplicates, int Conflicts)
{
    /// <summary>The batch's events some view held already (a redelivery), each counted once however many views held it.</summary>
    public int DuplicateEvents { get; init; }

    /// <summary>Rows left as they were because their new tiles would pass Azure Table's 1 MiB entity limit.</summary>
    public IReadOnlyList<OversizedRow> TooLarge { get; init; } = [];

    /// <summary>Per view, in the order the views were given: what the batch did to that view's rows.</summary>
    public IReadOnlyList<ViewApplyCounts> Views { get; init; } = [];
}

/// <summary>What one batch did to one streaming view's rows.</summary>
/// <param name="View">The view.</param>
/// <param name="Applied">Events counted in the view's tiles (as <see cref="OnlineApplySummary.Applied"/>).</param>
/// <param name="Duplicates">Events the view's tiles held already.</param>
/// <param name="RowsWritten">Entity rows written: those the batch changed (rows left as they were, too large or with nothing new, are not counted).</param>
public readonly record struct ViewApplyCounts(string View, int Applied, int Duplicates, int RowsWritten)
{
    /// <summary>
    /// Of <see cref="RowsWritten"/>, rows that held tiles of another layout (written by an older build, or before a
    /// change of the view's tiles) with events still in the view's longest window, started over from this batch's
    /// events: their window features count only events from now on until <c>brisa materialize --tiles</c> replays the
    /// raw zone into them.
    /// </summary>
    public int RowsRestarted { get; init; }
}

/// <summary>A streaming view's row of one entity that was not written: its tiles would pass the 1 MiB entity limit.</summary>
/// <param name="View">The view (the row's RowKey).</param>
/// <param name="EntityKey">The entity key.</param>
/// <param name="Bytes">The row's size as Table storage counts it.</param>
public sealed record OversizedRow(string View, string EntityKey, long Bytes);

/// <summary>An entity's tiles as read from the online table.</summary>
/// <param name="State">The decoded tiles.</param>
/// <param name="UpdatedAt">When the row was last written.</param>
public sealed record OnlineTiles(EntityTiles State, DateTimeOffset? UpdatedAt);
