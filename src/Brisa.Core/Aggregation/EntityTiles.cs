namespace Brisa.Core.Aggregation;

/// <summary>
/// The tiles of one entity for one view: apply events (any order), evaluate every feature at a time,
/// prune, encode. Not thread-safe; one instance per (entity, view).
/// </summary>
/// <remarks>
/// Evaluation at t is exact (DESIGN §4) when every applied event has e ≤ t, which is what the three paths do:
/// the point-in-time sweep applies events with e ≤ t before evaluating at t, the batch materializer evaluates
/// at or after the event it just applied, and the stream evaluates at max(now, <see cref="NewestEventTicks"/>).
/// <see cref="Evaluate(long, Span{FieldValue})"/> therefore rejects a time before the newest applied event.
/// </remarks>
public sealed class EntityTiles
{
    [ThreadStatic]
    private static HashSet<FieldValue>? s_distinctScratch;

    private Tile[] _tiles = [];
    private int _tileCount;
    private long _newestTicks = long.MinValue;
    private long _newestTile = long.MinValue;
    private long _watermarkTile = long.MinValue;

    internal EntityTiles(TiledView view) => View = view;

    /// <summary>The view this state belongs to.</summary>
    public TiledView View { get; }

    /// <summary>Greatest event time applied (ticks since the Unix epoch), or null when no event was ever applied.</summary>
    public long? NewestEventTicks => _newestTicks == long.MinValue ? null : _newestTicks;

    /// <summary>Number of tiles held (at most the longest window).</summary>
    public int TileCount => _tileCount;

    /// <summary>Events held in the tiles (all windows).</summary>
    public long EventCount
    {
        get
        {
            long n = 0;
            for (int i = 0; i < _tileCount; i++)
            {
                n += _tiles[i].Count;
            }

            return n;
        }
    }

    /// <summary>The lowest tile index still accepted after <see cref="Prune(long)"/>, or null when never pruned.</summary>
    public long? PruneWatermarkTile => _watermarkTile == long.MinValue ? null : _watermarkTile;

    /// <summary>True after a change, until <see cref="MarkClean"/> (used by <see cref="ViewAggregator"/> to find rows to write).</summary>
    public bool IsDirty { get; private set; }

    internal ReadOnlySpan<Tile> Tiles => _tiles.AsSpan(0, _tileCount);

    internal long NewestTileIndex => _newestTile;

    internal long WatermarkTileRaw => _watermarkTile;

    /// <summary>Clears <see cref="IsDirty"/>.</summary>
    public void MarkClean() => IsDirty = false;

    /// <summary>Applies one event to its tile.</summary>
    /// <param name="eventTicks">Event time, UTC ticks since the Unix epoch.</param>
    /// <param name="eventId">The event id: breaks ties of last value, and is the redelivery key when the view tracks ids.</param>
    /// <param name="fields">The event's field values, indexed by <see cref="WindowFeatureSpec.FieldIndex"/> (at least <see cref="TiledView.FieldCount"/>).</param>
    /// <returns>What happened; nothing changes unless <see cref="ApplyResult.Applied"/>.</returns>
    /// <exception cref="ArgumentException">Too few fields, or text in a field a numeric aggregation reads.</exception>
    public ApplyResult Apply(long eventTicks, string? eventId, ReadOnlySpan<FieldValue> fields) =>
        Apply(eventTicks, eventId, View.TracksEventIds ? StableHash.Fnv1a64(eventId) : 0, fields);

