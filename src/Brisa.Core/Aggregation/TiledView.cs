using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Brisa.Core.Aggregation;

/// <summary>
/// A validated, compiled <see cref="TiledViewSpec"/>: the tile arithmetic, the per-tile state layout
/// (fields shared by several features share accumulators) and the layout fingerprint written into encoded state.
/// Immutable and thread-safe; build one per view and share it.
/// </summary>
public sealed class TiledView
{
    /// <summary>Ticks of the Unix epoch (1970-01-01T00:00:00Z) in <see cref="DateTime"/> ticks.</summary>
    public const long UnixEpochTicks = 621355968000000000L;

    private readonly FeaturePlan[] _plans;

    /// <summary>Compiles and validates a view spec.</summary>
    /// <param name="spec">The spec.</param>
    public TiledView(TiledViewSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(spec.Features);
        if (spec.Tile <= TimeSpan.Zero)
        {
            throw new ArgumentException($"View '{spec.Name}': the tile must be positive.", nameof(spec));
        }

        if (spec.Features.Count == 0)
        {
            throw new ArgumentException($"View '{spec.Name}': at least one feature is required.", nameof(spec));
        }

        Spec = spec;
        TileTicks = spec.Tile.Ticks;
        TracksEventIds = spec.TrackEventIds;

        var numeric = new List<NumericBlockBuilder>();
        var last = new List<int>();
        var distinct = new List<int>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        _plans = new FeaturePlan[spec.Features.Count];
        int fieldCount = 0;
        int maxWindow = 0;
        // Tracking 2: the tiles hold hashes of (event id, event time). Rows of tracking 1 hold hashes of the id alone,
        // which new hashes never match (an event redelivered across the change would count twice): another layout.
        var fingerprint = new StringBuilder("brisa-tiles|").Append(TileTicks).Append('|').Append(TracksEventIds ? 2 : 0);

        for (int i = 0; i < spec.Features.Count; i++)
        {
            WindowFeatureSpec f = spec.Features[i] ?? throw new ArgumentException($"View '{spec.Name}': feature {i} is null.", nameof(spec));
            if (string.IsNullOrEmpty(f.Name) || !names.Add(f.Name))
            {
                throw new ArgumentException($"View '{spec.Name}': feature {i} has an empty or duplicate name '{f.Name}'.", nameof(spec));
            }

            if (!Enum.IsDefined(f.Kind))
            {
                throw new ArgumentException($"View '{spec.Name}', feature '{f.Name}': unknown aggregation {f.Kind}.", nameof(spec));
            }

            if (f.WindowTiles < 1)
            {
                throw new ArgumentException($"View '{spec.Name}', feature '{f.Name}': the window must be at least one tile.", nameof(spec));
            }

            if (f.Kind != AggregationKind.Count && f.FieldIndex < 0)
            {
                throw new ArgumentException($"View '{spec.Name}', feature '{f.Name}': the field index must not be negative.", nameof(spec));
            }

            maxWindow = Math.Max(maxWindow, f.WindowTiles);
            int block = -1;
            switch (f.Kind)
            {
                case AggregationKind.Count:
                    break;
                case AggregationKind.Last:
                    block = IndexOfOrAdd(last, f.FieldIndex);
                    break;
                case AggregationKind.DistinctCount:
                    block = IndexOfOrAdd(distinct, f.FieldIndex);
                    break;
                default:
                    block = numeric.FindIndex(b => b.Field == f.FieldIndex);
                    if (block < 0)
                    {
                        block = numeric.Count;
                        numeric.Add(new NumericBlockBuilder(f.FieldIndex));
                    }

                    numeric[block].Use(f.Kind);
                    break;
            }

            if (f.Kind != AggregationKind.Count)
            {
                fieldCount = Math.Max(fieldCount, f.FieldIndex + 1);
            }

            _plans[i] = new FeaturePlan(f.Kind, block, f.WindowTiles, -1);
            fingerprint.Append('|').Append((int)f.Kind).Append(':');
            if (f.Kind == AggregationKind.Count)
            {
                fingerprint.Append(-1);
            }
            else if (f.FieldName is { } field)
            {
                fingerprint.Append('=').Append(field);
            }
            else
            {
                fingerprint.Append(f.FieldIndex);
            }

            fingerprint.Append(':').Append(f.WindowTiles);
        }

        int slot = 0;
        NumericBlocks = new NumericBlock[numeric.Count];
        for (int b = 0; b < numeric.Count; b++)
        {
            NumericBlocks[b] = numeric[b].Build(ref slot);
        }

        NumericStride = slot;
        for (int i = 0; i < _plans.Length; i++)
        {
            FeaturePlan p = _plans[i];
            int s = p.Kind switch
            {
                AggregationKind.Sum or AggregationKind.Mean => NumericBlocks[p.Block].SumSlot,
                AggregationKind.StdDev => NumericBlocks[p.Block].MeanSlot,
                AggregationKind.Min => NumericBlocks[p.Block].MinSlot,
                AggregationKind.Max => NumericBlocks[p.Block].MaxSlot,
                _ => -1,
            };
            _plans[i] = p with { Slot = s, CountSlot = p.Block >= 0 && s >= 0 ? NumericBlocks[p.Block].CountSlot : -1 };
        }

        LastFields = [.. last];
        DistinctFields = [.. distinct];
        EventFields = [.. NumericBlocks.Select(b => b.Field).Concat(last).Concat(distinct).Distinct().Order()];
        FieldCount = fieldCount;
        MaxWindowTiles = maxWindow;
        LayoutFingerprint = StableHash.Fnv1a64(fingerprint.ToString());

        TileWords = TileHeader.Words + NumericStride + DistinctFields.Length;
        MaskOffset = TileHeader.Words + NumericStride;
        EmptyTile = new ulong[TileWords];
        MemoryMarshal.AsRef<TileHeader>(MemoryMarshal.AsBytes(EmptyTile.AsSpan(0, TileHeader.Words))).MaxTicks = long.MinValue;
        Span<double> emptyNumeric = MemoryMarshal.Cast<ulong, double>(EmptyTile.AsSpan(TileHeader.Words, NumericStride));
        foreach (NumericBlock b in NumericBlocks)
        {
            if (b.MinSlot >= 0)
            {
                emptyNumeric[b.MinSlot] = double.PositiveInfinity;
            }

            if (b.MaxSlot >= 0)
            {
                emptyNumeric[b.MaxSlot] = double.NegativeInfinity;
            }
        }
    }

