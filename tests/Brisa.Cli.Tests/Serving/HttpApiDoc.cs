using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Serving;

/// <summary>
/// The examples of docs/http-api.md, read from the markdown: each <c>curl</c> line of a bash block as a request, and
/// the JSON block right after a bash block of one <c>curl</c> as that request's answer.
/// </summary>
public static partial class HttpApiDoc
{
    /// <summary>The document, from the repository root.</summary>
    public static string Path { get; } = System.IO.Path.Combine(RepositoryPaths.Root, "docs", "http-api.md");

    private static readonly (List<DocExample> Examples, List<(int Line, string Json)> Unpaired) Parsed = Read(File.ReadAllText(Path));

    /// <summary>Every curl request in the document, in order, each with the answer shown after it (or null).</summary>
    public static IReadOnlyList<DocExample> Examples => Parsed.Examples;

    /// <summary>The JSON answers shown without a request before them, with the line each starts on.</summary>
    public static IReadOnlyList<(int Line, string Json)> UnpairedAnswers => Parsed.Unpaired;

    private static (List<DocExample>, List<(int, string)>) Read(string markdown)
    {
        var examples = new List<DocExample>();
        var unpaired = new List<(int, string)>();
        var lines = markdown.Split('\n');
        List<DocRequest>? previous = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = lines[i].Trim();
            if (!fence.StartsWith("```", StringComparison.Ordinal))
            {
                if (lines[i].Trim().Length > 0)
                {
                    previous = null;
                }

                continue;
            }

            var end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            Assert.True(end > i, $"docs/http-api.md:{i + 1}: a block that is not closed");
            var body = string.Join('\n', lines[(i + 1)..end]);
            if (fence == "```bash")
            {
                previous = [.. Curl.Parse(body).Select(request => request with { Line = i + 2 + request.Line })];
                examples.AddRange(previous.Select(request => new DocExample(request, null, 0)));
            }
            else if (fence == "```json")
            {
                if (previous is [var only])
                {
                    examples[^1] = new DocExample(only, body, i + 2);
                }
                else
                {
                    unpaired.Add((i + 2, body));
                }

                previous = null;
            }

            i = end;
        }

        return (examples, unpaired);
    }

    /// <summary>
    /// Differences between a documented answer and a real one: every property the document shows must be there (a
    /// <c>"…"</c> property says the object has more; without one, the real object may have no other), of the same JSON
    /// kind (null goes with any), array items item by item (the document may show fewer). Strings must be equal, but
    /// for version ids and times (ISO 8601, or compact as in a run id: any of that form) and a trailing <c>…</c> or <c>...</c> (a prefix); numbers and
    /// booleans are data, but for a problem's <c>status</c>, the counts of a push and <c>healthy</c>.
    /// </summary>
    public static List<string> Compare(JsonElement documented, JsonElement actual, string path = "$")
    {
        var differences = new List<string>();
        if (documented.ValueKind == JsonValueKind.Null || actual.ValueKind == JsonValueKind.Null)
        {
            return differences;
        }

        if (documented.ValueKind == JsonValueKind.String && documented.GetString() is "…" or "...")
        {
            return differences;
        }

        if (Kind(documented) != Kind(actual))
        {
            differences.Add($"{path}: documented {documented.ValueKind} ({documented.GetRawText()}), answered {actual.ValueKind} ({actual.GetRawText()})");
            return differences;
        }

        switch (documented.ValueKind)
        {
            case JsonValueKind.Object:
                var open = false;
                foreach (var property in documented.EnumerateObject())
                {
                    if (property.Name is "…" or "...")
                    {
                        open = true;
                    }
                    else if (actual.TryGetProperty(property.Name, out var value))
                    {
                        differences.AddRange(Compare(property.Value, value, $"{path}.{property.Name}"));
                    }
                    else
                    {
                        differences.Add($"{path}.{property.Name}: documented, not in the answer");
                    }
                }

                if (!open)
                {
                    differences.AddRange(actual.EnumerateObject().Where(p => !documented.TryGetProperty(p.Name, out _)).Select(p => $"{path}.{p.Name}: in the answer, not documented (or say '\"…\":\"…\"')"));
                }

                break;
            case JsonValueKind.Array:
                var documentedItems = documented.EnumerateArray().ToList();
                var actualItems = actual.EnumerateArray().ToList();
                if (documentedItems.Count > actualItems.Count)
                {
                    differences.Add($"{path}: {documentedItems.Count} items documented, {actualItems.Count} answered");
                }

                for (var i = 0; i < Math.Min(documentedItems.Count, actualItems.Count); i++)
                {
                    differences.AddRange(Compare(documentedItems[i], actualItems[i], $"{path}[{i}]"));
                }

                break;
            case JsonValueKind.String:
                if (!StringPattern(documented.GetString()!).IsMatch(actual.GetString()!))
                {
                    differences.Add($"{path}: documented \"{documented.GetString()}\", answered \"{actual.GetString()}\"");
                }

                break;
            default:
                var name = path[(path.LastIndexOf('.') + 1)..];
                if (name is "status" or "accepted" or "rejected" or "healthy" && documented.GetRawText() != actual.GetRawText())
                {
                    differences.Add($"{path}: documented {documented.GetRawText()}, answered {actual.GetRawText()}");
                }

                break;
        }

        return differences;
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "bool",
        var kind => kind.ToString(),
    };

    // A documented string as a pattern: version ids and ISO times stand for any, a trailing ellipsis for any rest.
    private static Regex StringPattern(string documented)
    {
        var pattern = Regex.Escape(documented);
        pattern = VersionId().Replace(pattern, @"v\d{17}-[0-9a-f]{8}");
        pattern = Timestamp().Replace(pattern, @"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)");
        pattern = CompactTime().Replace(pattern, @"\d{8}T\d\d(\d{7}Z)?");
        pattern = Ellipsis().Replace(pattern, ".*");
        return new Regex("^" + pattern + "$", RegexOptions.Singleline);
    }

    [GeneratedRegex(@"v\d{17}-[0-9a-f]{8}")]
    private static partial Regex VersionId();

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\\\.\d+)?(Z|\\?[+-]\d\d:\d\d)")]
    private static partial Regex Timestamp();

    // A run id's times: 20261129T170004512Z, 20261128T00.
    [GeneratedRegex(@"\d{8}T\d\d(\d{7}Z)?")]
    private static partial Regex CompactTime();

    [GeneratedRegex(@"(…|\\\.\\\.\\\.)")]
    private static partial Regex Ellipsis();
}

