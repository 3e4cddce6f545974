using System.Collections.Frozen;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Training;

namespace Brisa.Core.Serving;

/// <summary>
/// A prediction request, parsed against what the model needs: <c>{"instances": [{...}, ...]}</c> or one instance
/// object. Each instance carries the entity keys of the model's views (e.g. <c>customer_id</c>, <c>merchant_id</c>) and
/// its request fields (e.g. <c>amount</c>, <c>country</c>; those the observation source requires must be present and
/// not null, the others may be missing); an optional <c>id</c> names the instance in the log.
/// </summary>
public static class PredictRequest
{
    /// <summary>Most instances in one request.</summary>
    public const int MaxInstances = 1000;

    // 2^53: the largest integer a double holds exactly, the bound ingestion puts on long fields.
    private const long MaxExactInteger = 1L << 53;

    // The names an instance may carry, per model's requirements (worked out once, not per request).
    private static readonly ConditionalWeakTable<FeatureRequirements, FrozenSet<string>> KnownFields = new();

    /// <summary>The instances as observations at <paramref name="now"/>, ids prefixed with <paramref name="requestId"/>.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="requirements">What the served version reads.</param>
    /// <param name="now">The observation time.</param>
    /// <param name="requestId">Prefix of instance ids not given.</param>
    /// <param name="ignoredFields">
    /// Fields accepted and not read when the version does not read them: the fields of the model's observation source,
    /// so a request shaped for the live definitions still scores on a version trained before a request field was added
    /// (a rollback); any other unknown field is refused (a typo). Null refuses every field the version does not read.
    /// </param>
    public static ObservationSet Parse(ReadOnlyMemory<byte> body, FeatureRequirements requirements, DateTimeOffset now, string requestId, IReadOnlySet<string>? ignoredFields = null)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        using var document = RequestJson.Parse(body);
        var root = document.RootElement;
        var instances = root.TryGetProperty("instances", out var list)
            ? list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToArray() : throw ServingException.BadRequest("Invalid request", "'instances' must be a list of objects.")
            : [root];