    /// <summary>Applies one event whose id hash (<see cref="StableHash.Fnv1a64(string?)"/>) is already known.</summary>
    /// <param name="eventTicks">Event time, UTC ticks since the Unix epoch.</param>
    /// <param name="eventId">The event id.</param>
    /// <param name="eventIdHash">FNV-1a 64 of the id's UTF-8 bytes (ignored unless the view tracks ids).</param>
    /// <param name="fields">The event's field values.</param>
    /// <returns>What happened.</returns>
    public ApplyResult Apply(long eventTicks, string? eventId, ulong eventIdHash, ReadOnlySpan<FieldValue> fields)
    {
        TiledView view = View;
        if (eventTicks == long.MinValue)
        {
            throw new ArgumentOutOfRangeException(nameof(eventTicks), "long.MinValue is reserved.");
        }

        if (fields.Length < view.FieldCount)
        {
            throw new ArgumentException($"View '{view.Name}' needs {view.FieldCount} field values, got {fields.Length}.", nameof(fields));
        }

        NumericBlock[] blocks = view.NumericBlocks;
        for (int b = 0; b < blocks.Length; b++)
        {
            if (fields[blocks[b].Field].IsText)
            {
                throw new ArgumentException($"View '{view.Name}': field {blocks[b].Field} is aggregated as a number but holds text.", nameof(fields));
            }
        }

        long ti = view.TileOf(eventTicks);
        if (ti < _watermarkTile || (_newestTile != long.MinValue && ti < _newestTile - view.MaxWindowTiles + 1))
        {
            return ApplyResult.TooOld;
        }

        Tile tile = GetOrAddTile(ti, out bool created);
        if (tile.Ids is not null && !tile.Ids.Add(eventIdHash))
        {
            return ApplyResult.Duplicate;
        }

        tile.Count++;
        if (eventTicks > tile.MaxTicks)
        {
            tile.MaxTicks = eventTicks;
        }

        double[] values = tile.Values;
        for (int b = 0; b < blocks.Length; b++)
        {
            FieldValue v = fields[blocks[b].Field];
            if (v.IsNull)
            {
                continue;
            }

            double x = v.Number;
            long n = ++tile.NumericCounts[b];
            ref readonly NumericBlock block = ref blocks[b];
            if (block.SumSlot >= 0)
            {
                values[block.SumSlot] += x;
            }

            if (block.MeanSlot >= 0)
            {
                // Welford.
                double mean = values[block.MeanSlot];
                double delta = x - mean;
                mean += delta / n;
                values[block.MeanSlot] = mean;
                values[block.MeanSlot + 1] += delta * (x - mean);
            }

            if (block.MinSlot >= 0 && x < values[block.MinSlot])
            {
                values[block.MinSlot] = x;
            }

            if (block.MaxSlot >= 0 && x > values[block.MaxSlot])
            {
                values[block.MaxSlot] = x;
            }
        }

        int[] lastFields = view.LastFields;
        for (int i = 0; i < lastFields.Length; i++)
        {
            FieldValue v = fields[lastFields[i]];
            ref LastSlot slot = ref tile.Last[i];
            if (!v.IsNull && slot.IsBeatenBy(eventTicks, eventId))
            {
                slot.Ticks = eventTicks;
                slot.EventId = eventId;
                slot.Value = v;
            }
        }

        int[] distinctFields = view.DistinctFields;
        for (int i = 0; i < distinctFields.Length; i++)
        {
            FieldValue v = fields[distinctFields[i]];
            if (!v.IsNull)
            {
                tile.Distinct[i].Add(v);
            }
        }

        if (eventTicks > _newestTicks)
        {
            _newestTicks = eventTicks;
        }

        if (created && ti > _newestTile)
        {
            _newestTile = ti;
            DropTilesBelow(ti - view.MaxWindowTiles + 1);
        }

        IsDirty = true;
        return ApplyResult.Applied;
    }

    /// <summary>Evaluates every feature at <paramref name="atTicks"/>.</summary>
    /// <param name="atTicks">The evaluation time t, UTC ticks since the Unix epoch.</param>
    /// <param name="destination">Receives one value per feature, in spec order (count/sum/distinct count 0 on an empty window).</param>
    /// <returns>The newest applied event time (<see cref="NewestEventTicks"/>).</returns>
    /// <exception cref="InvalidOperationException">t is before the newest applied event, or its window reaches below the prune watermark.</exception>
    public long? Evaluate(long atTicks, Span<FieldValue> destination)
    {
        TiledView view = View;
        ReadOnlySpan<FeaturePlan> plans = view.Plans;
        if (destination.Length < plans.Length)
        {
            throw new ArgumentException($"The destination needs {plans.Length} values.", nameof(destination));
        }

        if (atTicks < _newestTicks)
        {
            throw new InvalidOperationException(
                $"View '{view.Name}': cannot evaluate at {atTicks}, before the newest applied event ({_newestTicks}); the result would include later events.");
        }

        long tt = view.TileOf(atTicks);
        if (_watermarkTile != long.MinValue && tt - view.MaxWindowTiles + 1 < _watermarkTile)
        {
            throw new InvalidOperationException(
                $"View '{view.Name}': cannot evaluate at {atTicks}: tiles in its window were pruned.");
        }

        Tile[] tiles = _tiles;
        for (int f = 0; f < plans.Length; f++)
        {
            FeaturePlan plan = plans[f];
            long lo = tt - plan.WindowTiles + 1;
            int first = _tileCount;
            while (first > 0 && tiles[first - 1].Index >= lo)
            {
                first--;
            }

            destination[f] = EvaluateFeature(plan, tiles, first, _tileCount);
        }

        return NewestEventTicks;
    }

