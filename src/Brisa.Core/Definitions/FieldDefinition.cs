namespace Brisa.Core.Definitions;

/// <summary>A typed field of a source schema, or a request field of an on-demand feature.</summary>
public sealed record FieldDefinition
{
    /// <summary>Field name (lowercase snake_case); the JSON property name in events.</summary>
    public required string Name { get; init; }

    /// <summary>The field type.</summary>
    public required FieldType Type { get; init; }

    /// <summary>Events without this field (or with null) are rejected. Default false.</summary>
    public bool Required { get; init; }

    /// <summary>Smallest accepted value (numeric fields only), inclusive.</summary>
    public double? Min { get; init; }

    /// <summary>Largest accepted value (numeric fields only), inclusive.</summary>
    public double? Max { get; init; }

    /// <summary>The accepted values (string fields only), compared ordinally; null accepts any.</summary>
    public IReadOnlyList<string>? Allowed { get; init; }

    /// <summary>Free text for the catalog.</summary>
    public string? Description { get; init; }
}
