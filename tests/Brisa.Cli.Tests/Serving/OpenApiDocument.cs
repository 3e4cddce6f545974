using System.Globalization;
using System.Text.Json;
using Brisa.Testing;
using YamlDotNet.RepresentationModel;

namespace Brisa.Cli.Tests.Serving;

/// <summary>
/// docs/openapi.yaml, read to check real answers against it: the schema of an operation's answer for a status and
/// media type, and a validator for the part of OpenAPI 3.0's schemas the document uses. It is stricter than JSON Schema
/// in one way, on purpose: an object schema that lists <c>properties</c> without <c>additionalProperties</c> is closed,
/// so a field the API sends and the document does not name is reported.
/// </summary>
public sealed class OpenApiDocument
{
    private readonly YamlMappingNode root;

    private OpenApiDocument(YamlMappingNode root) => this.root = root;

    /// <summary>The repository's document.</summary>
    public static OpenApiDocument Load()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, "docs", "openapi.yaml"));
        stream.Load(reader);
        return new OpenApiDocument((YamlMappingNode)stream.Documents[0].RootNode);
    }

    /// <summary>
    /// The schema documented for <paramref name="method"/> on <paramref name="path"/> (under <c>/api/</c>, query ignored)
    /// answering <paramref name="status"/> as <paramref name="mediaType"/>; a message saying what is missing otherwise.
    /// </summary>
    public (YamlNode? Schema, string? Missing) AnswerSchema(string method, string path, int status, string mediaType)
    {
        var route = "/api/" + path.Split('?')[0];
        var paths = (YamlMappingNode)root["paths"];
        var template = paths.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!)
            .Where(t => Matches(t, route))
            .OrderBy(t => t.Count(c => c == '{'))
            .FirstOrDefault();
        if (template is null)
        {
            return (null, $"no path in docs/openapi.yaml matches {route}");
        }

        if (!((YamlMappingNode)paths[template]).Children.TryGetValue(new YamlScalarNode(method.ToLowerInvariant()), out var operation))
        {
            return (null, $"{template} documents no {method}");
        }

        var responses = (YamlMappingNode)((YamlMappingNode)operation)["responses"];
        if (!responses.Children.TryGetValue(new YamlScalarNode(status.ToString(CultureInfo.InvariantCulture)), out var response))
        {
            return (null, $"{method} {template} documents no {status} answer");
        }

        var content = Resolve(response) is YamlMappingNode r && r.Children.TryGetValue(new YamlScalarNode("content"), out var c) ? (YamlMappingNode)c : null;
        if (content is null || !content.Children.TryGetValue(new YamlScalarNode(mediaType), out var media))
        {
            return (null, $"{method} {template} {status} documents no {mediaType} content");
        }

        return (((YamlMappingNode)media)["schema"], null);
    }

    /// <summary>The request body examples: method, path (under <c>/api/</c>, as templated), media type and the example as JSON.</summary>
    public IEnumerable<(string Method, string Path, string MediaType, string Json)> RequestExamples()
    {
        foreach (var (path, item) in (YamlMappingNode)root["paths"])
        {
            foreach (var (method, operation) in (YamlMappingNode)item)
            {
                if (!((YamlMappingNode)operation).Children.TryGetValue(new YamlScalarNode("requestBody"), out var body))
                {
                    continue;
                }

                foreach (var (mediaType, media) in (YamlMappingNode)((YamlMappingNode)body)["content"])
                {
                    if (((YamlMappingNode)media).Children.TryGetValue(new YamlScalarNode("example"), out var example))
                    {
                        yield return (((YamlScalarNode)method).Value!.ToUpperInvariant(), ((YamlScalarNode)path).Value!["/api/".Length..], ((YamlScalarNode)mediaType).Value!, ToJson(example));
                    }
                }
            }
        }
    }

    /// <summary>Where <paramref name="value"/> does not fit <paramref name="schema"/>, one line per problem.</summary>
    public List<string> Validate(YamlNode schema, JsonElement value, string at = "$")
    {
        var problems = new List<string>();
        var s = (YamlMappingNode)Resolve(schema);
        if (value.ValueKind == JsonValueKind.Null)
        {
            // OpenAPI 3.0: null fits a schema marked nullable, or one without a type (any value).
            if (Text(s, "nullable") != "true" && s.Children.ContainsKey(new YamlScalarNode("type")))
            {
                problems.Add($"{at}: null, not nullable in the document");
            }

            return problems;
        }

        if (s.Children.TryGetValue(new YamlScalarNode("allOf"), out var allOf))
        {
            foreach (var part in (YamlSequenceNode)allOf)
            {
                problems.AddRange(Validate(part, value, at));
            }
        }

        if (s.Children.TryGetValue(new YamlScalarNode("oneOf"), out var oneOf))
        {
            var fits = ((YamlSequenceNode)oneOf).Count(option => Validate(option, value, at).Count == 0);
            if (fits != 1)
            {
                problems.Add($"{at}: {value.GetRawText()} fits {fits} of the oneOf options, not one");
            }
        }

        if (s.Children.TryGetValue(new YamlScalarNode("enum"), out var allowed)
            && !((YamlSequenceNode)allowed).Cast<YamlScalarNode>().Any(e => value.ValueKind == JsonValueKind.String ? e.Value == value.GetString() : e.Value == value.GetRawText()))
        {
            problems.Add($"{at}: {value.GetRawText()} is not one of the documented values");
        }

        switch (Text(s, "type"))
        {
            case "object":
                problems.AddRange(ValidateObject(s, value, at));
                break;
            case "array" when value.ValueKind != JsonValueKind.Array:
                problems.Add($"{at}: {value.ValueKind}, documented as an array");
                break;
            case "array":
                var items = s.Children.TryGetValue(new YamlScalarNode("items"), out var itemSchema) ? itemSchema : null;
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    problems.AddRange(items is null ? [] : Validate(items, item, $"{at}[{index}]"));
                    index++;
                }

                break;
            case "string" when value.ValueKind != JsonValueKind.String:
                problems.Add($"{at}: {value.ValueKind}, documented as a string");
                break;
            case "string" when Text(s, "format") == "date-time" && !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _):
                problems.Add($"{at}: '{value.GetString()}' is not a date-time");
                break;
            case "integer" when value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out _):
                problems.Add($"{at}: {value.GetRawText()}, documented as an integer");
                break;
            case "number" when value.ValueKind != JsonValueKind.Number:
                problems.Add($"{at}: {value.GetRawText()}, documented as a number");
                break;
            case "boolean" when value.ValueKind is not (JsonValueKind.True or JsonValueKind.False):
                problems.Add($"{at}: {value.GetRawText()}, documented as a boolean");
                break;
        }

        return problems;
    }

    private List<string> ValidateObject(YamlMappingNode s, JsonElement value, string at)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return [$"{at}: {value.ValueKind}, documented as an object"];
        }

        var problems = new List<string>();
        var properties = s.Children.TryGetValue(new YamlScalarNode("properties"), out var p) ? (YamlMappingNode)p : null;
        var additional = s.Children.TryGetValue(new YamlScalarNode("additionalProperties"), out var a) ? a : null;
        if (s.Children.TryGetValue(new YamlScalarNode("required"), out var required))
        {
            problems.AddRange(((YamlSequenceNode)required).Cast<YamlScalarNode>().Where(r => !value.TryGetProperty(r.Value!, out _)).Select(r => $"{at}.{r.Value}: required, not in the answer"));
        }

        foreach (var property in value.EnumerateObject())
        {
            if (properties is not null && properties.Children.TryGetValue(new YamlScalarNode(property.Name), out var propertySchema))
            {
                problems.AddRange(Validate(propertySchema, property.Value, $"{at}.{property.Name}"));
            }
            else if (additional is YamlMappingNode additionalSchema)
            {
                problems.AddRange(Validate(additionalSchema, property.Value, $"{at}.{property.Name}"));
            }
            else if (additional is YamlScalarNode { Value: "true" } || (additional is null && properties is null))
            {
                continue;
            }
            else
            {
                problems.Add($"{at}.{property.Name}: in the answer, not in the document");
            }
        }

        return problems;
    }

    // YAML as JSON: a plain scalar that reads as a number or a boolean is one (as YAML 1.2's core schema reads it).
    private static string ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => "{" + string.Join(",", m.Children.Select(p => JsonSerializer.Serialize(((YamlScalarNode)p.Key).Value) + ":" + ToJson(p.Value))) + "}",
        YamlSequenceNode l => "[" + string.Join(",", l.Children.Select(ToJson)) + "]",
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "true" or "false" or "null" } v => v.Value!,
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } v when double.TryParse(v.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) => v.Value!,
        YamlScalarNode v => JsonSerializer.Serialize(v.Value),
        _ => throw new InvalidOperationException("an example node of an unknown kind"),
    };

    private YamlNode Resolve(YamlNode node)
    {
        while (node is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode("$ref"), out var reference))
        {
            node = ((YamlScalarNode)reference).Value!.TrimStart('#', '/').Split('/').Aggregate((YamlNode)root, (n, part) => ((YamlMappingNode)n)[part]);
        }

        return node;
    }

    private static string? Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (value as YamlScalarNode)?.Value : null;

    private static bool Matches(string template, string route)
    {
        var a = template.Split('/');
        var b = route.Split('/');
        return a.Length == b.Length && a.Zip(b).All(x => x.First.StartsWith('{') || x.First == x.Second);
    }
}