    /// <summary>Evaluates every feature at <paramref name="atTicks"/> into a new array.</summary>
    /// <param name="atTicks">The evaluation time t.</param>
    /// <returns>The values and the newest event time.</returns>
    public FeatureVector Evaluate(long atTicks)
    {
        var values = new FieldValue[View.FeatureCount];
        long? newest = Evaluate(atTicks, values);
        return new FeatureVector(values, newest);
    }

    /// <summary>
    /// Drops tiles outside the longest window at <paramref name="nowTicks"/> and rejects later events older than that
    /// (they stay in the raw zone). Afterwards evaluation needs t ≥ now.
    /// </summary>
    /// <param name="nowTicks">The current time, UTC ticks since the Unix epoch.</param>
    public void Prune(long nowTicks)
    {
        long lo = View.TileOf(nowTicks) - View.MaxWindowTiles + 1;
        if (lo > _watermarkTile)
        {
            _watermarkTile = lo;
            if (DropTilesBelow(lo))
            {
                IsDirty = true;
            }
        }
    }

    /// <summary>Encodes the state (see the README for the byte layout). Tiles outside the longest window are never held, so never written.</summary>
    /// <returns>The encoded state.</returns>
    public byte[] Encode() => TileStateCodec.Encode(this);

    internal void RestoreHeader(long newestTicks, long newestTile, long watermarkTile)
    {
        _newestTicks = newestTicks;
        _newestTile = newestTile;
        _watermarkTile = watermarkTile;
    }

    internal void AppendDecodedTile(Tile tile)
    {
        if (_tileCount == _tiles.Length)
        {
            Array.Resize(ref _tiles, Math.Max(4, _tileCount * 2));
        }

        _tiles[_tileCount++] = tile;
    }

