using System.Text.Json;
using Brisa.Core.Definitions;
using Brisa.Core.Features;

namespace Brisa.Core.Serving;

/// <summary>One requested view feature, resolved against the live definitions.</summary>
/// <param name="Name">The name as answered (<c>view:feature</c>).</param>
/// <param name="View">The view.</param>
/// <param name="FeatureIndex">Index of the feature in the view.</param>
/// <param name="JoinKey">The join key of the view's entity (names the entity column of the request).</param>
/// <param name="Type">The feature's value type.</param>
public sealed record RequestedFeature(string Name, ViewPlan View, int FeatureIndex, string JoinKey, FieldType Type);

/// <summary>
/// A Feast-style online feature request, parsed and validated:
/// <c>{"features": ["view:feature", …] | "feature_service": "&lt;model&gt;", "entities": {"customer_id": ["c1", …]}}</c>.
/// Entity columns all have the same length; row i joins the i-th value of every column.
/// </summary>
public sealed class OnlineFeatureRequest
{
    /// <summary>Most rows in one request.</summary>
    public const int MaxRows = 1000;

    private OnlineFeatureRequest(IReadOnlyList<RequestedFeature> features, IReadOnlyDictionary<string, string[]> entities, int rows)
    {
        Features = features;
        Entities = entities;
        RowCount = rows;
    }

    /// <summary>The requested features, in request order.</summary>
    public IReadOnlyList<RequestedFeature> Features { get; }

    /// <summary>Entity key columns by join key.</summary>
    public IReadOnlyDictionary<string, string[]> Entities { get; }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>Parses and validates a request body; throws <see cref="ServingException"/> with what to fix.</summary>
    public static OnlineFeatureRequest Parse(ReadOnlyMemory<byte> body, FeaturePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var document = RequestJson.Parse(body);
        var root = document.RootElement;
        RequestJson.RejectUnknown(root, "features", "feature_service", "entities", "full_feature_names");

        if (root.TryGetProperty("full_feature_names", out var fullNames) && fullNames.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw ServingException.BadRequest("Invalid request", $"'full_feature_names' must be true or false (names are always \"view:feature\"); got {fullNames.ValueKind.ToString().ToLowerInvariant()}.");
        }

        var hasFeatures = root.TryGetProperty("features", out var features);
        var hasService = root.TryGetProperty("feature_service", out var service);
        if (hasFeatures == hasService)
        {
            throw ServingException.BadRequest("Invalid request", "Give exactly one of 'features' (a list of \"view:feature\") or 'feature_service' (a model name).");
        }

        var requested = hasFeatures ? ResolveFeatures(features, plan) : ResolveService(service, plan);
        if (!root.TryGetProperty("entities", out var entities) || entities.ValueKind != JsonValueKind.Object)
        {
            throw ServingException.BadRequest("Invalid request", "'entities' must be an object of entity key columns, e.g. {\"customer_id\": [\"c1\", \"c2\"]}.");
        }

        var columns = RequestJson.ReadEntityColumns(entities, plan.Definitions);
        var rows = columns.Values.Select(c => c.Length).Distinct().ToArray();
        if (rows.Length != 1)
        {
            throw ServingException.BadRequest("Invalid request", $"Every entity column must have the same length; got {string.Join(", ", columns.Select(c => $"{c.Key}: {c.Value.Length}"))}.");
        }

        if (rows[0] is 0 or > MaxRows)
        {
            throw ServingException.BadRequest("Invalid request", $"Ask for 1 to {MaxRows} rows; got {rows[0]}.");
        }

        foreach (var missing in requested.Select(f => f.JoinKey).Distinct().Where(k => !columns.ContainsKey(k)))
        {
            var views = string.Join(", ", requested.Where(f => f.JoinKey == missing).Select(f => f.View.Name).Distinct());
            throw ServingException.BadRequest("Missing entity key", $"Features of {views} need the entity key '{missing}' in 'entities'.");
        }

        // A key every requested view's source declares long is keyed by the integer's digits there (EntityKeys).
        foreach (var key in requested.GroupBy(f => f.JoinKey).Where(g => g.All(f => f.View.Source.Fields[f.View.EntityKeyField].Type == FieldType.Long)).Select(g => g.Key))
        {
            columns[key] = [.. columns[key].Select(k => RequestJson.LongKeyOf(key, k))];
        }

        return new OnlineFeatureRequest(requested, columns, rows[0]);
    }

