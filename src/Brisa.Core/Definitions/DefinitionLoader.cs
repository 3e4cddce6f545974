using System.Globalization;
using Brisa.Core.Aggregation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Brisa.Core.Definitions;

/// <summary>
/// Loads a definition file (YAML, snake_case keys) into a <see cref="FeatureRepositoryDefinition"/>,
/// collecting every problem as a <see cref="DefinitionDiagnostic"/> with its line and column.
/// </summary>
public static class DefinitionLoader
{
    private static readonly string[] RootKeys = ["project", "description", "entities", "sources", "label_sources", "feature_views", "on_demand_features", "models"];
    private static readonly string[] EntityKeys = ["name", "join_key", "description"];
    private static readonly string[] SourceKeys = ["name", "event_type", "id_field", "timestamp_field", "description", "fields"];
    private static readonly string[] FieldKeys = ["name", "type", "required", "min", "max", "allowed", "description"];
    private static readonly string[] RequestFieldKeys = ["name", "type", "description"];
    private static readonly string[] ViewKeys = ["name", "entity", "source", "tile", "ttl", "online", "streaming", "description", "owner", "tags", "features"];
    private static readonly string[] FeatureKeys = ["name", "field", "aggregation", "window", "description"];
    private static readonly string[] OnDemandKeys = ["name", "type", "request_fields", "expression", "description"];
    private static readonly string[] ModelKeys = ["name", "description", "owner", "task", "observation_source", "label", "features", "request_fields", "trainer", "split", "schedule", "promotion", "cost", "drift", "serving"];
    private static readonly string[] LabelKeys = ["source", "key", "within", "value"];
    private static readonly string[] TrainerKeys = ["name", "parameters"];
    private static readonly string[] SplitKeys = ["validation", "training", "gap"];
    private static readonly string[] PromotionKeys = ["metric", "margin", "min_rows", "min_positives", "max_missing_fraction"];
    private static readonly string[] CostKeys = ["false_negative", "false_positive", "true_positive", "currency", "currency_field", "exchange_rates"];
    private static readonly string[] DriftKeys = ["psi_warn", "psi_alert", "retrain_on_alert", "live_min_labels", "live_min_positives", "live_auc_warn", "live_auc_alert", "live_mae_warn", "live_mae_alert"];
    private static readonly string[] ServingKeys = ["shadow_challenger"];

