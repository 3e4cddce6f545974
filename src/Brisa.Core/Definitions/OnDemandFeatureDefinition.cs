using System.Text.Json.Serialization;
using Brisa.Core.Expressions;

namespace Brisa.Core.Definitions;

/// <summary>A feature computed at request time by an expression over request fields and view features.</summary>
public sealed record OnDemandFeatureDefinition
{
    /// <summary>Feature name; unique among on-demand features and distinct from its request fields.</summary>
    public required string Name { get; init; }

    /// <summary>The declared result type: double, string or bool (long is accepted and means double).</summary>
    public required FieldType Type { get; init; }

    /// <summary>The request fields the expression may read (by bare name).</summary>
    public IReadOnlyList<FieldDefinition> RequestFields { get; init; } = [];

    /// <summary>The expression text.</summary>
    public required string Expression { get; init; }

    /// <summary>Free text for the catalog.</summary>
    public string? Description { get; init; }

    /// <summary>
    /// The parsed, type-checked expression. Set by <see cref="DefinitionLoader"/> and
    /// <see cref="FeatureRepositoryDefinition.FromJson"/>; null on an instance built by hand and not yet validated.
    /// </summary>
    [JsonIgnore]
    public CompiledExpression? Compiled { get; init; }
}
