using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Brisa.Core.Definitions;

/// <summary>Collects diagnostics for one file.</summary>
internal sealed class DiagnosticBag(string file)
{
    public string File { get; } = file;

    public List<DefinitionDiagnostic> Items { get; } = [];

    public bool HasErrors => Items.Exists(d => d.IsError);

    /// <summary>False for definitions without a YAML source (read from JSON): diagnostics then have line and column 0.</summary>
    public bool HasPositions { get; init; } = true;

    private int Line(Mark mark) => HasPositions ? (int)mark.Line : 0;

    private int Column(Mark mark) => HasPositions ? (int)mark.Column : 0;

    /// <summary>True for stored definitions: a policy rule they break (<see cref="DiagnosticCodes.IsPolicy"/>) is a warning.</summary>
    public bool PolicyAsWarnings { get; init; }

    public void Error(Mark mark, string code, string message, string? hint) =>
        Items.Add(new DefinitionDiagnostic(File, Line(mark), Column(mark), PolicyAsWarnings && DiagnosticCodes.IsPolicy(code) ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, code, message, hint));

    public void Warning(Mark mark, string code, string message, string? hint) =>
        Items.Add(new DefinitionDiagnostic(File, Line(mark), Column(mark), DiagnosticSeverity.Warning, code, message, hint));

    public IReadOnlyList<DefinitionDiagnostic> Sorted() =>
        [.. Items.OrderBy(d => d.Line).ThenBy(d => d.Column).ThenBy(d => d.Code, StringComparer.Ordinal)];
}

/// <summary>Where an object of the typed model came from: its mapping and each key's key and value nodes.</summary>
internal sealed class NodeLocation(Mark start)
{
    public Mark Start { get; } = start;

    public Dictionary<string, YamlNode> Keys { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, YamlNode> Values { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Broken { get; } = new(StringComparer.Ordinal);
}

/// <summary>Maps typed-model objects (by reference) to their YAML locations. Empty for definitions read from JSON.</summary>
internal sealed class SourceMap
{
    private readonly Dictionary<object, NodeLocation> map = new(ReferenceEqualityComparer.Instance);

    public void Add(object owner, NodeLocation location) => map[owner] = location;

    /// <summary>The mark of a key's value, else of the owner's mapping, else an unknown position.</summary>
    public Mark Value(object owner, string? key = null)
    {
        if (!map.TryGetValue(owner, out var location))
        {
            return Mark.Empty;
        }

        return key is not null && location.Values.TryGetValue(key, out var node) ? node.Start : location.Start;
    }

    /// <summary>The mark of an item of a list value.</summary>
    public Mark Item(object owner, string key, int index) =>
        map.TryGetValue(owner, out var location) && location.Values.TryGetValue(key, out var node) && node is YamlSequenceNode sequence && index < sequence.Children.Count
            ? sequence.Children[index].Start
            : Value(owner, key);

    public YamlNode? ValueNode(object owner, string key) =>
        map.TryGetValue(owner, out var location) && location.Values.TryGetValue(key, out var node) ? node : null;

    public bool IsBroken(object owner, string key) => map.TryGetValue(owner, out var location) && location.Broken.Contains(key);
}

/// <summary>Reads one YAML mapping against a fixed set of keys, reporting every problem.</summary>
internal sealed partial class MapReader
{
    private readonly DiagnosticBag bag;
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> suggested = new(StringComparer.Ordinal);

    public MapReader(YamlMappingNode node, string kind, IReadOnlyList<string> keys, DiagnosticBag bag, bool named = true)
    {
        this.bag = bag;
        Node = node;
        Kind = kind;
        Location = new NodeLocation(node.Start);
        var name = node.Children.TryGetValue(new YamlScalarNode("name"), out var nameNode) && nameNode is YamlScalarNode { Value: { Length: > 0 } n } ? n : null;
        What = name is null || !named ? kind : $"{kind} '{name}'";
        foreach (var (keyNode, valueNode) in node.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                bag.Error(keyNode.Start, DiagnosticCodes.NodeKind, $"expected a key name in {What} but found a {KindOf(keyNode)}", "Keys are plain names such as 'name'.");
                continue;
            }

            if (!keys.Contains(key))
            {
                var closest = NameSuggestions.Closest(key, keys);
                if (closest is not null)
                {
                    suggested.Add(closest);
                }

                var hint = (closest is null ? string.Empty : $"Did you mean '{closest}'? ") + $"Valid keys: {string.Join(", ", keys)}";
                bag.Error(keyNode.Start, DiagnosticCodes.UnknownKey, $"unknown key '{key}' in {What}", hint);
                continue;
            }

            entries[key] = ((YamlScalarNode)keyNode, valueNode);
            Location.Keys[key] = keyNode;
            Location.Values[key] = valueNode;
        }
    }

    public YamlMappingNode Node { get; }

    public string Kind { get; }

    /// <summary>How messages name this mapping, e.g. "entity 'customer'".</summary>
    public string What { get; }

    public NodeLocation Location { get; }

    public static string KindOf(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        _ => "single value",
    };

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>The value node, or null when absent or null (reporting a missing required key).</summary>
    public YamlNode? Get(string key, bool required)
    {
        if (entries.TryGetValue(key, out var entry) && !IsNull(entry.Value))
        {
            return entry.Value;
        }

        // A typo of this key was already reported as an unknown key with this key as the suggestion.
        if (required && !suggested.Contains(key))
        {
            bag.Error(Node.Start, DiagnosticCodes.MissingKey, $"missing required key '{key}' in {What}", $"Add '{key}:' to the {Kind}.");
        }

        if (required)
        {
            Location.Broken.Add(key);
        }

        return null;
    }

    public string? Scalar(string key, bool required = false)
    {
        var node = Get(key, required);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? string.Empty;
        }

        bag.Error(node.Start, DiagnosticCodes.NodeKind, $"expected a single value for '{key}' in {What} but found a {KindOf(node)}", null);
        Location.Broken.Add(key);
        return null;
    }