    /// <summary>Reads a definition file and parses it (the only I/O in Brisa.Core's definitions).</summary>
    /// <param name="path">The file path; diagnostics name the file by its file name.</param>
    /// <returns>The definitions and diagnostics.</returns>
    public static DefinitionLoadResult Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllText(path), Path.GetFileName(path));
    }

    /// <summary>Parses and validates definition YAML. Pure: no I/O.</summary>
    /// <param name="yamlText">The YAML text.</param>
    /// <param name="fileName">The name diagnostics report (e.g. <c>features.yaml</c>).</param>
    /// <returns>The definitions (null when there are errors) and every diagnostic, sorted by position.</returns>
    public static DefinitionLoadResult Parse(string yamlText, string fileName)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(fileName);
        var bag = new DiagnosticBag(fileName);
        var stream = new YamlStream();
        try
        {
            stream.Load(new DepthLimitedParser(new Parser(new StringReader(yamlText))));
        }
        catch (AnchorNotFoundException)
        {
            ReportUndefinedAlias(bag, yamlText);
            return new DefinitionLoadResult(null, bag.Sorted());
        }
        catch (NestedTooDeepException e)
        {
            bag.Error(e.Start, DiagnosticCodes.Syntax, $"invalid YAML: lists and mappings are nested more than {MaxDepth} deep", "A definitions file needs a few levels; check the indentation, and that brackets are closed where they should be.");
            return new DefinitionLoadResult(null, bag.Sorted());
        }
        catch (YamlException e)
        {
            ReportYamlException(bag, yamlText, e);
            return new DefinitionLoadResult(null, bag.Sorted());
        }
        catch (ArgumentException)
        {
            // YamlDotNet's parser takes a stray alias after a value ('a: "x" *b') as a key, and its representation
            // model then throws without a position when that key has no value.
            ReportStrayAlias(bag, yamlText);
            return new DefinitionLoadResult(null, bag.Sorted());
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner can fail without a position (e.g. an unclosed '[' at the end of a line):
            // report where the last complete YAML event ended.
            bag.Error(LastGoodMark(yamlText), DiagnosticCodes.Syntax, "invalid YAML: could not parse past this point", SyntaxHint);
            return new DefinitionLoadResult(null, bag.Sorted());
        }

        if (stream.Documents.Count == 0 || MapReader.IsNull(stream.Documents[0].RootNode))
        {
            bag.Error(new Mark(0, 1, 1), DiagnosticCodes.EmptyDocument, "the file is empty", "Start with 'project: <name>', then entities, sources, feature_views, on_demand_features and models.");
            return new DefinitionLoadResult(null, bag.Sorted());
        }

        if (stream.Documents.Count > 1)
        {
            bag.Error(stream.Documents[1].RootNode.Start, DiagnosticCodes.EmptyDocument, "the file holds more than one YAML document", "Keep one project per file; remove the '---' separator.");
        }

        var root = stream.Documents[0].RootNode;
        if (root is not YamlMappingNode rootMapping)
        {
            bag.Error(root.Start, DiagnosticCodes.NodeKind, $"expected a mapping at the top of the file but found a {MapReader.KindOf(root)}", "Start with 'project: <name>'.");
            return new DefinitionLoadResult(null, bag.Sorted());
        }

        var map = new SourceMap();
        var definitions = new Reader(bag, map).ReadRoot(rootMapping);
        var result = DefinitionValidator.Validate(definitions, bag, map);
        return result.Definitions is { } valid ? result with { Definitions = DefinitionValidator.WithCanonicalParameters(valid) } : result;
    }

    /// <summary>How deep lists and mappings may nest: a definitions file needs about six levels.</summary>
    internal const int MaxDepth = 100;

    // YamlDotNet builds its nodes recursively: nesting tens of thousands deep ('[[[[…') overflows the stack, which
    // kills the process with no message. The events are read iteratively, so the depth is checked on them first.
    private sealed class DepthLimitedParser(IParser inner) : IParser
    {
        private int depth;

        public YamlDotNet.Core.Events.ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (!inner.MoveNext())
            {
                return false;
            }

            switch (inner.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart when ++depth > MaxDepth:
                    throw new NestedTooDeepException(inner.Current.Start, inner.Current.End);
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    depth--;
                    break;
            }

            return true;
        }
    }

    private sealed class NestedTooDeepException(Mark start, Mark end) : YamlException(start, end, $"Lists and mappings are nested more than {MaxDepth} deep.");

    private const string SyntaxHint = "Check indentation (spaces, not tabs), that every 'key: value' has a space after the colon, and that brackets and quotes are closed.";

    private static Mark LastGoodMark(string text)
    {
        var parser = new Parser(new StringReader(text));
        var last = new Mark(0, 1, 1);
        try
        {
            while (parser.MoveNext())
            {
                last = parser.Current!.End;
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // Expected: this is the failure being located.
        }

        return last;
    }

    // YamlDotNet reports an alias without its anchor with no position: find the first such alias again.
    private static void ReportUndefinedAlias(DiagnosticBag bag, string text)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new List<string>();
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.AnchorAlias alias when !anchors.Contains(alias.Value.Value):
                    var closest = NameSuggestions.Closest(alias.Value.Value, anchors);
                    bag.Error(alias.Start, DiagnosticCodes.Syntax, $"invalid YAML: alias '*{alias.Value.Value}' names no anchor defined before it", (closest is null ? string.Empty : $"Did you mean '*{closest}'? ") + "An alias repeats a value marked '&name' earlier in the file.");
                    return;
                case YamlDotNet.Core.Events.NodeEvent { Anchor.IsEmpty: false } node:
                    anchors.Add(node.Anchor.Value);
                    break;
            }
        }

        bag.Error(new Mark(0, 1, 1), DiagnosticCodes.Syntax, "invalid YAML: an alias names no anchor defined before it", "An alias repeats a value marked '&name' earlier in the file.");
    }

    private static void ReportStrayAlias(DiagnosticBag bag, string text)
    {
        var parser = new Parser(new StringReader(text));
        YamlDotNet.Core.Events.ParsingEvent? previous = null;
        try
        {
            while (parser.MoveNext())
            {
                if (parser.Current is YamlDotNet.Core.Events.AnchorAlias alias && previous is YamlDotNet.Core.Events.Scalar && previous.End.Line == alias.Start.Line)
                {
                    bag.Error(alias.Start, DiagnosticCodes.Syntax, $"invalid YAML: alias '*{alias.Value.Value}' follows a value on the same line", "An alias stands for a whole value marked '&name' earlier: write it alone after a key ('key: *name') or as a list item ('- *name').");
                    return;
                }

                previous = parser.Current;
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // Reported below, where parsing stopped.
        }

        bag.Error(previous?.Start ?? new Mark(0, 1, 1), DiagnosticCodes.Syntax, "invalid YAML: could not parse past this point", SyntaxHint);
    }

    private static void ReportYamlException(DiagnosticBag bag, string text, YamlException e)
    {
        var inner = e.InnerException?.Message ?? string.Empty;
        if (e.Message.Contains("Duplicate key", StringComparison.OrdinalIgnoreCase) || inner.Contains("same key", StringComparison.OrdinalIgnoreCase))
        {
            var key = KeyAt(text, e.Start);
            bag.Error(e.Start, DiagnosticCodes.DuplicateKey, key is null ? "duplicate key" : $"duplicate key '{key}'", "Each key may appear once per mapping; remove or rename one of them.");
            return;
        }

        // YamlDotNet places a tab in the indentation at the start of the enclosing mapping or of the previous value,
        // lines above it: point at the tab itself.
        if (e.Message.Contains(" tab ", StringComparison.Ordinal) && IndentationTab(text, e.Start) is { } tab)
        {
            bag.Error(tab, DiagnosticCodes.Syntax, "invalid YAML: a tab indents this line", "Indent with spaces only: YAML does not accept tabs in indentation.");
            return;
        }

        var message = e.Message;
        var paren = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith('(') && paren > 0)
        {
            message = message[(paren + 3)..];
        }

        message = message.Trim().TrimEnd('.');
        if (message.Length > 0)
        {
            message = char.ToLowerInvariant(message[0]) + message[1..];
        }

        bag.Error(e.Start, DiagnosticCodes.Syntax, "invalid YAML: " + message, SyntaxHint);
    }

    // The first tab in a line's leading whitespace, at or after the line of `from`.
    private static Mark? IndentationTab(string text, Mark from)
    {
        var lines = text.Split('\n');
        for (var line = (int)Math.Max(from.Line, 1); line <= lines.Length; line++)
        {
            var content = lines[line - 1];
            for (var column = 0; column < content.Length && content[column] is ' ' or '\t'; column++)
            {
                if (content[column] == '\t')
                {
                    return new Mark(0, line, column + 1);
                }
            }
        }

        return null;
    }

    private static string? KeyAt(string text, Mark mark)
    {
        var lines = text.Split('\n');
        if (mark.Line < 1 || mark.Line > lines.Length)
        {
            return null;
        }

        var line = lines[mark.Line - 1];
        var start = (int)Math.Min(Math.Max(mark.Column - 1, 0), line.Length);
        var rest = line[start..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? rest[..colon].Trim() : null;
    }

    private sealed class Reader(DiagnosticBag bag, SourceMap map)
    {
        public FeatureRepositoryDefinition ReadRoot(YamlMappingNode node)
        {
            var r = new MapReader(node, "project", RootKeys, bag);
            var project = r.Name("project") ?? string.Empty;
            var definitions = new FeatureRepositoryDefinition
            {
                Project = project,
                Description = r.Scalar("description"),
                Entities = ReadList(r, "entities", "entity", ReadEntity),
                Sources = ReadList(r, "sources", "source", n => ReadSource(n, isLabel: false)),
                LabelSources = ReadList(r, "label_sources", "label source", n => ReadSource(n, isLabel: true)),
                FeatureViews = ReadList(r, "feature_views", "feature view", ReadView),
                OnDemandFeatures = ReadList(r, "on_demand_features", "on-demand feature", ReadOnDemand),
                Models = ReadList(r, "models", "model", ReadModel),
            };
            map.Add(definitions, r.Location);
            return definitions;
        }

        private List<T> ReadList<T>(MapReader parent, string key, string kind, Func<YamlMappingNode, T> read)
        {
            var result = new List<T>();
            var sequence = parent.Sequence(key);
            if (sequence is null)
            {
                return result;
            }

            foreach (var item in sequence.Children)
            {
                if (item is YamlMappingNode mapping)
                {
                    result.Add(read(mapping));
                }
                else
                {
                    bag.Error(item.Start, DiagnosticCodes.NodeKind, $"expected a mapping for each {kind} in '{key}' but found a {(MapReader.IsNull(item) ? "null" : MapReader.KindOf(item))}", $"Write each {kind} as '- name: ...' with its keys indented below.");
                }
            }

            return result;
        }

        private EntityDefinition ReadEntity(YamlMappingNode node)
        {
            var r = new MapReader(node, "entity", EntityKeys, bag);
            var entity = new EntityDefinition
            {
                Name = r.Name() ?? string.Empty,
                JoinKey = r.Scalar("join_key", required: true) ?? string.Empty,
                Description = r.Scalar("description"),
            };
            map.Add(entity, r.Location);
            return entity;
        }

        private SourceDefinition ReadSource(YamlMappingNode node, bool isLabel)
        {
            var r = new MapReader(node, isLabel ? "label source" : "source", SourceKeys, bag);
            var source = new SourceDefinition
            {
                Name = r.Name() ?? string.Empty,
                EventType = r.Scalar("event_type", required: true) ?? string.Empty,
                IdField = r.Scalar("id_field", required: true) ?? string.Empty,
                TimestampField = r.Scalar("timestamp_field", required: true) ?? string.Empty,
                Description = r.Scalar("description"),
                Fields = ReadList(r, "fields", "field", n => ReadField(n, FieldKeys, "field")),
                IsLabelSource = isLabel,
            };
            map.Add(source, r.Location);
            return source;
        }

        private FieldDefinition ReadField(YamlMappingNode node, string[] keys, string kind)
        {
            var r = new MapReader(node, kind, keys, bag);
            var name = r.Name() ?? string.Empty;
            var type = r.Enum("type", DefinitionNames.FieldTypes, required: true, DiagnosticCodes.UnknownFieldType, "field type");
            var field = new FieldDefinition
            {
                Name = name,
                Type = type ?? FieldType.String,
                Required = keys.Contains("required") && (r.Boolean("required") ?? false),
                Min = keys.Contains("min") ? r.Number("min") : null,
                Max = keys.Contains("max") ? r.Number("max") : null,
                Allowed = keys.Contains("allowed") ? ReadAllowed(r) : null,
                Description = r.Scalar("description"),
            };
            map.Add(field, r.Location);
            return field;
        }

        private List<string>? ReadAllowed(MapReader r)
        {
            if (r.Get("allowed", required: false) is null)
            {
                return null;
            }

            var values = r.ScalarList("allowed");
            var result = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var sequence = (YamlSequenceNode?)r.Location.Values.GetValueOrDefault("allowed");
            for (var i = 0; i < values.Count; i++)
            {
                if (values[i] is not { } value)
                {
                    continue;
                }

                if (!seen.Add(value))
                {
                    bag.Error(sequence!.Children[i].Start, DiagnosticCodes.DuplicateName, $"duplicate allowed value '{value}' in {r.What}", "List each allowed value once.");
                    continue;
                }

                result.Add(value);
            }

            return result;
        }

        private FeatureViewDefinition ReadView(YamlMappingNode node)
        {
            var r = new MapReader(node, "feature view", ViewKeys, bag);
            var view = new FeatureViewDefinition
            {
                Name = r.Name() ?? string.Empty,
                Entity = r.Scalar("entity", required: true) ?? string.Empty,
                Source = r.Scalar("source", required: true) ?? string.Empty,
                Tile = r.Duration("tile", required: true) ?? TimeSpan.Zero,
                Ttl = r.Duration("ttl", required: true) ?? TimeSpan.Zero,
                Online = r.Boolean("online") ?? true,
                Streaming = r.Boolean("streaming") ?? true,
                Description = r.Scalar("description"),
                Owner = r.Scalar("owner"),
                Tags = ReadStringMap(r, "tags"),
                Features = ReadList(r, "features", "feature", ReadFeature),
            };
            map.Add(view, r.Location);
            return view;
        }

        private SortedDictionary<string, string> ReadStringMap(MapReader r, string key)
        {
            var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (r.Mapping(key) is not { } mapping)
            {
                return result;
            }

            foreach (var (k, v) in mapping.Children)
            {
                if (k is not YamlScalarNode { Value: { } name } || v is not YamlScalarNode scalar)
                {
                    var bad = k is YamlScalarNode ? v : k;
                    bag.Error(bad.Start, DiagnosticCodes.NodeKind, $"expected 'key: value' pairs of single values in '{key}' of {r.What} but found a {MapReader.KindOf(bad)}", "Write e.g. 'domain: fraud'.");
                    continue;
                }

                result[name] = scalar.Value ?? string.Empty;
            }

            return result;
        }

        private FeatureDefinition ReadFeature(YamlMappingNode node)
        {
            var r = new MapReader(node, "feature", FeatureKeys, bag);
            var feature = new FeatureDefinition
            {
                Name = r.Name() ?? string.Empty,
                Field = r.Scalar("field"),
                Aggregation = r.Enum("aggregation", DefinitionNames.Aggregations, required: true, DiagnosticCodes.UnknownAggregation, "aggregation") ?? AggregationKind.Count,
                Window = r.Duration("window", required: true) ?? TimeSpan.Zero,
                Description = r.Scalar("description"),
            };
            map.Add(feature, r.Location);
            return feature;
        }

        private OnDemandFeatureDefinition ReadOnDemand(YamlMappingNode node)
        {
            var r = new MapReader(node, "on-demand feature", OnDemandKeys, bag);
            var feature = new OnDemandFeatureDefinition
            {
                Name = r.Name() ?? string.Empty,
                Type = r.Enum("type", DefinitionNames.FieldTypes, required: true, DiagnosticCodes.UnknownFieldType, "field type") ?? FieldType.Double,
                RequestFields = ReadList(r, "request_fields", "request field", n => ReadField(n, RequestFieldKeys, "request field")),
                Expression = r.Scalar("expression", required: true) ?? string.Empty,
                Description = r.Scalar("description"),
            };
            map.Add(feature, r.Location);
            return feature;
        }

        private ModelDefinition ReadModel(YamlMappingNode node)
        {
            var r = new MapReader(node, "model", ModelKeys, bag);
            var name = r.Name() ?? string.Empty;
            var model = new ModelDefinition
            {
                Name = name,
                Description = r.Scalar("description"),
                Owner = r.Scalar("owner"),
                Task = r.Enum("task", DefinitionNames.Tasks, required: false, DiagnosticCodes.UnknownTask, "task") ?? ModelTask.BinaryClassification,
                ObservationSource = r.Scalar("observation_source", required: true) ?? string.Empty,
                Label = ReadLabel(r),
                Features = ReadFeatureReferences(r),
                RequestFields = [.. r.ScalarList("request_fields").Select(s => s ?? string.Empty)],
                Trainer = ReadTrainer(r),
                Split = ReadSplit(r),
                Schedule = r.Scalar("schedule"),
                Promotion = ReadPromotion(r),
                Cost = ReadCost(r),
                Drift = ReadDrift(r),
                Serving = ReadServing(r),
            };
            map.Add(model, r.Location);
            return model;
        }

        private List<FeatureReference> ReadFeatureReferences(MapReader r)
        {
            var result = new List<FeatureReference>();
            var items = r.ScalarList("features");
            var sequence = r.Location.Values.GetValueOrDefault("features") as YamlSequenceNode;
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is not { } text)
                {
                    result.Add(new FeatureReference(null, string.Empty));
                    continue;
                }

                if (!FeatureReference.TryParse(text, out var reference))
                {
                    bag.Error(sequence!.Children[i].Start, DiagnosticCodes.UnknownFeatureReference, $"invalid feature reference '{text}' in {r.What}", "Write view:feature for a view feature (e.g. customer_7d:amount_mean_7d) or the name of an on-demand feature.");
                    reference = new FeatureReference(null, string.Empty);
                }

                result.Add(reference);
            }

            return result;
        }

        private LabelDefinition ReadLabel(MapReader parent)
        {
            var node = parent.Mapping("label", required: true);
            if (node is null)
            {
                return new LabelDefinition { Source = string.Empty, Key = string.Empty, Within = TimeSpan.Zero };
            }

            var r = new MapReader(node, $"label of {parent.What}", LabelKeys, bag);
            var label = new LabelDefinition
            {
                Source = r.Scalar("source", required: true) ?? string.Empty,
                Key = r.Scalar("key", required: true) ?? string.Empty,
                Within = r.Duration("within", required: true) ?? TimeSpan.Zero,
                Value = r.Scalar("value"),
            };
            map.Add(label, r.Location);
            return label;
        }

        private TrainerDefinition ReadTrainer(MapReader parent)
        {
            var node = parent.Mapping("trainer");
            if (node is null)
            {
                return new TrainerDefinition();
            }

            var r = new MapReader(node, $"trainer of {parent.What}", TrainerKeys, bag, named: false);
            var name = r.Enum("name", DefinitionNames.Trainers, required: true, DiagnosticCodes.UnknownTrainer, "trainer");
            var parameters = ReadStringMap(r, "parameters");
            var trainer = new TrainerDefinition { Name = name ?? TrainerKind.LightGbm, Parameters = parameters };
            map.Add(trainer, r.Location);
            return trainer;
        }

        private SplitDefinition ReadSplit(MapReader parent)
        {
            var node = parent.Mapping("split");
            if (node is null)
            {
                return new SplitDefinition();
            }

            var r = new MapReader(node, $"split of {parent.What}", SplitKeys, bag);
            var split = new SplitDefinition
            {
                Validation = r.Duration("validation") ?? TimeSpan.FromDays(7),
                Training = r.Duration("training"),
                Gap = r.Duration("gap"),
            };
            map.Add(split, r.Location);
            return split;
        }

        private PromotionPolicy ReadPromotion(MapReader parent)
        {
            var node = parent.Mapping("promotion");
            if (node is null)
            {
                return new PromotionPolicy();
            }

            var r = new MapReader(node, $"promotion of {parent.What}", PromotionKeys, bag);
            var defaults = new PromotionPolicy();
            var policy = new PromotionPolicy
            {
                Metric = r.Enum("metric", DefinitionNames.Metrics, required: false, DiagnosticCodes.InvalidMetric, "metric") ?? defaults.Metric,
                Margin = r.Number("margin") ?? defaults.Margin,
                MinRows = r.Integer("min_rows") ?? defaults.MinRows,
                MinPositives = r.Integer("min_positives") ?? defaults.MinPositives,
                MaxMissingFraction = r.Number("max_missing_fraction") ?? defaults.MaxMissingFraction,
            };
            map.Add(policy, r.Location);
            return policy;
        }

        private CostMatrix? ReadCost(MapReader parent)
        {
            var node = parent.Mapping("cost");
            if (node is null)
            {
                return null;
            }

            var r = new MapReader(node, $"cost of {parent.What}", CostKeys, bag);
            var falseNegative = r.Scalar("false_negative", required: true);
            var amount = falseNegative is null ? CostAmount.Of(0)
                : double.TryParse(falseNegative, NumberStyles.Float, CultureInfo.InvariantCulture, out var constant) ? CostAmount.Of(constant)
                : CostAmount.FromField(falseNegative);
            var cost = new CostMatrix
            {
                FalseNegative = amount,
                FalsePositive = r.Number("false_positive", required: true) ?? 0,
                TruePositive = r.Number("true_positive") ?? 0,
                Currency = r.Scalar("currency"),
                CurrencyField = r.Scalar("currency_field"),
                ExchangeRates = ReadExchangeRates(r),
            };
            map.Add(cost, r.Location);
            return cost;
        }

        // Currency codes are kept exactly as written: they must match the data's values, case and all. A rate that is
        // not a number is reported here; the validator checks that the numbers are finite and positive.
        private SortedDictionary<string, double>? ReadExchangeRates(MapReader r)
        {
            if (r.Mapping("exchange_rates") is not { } mapping)
            {
                return null;
            }

            var rates = new SortedDictionary<string, double>(StringComparer.Ordinal);
            var location = new NodeLocation(mapping.Start);
            foreach (var (k, v) in mapping.Children)
            {
                if (k is not YamlScalarNode { Value: { Length: > 0 } currency } || v is not YamlScalarNode scalar)
                {
                    var bad = k is YamlScalarNode ? v : k;
                    bag.Error(bad.Start, DiagnosticCodes.NodeKind, $"expected 'currency: rate' pairs in 'exchange_rates' of {r.What} but found a {MapReader.KindOf(bad)}", "Write e.g. '{ USD: 0.92, GBP: 1.17 }'.");
                    r.Location.Broken.Add("exchange_rates");
                    continue;
                }

                if (!double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate))
                {
                    bag.Error(v.Start, DiagnosticCodes.InvalidExchangeRate, $"exchange rate of '{currency}' in {r.What} must be a number but is '{scalar.Value}'", $"A rate is how many units of the cost's currency one '{currency}' is worth, e.g. 'USD: 0.92'.");
                    r.Location.Broken.Add("exchange_rates");
                    continue;
                }

                rates[currency] = rate;
                location.Values[currency] = v;
            }

            map.Add(rates, location);
            return rates;
        }

        private DriftPolicy ReadDrift(MapReader parent)
        {
            var node = parent.Mapping("drift");
            if (node is null)
            {
                return new DriftPolicy();
            }

            var r = new MapReader(node, $"drift of {parent.What}", DriftKeys, bag);
            var defaults = new DriftPolicy();
            var drift = new DriftPolicy
            {
                PsiWarn = r.Number("psi_warn") ?? defaults.PsiWarn,
                PsiAlert = r.Number("psi_alert") ?? defaults.PsiAlert,
                RetrainOnAlert = r.Boolean("retrain_on_alert") ?? false,
                LiveMinLabels = r.Integer("live_min_labels"),
                LiveMinPositives = r.Integer("live_min_positives"),
                LiveAucWarn = r.Number("live_auc_warn"),
                LiveAucAlert = r.Number("live_auc_alert"),
                LiveMaeWarn = r.Number("live_mae_warn"),
                LiveMaeAlert = r.Number("live_mae_alert"),
            };
            map.Add(drift, r.Location);
            return drift;
        }

        private ServingPolicy? ReadServing(MapReader parent)
        {
            var node = parent.Mapping("serving");
            if (node is null)
            {
                return null;
            }

            var r = new MapReader(node, $"serving of {parent.What}", ServingKeys, bag);
            var serving = new ServingPolicy { ShadowChallenger = r.Boolean("shadow_challenger") ?? false };
            map.Add(serving, r.Location);
            return serving;
        }
    }
}
