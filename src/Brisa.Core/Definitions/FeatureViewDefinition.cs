using Brisa.Core.Aggregation;

namespace Brisa.Core.Definitions;

/// <summary>A group of window features of one entity over one source, sharing a tile size and a TTL.</summary>
public sealed record FeatureViewDefinition
{
    /// <summary>View name (lowercase snake_case).</summary>
    public required string Name { get; init; }

    /// <summary>The entity the features describe.</summary>
    public required string Entity { get; init; }

    /// <summary>The source the features aggregate.</summary>
    public required string Source { get; init; }

    /// <summary>The aggregation interval g; every window is a multiple of it (DESIGN §4).</summary>
    public required TimeSpan Tile { get; init; }

    /// <summary>Online values older than this are served as missing with status OUTSIDE_MAX_AGE.</summary>
    public required TimeSpan Ttl { get; init; }

    /// <summary>Serve the view online (Table storage). Default true.</summary>
    public bool Online { get; init; } = true;

    /// <summary>Keep online values fresh on ingestion (online tiles); false = batch-materialized only. Default true.</summary>
    public bool Streaming { get; init; } = true;

    /// <summary>Free text for the catalog.</summary>
    public string? Description { get; init; }

    /// <summary>The owning team or person (e.g. an email).</summary>
    public string? Owner { get; init; }

    /// <summary>Catalog tags, sorted by key.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The features.</summary>
    public IReadOnlyList<FeatureDefinition> Features { get; init; } = [];

    /// <summary>The longest window of the view (zero when it has no features): how much history it needs.</summary>
    public TimeSpan MaxWindow => Features.Count == 0 ? TimeSpan.Zero : Features.Max(f => f.Window);

    /// <summary>The feature with this name, or null.</summary>
    /// <param name="name">The feature name.</param>
    /// <returns>The feature or null.</returns>
    public FeatureDefinition? FindFeature(string name) => Features.FirstOrDefault(f => f.Name == name);
}

/// <summary>A sliding-window aggregate of a source field (or a count of events).</summary>
public sealed record FeatureDefinition
{
    /// <summary>Feature name, unique within its view.</summary>
    public required string Name { get; init; }

    /// <summary>The aggregated source field; null for <see cref="AggregationKind.Count"/>.</summary>
    public string? Field { get; init; }

    /// <summary>The aggregation.</summary>
    public required AggregationKind Aggregation { get; init; }

    /// <summary>The window W, a positive multiple of the view's tile.</summary>
    public required TimeSpan Window { get; init; }

    /// <summary>Free text for the catalog.</summary>
    public string? Description { get; init; }

    /// <summary>
    /// The type of the feature's values: long for count and distinct_count, the field's type for last,
    /// double for sum, mean, min, max and stddev.
    /// </summary>
    /// <param name="source">The view's source (needed for last).</param>
    /// <returns>The value type.</returns>
    public FieldType GetValueType(SourceDefinition source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Aggregation switch
        {
            AggregationKind.Count or AggregationKind.DistinctCount => FieldType.Long,
            AggregationKind.Last => Field is null ? FieldType.String : source.FindField(Field)?.Type ?? FieldType.String,
            _ => FieldType.Double,
        };
    }
}
