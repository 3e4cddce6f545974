using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;

namespace Brisa.Core.Aggregation;

/// <summary>
/// The tiles of many entities for one view: apply a batch across entities, evaluate, and find the entities
/// a batch changed (the stream path writes exactly those rows). Not thread-safe.
/// </summary>
public sealed class ViewAggregator
{
    private readonly Dictionary<string, EntityTiles> _entities;
    private readonly List<string> _dirty = [];

    // Rows of a source batch are applied in chunks: first every row's state is looked up and the memory its
    // newest tile will touch is read for the whole chunk (independent loads, so the cache misses overlap),
    // then the rows are applied one by one to state that is now in cache.
    private const int Chunk = 32;
    private readonly EntityTiles[] _chunkStates = new EntityTiles[Chunk];
    private readonly string[] _chunkKeys = new string[Chunk];
    private long _touched;

    /// <summary>Creates an empty aggregator.</summary>
    /// <param name="view">The view.</param>
    public ViewAggregator(TiledView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        View = view;
        _entities = new Dictionary<string, EntityTiles>(StringComparer.Ordinal);
    }

    /// <summary>The view.</summary>
    public TiledView View { get; }

    /// <summary>Number of entities held.</summary>
    public int EntityCount => _entities.Count;

    /// <summary>The entities held.</summary>
    public IReadOnlyDictionary<string, EntityTiles> Entities => _entities;

    /// <summary>Entity keys changed since the last <see cref="ClearDirty"/>, in first-change order.</summary>
    public IReadOnlyList<string> DirtyKeys => _dirty;

    /// <summary>Applies one event to its entity (creating the entity's state when new).</summary>
    /// <param name="entityKey">The entity key.</param>
    /// <param name="eventTicks">The event time, UTC ticks since the Unix epoch.</param>
    /// <param name="eventId">The event id.</param>
    /// <param name="fields">The event's field values.</param>
    /// <returns>What happened.</returns>
    public ApplyResult Apply(string entityKey, long eventTicks, string? eventId, ReadOnlySpan<FieldValue> fields)
    {
        EntityTiles state = GetOrCreate(entityKey);
        bool wasDirty = state.IsDirty;
        ApplyResult result = state.Apply(eventTicks, eventId, fields);
        if (!wasDirty && state.IsDirty)
        {
            _dirty.Add(entityKey);
        }

        return result;
    }

    /// <summary>Applies one event whose identity hash (<see cref="StableHash.EventIdentity"/>) is already known, e.g. once for several views.</summary>
    /// <param name="entityKey">The entity key.</param>
    /// <param name="eventTicks">The event time, UTC ticks since the Unix epoch.</param>
    /// <param name="eventId">The event id.</param>
    /// <param name="eventIdHash"><see cref="StableHash.EventIdentity"/> of the id and <paramref name="eventTicks"/> (ignored unless the view tracks ids).</param>
    /// <param name="fields">The event's field values.</param>
    /// <returns>What happened.</returns>
    public ApplyResult Apply(string entityKey, long eventTicks, string? eventId, ulong eventIdHash, ReadOnlySpan<FieldValue> fields)
    {
        EntityTiles state = GetOrCreate(entityKey);
        bool wasDirty = state.IsDirty;
        ApplyResult result = state.Apply(eventTicks, eventId, eventIdHash, fields);
        if (!wasDirty && state.IsDirty)
        {
            _dirty.Add(entityKey);
        }

        return result;
    }

