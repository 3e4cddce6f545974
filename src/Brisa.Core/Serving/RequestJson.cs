using System.Text.Json;
using System.Text.Unicode;
using Brisa.Core.Definitions;
using Brisa.Core.Features;

namespace Brisa.Core.Serving;

/// <summary>Shared, defensive JSON reading for the serving API's request bodies.</summary>
internal static class RequestJson
{
    /// <summary>Longest entity key accepted (characters).</summary>
    public const int MaxKeyLength = 4096;

    // A repeated property is refused, as ingestion refuses a repeated event field: which copy counts would be up to
    // the parser (here the last), and a client that sent {"amount": 1, "amount": 9999} meant one of them.
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false, AllowDuplicateProperties = false };

    public static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        // A UTF-8 byte order mark (some Windows tools write one) is not JSON, but says nothing either: skipped.
        if (body.Span.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        // JsonDocument checks the syntax only: a string of bytes that are not UTF-8 threw later, when it was read, and
        // the request was answered 500.
        if (!Utf8.IsValid(body.Span))
        {
            throw ServingException.BadRequest("Malformed JSON", "The body is not valid UTF-8 (JSON text is UTF-8): send it encoded as UTF-8.");
        }

        JsonDocument document;
        try
        {
            if (body.Span.IndexOf("\\u"u8) >= 0)
            {
                RejectUnreadableStrings(body.Span);
            }

            document = JsonDocument.Parse(body, Options);
        }
        catch (JsonException ex)
        {
            throw ServingException.BadRequest("Malformed JSON", $"The body is not valid JSON: {ex.Message}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw ServingException.BadRequest("Invalid request", "The body must be a JSON object.");
        }

        return document;
    }

    // An escape can name half of a surrogate pair alone ("\ud800"): valid JSON syntax, but no text, so reading it
    // threw. Only a body with a \u escape is read here (a second pass over it), and in it only escaped strings (names
    // included), each once. Bad syntax throws JsonException, as parsing would.
    private static void RejectUnreadableStrings(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = Options.MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
            {
                try
                {
                    _ = reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    throw ServingException.BadRequest("Malformed JSON", $"The string at byte {reader.TokenStartIndex} is not valid text: it escapes half of a UTF-16 surrogate pair alone (such as \\ud800).");
                }
            }
        }
    }

    public static void RejectUnknown(JsonElement root, params string[] known)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                throw ServingException.BadRequest("Invalid request", $"Unknown property '{property.Name}'. Allowed: {string.Join(", ", known)}.");
            }
        }
    }

    /// <summary>
    /// The key of a <c>long</c> join key given as text, as its events are keyed: the integer's plain digits
    /// (<c>01005</c> → <c>1005</c>). Anything else (<c>1005.0</c>, <c>d1005</c>) is a bad request: as text it would find
    /// nothing and be answered <c>NOT_FOUND</c>, which the caller could not tell from an unknown entity.
    /// </summary>
    /// <param name="joinKey">The join key.</param>
    /// <param name="key">The key as given.</param>
    /// <returns>The canonical key.</returns>
    /// <exception cref="ServingException">The key is not a whole number within ±2^53.</exception>
    public static string LongKeyOf(string joinKey, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return EntityKeys.TryFromLongText(key, out var canonical)
            ? canonical
            : throw ServingException.BadRequest("Bad entity key", $"Entity key '{joinKey}' is a long key: '{(key.Length <= 40 ? key : key[..40] + "…")}' is not a whole number between -2^53 and 2^53. Send the integer, e.g. 1005.");
    }

    /// <summary>Entity key columns: each a join key of a defined entity, holding strings (or integers, read as text).</summary>
    public static Dictionary<string, string[]> ReadEntityColumns(JsonElement entities, FeatureRepositoryDefinition definitions)
    {
        var joinKeys = definitions.Entities.Select(e => e.JoinKey).ToArray();
        var columns = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var column in entities.EnumerateObject())
        {
            if (!joinKeys.Contains(column.Name, StringComparer.Ordinal))
            {
                throw ServingException.BadRequest("Unknown entity key", $"Unknown entity key '{column.Name}'. Known: {string.Join(", ", joinKeys)}.");
            }

            var values = column.Value.ValueKind == JsonValueKind.Array
                ? column.Value.EnumerateArray().Select(v => KeyOf(column.Name, v)).ToArray()
                : [KeyOf(column.Name, column.Value)];
            columns[column.Name] = values;
        }

        if (columns.Count == 0)
        {
            throw ServingException.BadRequest("Invalid request", "'entities' names no entity key.");
        }

        return columns;
    }

    public static string KeyOf(string joinKey, JsonElement value)
    {
        var key = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number when value.TryGetInt64(out var n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw ServingException.BadRequest("Bad entity key", $"Entity key '{joinKey}' must be a string (or an integer); got {value.ValueKind.ToString().ToLowerInvariant()}."),
        };
        if (key.Length is 0 or > MaxKeyLength)
        {
            throw ServingException.BadRequest("Bad entity key", $"Entity key '{joinKey}' must be 1 to {MaxKeyLength} characters; got {key.Length}.");
        }

        return key;
    }
}
