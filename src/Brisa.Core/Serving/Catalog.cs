using System.Text.Json.Serialization;
using Brisa.Core.Definitions;

namespace Brisa.Core.Serving;

/// <summary>One feature in the catalog.</summary>
/// <param name="Name">Reference as used in requests (<c>view:feature</c>).</param>
/// <param name="Aggregation">count, sum, mean, min, max, stddev, last, distinct_count.</param>
/// <param name="Field">The aggregated source field (null for count).</param>
/// <param name="Window">The window, e.g. <c>7d</c>.</param>
/// <param name="Type">The value type.</param>
/// <param name="Description">What it means.</param>
public sealed record CatalogFeature(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("aggregation")] string Aggregation,
    [property: JsonPropertyName("field")] string? Field,
    [property: JsonPropertyName("window")] string Window,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("description")] string? Description);

/// <summary>One feature view in the catalog, with the models that use it.</summary>
/// <param name="Name">The view.</param>
/// <param name="Entity">Its entity.</param>
/// <param name="JoinKey">The entity's join key (the key to ask with).</param>
/// <param name="Source">Its source.</param>
/// <param name="Tile">Its tile.</param>
/// <param name="Ttl">Online values older than this are OUTSIDE_MAX_AGE.</param>
/// <param name="Online">Served online.</param>
/// <param name="Streaming">Kept fresh by ingestion (else batch-materialized).</param>
/// <param name="Owner">Who owns it.</param>
/// <param name="Description">What it is.</param>
/// <param name="Tags">Tags.</param>
/// <param name="Features">Its features.</param>
/// <param name="UsedBy">Models using any of its features.</param>
public sealed record CatalogView(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("entity")] string Entity,
    [property: JsonPropertyName("join_key")] string JoinKey,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("tile")] string Tile,
    [property: JsonPropertyName("ttl")] string Ttl,
    [property: JsonPropertyName("online")] bool Online,
    [property: JsonPropertyName("streaming")] bool Streaming,
    [property: JsonPropertyName("owner")] string? Owner,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("tags")] IReadOnlyDictionary<string, string> Tags,
    [property: JsonPropertyName("features")] IReadOnlyList<CatalogFeature> Features,
    [property: JsonPropertyName("used_by")] IReadOnlyList<string> UsedBy);

/// <summary>The feature catalog: every view and feature of the live definitions, searchable by name, tag or owner.</summary>
public static class Catalog
{
    /// <summary>Every view, optionally filtered by a case-insensitive search over names, descriptions, owners and tags.</summary>
    public static IReadOnlyList<CatalogView> Views(FeatureRepositoryDefinition definitions, string? search = null)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        return definitions.FeatureViews.Select(v => Describe(definitions, v)).Where(v => Matches(v, search)).ToArray();
    }

    /// <summary>One view; throws 404 with the known names when unknown.</summary>
    public static CatalogView View(FeatureRepositoryDefinition definitions, string name)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var view = definitions.FindView(name)
            ?? throw ServingException.NotFound("Unknown view", $"No view named '{name}'. Known: {string.Join(", ", definitions.FeatureViews.Select(v => v.Name))}.");
        return Describe(definitions, view);
    }

    private static CatalogView Describe(FeatureRepositoryDefinition definitions, FeatureViewDefinition view)
    {
        var source = definitions.FindSource(view.Source)!;
        var usedBy = definitions.Models.Where(m => m.Features.Any(f => f.View == view.Name)).Select(m => m.Name).ToArray();
        return new CatalogView(
            view.Name,
            view.Entity,
            definitions.FindEntity(view.Entity)!.JoinKey,
            view.Source,
            Durations.Format(view.Tile),
            Durations.Format(view.Ttl),
            view.Online,
            view.Streaming,
            view.Owner,
            view.Description,
            view.Tags,
            view.Features.Select(f => new CatalogFeature(
                $"{view.Name}:{f.Name}",
                DefinitionNames.Aggregations.NameOf(f.Aggregation),
                f.Field,
                Durations.Format(f.Window),
                f.GetValueType(source).ToYamlName(),
                f.Description)).ToArray(),
            usedBy);
    }

    private static bool Matches(CatalogView view, string? search) =>
        string.IsNullOrWhiteSpace(search)
        || new[] { view.Name, view.Entity, view.Source, view.Owner, view.Description }
            .Concat(view.Tags.SelectMany(t => new[] { t.Key, t.Value }))
            .Concat(view.Features.SelectMany(f => new[] { f.Name, f.Description }))
            .Any(text => text?.Contains(search, StringComparison.OrdinalIgnoreCase) == true);
}
