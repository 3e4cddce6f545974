using System.Text.Json;

namespace Brisa.Core.Definitions;

/// <summary>What kind of change one object goes through.</summary>
public enum ChangeKind
{
    /// <summary>New in the proposed definitions.</summary>
    Add,

    /// <summary>Present in both, with different content.</summary>
    Change,

    /// <summary>Gone from the proposed definitions.</summary>
    Remove,
}

/// <summary>One object that changes.</summary>
/// <param name="Kind">Add, change or remove.</param>
/// <param name="ObjectType">project, entity, source, label_source, feature_view, on_demand_feature or model.</param>
/// <param name="Name">The object's name.</param>
/// <param name="Breaking">
/// Why the change breaks something that depends on the object (a model or view that uses it), or null when it does
/// not; several reasons are joined with "; ". <c>brisa apply</c> refuses breaking changes without <c>--allow-breaking</c>.
/// </param>
public sealed record DefinitionChange(ChangeKind Kind, string ObjectType, string Name, string? Breaking = null)
{
    /// <summary>True when the change breaks a dependent model, view or feature.</summary>
    public bool IsBreaking => Breaking is not null;
}

/// <summary>The difference between deployed and proposed definitions, as <c>brisa plan</c> shows it.</summary>
public static class DefinitionDiff
{
    /// <summary>Changes needed to go from <paramref name="current"/> (null: nothing deployed) to <paramref name="proposed"/>, ordered by type then name (a change of the project's own name or description first).</summary>
    public static IReadOnlyList<DefinitionChange> Compute(FeatureRepositoryDefinition? current, FeatureRepositoryDefinition proposed)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        var changes = new List<DefinitionChange>();

        // The project's own fields are part of the published version too: apply writes a new one when they change.
        if (current is not null && (current.Project != proposed.Project || current.Description != proposed.Description))
        {
            changes.Add(new DefinitionChange(ChangeKind.Change, "project", proposed.Project));
        }

        Compare(changes, "entity", current?.Entities, proposed.Entities, e => e.Name);
        Compare(changes, "source", current?.Sources, proposed.Sources, s => s.Name);
        Compare(changes, "label_source", current?.LabelSources, proposed.LabelSources, s => s.Name);
        Compare(changes, "feature_view", current?.FeatureViews, proposed.FeatureViews, v => v.Name);
        Compare(changes, "on_demand_feature", current?.OnDemandFeatures, proposed.OnDemandFeatures, f => f.Name);
        Compare(changes, "model", current?.Models, proposed.Models, m => m.Name);
        return current is null ? changes : changes.Select(c => BreakingChanges.Flag(c, current, proposed)).ToList();
    }

    private static void Compare<T>(List<DefinitionChange> changes, string type, IReadOnlyList<T>? current, IReadOnlyList<T> proposed, Func<T, string> name)
    {
        var before = (current ?? []).ToDictionary(name, StringComparer.Ordinal);
        var after = proposed.ToDictionary(name, StringComparer.Ordinal);
        foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var kind = (before.TryGetValue(key, out var old), after.TryGetValue(key, out var @new)) switch
            {
                (false, true) => ChangeKind.Add,
                (true, false) => ChangeKind.Remove,
                _ when Canonical(old!) != Canonical(@new!) => ChangeKind.Change,
                _ => (ChangeKind?)null,
            };
            if (kind is { } k)
            {
                changes.Add(new DefinitionChange(k, type, key));
            }
        }
    }

    private static string Canonical<T>(T item) => JsonSerializer.Serialize(item, DefinitionJson.Options);
}