    private static FieldValue EvaluateFeature(FeaturePlan plan, Tile[] tiles, int first, int end)
    {
        switch (plan.Kind)
        {
            case AggregationKind.Count:
                {
                    long n = 0;
                    for (int i = first; i < end; i++)
                    {
                        n += tiles[i].Count;
                    }

                    return FieldValue.FromNumber(n);
                }

            case AggregationKind.Sum:
            case AggregationKind.Mean:
                {
                    long n = 0;
                    double sum = 0;
                    for (int i = end - 1; i >= first; i--)
                    {
                        Tile t = tiles[i];
                        long tn = t.NumericCounts[plan.Block];
                        if (tn > 0)
                        {
                            n += tn;
                            sum += t.Values[plan.Slot];
                        }
                    }

                    return plan.Kind == AggregationKind.Sum
                        ? FieldValue.FromNumber(sum)
                        : n == 0 ? FieldValue.Null : FieldValue.FromNumber(sum / n);
                }

            case AggregationKind.Min:
            case AggregationKind.Max:
                {
                    bool any = false;
                    double best = 0;
                    for (int i = end - 1; i >= first; i--)
                    {
                        Tile t = tiles[i];
                        if (t.NumericCounts[plan.Block] == 0)
                        {
                            continue;
                        }

                        double x = t.Values[plan.Slot];
                        if (!any || (plan.Kind == AggregationKind.Min ? x < best : x > best))
                        {
                            best = x;
                            any = true;
                        }
                    }

                    return any ? FieldValue.FromNumber(best) : FieldValue.Null;
                }

            case AggregationKind.StdDev:
                {
                    // Chan et al.: merge (n, mean, M2) of each tile.
                    long n = 0;
                    double mean = 0;
                    double m2 = 0;
                    for (int i = end - 1; i >= first; i--)
                    {
                        Tile t = tiles[i];
                        long nb = t.NumericCounts[plan.Block];
                        if (nb == 0)
                        {
                            continue;
                        }

                        double meanB = t.Values[plan.Slot];
                        double m2B = t.Values[plan.Slot + 1];
                        if (n == 0)
                        {
                            n = nb;
                            mean = meanB;
                            m2 = m2B;
                            continue;
                        }

                        long nt = n + nb;
                        double delta = meanB - mean;
                        mean += delta * nb / nt;
                        m2 += m2B + (delta * delta * n * nb / nt);
                        n = nt;
                    }

                    return n < 2 ? FieldValue.Null : FieldValue.FromNumber(Math.Sqrt(m2 / (n - 1)));
                }

            case AggregationKind.Last:
                for (int i = end - 1; i >= first; i--)
                {
                    ref LastSlot slot = ref tiles[i].Last[plan.Block];
                    if (!slot.IsEmpty)
                    {
                        return slot.Value;
                    }
                }

                return FieldValue.Null;

            case AggregationKind.DistinctCount:
                {
                    if (end - first <= 1)
                    {
                        return FieldValue.FromNumber(end == first ? 0 : tiles[first].Distinct[plan.Block].Count);
                    }

                    HashSet<FieldValue> union = s_distinctScratch ??= [];
                    union.Clear();
                    for (int i = first; i < end; i++)
                    {
                        foreach (FieldValue v in tiles[i].Distinct[plan.Block].Items)
                        {
                            union.Add(v);
                        }
                    }

                    int count = union.Count;
                    union.Clear();
                    return FieldValue.FromNumber(count);
                }

            default:
                throw new InvalidOperationException($"Unknown aggregation {plan.Kind}.");
        }
    }

    private Tile GetOrAddTile(long index, out bool created)
    {
        created = false;
        int n = _tileCount;
        if (n > 0)
        {
            Tile last = _tiles[n - 1];
            if (last.Index == index)
            {
                return last;
            }

            if (last.Index > index)
            {
                // Late event: binary search among older tiles.
                int lo = 0;
                int hi = n - 1;
                while (lo < hi)
                {
                    int mid = (lo + hi) >>> 1;
                    if (_tiles[mid].Index < index)
                    {
                        lo = mid + 1;
                    }
                    else
                    {
                        hi = mid;
                    }
                }

                if (_tiles[lo].Index == index)
                {
                    return _tiles[lo];
                }

                created = true;
                return InsertAt(lo, index);
            }
        }

        created = true;
        return InsertAt(n, index);
    }

    private Tile InsertAt(int position, long index)
    {
        if (_tileCount == _tiles.Length)
        {
            Array.Resize(ref _tiles, Math.Max(4, _tileCount * 2));
        }

        if (position < _tileCount)
        {
            Array.Copy(_tiles, position, _tiles, position + 1, _tileCount - position);
        }

        var tile = new Tile(View, index);
        _tiles[position] = tile;
        _tileCount++;
        return tile;
    }

    private bool DropTilesBelow(long lowestKept)
    {
        int drop = 0;
        while (drop < _tileCount && _tiles[drop].Index < lowestKept)
        {
            drop++;
        }

        if (drop == 0)
        {
            return false;
        }

        Array.Copy(_tiles, drop, _tiles, 0, _tileCount - drop);
        Array.Clear(_tiles, _tileCount - drop, drop);
        _tileCount -= drop;
        return true;
    }
}

/// <summary>The value of every feature of a view for one entity at one time.</summary>
/// <param name="Values">One value per feature, in spec order.</param>
/// <param name="NewestEventTicks">The newest applied event time (UTC ticks since the Unix epoch), or null when none.</param>
public sealed record FeatureVector(IReadOnlyList<FieldValue> Values, long? NewestEventTicks);
