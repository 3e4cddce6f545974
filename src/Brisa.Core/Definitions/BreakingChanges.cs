using System.Text.RegularExpressions;
using Brisa.Core.Expressions;
using Brisa.Core.Features;

namespace Brisa.Core.Definitions;

/// <summary>
/// Decides whether a change to deployed definitions breaks something that depends on them. A model depends on what
/// its deployed definition, its proposed definition or its champion's inputs use: a champion was trained on its
/// inputs and keeps being served with them until a retrained version is promoted, so removing or redefining one breaks
/// it even when neither file lists it any more. Only models the proposed definitions keep count: a removed model is
/// served and retrained no more.
/// </summary>
/// <remarks>
/// Breaking: a feature (view or on-demand) a model uses is removed, or its aggregation, field, window, type (long and
/// double are one number) or expression changes; a view a model uses changes entity, source or tile; a view, source or
/// label source a model or view uses is removed; a source field a feature aggregates, or a model takes as a request
/// field, is removed or changes type; the event type or timestamp field of a source a view or model reads changes; the
/// join key of an entity a deployed view describes changes, or an entity a view uses is removed; a streaming view a
/// model uses changes its tile layout (tile, or features added, removed, reordered or redefined) or turns streaming,
/// which resets its stored online tiles; a view a model uses stops being online. Everything else (descriptions,
/// owners, tags, TTL, new objects, an expression respaced) is not.
/// </remarks>
internal static class BreakingChanges
{
    public static DefinitionChange Flag(DefinitionChange change, FeatureRepositoryDefinition current, FeatureRepositoryDefinition proposed, IReadOnlyList<ServingModel> serving)
    {
        var reasons = change.ObjectType switch
        {
            "feature_view" => View(change, current, proposed, serving),
            "on_demand_feature" => OnDemand(change, current, proposed, serving),
            "source" or "label_source" => Source(change, current, proposed, serving),
            "entity" => Entity(change, current, proposed),
            _ => [],
        };
        var distinct = reasons.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 0 ? change : change with { Breaking = string.Join("; ", distinct) };
    }

    // The definitions, deployed and proposed, of the models that are still served after the apply.
    private static IEnumerable<ModelDefinition> Models(FeatureRepositoryDefinition current, FeatureRepositoryDefinition proposed) =>
        current.Models.Concat(proposed.Models).Where(m => proposed.FindModel(m.Name) is not null);

    // The champions of models still served after the apply, each with its model's observation sources (deployed and proposed).
    private static IEnumerable<(ServingModel Champion, HashSet<string> ObservationSources)> Champions(FeatureRepositoryDefinition current, FeatureRepositoryDefinition proposed, IReadOnlyList<ServingModel> serving) =>
        serving.Where(s => proposed.FindModel(s.Model) is not null)
            .Select(s => (s, Models(current, proposed).Where(m => m.Name == s.Model).Select(m => m.ObservationSource).ToHashSet(StringComparer.Ordinal)));

    // A model that uses something only through its champion's inputs is named with the champion, since neither file says so.
    private static IEnumerable<string> WithChampions(IEnumerable<string> byDefinition, IEnumerable<ServingModel> champions)
    {
        var names = byDefinition.ToHashSet(StringComparer.Ordinal);
        return names.Concat(champions.Where(c => !names.Contains(c.Model)).Select(c => $"{c.Model} (its champion {c.Version})"))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
    }

    private static IEnumerable<FeatureViewDefinition> Views(FeatureRepositoryDefinition current, FeatureRepositoryDefinition proposed) =>
        current.FeatureViews.Concat(proposed.FeatureViews);

    // Models that use feature view:name (any feature of the view when name is null; an on-demand feature when view is
    // null), directly or through an on-demand feature whose expression reads view.name.
    private static IEnumerable<string> ModelsUsing(FeatureRepositoryDefinition current, FeatureRepositoryDefinition proposed, IReadOnlyList<ServingModel> serving, string? view, string? name)
    {
        var onDemandReaders = new HashSet<string>(StringComparer.Ordinal);
        if (view is not null)
        {
            var pattern = new Regex($@"(?<![A-Za-z0-9_]){Regex.Escape(view)}\.{(name is null ? "[A-Za-z_]" : Regex.Escape(name) + "(?![A-Za-z0-9_])")}", RegexOptions.CultureInvariant);
            onDemandReaders.UnionWith(current.OnDemandFeatures.Concat(proposed.OnDemandFeatures).Where(f => pattern.IsMatch(f.Expression)).Select(f => f.Name));
        }

        bool Uses(FeatureReference f) => (f.View == view && (name is null || f.Name == name)) || (f.IsOnDemand && onDemandReaders.Contains(f.Name));

        return WithChampions(
            Models(current, proposed).Where(m => m.Features.Any(Uses)).Select(m => m.Name),
            Champions(current, proposed, serving).Select(c => c.Champion).Where(c => c.Inputs.Any(i => FeatureReference.TryParse(i, out var input) && Uses(input))));
    }

