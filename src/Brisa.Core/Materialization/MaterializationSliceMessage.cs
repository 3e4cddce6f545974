using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Brisa.Core.Materialization;

/// <summary>
/// The queue message of a slice (queue <c>materialize</c>): a JSON object
/// <c>{"view": "customer_7d", "from": "2026-05-01T00:00:00Z", "to": "2026-05-01T14:00:00Z", "online": true}</c>;
/// times are ISO 8601 with an offset, whole UTC hours; <c>online</c> is optional (default false). Unknown properties
/// are ignored (forward compatible).
/// </summary>
public static class MaterializationSliceMessage
{
    /// <summary>Serializes a slice.</summary>
    /// <param name="slice">The slice.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize(MaterializationSlice slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("view", slice.View);
            writer.WriteString("from", Format(slice.From));
            writer.WriteString("to", Format(slice.To));
            writer.WriteBoolean("online", slice.Online);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Parses and validates a message.</summary>
    /// <param name="message">The message text.</param>
    /// <returns>The slice.</returns>
    /// <exception cref="FormatException">The message is not a valid slice; the message says why.</exception>
    public static MaterializationSlice Parse(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            throw Invalid("the message is empty", message);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message);
        }
        catch (JsonException ex)
        {
            throw Invalid($"not JSON ({ex.Message})", message);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"expected a JSON object, got {root.ValueKind}", message);
            }

            var view = RequiredString(root, "view", message);
            var from = RequiredTime(root, "from", message);
            var to = RequiredTime(root, "to", message);
            var online = false;
            if (root.TryGetProperty("online", out var flag) && flag.ValueKind != JsonValueKind.Null)
            {
                online = flag.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw Invalid($"'online' must be true or false, got {flag.ValueKind}", message),
                };
            }

            var slice = new MaterializationSlice(view, from, to, online);
            if (IncrementalPlanner.Validate(slice) is { } problem)
            {
                throw Invalid(problem, message);
            }

            return slice;
        }
    }

    private static string Format(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string RequiredString(JsonElement root, string name, string message)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw Invalid($"'{name}' must be a non-empty string", message);
        }

        return value.GetString()!;
    }

    private static DateTimeOffset RequiredTime(JsonElement root, string name, string message)
    {
        var text = RequiredString(root, name, message);
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw Invalid($"'{name}' is not an ISO 8601 time: '{text}'", message);
        }

        return time;
    }

    private static FormatException Invalid(string problem, string? message)
    {
        var shown = message is null ? "(null)" : message.Length > 300 ? message[..300] + "…" : message;
        return new FormatException($"Invalid materialize message: {problem}. Expected {{\"view\": \"<view>\", \"from\": \"<ISO 8601 hour>\", \"to\": \"<ISO 8601 hour>\"}}; got: {shown}");
    }
}