/// <summary>A documented request and the answer the document shows for it.</summary>
/// <param name="Request">The request.</param>
/// <param name="Answer">The JSON shown after it, or null.</param>
/// <param name="AnswerLine">The line the answer starts on.</param>
public sealed record DocExample(DocRequest Request, string? Answer, int AnswerLine)
{
    /// <summary>For the theory's name.</summary>
    public override string ToString() => $"docs/http-api.md:{Request.Line} {Request.Method} {Request.Url}";
}

/// <summary>A request read from a curl command line.</summary>
/// <param name="Line">Where it starts (in its block while parsing, then in the document).</param>
/// <param name="Method">The method.</param>
/// <param name="Url">The URL as written (variables expanded).</param>
/// <param name="Headers">Headers, as written.</param>
/// <param name="Body">The body, or null.</param>
public sealed record DocRequest(int Line, string Method, string Url, IReadOnlyList<(string Name, string Value)> Headers, string? Body);

/// <summary>Reads curl command lines as bash would split them, with the few options the docs use.</summary>
public static class Curl
{
    /// <summary>The documented key variable, as the test expands it.</summary>
    public const string KeyVariable = "BRISA_FUNCTION_KEY";

    /// <summary>Every line of a bash block that starts with <c>curl</c> (continued with a backslash), as a request.</summary>
    public static IEnumerable<DocRequest> Parse(string block)
    {
        var lines = block.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var start = i;
            var command = new StringBuilder(lines[i]);
            while (i + 1 < lines.Length)
            {
                var text = command.ToString().TrimEnd();
                if (text.EndsWith('\\'))
                {
                    command.Clear().Append(text[..^1]).Append(' ').Append(lines[++i]);
                }
                else if (text.Count(c => c == '\'') % 2 == 1)
                {
                    // A quoted body that goes on over the next line.
                    command.Append('\n').Append(lines[++i]);
                }
                else
                {
                    break;
                }
            }

            var words = Words(command.ToString());
            if (words is ["curl", ..])
            {
                yield return ToRequest(start, words);
            }
        }
    }

    private static DocRequest ToRequest(int line, List<string> words)
    {
        string? method = null, url = null, body = null;
        var headers = new List<(string, string)>();
        for (var i = 1; i < words.Count; i++)
        {
            switch (words[i])
            {
                case "-s" or "-sf" or "-f":
                    break;
                case "-X":
                    method = words[++i];
                    break;
                case "-H":
                    var header = words[++i];
                    var colon = header.IndexOf(':', StringComparison.Ordinal);
                    headers.Add((header[..colon].Trim(), header[(colon + 1)..].Trim()));
                    break;
                case "-d":
                    body = words[++i];
                    break;
                case var word when word.StartsWith("http", StringComparison.Ordinal):
                    url = word;
                    break;
                case var word:
                    throw new InvalidOperationException($"curl option or word '{word}' is not one the doc test reads (line {line + 1} of its block)");
            }
        }

        return new DocRequest(line, method ?? (body is null ? "GET" : "POST"), url ?? throw new InvalidOperationException("curl without a URL"), headers, body);
    }

    // Bash words: single quotes literal, double quotes and bare words with $VAR expanded (to $VAR: the test fills it), '#' a comment.
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            if (c == '#' && !inWord)
            {
                break;
            }

            inWord = true;
            if (c == '\'')
            {
                var close = line.IndexOf('\'', i + 1);
                word.Append(line, i + 1, close - i - 1);
                i = close;
            }
            else if (c == '"')
            {
                var close = line.IndexOf('"', i + 1);
                word.Append(line, i + 1, close - i - 1);
                i = close;
            }
            else
            {
                word.Append(c);
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