    /// <summary>The spec this view was compiled from.</summary>
    public TiledViewSpec Spec { get; }

    /// <summary>The view name.</summary>
    public string Name => Spec.Name;

    /// <summary>The features, in output order.</summary>
    public IReadOnlyList<WindowFeatureSpec> Features => Spec.Features;

    /// <summary>Number of features (length of an evaluation result).</summary>
    public int FeatureCount => _plans.Length;

    /// <summary>The tile length g in ticks.</summary>
    public long TileTicks { get; }

    /// <summary>The longest window in tiles; older tiles are dropped.</summary>
    public int MaxWindowTiles { get; }

    /// <summary>The minimum length of an event's field array (highest field index used + 1).</summary>
    public int FieldCount { get; }

    /// <summary>True when applied event ids are tracked per tile for redelivery.</summary>
    public bool TracksEventIds { get; }

    /// <summary>A stable hash of the state layout (tile, tracking, features' kinds, fields and windows); stored in encoded state.</summary>
    public ulong LayoutFingerprint { get; }

    internal NumericBlock[] NumericBlocks { get; }

    /// <summary>Doubles per tile for numeric blocks: per block its non-null count, then its accumulators (contiguous).</summary>
    internal int NumericStride { get; }

    /// <summary>64-bit words per tile in an entity's tile array: the header, the numeric slots, one distinct mask per distinct field.</summary>
    internal int TileWords { get; }

    /// <summary>Where a tile's distinct masks start, in words.</summary>
    internal int MaskOffset { get; }

    /// <summary>The words of an empty tile (index 0, numeric min +∞, max −∞, the rest 0): written over a slot when a tile is inserted.</summary>
    internal ulong[] EmptyTile { get; }

    internal int[] LastFields { get; }

    internal int[] DistinctFields { get; }

    /// <summary>The event fields <see cref="EntityTiles.Apply(long, string?, ReadOnlySpan{FieldValue})"/> reads (ascending); the others may hold anything.</summary>
    internal int[] EventFields { get; }

    /// <summary>True when apply reads event ids: to track them, or to break ties of last value.</summary>
    internal bool ReadsEventIds => TracksEventIds || LastFields.Length > 0;

    internal ReadOnlySpan<FeaturePlan> Plans => _plans;