    /// <summary>Applies every event of a batch, in batch order.</summary>
    /// <param name="batch">The events.</param>
    /// <returns>Counts of applied, duplicate and too-old events.</returns>
    public BatchApplySummary Apply(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var tally = default(Tally);
        ReadOnlySpan<string> keys = batch.EntityKeys;
        ReadOnlySpan<long> ticks = batch.EventTicks;
        ReadOnlySpan<string?> ids = batch.EventIds;
        EntityTiles? state = null;
        string? stateKey = null;
        for (int i = 0; i < keys.Length; i++)
        {
            // Consecutive events of one entity skip the dictionary lookup.
            if (!ReferenceEquals(keys[i], stateKey) && !string.Equals(keys[i], stateKey, StringComparison.Ordinal))
            {
                stateKey = keys[i];
                state = GetOrCreate(stateKey);
            }

            bool wasDirty = state!.IsDirty;
            Record(ref tally, state.Apply(ticks[i], ids[i], batch.FieldsOf(i)), wasDirty, stateKey!);
        }

        return tally.Summary;
    }

    /// <summary>
    /// Applies every row of a decoded source batch, in batch order, to the entity named by a field of the row
    /// (rows without a key in that field are skipped); results equal applying the rows one by one.
    /// </summary>
    /// <param name="batch">The rows.</param>
    /// <param name="entityKeyField">The schema field holding the view's entity key.</param>
    /// <param name="idHashes">Each row's identity hash (<see cref="StableHash.EventIdentity"/> of its id and time), one per row; computed once for all the views of a source.</param>
    /// <returns>Counts of applied, duplicate and too-old events.</returns>
    public BatchApplySummary Apply(SourceEventBatch batch, int entityKeyField, ReadOnlySpan<ulong> idHashes)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(entityKeyField);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(entityKeyField, batch.Schema.Fields.Count);
        if (idHashes.Length < batch.Count)
        {
            throw new ArgumentException($"Expected {batch.Count} id hashes, got {idHashes.Length}.", nameof(idHashes));
        }

        var tally = default(Tally);
        EntityTiles[] states = _chunkStates;
        string[] keys = _chunkKeys;
        long touched = 0;
        for (int start = 0; start < batch.Count; start += Chunk)
        {
            int n = Math.Min(Chunk, batch.Count - start);
            for (int j = 0; j < n; j++)
            {
                string? key = EntityKeys.FromField(batch.Value(start + j, entityKeyField));
                keys[j] = key!;
                touched += key?.Length ?? 0;
            }

            for (int j = 0; j < n; j++)
            {
                if (keys[j] is { } key)
                {
                    states[j] = GetOrCreate(key);
                }
            }

            for (int j = 0; j < n; j++)
            {
                if (keys[j] is not null)
                {
                    touched += states[j].TileCount;
                }
            }

            for (int j = 0; j < n; j++)
            {
                if (keys[j] is not null)
                {
                    touched += states[j].Touch(idHashes[start + j]);
                }
            }

            for (int j = 0; j < n; j++)
            {
                if (keys[j] is not { } key)
                {
                    continue;
                }

                int row = start + j;
                EntityTiles state = states[j];
                bool wasDirty = state.IsDirty;
                Record(ref tally, state.Apply(batch.EventTicks(row), batch.Id(row), idHashes[row], batch.Row(row)), wasDirty, key);
            }
        }

        // Every chunk overwrites the slots it reads; cleared once so the aggregator does not hold the last keys and states.
        Array.Clear(keys);
        Array.Clear(states);

