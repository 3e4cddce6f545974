using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;

namespace Brisa.Core.Features;

/// <summary>A feature view compiled for the engine: its source schema, the entity key's field and the tiled view.</summary>
/// <param name="Definition">The view as defined.</param>
/// <param name="Source">The decoding schema of its source; the engine's field indexes point into it.</param>
/// <param name="EntityKeyField">Index of the entity's join key in <paramref name="Source"/>.</param>
/// <param name="View">The engine's view.</param>
public sealed record ViewPlan(FeatureViewDefinition Definition, EventSchema Source, int EntityKeyField, TiledView View)
{
    /// <summary>The view name.</summary>
    public string Name => Definition.Name;
}

/// <summary>
/// Definitions compiled once for the three paths (stream, batch, point in time): decoding schemas per source and
/// one engine view per feature view, so every path computes a feature the same way.
/// </summary>
public sealed class FeaturePlan
{
    private FeaturePlan(FeatureRepositoryDefinition definitions, IReadOnlyList<EventSchema> schemas, IReadOnlyList<ViewPlan> views)
    {
        Definitions = definitions;
        Schemas = schemas;
        Views = views;
    }

    /// <summary>The definitions compiled.</summary>
    public FeatureRepositoryDefinition Definitions { get; }

    /// <summary>One decoding schema per source and label source.</summary>
    public IReadOnlyList<EventSchema> Schemas { get; }

    /// <summary>One plan per feature view.</summary>
    public IReadOnlyList<ViewPlan> Views { get; }

    /// <summary>
    /// Compiles valid definitions. <paramref name="trackEventIds"/> keeps event-id hashes in the tiles of streaming
    /// views so a redelivered event is not counted twice: the stream path and online serving (which reads those tiles)
    /// pass true; batch and point-in-time paths pass false. Batch-only views never track ids, so their layout is the
    /// same in every plan.
    /// </summary>
    public static FeaturePlan Compile(FeatureRepositoryDefinition definitions, bool trackEventIds)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var schemas = definitions.AllSources.Select(source => EventSchema.FromDefinition(source, EntityKeysOf(definitions, source.Name))).ToArray();
        var views = new List<ViewPlan>();
        foreach (var view in definitions.FeatureViews)
        {
            var schema = schemas.Single(s => s.SourceName == view.Source);
            var entity = definitions.FindEntity(view.Entity)
                ?? throw new ArgumentException($"View '{view.Name}' names unknown entity '{view.Entity}'.", nameof(definitions));
            var features = view.Features
                .Select(f => new WindowFeatureSpec(
                    f.Name,
                    f.Aggregation,
                    f.Field is null ? 0 : schema.IndexOf(f.Field),
                    WindowFeatureSpec.TilesIn(f.Window, view.Tile),
                    f.Field))
                .ToArray();
            var tiled = new TiledView(new TiledViewSpec(view.Name, view.Tile, features, trackEventIds && view.Streaming));
            views.Add(new ViewPlan(view, schema, schema.IndexOf(entity.JoinKey), tiled));
        }

        return new FeaturePlan(definitions, schemas, views);
    }

    /// <summary>The join keys of the views that aggregate <paramref name="source"/>.</summary>
    private static HashSet<string> EntityKeysOf(FeatureRepositoryDefinition definitions, string source) =>
        [.. definitions.FeatureViews.Where(v => v.Source == source).Select(v => definitions.FindEntity(v.Entity)?.JoinKey).OfType<string>()];

    /// <summary>The plan of a view, or null.</summary>
    public ViewPlan? FindView(string name) => Views.FirstOrDefault(v => v.Name == name);

    /// <summary>The streaming views fed by a source (their online tiles are updated on ingestion).</summary>
    public IEnumerable<ViewPlan> StreamingViewsOf(string source) =>
        Views.Where(v => v.Definition.Streaming && v.Definition.Source == source);
}