    private static List<RequestedFeature> ResolveFeatures(JsonElement features, FeaturePlan plan)
    {
        if (features.ValueKind != JsonValueKind.Array || features.GetArrayLength() == 0)
        {
            throw ServingException.BadRequest("Invalid request", "'features' must be a non-empty list of \"view:feature\" names.");
        }

        var resolved = new List<RequestedFeature>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in features.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw ServingException.BadRequest("Invalid request", $"'features' must hold strings like \"customer_1h:txn_count_1h\"; got {item.ValueKind.ToString().ToLowerInvariant()}.");
            }

            // Each feature once: a 1 MiB body repeating one name ~38,000 times made an answer of ~840 MB for 1,000 rows.
            var feature = Resolve(item.GetString()!, plan);
            if (!seen.Add(feature.Name))
            {
                throw ServingException.BadRequest("Invalid request", $"'{feature.Name}' is asked for twice in 'features': list each feature once.");
            }

            resolved.Add(feature);
        }

        return resolved;
    }

    private static List<RequestedFeature> ResolveService(JsonElement service, FeaturePlan plan)
    {
        var name = service.ValueKind == JsonValueKind.String
            ? service.GetString()!
            : throw ServingException.BadRequest("Invalid request", $"'feature_service' must be a model name (a string); got {service.ValueKind.ToString().ToLowerInvariant()}. Known: {string.Join(", ", plan.Definitions.Models.Select(m => m.Name))}.");
        var model = plan.Definitions.FindModel(name)
            ?? throw ServingException.NotFound("Unknown feature service", $"No model named '{name}'. {plan.Definitions.ModelNameHint(name)}.");
        return model.Features.Where(f => !f.IsOnDemand).Select(f => Resolve($"{f.View}:{f.Name}", plan)).ToList();
    }

    /// <summary>Resolves <c>view:feature</c> (or <c>view.feature</c>) against the plan.</summary>
    public static RequestedFeature Resolve(string text, FeaturePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!FeatureReference.TryParse(text, out var reference) || reference.IsOnDemand)
        {
            throw ServingException.BadRequest(
                "Unknown feature",
                $"'{text}' is not a view feature; write \"view:feature\". On-demand features need request fields: use POST /api/models/{{model}}/predict.");
        }

        var view = plan.FindView(reference.View!)
            ?? throw ServingException.NotFound("Unknown feature", $"Unknown view '{reference.View}' in '{text}'. Known views: {string.Join(", ", plan.Views.Select(v => v.Name))}.");
        if (!view.Definition.Online)
        {
            // Nothing keeps its online rows (any left are from before it went offline): every key would read NOT_FOUND.
            throw ServingException.BadRequest(
                "Invalid request",
                $"View '{view.Name}' is not served online (online: false): its values are in the offline store only (offline/{view.Name}/). Set 'online: true' to serve it.");
        }

        var index = view.Definition.Features.ToList().FindIndex(f => f.Name == reference.Name);
        if (index < 0)
        {
            throw ServingException.NotFound("Unknown feature", $"View '{view.Name}' has no feature '{reference.Name}'. Its features: {string.Join(", ", view.Definition.Features.Select(f => f.Name))}.");
        }

        var joinKey = plan.Definitions.FindEntity(view.Definition.Entity)!.JoinKey;
        var type = view.Definition.Features[index].GetValueType(plan.Definitions.FindSource(view.Definition.Source)!);
        return new RequestedFeature($"{view.Name}:{reference.Name}", view, index, joinKey, type);
    }
}