    public string? Name(string key = "name", bool required = true)
    {
        var value = Scalar(key, required);
        if (value is not null && !CheckName(bag, Location.Values[key], value, key == "name" ? Kind : key))
        {
            // Keep the name so references to it do not cascade; the error is already reported.
        }

        return value;
    }

    public static bool CheckName(DiagnosticBag bag, YamlNode node, string value, string what)
    {
        if (IsValidName(value))
        {
            return true;
        }

        var fixedName = SuggestName(value);
        var hint = "Names are lowercase snake_case: a letter, then letters, digits or '_'" + (fixedName is null ? "." : $", e.g. '{fixedName}'.");
        bag.Error(node.Start, DiagnosticCodes.InvalidName, $"invalid {what} name '{value}'", hint);
        return false;
    }

    public static bool IsValidName(string value)
    {
        if (value.Length == 0 || value[0] is < 'a' or > 'z')
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static string? SuggestName(string value)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var c in value.Trim())
        {
            if (c is >= 'A' and <= 'Z')
            {
                if (builder.Length > 0 && builder[^1] != '_')
                {
                    builder.Append('_');
                }

                builder.Append((char)(c + 32));
            }
            else if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '_')
            {
                builder.Append('_');
            }
        }

        var result = builder.ToString().Trim('_');
        return IsValidName(result) ? result : null;
    }

    public double? Number(string key, bool required = false)
    {
        var text = Scalar(key, required);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        bag.Error(Location.Values[key].Start, DiagnosticCodes.InvalidValue, $"'{key}' of {What} must be a number but is '{text}'", "Write a number such as 5, 0.25 or 1e6.");
        Location.Broken.Add(key);
        return null;
    }

    public long? Integer(string key)
    {
        var text = Scalar(key);
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        bag.Error(Location.Values[key].Start, DiagnosticCodes.InvalidValue, $"'{key}' of {What} must be a whole number but is '{text}'", "Write an integer such as 1000.");
        Location.Broken.Add(key);
        return null;
    }

    public bool? Boolean(string key)
    {
        var text = Scalar(key);
        switch (text)
        {
            case null:
                return null;
            case "true":
                return true;
            case "false":
                return false;
            default:
                bag.Error(Location.Values[key].Start, DiagnosticCodes.InvalidValue, $"'{key}' of {What} must be true or false but is '{text}'", "Write true or false.");
                Location.Broken.Add(key);
                return null;
        }
    }

    public TimeSpan? Duration(string key, bool required = false)
    {
        var text = Scalar(key, required);
        if (text is null)
        {
            return null;
        }

        if (Durations.TryParse(text, out var duration))
        {
            return duration;
        }

        bag.Error(Location.Values[key].Start, DiagnosticCodes.InvalidDuration, $"invalid duration '{text}' for '{key}' of {What}", DurationHint(text));
        Location.Broken.Add(key);
        return null;
    }

    private static string DurationHint(string text)
    {
        const string Rule = "Write a positive whole number followed by s, m, h or d, e.g. 30s, 5m, 1h or 7d";
        var trimmed = text.Trim();
        var digits = new string([.. trimmed.TakeWhile(char.IsAsciiDigit)]);
        var unit = trimmed[digits.Length..].Trim();
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["sec"] = "s", ["secs"] = "s", ["second"] = "s", ["seconds"] = "s",
            ["min"] = "m", ["mins"] = "m", ["minute"] = "m", ["minutes"] = "m",
            ["hr"] = "h", ["hrs"] = "h", ["hour"] = "h", ["hours"] = "h",
            ["day"] = "d", ["days"] = "d", ["w"] = "w", ["week"] = "w", ["weeks"] = "w",
            ["S"] = "s", ["M"] = "m", ["H"] = "h", ["D"] = "d",
        };
        if (digits.Length > 0 && digits.TrimStart('0').Length > 0 && map.TryGetValue(unit, out var u))
        {
            // Well formed but longer than any duration (the digits may not even fit a long): say so, not the syntax.
            if (digits.TrimStart('0').Length > 9 || long.Parse(digits, CultureInfo.InvariantCulture) * UnitSeconds[u] > (long)Durations.Max.TotalSeconds)
            {
                return TooLong;
            }

            var count = long.Parse(digits, CultureInfo.InvariantCulture);
            var suggestion = u == "w" ? $"{count * 7}d" : $"{count}{u}";
            return $"Did you mean '{suggestion}'? {Rule}.";
        }

        // A fraction or a sum of units ('1.5h', '1h30m'): the same time in one unit, when it is a whole number of seconds.
        var parts = DurationParts().Match(trimmed);
        if (parts.Success)
        {
            var seconds = 0m;
            foreach (Capture part in parts.Groups["part"].Captures)
            {
                var amount = DurationPart().Match(part.Value);
                if (!map.TryGetValue(amount.Groups["unit"].Value, out var partUnit))
                {
                    return Rule + ".";
                }

                seconds += decimal.Parse(amount.Groups["count"].Value, CultureInfo.InvariantCulture) * UnitSeconds[partUnit];
            }

            if (seconds > (decimal)Durations.Max.TotalSeconds)
            {
                return TooLong;
            }

            if (seconds > 0 && seconds == decimal.Truncate(seconds))
            {
                return $"Did you mean '{Durations.Format(TimeSpan.FromSeconds((double)seconds))}'? {Rule}.";
            }
        }

        return Rule + ".";
    }

    private static readonly string TooLong = $"A duration is at most {Durations.Format(Durations.Max)} (ten years).";

    private static readonly Dictionary<string, long> UnitSeconds = new(StringComparer.Ordinal) { ["s"] = 1, ["m"] = 60, ["h"] = 3600, ["d"] = 86400, ["w"] = 7 * 86400 };

    [GeneratedRegex(@"^(?<part>\d{1,9}(\.\d{1,9})?\s*[A-Za-z]+\s*)+$")]
    private static partial Regex DurationParts();

    [GeneratedRegex(@"^(?<count>\d{1,9}(\.\d{1,9})?)\s*(?<unit>[A-Za-z]+)\s*$")]
    private static partial Regex DurationPart();

    public YamlSequenceNode? Sequence(string key, bool required = false)
    {
        var node = Get(key, required);
        if (node is null or YamlSequenceNode)
        {
            return (YamlSequenceNode?)node;
        }

        bag.Error(node.Start, DiagnosticCodes.NodeKind, $"expected a list for '{key}' in {What} but found a {KindOf(node)}", $"Write '{key}:' followed by items starting with '- ', or [a, b].");
        Location.Broken.Add(key);
        return null;
    }

    public YamlMappingNode? Mapping(string key, bool required = false)
    {
        var node = Get(key, required);
        if (node is null or YamlMappingNode)
        {
            return (YamlMappingNode?)node;
        }

        bag.Error(node.Start, DiagnosticCodes.NodeKind, $"expected a mapping for '{key}' in {What} but found a {KindOf(node)}", $"Write '{key}:' followed by indented 'key: value' lines, or {{ key: value }}.");
        Location.Broken.Add(key);
        return null;
    }

    /// <summary>A list of single values (e.g. model features), with null entries for items that are not single values.</summary>
    public List<string?> ScalarList(string key, bool required = false)
    {
        var result = new List<string?>();
        var sequence = Sequence(key, required);
        if (sequence is null)
        {
            return result;
        }

        foreach (var item in sequence.Children)
        {
            if (item is YamlScalarNode scalar && !IsNull(item))
            {
                result.Add(scalar.Value);
            }
            else
            {
                bag.Error(item.Start, DiagnosticCodes.NodeKind, $"expected a single value in '{key}' of {What} but found a {(IsNull(item) ? "null" : KindOf(item))}", null);
                result.Add(null);
            }
        }

        return result;
    }

    /// <summary>An enum value by its YAML name, reporting unknown names with the valid choices.</summary>
    public T? Enum<T>(string key, NameTable<T> table, bool required, string code, string what)
        where T : struct, Enum
    {
        var text = Scalar(key, required);
        if (text is null)
        {
            return null;
        }

        if (table.TryParse(text, out var value))
        {
            return value;
        }

        var closest = NameSuggestions.Closest(text, table.Names);
        var hint = (closest is null ? string.Empty : $"Did you mean '{closest}'? ") + $"Valid {what}s: {string.Join(", ", table.Names)}";
        bag.Error(Location.Values[key].Start, code, $"unknown {what} '{text}' in {What}", hint);
        Location.Broken.Add(key);
        return null;
    }
}
