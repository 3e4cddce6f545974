namespace Brisa.Core.Definitions;

/// <summary>A stream of events (a CloudEvents type) with a typed schema: an observation source or a label source.</summary>
public sealed record SourceDefinition
{
    /// <summary>Source name (lowercase snake_case); also the raw zone folder.</summary>
    public required string Name { get; init; }

    /// <summary>The CloudEvents <c>type</c> that routes an event to this source.</summary>
    public required string EventType { get; init; }

    /// <summary>The field holding the unique event id; when present it must equal the CloudEvent <c>id</c>, which deduplicates events.</summary>
    public required string IdField { get; init; }

    /// <summary>The field holding the event time; must be of type timestamp.</summary>
    public required string TimestampField { get; init; }

    /// <summary>Free text for the catalog.</summary>
    public string? Description { get; init; }

    /// <summary>The schema.</summary>
    public IReadOnlyList<FieldDefinition> Fields { get; init; } = [];

    /// <summary>True for a source declared under <c>label_sources</c>.</summary>
    public bool IsLabelSource { get; init; }

    /// <summary>The field with this name, or null.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The field or null.</returns>
    public FieldDefinition? FindField(string name) => Fields.FirstOrDefault(f => f.Name == name);
}
