using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Brisa.Core.Definitions;

/// <summary>
/// The root of a definition file: one project's entities, sources, feature views, on-demand features and
/// models. Immutable; load it with <see cref="DefinitionLoader"/> or <see cref="FromJson"/>.
/// </summary>
public sealed record FeatureRepositoryDefinition
{
    /// <summary>Project name (lowercase snake_case).</summary>
    public required string Project { get; init; }

    /// <summary>Free text for the catalog.</summary>
    public string? Description { get; init; }

    /// <summary>The entities.</summary>
    public IReadOnlyList<EntityDefinition> Entities { get; init; } = [];

    /// <summary>The observation sources (<c>sources</c>).</summary>
    public IReadOnlyList<SourceDefinition> Sources { get; init; } = [];

    /// <summary>The label sources (<c>label_sources</c>); each has <see cref="SourceDefinition.IsLabelSource"/> set.</summary>
    public IReadOnlyList<SourceDefinition> LabelSources { get; init; } = [];

    /// <summary>The feature views.</summary>
    public IReadOnlyList<FeatureViewDefinition> FeatureViews { get; init; } = [];

    /// <summary>The on-demand features.</summary>
    public IReadOnlyList<OnDemandFeatureDefinition> OnDemandFeatures { get; init; } = [];

    /// <summary>The models.</summary>
    public IReadOnlyList<ModelDefinition> Models { get; init; } = [];

    /// <summary>
    /// The policy rules (<see cref="DiagnosticCodes.IsPolicy"/>) these definitions break, as warnings: set by
    /// <see cref="FromJson"/> when definitions an earlier release applied break a rule added or tightened since, empty
    /// otherwise. Not part of the JSON or the version.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<DefinitionDiagnostic> StoredWarnings { get; init; } = [];

    /// <summary>Every source, observation sources first, then label sources.</summary>
    public IEnumerable<SourceDefinition> AllSources => Sources.Concat(LabelSources);

    /// <summary>The entity with this name, or null.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The entity or null.</returns>
    public EntityDefinition? FindEntity(string name) => Entities.FirstOrDefault(e => e.Name == name);

    /// <summary>The source or label source with this name, or null.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The source or null.</returns>
    public SourceDefinition? FindSource(string name) => AllSources.FirstOrDefault(s => s.Name == name);

    /// <summary>The source or label source receiving this CloudEvents type, or null.</summary>
    /// <param name="eventType">The CloudEvents <c>type</c>.</param>
    /// <returns>The source or null.</returns>
    public SourceDefinition? FindSourceByEventType(string eventType) => AllSources.FirstOrDefault(s => s.EventType == eventType);

    /// <summary>The feature view with this name, or null.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The view or null.</returns>
    public FeatureViewDefinition? FindView(string name) => FeatureViews.FirstOrDefault(v => v.Name == name);

    /// <summary>The on-demand feature with this name, or null.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The feature or null.</returns>
    public OnDemandFeatureDefinition? FindOnDemandFeature(string name) => OnDemandFeatures.FirstOrDefault(f => f.Name == name);

    /// <summary>The model with this name, or null.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The model or null.</returns>
    public ModelDefinition? FindModel(string name) => Models.FirstOrDefault(m => m.Name == name);

    /// <summary>
    /// What to say after "unknown model": the defined model closest to <paramref name="name"/> when one is a likely
    /// typo of it, and the defined models ("Did you mean 'fraud'? Known models: fraud, fraud_linear").
    /// </summary>
    /// <param name="name">The name that matched no model.</param>
    /// <returns>The hint, without a final full stop.</returns>
    public string ModelNameHint(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return NameSuggestions.Hint(name, [.. Models.Select(m => m.Name)], "models");
    }

    /// <summary>The views of an entity.</summary>
    /// <param name="entity">The entity name.</param>
    /// <returns>The views, in file order.</returns>
    public IEnumerable<FeatureViewDefinition> ViewsOfEntity(string entity) => FeatureViews.Where(v => v.Entity == entity);

