using System.Text.Json.Serialization;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;

namespace Brisa.Core.Serving;

/// <summary>The values of one view for one entity as read online: one value per view feature and the newest event time.</summary>
/// <param name="Values">In the view's feature order.</param>
/// <param name="EventTicks">Unix ticks of the newest event aggregated (TTL is measured from it).</param>
public sealed record ViewValues(FieldValue[] Values, long? EventTicks);

/// <summary>Feast-style answer: feature names (entity columns first), then per feature its values, statuses and event times.</summary>
/// <param name="Metadata">The column names.</param>
/// <param name="Results">One column per name, in the same order.</param>
public sealed record OnlineFeatureResponse(
    [property: JsonPropertyName("metadata")] OnlineFeatureMetadata Metadata,
    [property: JsonPropertyName("results")] IReadOnlyList<OnlineFeatureColumn> Results)
{
    /// <summary>
    /// Builds the answer from the rows read: <paramref name="lookup"/> gives a view's values for an entity key, or
    /// null when the entity has no row for the view (NOT_FOUND). Values older than the view's TTL are served as
    /// null with OUTSIDE_MAX_AGE.
    /// </summary>
    public static OnlineFeatureResponse Build(OnlineFeatureRequest request, Func<string, ViewPlan, ViewValues?> lookup, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(lookup);
        var nowTicks = TiledView.ToUnixTicks(now);
        var names = new List<string>();
        var results = new List<OnlineFeatureColumn>();
        foreach (var (joinKey, keys) in request.Entities)
        {
            names.Add(joinKey);
            results.Add(new OnlineFeatureColumn(keys, Enumerable.Repeat("PRESENT", keys.Length).ToArray(), new DateTimeOffset?[keys.Length]));
        }

        foreach (var feature in request.Features)
        {
            var keys = request.Entities[feature.JoinKey];
            var values = new object?[keys.Length];
            var statuses = new string[keys.Length];
            var times = new DateTimeOffset?[keys.Length];
            for (var row = 0; row < keys.Length; row++)
            {
                var read = lookup(keys[row], feature.View);
                var value = read?.Values[feature.FeatureIndex] ?? FieldValue.Null;
                var status = FeatureFreshness.Classify(read is not null, read?.EventTicks, value.IsNull, feature.View.Definition.Ttl, nowTicks);
                statuses[row] = status.ToWireName();
                values[row] = status is FeatureStatus.Present ? ToJsonValue(value, feature.Type) : null;
                times[row] = read?.EventTicks is { } ticks ? TiledView.FromUnixTicks(ticks) : null;
            }

            names.Add(feature.Name);
            results.Add(new OnlineFeatureColumn(values, statuses, times));
        }

        return new OnlineFeatureResponse(new OnlineFeatureMetadata(names), results);
    }

    /// <summary>
    /// A value as JSON wants it: integers for long, booleans for bool, doubles otherwise, text as is. A double that is
    /// not finite (a window sum past double's range, a standard deviation whose squares overflowed) is the string
    /// <c>"Infinity"</c>, <c>"-Infinity"</c> or <c>"NaN"</c>: JSON has no such number, and these are the named literals
    /// model metadata and the prediction log write.
    /// </summary>
    public static object? ToJsonValue(FieldValue value, FieldType type) => value switch
    {
        { IsNull: true } => null,
        { IsText: true } => value.Text,
        _ => type switch
        {
            FieldType.Long => (long)value.Number,
            FieldType.Bool => value.Number != 0,
            FieldType.Timestamp => TiledView.FromUnixTicks((long)value.Number * 10),
            _ when !double.IsFinite(value.Number) => NamedLiteral(value.Number),
            _ => value.Number,
        },
    };

    /// <summary>The named literal of a number that is not finite, as <c>System.Text.Json</c> writes it with <c>AllowNamedFloatingPointLiterals</c>.</summary>
    public static string NamedLiteral(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "Infinity" : double.IsNegativeInfinity(value) ? "-Infinity" : throw new ArgumentOutOfRangeException(nameof(value), value, "The number is finite.");
}

/// <summary>The column names of an online feature answer.</summary>
/// <param name="FeatureNames">Entity key columns first, then <c>view:feature</c> names.</param>
public sealed record OnlineFeatureMetadata([property: JsonPropertyName("feature_names")] IReadOnlyList<string> FeatureNames);

/// <summary>One column of an online feature answer.</summary>
/// <param name="Values">Per row: the value, or null.</param>
/// <param name="Statuses">Per row: PRESENT, NULL_VALUE, NOT_FOUND or OUTSIDE_MAX_AGE.</param>
/// <param name="EventTimestamps">Per row: the newest event behind the value.</param>
public sealed record OnlineFeatureColumn(
    [property: JsonPropertyName("values")] IReadOnlyList<object?> Values,
    [property: JsonPropertyName("statuses")] IReadOnlyList<string> Statuses,
    [property: JsonPropertyName("event_timestamps")] IReadOnlyList<DateTimeOffset?> EventTimestamps);
