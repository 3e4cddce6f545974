namespace Brisa.Core.Definitions;

/// <summary>An entity: the thing features describe (a customer, a merchant), identified by a join key.</summary>
public sealed record EntityDefinition
{
    /// <summary>Entity name (lowercase snake_case).</summary>
    public required string Name { get; init; }

    /// <summary>The field that identifies the entity in every source that a view of this entity aggregates.</summary>
    public required string JoinKey { get; init; }

    /// <summary>Free text for the catalog.</summary>
    public string? Description { get; init; }
}