    /// <summary>Converts a time to UTC ticks since the Unix epoch (the engine's time axis).</summary>
    /// <param name="time">The time.</param>
    /// <returns>Ticks since 1970-01-01T00:00:00Z.</returns>
    public static long ToUnixTicks(DateTimeOffset time) => time.UtcTicks - UnixEpochTicks;

    /// <summary>Converts UTC ticks since the Unix epoch back to a time.</summary>
    /// <param name="unixTicks">Ticks since 1970-01-01T00:00:00Z.</param>
    /// <returns>The time, in UTC.</returns>
    public static DateTimeOffset FromUnixTicks(long unixTicks) => new(unixTicks + UnixEpochTicks, TimeSpan.Zero);

    /// <summary>The tile index of a time: floor(ticks / g), correct for negative ticks.</summary>
    /// <param name="unixTicks">Ticks since the Unix epoch.</param>
    /// <returns>The tile index.</returns>
    public long TileOf(long unixTicks)
    {
        long q = Math.DivRem(unixTicks, TileTicks, out long r);
        return r < 0 ? q - 1 : q;
    }

    /// <summary>The first tick of a tile.</summary>
    /// <param name="tileIndex">The tile index.</param>
    /// <returns>tileIndex · g.</returns>
    public long TileStart(long tileIndex) => tileIndex * TileTicks;

    /// <summary>Creates empty state for one entity.</summary>
    /// <returns>The state.</returns>
    public EntityTiles CreateState() => new(this);

    /// <summary>Decodes state written by <see cref="EntityTiles.Encode()"/> for this view.</summary>
    /// <param name="data">The encoded state.</param>
    /// <returns>The state.</returns>
    /// <exception cref="InvalidDataException">The data is corrupt, of an unknown version, or was written for a different layout.</exception>
    public EntityTiles Decode(ReadOnlySpan<byte> data) => TileStateCodec.Decode(this, data);

    /// <summary>Writes the values of an empty window (count and sum 0, everything else null).</summary>
    /// <param name="destination">At least <see cref="FeatureCount"/> values.</param>
    public void WriteEmpty(Span<FieldValue> destination)
    {
        if (destination.Length < _plans.Length)
        {
            throw new ArgumentException($"The destination needs {_plans.Length} values.", nameof(destination));
        }

        for (int i = 0; i < _plans.Length; i++)
        {
            AggregationKind kind = _plans[i].Kind;
            destination[i] = kind is AggregationKind.Count or AggregationKind.Sum or AggregationKind.DistinctCount
                ? FieldValue.FromNumber(0.0)
                : FieldValue.Null;
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} (tile {Spec.Tile}, {FeatureCount} features, {MaxWindowTiles} tiles)");

    private static int IndexOfOrAdd(List<int> list, int field)
    {
        int i = list.IndexOf(field);
        if (i >= 0)
        {
            return i;
        }

        list.Add(field);
        return list.Count - 1;
    }

    private sealed class NumericBlockBuilder(int field)
    {
        private bool _sum;
        private bool _moments;
        private bool _min;
        private bool _max;

        public int Field { get; } = field;

        public void Use(AggregationKind kind)
        {
            switch (kind)
            {
                case AggregationKind.Sum:
                case AggregationKind.Mean:
                    _sum = true;
                    break;
                case AggregationKind.StdDev:
                    _moments = true;
                    break;
                case AggregationKind.Min:
                    _min = true;
                    break;
                case AggregationKind.Max:
                    _max = true;
                    break;
                default:
                    throw new InvalidOperationException($"{kind} is not a numeric block aggregation.");
            }
        }

        public NumericBlock Build(ref int slot)
        {
            int count = slot++;
            int sum = _sum ? slot++ : -1;
            int mean = -1;
            if (_moments)
            {
                mean = slot;
                slot += 2;
            }

            int min = _min ? slot++ : -1;
            int max = _max ? slot++ : -1;
            return new NumericBlock(Field, count, sum, mean, min, max);
        }
    }
}

/// <summary>Slots of one numeric field within a tile's numeric stride; −1 when unused. M2 is at <see cref="MeanSlot"/> + 1.</summary>
internal readonly record struct NumericBlock(int Field, int CountSlot, int SumSlot, int MeanSlot, int MinSlot, int MaxSlot);

/// <summary>One feature: its aggregation, the block it reads (by kind), its window, and its value slot in numeric blocks (−1 otherwise).</summary>
internal readonly record struct FeaturePlan(AggregationKind Kind, int Block, int WindowTiles, int Slot, int CountSlot = -1);
