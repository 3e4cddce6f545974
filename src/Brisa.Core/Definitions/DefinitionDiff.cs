using System.Text.Json;
using System.Text.Json.Nodes;

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
/// <param name="Details">
/// What changes in the object, keys joined with "; ": <c>ttl: 2d → 3d</c> for a short value,
/// <c>features: + a, - b, ~ c</c> for a list of named items (added, removed, changed; <c>order</c> when only their
/// order changes), the key alone otherwise. Of additions, only a streaming view added to deployed definitions has
/// details: its tiles start empty, and how to fill them.
/// </param>
public sealed record DefinitionChange(ChangeKind Kind, string ObjectType, string Name, string? Breaking = null, string? Details = null)
{
    /// <summary>True when the change breaks a dependent model, view or feature.</summary>
    public bool IsBreaking => Breaking is not null;
}

/// <summary>A model version that serves predictions (a model's champion) and the inputs it was trained on.</summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The version.</param>
/// <param name="Inputs">
/// Its inputs as its metadata names them: <c>view:feature</c>, an on-demand feature, or a request field. A version is
/// served with these until another is promoted, whatever its model's definition lists now.
/// </param>
public sealed record ServingModel(string Model, string Version, IReadOnlyList<string> Inputs);

/// <summary>The difference between deployed and proposed definitions, as <c>brisa plan</c> shows it.</summary>
public static class DefinitionDiff
{
    /// <summary>Changes needed to go from <paramref name="current"/> (null: nothing deployed) to <paramref name="proposed"/>, ordered by type then name (a change of the project's own name or description first).</summary>
    /// <param name="current">The deployed definitions, or null.</param>
    /// <param name="proposed">The definitions to apply.</param>
    /// <param name="serving">
    /// The models' serving versions (champions) and their inputs: a change to an input a champion was trained on is
    /// breaking even when no definition lists it any more (its model's features were edited since it was trained).
    /// </param>
    public static IReadOnlyList<DefinitionChange> Compute(FeatureRepositoryDefinition? current, FeatureRepositoryDefinition proposed, IReadOnlyList<ServingModel>? serving = null)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        var changes = new List<DefinitionChange>();

        // The project's own fields are part of the published version too: apply writes a new one when they change.
        if (current is not null && (current.Project != proposed.Project || current.Description != proposed.Description))
        {
            var before = new { current.Project, current.Description };
            var after = new { proposed.Project, proposed.Description };
            changes.Add(new DefinitionChange(ChangeKind.Change, "project", proposed.Project, Details: Details(Canonical(before), Canonical(after))));
        }

        Compare(changes, "entity", current?.Entities, proposed.Entities, e => e.Name);
        Compare(changes, "source", current?.Sources, proposed.Sources, s => s.Name);
        Compare(changes, "label_source", current?.LabelSources, proposed.LabelSources, s => s.Name);
        Compare(changes, "feature_view", current?.FeatureViews, proposed.FeatureViews, v => v.Name);
        Compare(changes, "on_demand_feature", current?.OnDemandFeatures, proposed.OnDemandFeatures, f => f.Name);
        Compare(changes, "model", current?.Models, proposed.Models, m => m.Name);
        return current is null ? changes : changes.Select(c => BreakingChanges.Flag(NewStreamingView(c, proposed), current, proposed, serving ?? [])).ToList();
    }

    // Added to a deployed registry, a streaming view's tiles start empty until a rebuild replays the raw zone, while
    // training reads full windows from it at once: the plan says so, and how to fill them.
    private static DefinitionChange NewStreamingView(DefinitionChange change, FeatureRepositoryDefinition proposed) =>
        change is { Kind: ChangeKind.Add, ObjectType: "feature_view" } && proposed.FindView(change.Name) is { Streaming: true } view
            ? change with { Details = $"tiles start empty: after the apply, 'brisa materialize --tiles --views {view.Name}' fills them from the raw zone; until then NOT_FOUND, then partial windows until {Durations.Format(view.MaxWindow)} has passed" }
            : change;

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
                changes.Add(new DefinitionChange(k, type, key, Details: k == ChangeKind.Change ? Details(Canonical(old!), Canonical(@new!)) : null));
            }
        }
    }

    private static string Canonical<T>(T item) => JsonSerializer.Serialize(item, DefinitionJson.Options);

    // Longer values (descriptions, expressions) are named, not quoted, to keep a plan row readable.
    private const int MaxShownValue = 40;

    private static string Details(string before, string after)
    {
        var old = (JsonObject)JsonNode.Parse(before)!;
        var @new = (JsonObject)JsonNode.Parse(after)!;
        var parts = new List<string>();
        foreach (var key in @new.Select(p => p.Key).Union(old.Select(p => p.Key)))
        {
            var (a, b) = (old[key], @new[key]);
            if (JsonNode.DeepEquals(a, b))
            {
                continue;
            }

            parts.Add(NamedItems(a) is { } was && NamedItems(b) is { } now ? $"{key}: {ListChange(was, now)}"
                : Shown(a) is { } x && Shown(b) is { } y ? $"{key}: {x} → {y}"
                : key);
        }

        return string.Join("; ", parts);
    }

    private static string ListChange(List<(string Name, JsonNode Item)> before, List<(string Name, JsonNode Item)> after)
    {
        var old = before.ToDictionary(i => i.Name, i => i.Item, StringComparer.Ordinal);
        var @new = after.ToDictionary(i => i.Name, i => i.Item, StringComparer.Ordinal);
        var items = after.Where(i => !old.ContainsKey(i.Name)).Select(i => "+ " + i.Name)
            .Concat(before.Where(i => !@new.ContainsKey(i.Name)).Select(i => "- " + i.Name))
            .Concat(after.Where(i => old.TryGetValue(i.Name, out var was) && !JsonNode.DeepEquals(was, i.Item)).Select(i => "~ " + i.Name))
            .ToList();
        return items.Count > 0 ? string.Join(", ", items) : "order";
    }

    // The items of a list of unique names (a model's features) or of objects with unique names (a view's features, a
    // source's fields), or null for any other value.
    private static List<(string Name, JsonNode Item)>? NamedItems(JsonNode? node)
    {
        if (node is not JsonArray array)
        {
            return null;
        }

        var items = new List<(string Name, JsonNode Item)>(array.Count);
        foreach (var item in array)
        {
            if (NameOf(item) is not { } name || items.Exists(i => i.Name == name))
            {
                return null;
            }

            items.Add((name, item!));
        }

        return items;
    }

    private static string? NameOf(JsonNode? item) =>
        (item is JsonObject o ? o["name"] : item) is JsonValue value && value.TryGetValue<string>(out var name) ? name : null;

    private static string? Shown(JsonNode? node) => node switch
    {
        null => "none",
        JsonValue value when value.ToString() is { Length: <= MaxShownValue } text => text,
        _ => null,
    };
}