        // Kept so the reads above are not optimized away.
        Volatile.Write(ref _touched, touched);
        return tally.Summary;
    }

    /// <summary>Counts an apply's result, and records the entity as changed on its first applied event.</summary>
    private void Record(ref Tally tally, ApplyResult result, bool wasDirty, string key)
    {
        switch (result)
        {
            case ApplyResult.Applied:
                tally.Applied++;
                if (!wasDirty)
                {
                    _dirty.Add(key);
                }

                break;
            case ApplyResult.Duplicate:
                tally.Duplicates++;
                break;
            case ApplyResult.NewestOnly:
                // No value was applied, but the row's newest event time moved: it must be written.
                tally.TooOld++;
                if (!wasDirty)
                {
                    _dirty.Add(key);
                }

                break;
            default:
                tally.TooOld++;
                break;
        }
    }

    /// <summary>Evaluates every feature of an entity at a time; an unknown entity gets empty-window values.</summary>
    /// <param name="entityKey">The entity key.</param>
    /// <param name="atTicks">The evaluation time.</param>
    /// <param name="destination">One value per feature.</param>
    /// <returns>The entity's newest event time, or null when unknown or without events.</returns>
    public long? Evaluate(string entityKey, long atTicks, Span<FieldValue> destination)
    {
        ArgumentNullException.ThrowIfNull(entityKey);
        if (_entities.TryGetValue(entityKey, out EntityTiles? state))
        {
            return state.Evaluate(atTicks, destination);
        }

        View.WriteEmpty(destination);
        return null;
    }

    /// <summary>Evaluates an entity at max(now, its newest event, its prune window) — see <see cref="EntityTiles.EvaluateLatest"/>.</summary>
    /// <param name="entityKey">The entity key.</param>
    /// <param name="nowTicks">The current time.</param>
    /// <param name="destination">One value per feature.</param>
    /// <returns>The entity's newest event time, or null when unknown or without events.</returns>
    public long? EvaluateLatest(string entityKey, long nowTicks, Span<FieldValue> destination)
    {
        ArgumentNullException.ThrowIfNull(entityKey);
        if (_entities.TryGetValue(entityKey, out EntityTiles? state))
        {
            return state.EvaluateLatest(nowTicks, destination);
        }

        View.WriteEmpty(destination);
        return null;
    }

    /// <summary>Gets an entity's state.</summary>
    /// <param name="entityKey">The entity key.</param>
    /// <param name="state">The state when held.</param>
    /// <returns>True when held.</returns>
    public bool TryGet(string entityKey, [MaybeNullWhen(false)] out EntityTiles state) => _entities.TryGetValue(entityKey, out state);

    /// <summary>Gets an entity's state, creating empty state when new.</summary>
    /// <param name="entityKey">The entity key.</param>
    /// <returns>The state.</returns>
    public EntityTiles GetOrCreate(string entityKey)
    {
        ArgumentNullException.ThrowIfNull(entityKey);
        ref EntityTiles? slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_entities, entityKey, out _);
        return slot ??= View.CreateState();
    }

    /// <summary>Loads an entity's encoded state (e.g. read from its Table row), replacing what is held.</summary>
    /// <param name="entityKey">The entity key.</param>
    /// <param name="encoded">State written by <see cref="EntityTiles.Encode()"/>.</param>
    /// <returns>The decoded state.</returns>
    public EntityTiles Load(string entityKey, ReadOnlySpan<byte> encoded)
    {
        ArgumentNullException.ThrowIfNull(entityKey);
        EntityTiles state = View.Decode(encoded);
        _entities[entityKey] = state;
        return state;
    }

    /// <summary>Removes an entity.</summary>
    /// <param name="entityKey">The entity key.</param>
    /// <returns>True when it was held.</returns>
    public bool Remove(string entityKey) => _entities.Remove(entityKey);

    /// <summary>Prunes every entity at <paramref name="nowTicks"/> (see <see cref="EntityTiles.Prune(long)"/>).</summary>
    /// <param name="nowTicks">The current time.</param>
    public void PruneAll(long nowTicks)
    {
        foreach (KeyValuePair<string, EntityTiles> e in _entities)
        {
            bool wasDirty = e.Value.IsDirty;
            e.Value.Prune(nowTicks);
            if (!wasDirty && e.Value.IsDirty)
            {
                _dirty.Add(e.Key);
            }
        }
    }

    /// <summary>Marks every entity clean and empties <see cref="DirtyKeys"/> (call after writing them).</summary>
    public void ClearDirty()
    {
        foreach (string key in _dirty)
        {
            if (_entities.TryGetValue(key, out EntityTiles? state))
            {
                state.MarkClean();
            }
        }

        _dirty.Clear();
    }

    private struct Tally
    {
        public int Applied;
        public int Duplicates;
        public int TooOld;

        public readonly BatchApplySummary Summary => new(Applied, Duplicates, TooOld);
    }
}