    private static IEnumerable<string> View(DefinitionChange change, FeatureRepositoryDefinition current, FeatureRepositoryDefinition proposed, IReadOnlyList<ServingModel> serving)
    {
        var before = current.FeatureViews.FirstOrDefault(v => v.Name == change.Name);
        var after = proposed.FeatureViews.FirstOrDefault(v => v.Name == change.Name);
        if (before is null)
        {
            yield break;
        }

        if (after is null)
        {
            foreach (var model in ModelsUsing(current, proposed, serving, before.Name, null))
            {
                yield return $"model {model} uses features of removed view {before.Name}";
            }

            yield break;
        }

        foreach (var (what, changed) in new[] { ("entity", before.Entity != after.Entity), ("source", before.Source != after.Source), ("tile", before.Tile != after.Tile) })
        {
            if (changed)
            {
                foreach (var model in ModelsUsing(current, proposed, serving, before.Name, null))
                {
                    yield return $"{what} of view {before.Name} changes under model {model}";
                }
            }
        }

        if (before.Online && !after.Online)
        {
            foreach (var model in ModelsUsing(current, proposed, serving, before.Name, null))
            {
                yield return $"view {before.Name} is no longer served online, under model {model}: nothing updates its online values any more, so they go missing (NOT_FOUND, or OUTSIDE_MAX_AGE past its ttl of {Durations.Format(after.Ttl)})";
            }
        }

        // Stored tiles carry the layout they were written for; another layout reads as no tiles, and ingestion starts
        // the entity's windows again from its next event, until 'brisa materialize --tiles' replays the raw zone.
        if (after.Streaming && (!before.Streaming || Layout(current, before) != Layout(proposed, after)))
        {
            foreach (var model in ModelsUsing(current, proposed, serving, before.Name, null))
            {
                yield return $"online tiles of streaming view {before.Name} are reset (its tile layout changes), under model {model}: its features read as NOT_FOUND, then over partial windows until {Durations.Format(after.MaxWindow)} of new events fills them, unless 'brisa materialize --tiles --views {after.Name}' rebuilds them from the raw zone after the apply";
            }
        }

        foreach (var feature in before.Features)
        {
            var now = after.FindFeature(feature.Name);
            var problem = now is null ? "is removed"
                : now.Aggregation != feature.Aggregation ? $"changes aggregation ({feature.Aggregation.ToYamlName()} → {now.Aggregation.ToYamlName()})"
                : now.Field != feature.Field ? $"changes field ({feature.Field ?? "none"} → {now.Field ?? "none"})"
                : now.Window != feature.Window ? $"changes window ({Durations.Format(feature.Window)} → {Durations.Format(now.Window)})"
                : null;
            if (problem is null)
            {
                continue;
            }

            foreach (var model in ModelsUsing(current, proposed, serving, before.Name, feature.Name))
            {
                yield return $"feature {before.Name}:{feature.Name} {problem}, used by model {model}";
            }
        }
    }

    private static ulong Layout(FeatureRepositoryDefinition definitions, FeatureViewDefinition view) =>
        FeaturePlan.Compile(definitions with { FeatureViews = [view] }, trackEventIds: true).Views[0].View.LayoutFingerprint;

    private static IEnumerable<string> OnDemand(DefinitionChange change, FeatureRepositoryDefinition current, FeatureRepositoryDefinition proposed, IReadOnlyList<ServingModel> serving)
    {
        var before = current.OnDemandFeatures.FirstOrDefault(f => f.Name == change.Name);
        var after = proposed.OnDemandFeatures.FirstOrDefault(f => f.Name == change.Name);
        if (before is null)
        {
            yield break;
        }

        var problem = after is null ? "is removed"
            : Served(after.Type) != Served(before.Type) ? $"changes type ({before.Type.ToYamlName()} → {after.Type.ToYamlName()})"
            : !ExpressionParser.SameTokens(before.Expression, after.Expression) ? $"changes expression ({before.Expression} → {after.Expression})"
            : null;
        if (problem is null)
        {
            yield break;
        }

        foreach (var model in ModelsUsing(current, proposed, serving, null, before.Name))
        {
            yield return $"on-demand feature {before.Name} {problem}, used by model {model}";
        }
    }

    // A model is given an on-demand number as a double, whether the feature is declared long or double.
    private static FieldType Served(FieldType type) => type == FieldType.Long ? FieldType.Double : type;

