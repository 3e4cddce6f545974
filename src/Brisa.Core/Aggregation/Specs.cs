namespace Brisa.Core.Aggregation;

/// <summary>One window aggregation of a tiled view, in engine terms.</summary>
/// <param name="Name">The feature name (not part of the state layout; renaming keeps stored tiles valid).</param>
/// <param name="Kind">The aggregation.</param>
/// <param name="FieldIndex">Index of the aggregated field in the event's field array; ignored for <see cref="AggregationKind.Count"/>.</param>
/// <param name="WindowTiles">The window length in tiles (k in W = k·g), at least 1.</param>
/// <param name="FieldName">
/// The aggregated field's name, when the view comes from definitions: the layout fingerprint then names the field
/// rather than its index, so adding or reordering source fields keeps stored tiles valid.
/// </param>
public sealed record WindowFeatureSpec(string Name, AggregationKind Kind, int FieldIndex, int WindowTiles, string? FieldName = null)
{
    /// <summary>Number of tiles of size <paramref name="tile"/> in <paramref name="window"/>; throws unless the window is a positive multiple of the tile.</summary>
    /// <param name="window">The window length W.</param>
    /// <param name="tile">The tile length g.</param>
    /// <returns>k = W / g.</returns>
    public static int TilesIn(TimeSpan window, TimeSpan tile)
    {
        if (tile <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(tile), tile, "The tile must be positive.");
        }

        if (window <= TimeSpan.Zero || window.Ticks % tile.Ticks != 0 || window.Ticks / tile.Ticks > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"The window must be a positive multiple of the tile ({tile}).");
        }

        return (int)(window.Ticks / tile.Ticks);
    }
}

/// <summary>A tiled view in engine terms: one tile size and the window features computed over it.</summary>
/// <param name="Name">The view name.</param>
/// <param name="Tile">The tile (aggregation interval) g.</param>
/// <param name="Features">The window features, in output order.</param>
/// <param name="TrackEventIds">
/// Keep, per tile, the 64-bit hash of every applied event's identity (id and time, <see cref="StableHash.EventIdentity"/>)
/// so a redelivered event is not counted twice (stream path). Costs 8 bytes per event in the window, in memory and in the encoded state.
/// </param>
public sealed record TiledViewSpec(string Name, TimeSpan Tile, IReadOnlyList<WindowFeatureSpec> Features, bool TrackEventIds = false);

/// <summary>What <see cref="EntityTiles.Apply(long, string?, ReadOnlySpan{FieldValue})"/> did with an event.</summary>
public enum ApplyResult
{
    /// <summary>The event was added to its tile.</summary>
    Applied,

    /// <summary>The event id was already applied to its tile (redelivery); nothing changed.</summary>
    Duplicate,

    /// <summary>The event is older than the longest window relative to the entity's newest tile (or below the prune watermark); nothing changed.</summary>
    TooOld,

    /// <summary>
    /// The event is below the prune watermark (outside every window from now on) but newer than every event applied:
    /// only the newest event time, which the TTL is measured from, moved; no value changed.
    /// </summary>
    NewestOnly,
}

/// <summary>Counts of what applying a batch did.</summary>
/// <param name="Applied">Events added to their tile.</param>
/// <param name="Duplicates">Redelivered events ignored.</param>
/// <param name="TooOld">Events older than the longest window, ignored (they stay in the raw zone).</param>
public readonly record struct BatchApplySummary(int Applied, int Duplicates, int TooOld);