    /// <summary>Resolves a view feature reference (<c>view:feature</c>); null when it does not exist or is on-demand.</summary>
    /// <param name="reference">The reference.</param>
    /// <returns>The view and the feature, or null.</returns>
    public (FeatureViewDefinition View, FeatureDefinition Feature)? FindViewFeature(FeatureReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.View is null || FindView(reference.View) is not { } view || view.FindFeature(reference.Name) is not { } feature)
        {
            return null;
        }

        return (view, feature);
    }

    /// <summary>The value type of a feature reference (view or on-demand); null when it does not resolve.</summary>
    /// <param name="reference">The reference.</param>
    /// <returns>The type or null.</returns>
    public FieldType? GetFeatureType(FeatureReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.IsOnDemand)
        {
            return FindOnDemandFeature(reference.Name)?.Type;
        }

        if (FindViewFeature(reference) is not var (view, feature) || FindSource(view.Source) is not { } source)
        {
            return null;
        }

        return feature.GetValueType(source);
    }

    /// <summary>
    /// A stable content hash: lowercase hex SHA-256 of the canonical JSON (<see cref="ToJson"/> without
    /// indentation) with entities, sources, label sources, feature views, on-demand features and models ordered by
    /// name. Equal definitions give equal versions on every machine, whatever the order of those objects in the file
    /// (it means nothing, and plan, which compares them by name, shows no change for it).
    /// </summary>
    /// <returns>64 hex characters.</returns>
    public string ComputeVersion()
    {
        var canonical = this with
        {
            Entities = [.. Entities.OrderBy(e => e.Name, StringComparer.Ordinal)],
            Sources = [.. Sources.OrderBy(s => s.Name, StringComparer.Ordinal)],
            LabelSources = [.. LabelSources.OrderBy(s => s.Name, StringComparer.Ordinal)],
            FeatureViews = [.. FeatureViews.OrderBy(v => v.Name, StringComparer.Ordinal)],
            OnDemandFeatures = [.. OnDemandFeatures.OrderBy(f => f.Name, StringComparer.Ordinal)],
            Models = [.. Models.OrderBy(m => m.Name, StringComparer.Ordinal)],
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToJson(indented: false))));
    }

    /// <summary>Serializes to JSON (snake_case, durations as <c>1h</c>, enums by their YAML names) for the registry.</summary>
    /// <param name="indented">Indent for humans; the canonical form is not indented.</param>
    /// <returns>The JSON text.</returns>
    public string ToJson(bool indented = true) =>
        JsonSerializer.Serialize(this, indented ? DefinitionJson.IndentedOptions : DefinitionJson.Options);

    /// <summary>
    /// Reads definitions written by <see cref="ToJson"/> (the registry's) and validates them again, which compiles the
    /// on-demand expressions. They were valid when applied, perhaps by an earlier release: a policy rule they break
    /// (one added or tightened since) is a warning in <see cref="StoredWarnings"/>, so an upgrade does not stop what runs
    /// on them; any other rule still fails the read.
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The definitions.</returns>
    /// <exception cref="InvalidDataException">The JSON is malformed or the definitions break a rule that is not a policy rule.</exception>
    public static FeatureRepositoryDefinition FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        FeatureRepositoryDefinition? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<FeatureRepositoryDefinition>(json, DefinitionJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("The definitions JSON is malformed: " + e.Message, e);
        }

        if (parsed is null)
        {
            throw new InvalidDataException("The definitions JSON is null.");
        }

        var result = DefinitionValidator.Validate(parsed, "definitions.json", null, stored: true);
        if (result.Definitions is not { } definitions)
        {
            throw new InvalidDataException(
                "The definitions are not valid:" + Environment.NewLine + string.Join(Environment.NewLine, result.Errors));
        }

        return definitions with { StoredWarnings = [.. result.Diagnostics.Where(d => !d.IsError && DiagnosticCodes.IsPolicy(d.Code))] };
    }
}