    private static IEnumerable<string> Source(DefinitionChange change, FeatureRepositoryDefinition current, FeatureRepositoryDefinition proposed, IReadOnlyList<ServingModel> serving)
    {
        var before = current.AllSources.FirstOrDefault(s => s.Name == change.Name);
        var after = proposed.AllSources.FirstOrDefault(s => s.Name == change.Name);
        if (before is null)
        {
            yield break;
        }

        var views = Views(current, proposed).Where(v => v.Source == before.Name).ToList();
        if (after is null)
        {
            foreach (var view in views.Select(v => v.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                yield return $"view {view} aggregates removed source {before.Name}";
            }

            foreach (var model in Models(current, proposed).Where(m => m.ObservationSource == before.Name || m.Label.Source == before.Name)
                         .Select(m => m.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                yield return $"model {model} reads removed source {before.Name}";
            }

            yield break;
        }

        // What reads the source after the apply: producers still sending the old type, or the old event time, feed them.
        var readers = proposed.FeatureViews.Where(v => v.Source == before.Name).Select(v => v.Name).Order(StringComparer.Ordinal).ToList();
        var models = Models(current, proposed).Where(m => m.ObservationSource == before.Name || m.Label.Source == before.Name)
            .Select(m => m.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (after.EventType != before.EventType && Readers(readers, models) is { } whom)
        {
            yield return $"event_type of source {before.Name} changes ({before.EventType} → {after.EventType}): events still sent as {before.EventType} are dead-lettered, so {whom} get none of them";
        }

        if (after.TimestampField != before.TimestampField && Readers(readers, models) is { } those)
        {
            yield return $"timestamp_field of source {before.Name} changes ({before.TimestampField} → {after.TimestampField}): the event time of new events, so every window and label over them, moves for {those}";
        }

        foreach (var field in before.Fields)
        {
            var now = after.FindField(field.Name);
            var problem = now is null ? "is removed" : now.Type != field.Type ? $"changes type ({field.Type.ToYamlName()} → {now.Type.ToYamlName()})" : null;
            if (problem is null)
            {
                continue;
            }

            foreach (var view in views.Where(v => v.Features.Any(f => f.Field == field.Name)).Select(v => v.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                yield return $"field {before.Name}.{field.Name} {problem}, aggregated by view {view}";
            }

            // Entity keys are the join key's values (text of a long): a string key read back as a long is lost.
            var entities = current.Entities.Concat(proposed.Entities).Where(e => e.JoinKey == field.Name).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var view in views.Where(v => entities.Contains(v.Entity)).Select(v => v.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                yield return $"field {before.Name}.{field.Name} {problem}, the join key of view {view}";
            }

            // The label key joins observations with labels; both sides are read from raw files written with the old type.
            foreach (var model in Models(current, proposed).Where(m => m.Label.Key == field.Name && (m.ObservationSource == before.Name || m.Label.Source == before.Name))
                         .Select(m => m.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                yield return $"field {before.Name}.{field.Name} {problem}, the label key of model {model}";
            }

            // A model's request fields are inputs of its champion, typed as the observation source's fields.
            foreach (var model in WithChampions(
                         Models(current, proposed).Where(m => m.ObservationSource == before.Name && m.RequestFields.Contains(field.Name)).Select(m => m.Name),
                         Champions(current, proposed, serving).Where(c => c.ObservationSources.Contains(before.Name) && c.Champion.Inputs.Contains(field.Name)).Select(c => c.Champion)))
            {
                yield return $"field {before.Name}.{field.Name} {problem}, a request field of model {model}";
            }
        }
    }

    // "views a, b and model m", or null when nothing reads the source.
    private static string? Readers(List<string> views, List<string> models)
    {
        var parts = new List<string>();
        if (views.Count > 0)
        {
            parts.Add((views.Count == 1 ? "view " : "views ") + string.Join(", ", views));
        }

        if (models.Count > 0)
        {
            parts.Add((models.Count == 1 ? "model " : "models ") + string.Join(", ", models));
        }

        return parts.Count == 0 ? null : string.Join(" and ", parts);
    }

    private static IEnumerable<string> Entity(DefinitionChange change, FeatureRepositoryDefinition current, FeatureRepositoryDefinition proposed)
    {
        var before = current.Entities.FirstOrDefault(e => e.Name == change.Name);
        var after = proposed.Entities.FirstOrDefault(e => e.Name == change.Name);
        if (before is null)
        {
            yield break;
        }

        if (after is null)
        {
            foreach (var view in Views(current, proposed).Where(v => v.Entity == before.Name).Select(v => v.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                yield return $"view {view} describes removed entity {before.Name}";
            }
        }
        else if (after.JoinKey != before.JoinKey && current.FeatureViews.Any(v => v.Entity == before.Name))
        {
            // Online rows and offline Parquet are keyed by the join key's values: every stored value would be orphaned.
            yield return $"join key of entity {before.Name} changes ({before.JoinKey} → {after.JoinKey}); stored online and offline values are keyed by it";
        }
    }
}
