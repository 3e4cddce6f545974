using System.Text.Json.Serialization;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Materialization;
using Brisa.Core.Modeling;

namespace Brisa.Core.Serving;

/// <summary>One feature in the catalog.</summary>
/// <param name="Name">Reference as used in requests (<c>view:feature</c>).</param>
/// <param name="Aggregation">count, sum, mean, min, max, stddev, last, distinct_count.</param>
/// <param name="Field">The aggregated source field (null for count).</param>
/// <param name="Window">The window, e.g. <c>7d</c>.</param>
/// <param name="Type">The value type.</param>
/// <param name="Description">What it means.</param>
/// <param name="Statistics">Its statistics in the view's latest materialization run; null before any.</param>
public sealed record CatalogFeature(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("aggregation")] string Aggregation,
    [property: JsonPropertyName("field")] string? Field,
    [property: JsonPropertyName("window")] string Window,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("statistics")] FeatureStatistics? Statistics);

/// <summary>How fresh a view's offline data is, from its latest materialization run with rows.</summary>
/// <param name="Status"><c>fresh</c>, <c>stale</c> (the newest event is older than the TTL) or <c>not_materialized</c>.</param>
/// <param name="RunId">The run (null when not materialized).</param>
/// <param name="MaterializedAt">When the run finished.</param>
/// <param name="From">The run's range start.</param>
/// <param name="To">The run's range end (exclusive).</param>
/// <param name="Rows">Rows the run wrote.</param>
/// <param name="NewestEventTime">The newest event in those rows.</param>
/// <param name="AgeSeconds">Seconds from the newest event to now.</param>
public sealed record CatalogFreshness(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("run_id")] string? RunId,
    [property: JsonPropertyName("materialized_at")] DateTimeOffset? MaterializedAt,
    [property: JsonPropertyName("from")] DateTimeOffset? From,
    [property: JsonPropertyName("to")] DateTimeOffset? To,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("newest_event_time")] DateTimeOffset? NewestEventTime,
    [property: JsonPropertyName("age_seconds")] double? AgeSeconds)
{
    /// <summary>Freshness of a view that no run has materialized yet.</summary>
    public static CatalogFreshness NotMaterialized { get; } = new("not_materialized", null, null, null, null, 0, null, null);
}

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
/// <param name="UsedBy">Models using any of its features, directly or through an on-demand feature.</param>
/// <param name="Freshness">Its offline freshness.</param>
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
    [property: JsonPropertyName("used_by")] IReadOnlyList<string> UsedBy,
    [property: JsonPropertyName("freshness")] CatalogFreshness Freshness);

/// <summary>
/// The feature catalog: every view and feature of the live definitions with the latest statistics and freshness,
/// searchable by name, tag (<c>key</c>, <c>value</c> or <c>key:value</c>) or owner.
/// </summary>
public static class Catalog
{
    private static readonly IReadOnlyDictionary<string, ViewStatistics> NoStatistics = new Dictionary<string, ViewStatistics>();

    /// <summary>Every view without statistics, optionally filtered by a case-insensitive search.</summary>
    public static IReadOnlyList<CatalogView> Views(FeatureRepositoryDefinition definitions, string? search = null) =>
        Views(definitions, NoStatistics, DateTimeOffset.UnixEpoch, search);

    /// <summary>Every view with its latest statistics, optionally filtered by a case-insensitive search over names, descriptions, owners and tags.</summary>
    /// <param name="definitions">The definitions.</param>
    /// <param name="statistics">The latest statistics by view name (views without any are <c>not_materialized</c>).</param>
    /// <param name="now">The time freshness is measured at.</param>
    /// <param name="search">The search text; null or blank for every view.</param>
    /// <returns>The views, in definition order.</returns>
    public static IReadOnlyList<CatalogView> Views(FeatureRepositoryDefinition definitions, IReadOnlyDictionary<string, ViewStatistics> statistics, DateTimeOffset now, string? search = null)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(statistics);
        return definitions.FeatureViews.Select(v => Describe(definitions, v, statistics.GetValueOrDefault(v.Name), now)).Where(v => Matches(v, search)).ToArray();
    }

    /// <summary>One view without statistics; throws 404 with the known names when unknown.</summary>
    public static CatalogView View(FeatureRepositoryDefinition definitions, string name) =>
        View(definitions, name, null, DateTimeOffset.UnixEpoch);

    /// <summary>One view with its latest statistics; throws 404 with the known names when unknown.</summary>
    /// <param name="definitions">The definitions.</param>
    /// <param name="name">The view name.</param>
    /// <param name="statistics">The view's latest statistics, if any.</param>
    /// <param name="now">The time freshness is measured at.</param>
    /// <returns>The view.</returns>
    public static CatalogView View(FeatureRepositoryDefinition definitions, string name, ViewStatistics? statistics, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var view = definitions.FindView(name)
            ?? throw ServingException.NotFound("Unknown view", $"No view named '{name}'. Known: {string.Join(", ", definitions.FeatureViews.Select(v => v.Name))}.");
        return Describe(definitions, view, statistics, now);
    }

    /// <summary>The freshness of a view from its latest statistics: stale when the newest event is older than the TTL at <paramref name="now"/>.</summary>
    /// <param name="view">The view.</param>
    /// <param name="statistics">Its latest statistics, if any.</param>
    /// <param name="now">The time.</param>
    /// <returns>The freshness.</returns>
    public static CatalogFreshness FreshnessOf(FeatureViewDefinition view, ViewStatistics? statistics, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (statistics?.NewestEventTime is not { } newest)
        {
            return CatalogFreshness.NotMaterialized;
        }

        var stale = FeatureFreshness.IsExpired(TiledView.ToUnixTicks(newest), view.Ttl, TiledView.ToUnixTicks(now));
        return new CatalogFreshness(
            stale ? "stale" : "fresh",
            statistics.RunId,
            statistics.ComputedAt,
            statistics.From,
            statistics.To,
            statistics.Rows,
            newest,
            (now - newest).TotalSeconds);
    }

    private static CatalogView Describe(FeatureRepositoryDefinition definitions, FeatureViewDefinition view, ViewStatistics? statistics, DateTimeOffset now)
    {
        var source = definitions.FindSource(view.Source)!;
        // Directly, or through an on-demand feature whose expression reads the view (predict reads the view for it).
        var readers = definitions.OnDemandFeatures.Where(f => f.Compiled?.Features.Any(r => r.View == view.Name) == true).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var usedBy = definitions.Models.Where(m => m.Features.Any(f => f.View == view.Name || (f.IsOnDemand && readers.Contains(f.Name)))).Select(m => m.Name).ToArray();
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
                f.Description,
                statistics?.Features.FirstOrDefault(s => s.Name == f.Name))).ToArray(),
            usedBy,
            FreshnessOf(view, statistics, now));
    }

    // Every word must appear somewhere in the view, as on the catalog page (which matches row by row).
    private static bool Matches(CatalogView view, string? search)
    {
        if (string.IsNullOrWhiteSpace(search))
        {
            return true;
        }

        var texts = new[] { view.Name, view.Entity, view.Source, view.Owner, view.Description }
            .Concat(view.Tags.SelectMany(t => new[] { t.Key, t.Value, $"{t.Key}:{t.Value}" }))
            .Concat(view.Features.SelectMany(f => new[] { f.Name, f.Description }))
            .OfType<string>()
            .ToArray();
        return search.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .All(word => texts.Any(text => text.Contains(word, StringComparison.OrdinalIgnoreCase)));
    }
}