        // Beside 'instances' nothing is read: a field there (an entity key meant for every instance, a 'version' meant
        // for the query) would be silently ignored.
        if (list.ValueKind == JsonValueKind.Array)
        {
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name != "instances")
                {
                    throw ServingException.BadRequest("Invalid request", $"Unknown property '{property.Name}' beside 'instances': a batch body holds only 'instances', and each instance carries its own fields (the version is the ?version= query parameter).");
                }
            }
        }
        if (instances.Length is 0 or > MaxInstances)
        {
            throw ServingException.BadRequest("Invalid request", $"Send 1 to {MaxInstances} instances; got {instances.Length}.");
        }

        var known = KnownFields.GetValue(requirements, r => r.EntityKeyFields.Concat(r.RequestFields.Select(f => f.Name)).Append("id").ToFrozenSet(StringComparer.Ordinal));
        var set = new ObservationSet(requirements.EntityKeyFields, requirements.RequestFields, labelType: null);
        var keys = new string?[requirements.EntityKeyFields.Count];
        var values = new FieldValue[requirements.RequestFields.Count];
        var ticks = TiledView.ToUnixTicks(now);
        for (var i = 0; i < instances.Length; i++)
        {
            var instance = instances[i];
            if (instance.ValueKind != JsonValueKind.Object)
            {
                throw ServingException.BadRequest("Invalid request", $"Instance {i} must be a JSON object.");
            }

            foreach (var property in instance.EnumerateObject())
            {
                if (!known.Contains(property.Name) && ignoredFields?.Contains(property.Name) != true)
                {
                    throw ServingException.BadRequest("Invalid request", $"Instance {i}: unknown field '{property.Name}'. The model reads: {string.Join(", ", requirements.EntityKeyFields.Concat(requirements.RequestFields.Select(f => f.Name)).Distinct(StringComparer.Ordinal))}.");
                }
            }

            for (var k = 0; k < keys.Length; k++)
            {
                var name = requirements.EntityKeyFields[k];
                keys[k] = !instance.TryGetProperty(name, out var key)
                    ? throw ServingException.BadRequest("Missing entity key", $"Instance {i}: missing entity key '{name}'.")
                    : requirements.LongEntityKeyFields.Contains(name) ? RequestJson.LongKeyOf(name, RequestJson.KeyOf(name, key)) : RequestJson.KeyOf(name, key);
            }

            for (var f = 0; f < values.Length; f++)
            {
                var field = requirements.RequestFields[f];
                values[f] = instance.TryGetProperty(field.Name, out var value) ? ReadValue(i, field, value) : FieldValue.Null;
            }

            CheckRequired(i, requirements.RequestFields, values);

            var id = instance.TryGetProperty("id", out var given) && given.ValueKind != JsonValueKind.Null ? IdOf(i, given) : GeneratedId(requestId, i);
            set.Add(id, ticks, keys, values, FieldValue.Null);
        }

        return set;
    }

    /// <summary>The id an instance sent without one gets: <c>&lt;request id&gt;-&lt;its index&gt;</c>.</summary>
    /// <param name="requestId">The request id.</param>
    /// <param name="instance">The instance's index in the request.</param>
    /// <returns>The id.</returns>
    public static string GeneratedId(string requestId, int instance) => string.Create(CultureInfo.InvariantCulture, $"{requestId}-{instance}");

    /// <summary>
    /// True when <paramref name="id"/> is one <see cref="GeneratedId"/> gives for <paramref name="requestId"/>: the
    /// instance came without an id, so its prediction joins no label. (A caller that sends exactly such an id itself,
    /// its own request id, a dash and the instance's index, is taken as having sent none.)
    /// </summary>
    /// <param name="id">The logged instance id.</param>
    /// <param name="requestId">The logged request id.</param>
    /// <returns>True for a generated id.</returns>
    public static bool IsGeneratedId(string id, string requestId)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(requestId);
        // "<request id>-" then the index as GeneratedId writes it: digits, no leading zero, below MaxInstances.
        var start = requestId.Length + 1;
        return id.Length > start
            && id.StartsWith(requestId, StringComparison.Ordinal)
            && id[requestId.Length] == '-'
            && (id[start] != '0' || id.Length == start + 1)
            && int.TryParse(id.AsSpan(start), NumberStyles.None, CultureInfo.InvariantCulture, out var instance)
            && instance < MaxInstances;
    }

    // Ingestion rejects an event without a required field (or with null), so training never saw one missing: scoring
    // it as missing would be skew the caller never hears of. Timestamps are exempt: predict takes none (the time is now).
    private static void CheckRequired(int instance, IReadOnlyList<FieldDefinition> fields, FieldValue[] values)
    {
        List<string>? missing = null;
        for (var f = 0; f < values.Length; f++)
        {
            if (values[f].IsNull && fields[f].Required && fields[f].Type != FieldType.Timestamp)
            {
                (missing ??= []).Add($"'{fields[f].Name}'");
            }
        }

        if (missing is not null)
        {
            var (noun, pronoun) = missing.Count == 1 ? ("field", "it") : ("fields", "them");
            throw ServingException.BadRequest(
                "Missing request field",
                $"Instance {instance}: missing required request {noun} {string.Join(", ", missing)}. The model's observation source requires {pronoun} (events without {pronoun} are rejected), so the model never saw {pronoun} missing; send {pronoun}.");
        }
    }

    // The instance id names the prediction in the response and the log (joined with labels later): a string, or an
    // integer id (a long id field) read as its text, as entity keys are; anything else would be silently replaced.
    private static string IdOf(int instance, JsonElement id) => id.ValueKind switch
    {
        // The id joins the prediction log to its label later: an empty one, or one longer than a key, joins nothing.
        JsonValueKind.String when id.GetString() is { Length: > 0 and <= RequestJson.MaxKeyLength } text => text,
        JsonValueKind.String => throw ServingException.BadRequest("Invalid field", $"Instance {instance}: 'id' must be 1 to {RequestJson.MaxKeyLength} characters (it joins the prediction to its label), or left out for a generated one."),
        JsonValueKind.Number when id.TryGetInt64(out var n) => n.ToString(CultureInfo.InvariantCulture),
        _ => throw ServingException.BadRequest("Invalid field", $"Instance {instance}: 'id' must be a string or an integer; got {id.ValueKind.ToString().ToLowerInvariant()}."),
    };

    private static FieldValue ReadValue(int instance, FieldDefinition field, JsonElement value)
    {
        FieldValue result = value.ValueKind switch
        {
            JsonValueKind.Null => FieldValue.Null,
            JsonValueKind.String when field.Type == FieldType.String => FieldValue.FromText(value.GetString()),
            JsonValueKind.Number when field.Type == FieldType.Double && value.TryGetDouble(out var n) && double.IsFinite(n) => FieldValue.FromNumber(n),

            // As ingestion reads a long field: an integer within ±2^53 (exact as a double), not 2.5 nor 3.0.
            JsonValueKind.Number when field.Type == FieldType.Long && value.TryGetInt64(out var l) && l is >= -MaxExactInteger and <= MaxExactInteger => FieldValue.FromNumber(l),
            JsonValueKind.True or JsonValueKind.False when field.Type == FieldType.Bool => FieldValue.FromNumber(value.GetBoolean() ? 1 : 0),
            _ => throw ServingException.BadRequest("Invalid field", $"Instance {instance}: field '{field.Name}' must be {field.Type.ToYamlName()}; got {value.ValueKind.ToString().ToLowerInvariant()}."),
        };
        if (result.AsNumber() is { } number && (number < field.Min || number > field.Max))
        {
            throw ServingException.BadRequest("Invalid field", $"Instance {instance}: field '{field.Name}' = {number} is outside [{field.Min}, {field.Max}].");
        }

        if (result.AsText() is { } text && field.Allowed is { } allowed && !allowed.Contains(text, StringComparer.Ordinal))
        {
            throw ServingException.BadRequest("Invalid field", $"Instance {instance}: field '{field.Name}' = '{text}' is not allowed; allowed: {string.Join(", ", allowed)}.");
        }

        return result;
    }
}
