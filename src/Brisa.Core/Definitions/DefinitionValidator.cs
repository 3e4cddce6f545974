using System.Globalization;
using Brisa.Core.Aggregation;
using Brisa.Core.Expressions;
using Brisa.Core.Ingestion;
using Brisa.Core.Materialization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Brisa.Core.Definitions;

/// <summary>
/// The semantic rules of definitions (names, references, types, windows, expressions, models). Runs on the
/// typed model, so it serves both the YAML loader (with positions) and definitions read back from JSON.
/// </summary>
internal sealed class DefinitionValidator
{
    // The catalog page's route segment: a view of that name would be shadowed by it.
    private const string CatalogPageName = "ui";

    private static readonly Dictionary<TrainerKind, Dictionary<string, ParameterKind>> TrainerParameters = new()
    {
        // Integer parameters are read with TrainerDefinition.GetInt32, which falls back to the default on anything else.
        [TrainerKind.LightGbm] = Parameters(["learning_rate", "l1_regularization", "l2_regularization", "feature_fraction"], ["number_of_leaves", "number_of_iterations", "minimum_example_count_per_leaf", "maximum_bin_count_per_feature", "number_of_threads", "seed"], ["use_categorical_split", "unbalanced_sets"]),
        [TrainerKind.FastTree] = Parameters(["learning_rate", "feature_fraction"], ["number_of_leaves", "number_of_trees", "minimum_example_count_per_leaf", "maximum_bin_count_per_feature", "number_of_threads", "seed"], []),
        [TrainerKind.Linear] = Parameters(["l1_regularization", "l2_regularization", "convergence_tolerance"], ["maximum_number_of_iterations", "seed"], []),
    };

    // What the trainers accept (ML.NET and LightGBM check these only once the training set is built, with messages
    // such as "Check failed: (learning_rate) > (0.0)"), or need to fit anything (no iterations, a rate of 0: a constant model).
    private static readonly Dictionary<string, ParameterRange> ParameterRanges = new(StringComparer.Ordinal)
    {
        ["learning_rate"] = new(0, MinInclusive: false, null, "greater than 0", "0.05"),
        ["number_of_leaves"] = new(2, MinInclusive: true, null, "at least 2", "31"),
        ["number_of_iterations"] = new(1, MinInclusive: true, null, "at least 1", "200"),
        ["number_of_trees"] = new(1, MinInclusive: true, null, "at least 1", "100"),
        ["maximum_number_of_iterations"] = new(1, MinInclusive: true, null, "at least 1", "50"),
        ["maximum_bin_count_per_feature"] = new(2, MinInclusive: true, null, "at least 2", "255"),
        ["minimum_example_count_per_leaf"] = new(0, MinInclusive: true, null, "0 or more", "20"),
        ["feature_fraction"] = new(0, MinInclusive: false, 1, "greater than 0 and at most 1", "0.8"),
        ["l1_regularization"] = new(0, MinInclusive: true, null, "0 or more", "0.01"),
        ["l2_regularization"] = new(0, MinInclusive: true, null, "0 or more", "0.01"),
        ["convergence_tolerance"] = new(0, MinInclusive: false, 1, "greater than 0 and at most 1", "0.01"),
    };

    private enum ParameterKind
    {
        Number,
        Integer,
        Boolean,
    }

    private readonly DiagnosticBag bag;
    private readonly SourceMap map;
    private readonly FeatureRepositoryDefinition definitions;

    private DefinitionValidator(FeatureRepositoryDefinition definitions, DiagnosticBag bag, SourceMap map)
    {
        this.definitions = definitions;
        this.bag = bag;
        this.map = map;
    }

    /// <summary>Validates definitions without positions (e.g. read from JSON).</summary>
    /// <param name="definitions">The definitions.</param>
    /// <param name="file">The name diagnostics give.</param>
    /// <param name="map">Positions, or null.</param>
    /// <param name="stored">True for definitions already applied: policy rules they break are warnings, not errors.</param>
    public static DefinitionLoadResult Validate(FeatureRepositoryDefinition definitions, string file, SourceMap? map, bool stored) =>
        Validate(definitions, new DiagnosticBag(file) { HasPositions = map is not null, PolicyAsWarnings = stored }, map ?? new SourceMap());

    /// <summary>Validates definitions, adding to the diagnostics already collected by the reader.</summary>
    public static DefinitionLoadResult Validate(FeatureRepositoryDefinition definitions, DiagnosticBag bag, SourceMap map)
    {
        var validator = new DefinitionValidator(definitions, bag, map);
        var compiled = validator.Run();
        if (bag.HasErrors)
        {
            return new DefinitionLoadResult(null, bag.Sorted());
        }

        var result = definitions with
        {
            OnDemandFeatures = [.. definitions.OnDemandFeatures.Select(f => f with { Compiled = compiled[f] })],
        };
        return new DefinitionLoadResult(result, bag.Sorted());
    }

    /// <summary>
    /// The definitions with each valid trainer parameter in one spelling (<c>0.050</c>, <c>5e-2</c> → <c>0.05</c>;
    /// <c>031</c>, <c>+31</c> → <c>31</c>), so a file that only spells a number another way has the same version and
    /// plans no change. For files only: applied definitions keep the text their version was computed from.
    /// </summary>
    internal static FeatureRepositoryDefinition WithCanonicalParameters(FeatureRepositoryDefinition definitions) => definitions with
    {
        Models = [.. definitions.Models.Select(m => TrainerParameters.TryGetValue(m.Trainer.Name, out var known)
            ? m with
            {
                Trainer = m.Trainer with
                {
                    Parameters = new SortedDictionary<string, string>(
                        m.Trainer.Parameters.ToDictionary(p => p.Key, p => (known.TryGetValue(p.Key, out var kind) ? kind : (ParameterKind?)null) switch
                        {
                            ParameterKind.Integer when int.TryParse(p.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) => whole.ToString(CultureInfo.InvariantCulture),
                            ParameterKind.Number when double.TryParse(p.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) => number.ToString("R", CultureInfo.InvariantCulture),
                            _ => p.Value,
                        }, StringComparer.Ordinal),
                        StringComparer.Ordinal),
                },
            }
            : m)],
    };

    private static Dictionary<string, ParameterKind> Parameters(string[] numbers, string[] integers, string[] booleans) =>
        numbers.Select(n => (n, ParameterKind.Number))
            .Concat(integers.Select(n => (n, ParameterKind.Integer)))
            .Concat(booleans.Select(n => (n, ParameterKind.Boolean)))
            .ToDictionary(p => p.n, p => p.Item2, StringComparer.Ordinal);

    private Dictionary<OnDemandFeatureDefinition, CompiledExpression?> Run()
    {
        CheckEntities();
        CheckSources();
        CheckViews();
        var compiled = CheckOnDemandFeatures();
        CheckModels(compiled);
        return compiled;
    }

    private void Error(object owner, string? key, string code, string message, string? hint) =>
        bag.Error(map.Value(owner, key), code, message, hint);

    private bool Usable(object owner, string key) => !map.IsBroken(owner, key);

    private void CheckDuplicates<T>(IEnumerable<T> items, Func<T, string> name, string kind, string? scope = null)
        where T : notnull
    {
        var seen = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var n = name(item);
            if (n.Length == 0 || !Usable(item, "name"))
            {
                continue;
            }

            if (seen.TryGetValue(n, out var first))
            {
                var at = map.Value(first, "name");
                var where = bag.HasPositions ? $" (first defined at line {at.Line})" : string.Empty;
                Error(item, "name", DiagnosticCodes.DuplicateName, $"duplicate {kind} name '{n}'{(scope is null ? string.Empty : " in " + scope)}{where}", $"Each {kind} needs a unique name; rename or remove one of them.");
            }
            else
            {
                seen[n] = item;
            }
        }
    }

    private void CheckEntities() => CheckDuplicates(definitions.Entities, e => e.Name, "entity");

    private void CheckSources()
    {
        CheckDuplicates(definitions.AllSources, s => s.Name, "source");
        var eventTypes = new Dictionary<string, SourceDefinition>(StringComparer.Ordinal);
        foreach (var source in definitions.AllSources)
        {
            var kind = source.IsLabelSource ? "label source" : "source";
            CheckDuplicates(source.Fields, f => f.Name, "field", $"{kind} '{source.Name}'");
            foreach (var field in source.Fields)
            {
                CheckField(field);
                CheckRawColumnName(source, kind, field);
            }

            if (Usable(source, "event_type") && source.EventType.Length > 0)
            {
                if (eventTypes.TryGetValue(source.EventType, out var other))
                {
                    Error(source, "event_type", DiagnosticCodes.DuplicateEventType, $"event_type '{source.EventType}' of {kind} '{source.Name}' is already used by source '{other.Name}'", "Each source needs its own CloudEvents type so ingestion can route events.");
                }
                else
                {
                    eventTypes[source.EventType] = source;
                }
            }

            if (Usable(source, "id_field"))
            {
                var field = CheckFieldReference(source, "id_field", source.IdField, source, $"id_field of {kind} '{source.Name}'");
                if (field is not null && field.Type is not (FieldType.String or FieldType.Long))
                {
                    Error(source, "id_field", DiagnosticCodes.KeyFieldType, $"id_field '{field.Name}' of {kind} '{source.Name}' has type {field.Type.ToYamlName()}", "An event id field must be of type string or long.");
                }
            }

            if (Usable(source, "timestamp_field"))
            {
                var field = CheckFieldReference(source, "timestamp_field", source.TimestampField, source, $"timestamp_field of {kind} '{source.Name}'");
                if (field is not null && field.Type != FieldType.Timestamp)
                {
                    Error(source, "timestamp_field", DiagnosticCodes.TimestampFieldType, $"timestamp_field '{field.Name}' of {kind} '{source.Name}' has type {field.Type.ToYamlName()}", $"Declare field '{field.Name}' with 'type: timestamp', or point timestamp_field at a timestamp field.");
                }
            }
        }
    }

    // A field is a column of the source's raw Parquet files next to the event id and time and the date and hour
    // partitions: a second column of one of those names is ambiguous to DuckDB, refused by Spark, and Brisa's own
    // reader, which finds a field's column by name, would read the event id or time in its place.
    private void CheckRawColumnName(SourceDefinition source, string kind, FieldDefinition field)
    {
        if (!Usable(field, "name"))
        {
            return;
        }

        var hint = $"Rename the field (producers then send it under the new name), e.g. '{source.Name}_{field.Name}'.";
        if (field.Name is RawZoneColumns.DatePartition or RawZoneColumns.HourPartition)
        {
            Error(field, "name", DiagnosticCodes.ReservedName, $"field name '{field.Name}' of {kind} '{source.Name}' is reserved: it is a partition of the {kind}'s raw files (raw/{source.Name}/date=YYYY-MM-DD/hour=HH/), so DuckDB and Spark, reading the folder with its partitions, would show the partition instead of the field", hint);
        }
        else if (field.Name is RawZoneColumns.Id or RawZoneColumns.Time)
        {
            Error(field, "name", DiagnosticCodes.ReservedName, $"field name '{field.Name}' of {kind} '{source.Name}' is reserved: the {kind}'s raw files already have a column '{field.Name}' ({RawZoneColumns.Id}, {RawZoneColumns.Time}), so readers would see two columns of that name (DuckDB renames one, Spark refuses the file, materialization reads the wrong one)", hint);
        }
    }

    private void CheckField(FieldDefinition field)
    {
        if (!Usable(field, "type"))
        {
            return;
        }

        if (field.Allowed is not null && field.Type != FieldType.String)
        {
            Error(field, "allowed", DiagnosticCodes.AllowedOnNonString, $"'allowed' is only valid on string fields, but field '{field.Name}' is {field.Type.ToYamlName()}", field.Type.IsNumeric() ? "Use min and max to bound a numeric field." : "Remove 'allowed'.");
        }

        foreach (var key in new[] { "min", "max" })
        {
            var value = key == "min" ? field.Min : field.Max;
            if (value is not null && !field.Type.IsNumeric())
            {
                Error(field, key, DiagnosticCodes.RangeOnNonNumeric, $"'{key}' is only valid on double and long fields, but field '{field.Name}' is {field.Type.ToYamlName()}", field.Type == FieldType.String ? "Use 'allowed' to restrict a string field." : $"Remove '{key}'.");
            }
        }

        if (field is { Min: { } min, Max: { } max } && min > max)
        {
            Error(field, "min", DiagnosticCodes.InvalidRange, $"min {Invariant.Format(min)} of field '{field.Name}' is greater than its max {Invariant.Format(max)}", "Swap them, or make min less than or equal to max.");
        }

        // Ingestion rejects a value that is none of the allowed ones: an empty list rejects every event carrying the field.
        if (field is { Type: FieldType.String, Allowed.Count: 0 })
        {
            Error(field, "allowed", DiagnosticCodes.InvalidRange, $"'allowed' of field '{field.Name}' is empty, so no value is accepted", "Every event carrying the field would be dead-lettered; list the accepted values, or remove 'allowed' to accept any.");
        }
    }

    /// <summary>Reports an unknown field of a source and returns the field when it exists.</summary>
    private FieldDefinition? CheckFieldReference(object owner, string key, string fieldName, SourceDefinition source, string what, int? item = null)
    {
        var field = source.FindField(fieldName);
        if (field is null && !Usable(source, "fields"))
        {
            return null; // the fields list itself is broken and already reported
        }

        if (field is not null && !Usable(field, "type"))
        {
            return null; // the field's type is unknown and already reported
        }

        if (field is null)
        {
            var kind = source.IsLabelSource ? "label source" : "source";
            var mark = item is { } i ? map.Item(owner, key, i) : map.Value(owner, key);
            bag.Error(mark, DiagnosticCodes.UnknownField, $"unknown field '{fieldName}' for {what}: {kind} '{source.Name}' has no such field", NameSuggestions.Hint(fieldName, [.. source.Fields.Select(f => f.Name)], $"fields of '{source.Name}'"));
        }

        return field;
    }

    private EntityDefinition? ResolveEntity(object owner, string key, string name)
    {
        if (!Usable(owner, key))
        {
            return null;
        }

        var entity = definitions.FindEntity(name);
        if (entity is null)
        {
            Error(owner, key, DiagnosticCodes.UnknownEntity, $"unknown entity '{name}'", NameSuggestions.Hint(name, [.. definitions.Entities.Select(e => e.Name)], "entities"));
        }

        return entity;
    }

    private SourceDefinition? ResolveSource(object owner, string key, string name, bool? label)
    {
        if (!Usable(owner, key))
        {
            return null;
        }

        var source = definitions.FindSource(name);
        if (source is null)
        {
            var candidates = label switch
            {
                true => definitions.LabelSources,
                false => definitions.Sources,
                _ => definitions.AllSources,
            };
            var what = label == true ? "label sources" : "sources";
            Error(owner, key, DiagnosticCodes.UnknownSource, $"unknown {(label == true ? "label source" : "source")} '{name}'", NameSuggestions.Hint(name, [.. candidates.Select(s => s.Name)], what));
        }

        return source;
    }

    private void CheckViews()
    {
        CheckDuplicates(definitions.FeatureViews, v => v.Name, "feature view");
        foreach (var view in definitions.FeatureViews)
        {
            if (view.Name == CatalogPageName && Usable(view, "name"))
            {
                Error(view, "name", DiagnosticCodes.ReservedName, $"feature view name '{CatalogPageName}' is reserved: GET /api/catalog/{CatalogPageName} is the catalog page, so this view's catalog entry could never be read", "Rename the view, e.g. 'ui_events'.");
            }

            var entity = ResolveEntity(view, "entity", view.Entity);
            var source = ResolveSource(view, "source", view.Source, label: null);
            if (entity is not null && source is not null && Usable(entity, "join_key"))
            {
                var key = CheckFieldReference(view, "entity", entity.JoinKey, source, $"join_key of entity '{entity.Name}' in view '{view.Name}'");
                if (key is not null && key.Type is not (FieldType.String or FieldType.Long))
                {
                    Error(view, "entity", DiagnosticCodes.KeyFieldType, $"join_key '{key.Name}' of entity '{entity.Name}' has type {key.Type.ToYamlName()} in source '{source.Name}'", "A join key must be of type string or long.");
                }
            }

            if (Usable(view, "tile") && Usable(view, "ttl") && view.Ttl < view.Tile)
            {
                bag.Warning(map.Value(view, "ttl"), DiagnosticCodes.TtlShorterThanTile, $"ttl {Durations.Format(view.Ttl)} of view '{view.Name}' is shorter than its tile {Durations.Format(view.Tile)}", "Online values would often be served as OUTSIDE_MAX_AGE; use a ttl of at least one tile.");
            }

            if (view.Streaming && !view.Online)
            {
                var key = map.ValueNode(view, "streaming") is not null ? "streaming" : "online";
                Error(view, key, DiagnosticCodes.StreamingWithoutOnline, $"view '{view.Name}' is streaming but not online", "Streaming keeps online tiles fresh; set 'online: true', or 'streaming: false' for a batch-only view.");
            }

            if (view.Features.Count == 0 && Usable(view, "features"))
            {
                Error(view, "name", DiagnosticCodes.EmptyView, $"feature view '{view.Name}' has no features", "Add a 'features:' list, e.g. '- { name: txn_count_1h, aggregation: count, window: 1h }'.");
            }

            CheckDuplicates(view.Features, f => f.Name, "feature", $"view '{view.Name}'");
            foreach (var feature in view.Features)
            {
                CheckOfflineColumnName(view, entity, feature);
                CheckFeature(view, source, feature);
            }
        }
    }

    // A feature is a column of the view's offline Parquet files next to the join key, the two times and the date
    // partition: a second column of one of those names is ambiguous to DuckDB and refused by Spark.
    private void CheckOfflineColumnName(FeatureViewDefinition view, EntityDefinition? entity, FeatureDefinition feature)
    {
        if (!Usable(feature, "name"))
        {
            return;
        }

        var example = Usable(feature, "window") && feature.Window > TimeSpan.Zero ? $"{feature.Name}_{Durations.Format(feature.Window)}" : $"{feature.Name}_value";
        if (feature.Name == OfflineRows.DatePartitionColumn)
        {
            Error(feature, "name", DiagnosticCodes.ReservedName, $"feature name '{feature.Name}' of view '{view.Name}' is reserved: it is the date partition of the view's offline files (offline/{view.Name}/date=YYYY-MM-DD/), so DuckDB and Spark, reading the folder with its partitions, would show the partition instead of the feature", $"Rename the feature, e.g. '{example}'.");
            return;
        }

        var key = entity is not null && Usable(entity, "join_key") ? entity.JoinKey : null;
        if (feature.Name == key || feature.Name is OfflineRows.FeatureTimeColumn or OfflineRows.EventTimeColumn)
        {
            var columns = string.Join(", ", new[] { key, OfflineRows.FeatureTimeColumn, OfflineRows.EventTimeColumn }.OfType<string>());
            Error(feature, "name", DiagnosticCodes.ReservedName, $"feature name '{feature.Name}' of view '{view.Name}' is reserved: the view's offline files already have a column '{feature.Name}' ({columns}), so readers would see two columns of that name (DuckDB renames one, Spark refuses the file)", $"Rename the feature, e.g. '{example}'.");
        }
    }

    private void CheckFeature(FeatureViewDefinition view, SourceDefinition? source, FeatureDefinition feature)
    {
        if (Usable(feature, "aggregation"))
        {
            var aggregation = feature.Aggregation.ToYamlName();
            if (feature.Aggregation == AggregationKind.Count)
            {
                if (feature.Field is not null)
                {
                    Error(feature, "field", DiagnosticCodes.CountWithField, $"aggregation 'count' of feature '{feature.Name}' takes no field, but names '{feature.Field}'", "count counts events; remove 'field', or use distinct_count to count distinct values of a field.");
                }
            }
            else if (feature.Field is null)
            {
                if (Usable(feature, "field"))
                {
                    Error(feature, "aggregation", DiagnosticCodes.AggregationNeedsField, $"aggregation '{aggregation}' of feature '{feature.Name}' needs a field", "Add 'field: <name of a source field>'" + (source is null ? "." : $", one of: {string.Join(", ", source.Fields.Select(f => f.Name))}"));
                }
            }
            else if (source is not null)
            {
                var field = CheckFieldReference(feature, "field", feature.Field, source, $"feature '{feature.Name}' of view '{view.Name}'");
                if (field is not null)
                {
                    switch (feature.Aggregation)
                    {
                        case AggregationKind.Sum or AggregationKind.Mean or AggregationKind.Min or AggregationKind.Max or AggregationKind.StdDev when !field.Type.IsNumeric():
                            {
                                var numeric = source.Fields.Where(f => f.Type.IsNumeric()).Select(f => f.Name).ToList();
                                var hint = $"'{aggregation}' needs a double or long field" + (numeric.Count > 0 ? $", e.g. {string.Join(", ", numeric)}" : string.Empty) + "; to summarize a string field use last or distinct_count.";
                                Error(feature, "field", DiagnosticCodes.AggregationNeedsNumericField, $"aggregation '{aggregation}' of feature '{feature.Name}' cannot be applied to {field.Type.ToYamlName()} field '{field.Name}'", hint);
                                break;
                            }

                        case AggregationKind.DistinctCount when field.Type is FieldType.Double or FieldType.Timestamp:
                            Error(feature, "field", DiagnosticCodes.DistinctCountFieldType, $"aggregation 'distinct_count' of feature '{feature.Name}' cannot be applied to {field.Type.ToYamlName()} field '{field.Name}'", "distinct_count is exact and meant for low-cardinality string, long or bool fields such as country or channel.");
                            break;
                        default:
                            break;
                    }
                }
            }
        }

        if (Usable(feature, "window") && Usable(view, "tile") && view.Tile > TimeSpan.Zero && feature.Window.Ticks % view.Tile.Ticks != 0)
        {
            var tile = Durations.Format(view.Tile);
            var lower = feature.Window.Ticks / view.Tile.Ticks;
            var below = TimeSpan.FromTicks(Math.Max(1, lower) * view.Tile.Ticks);
            var above = TimeSpan.FromTicks((Math.Max(1, lower) + 1) * view.Tile.Ticks);
            Error(feature, "window", DiagnosticCodes.WindowNotMultipleOfTile, $"window '{Durations.Format(feature.Window)}' of feature '{feature.Name}' is not a multiple of the view's tile '{tile}'", $"Use a multiple of {tile}, e.g. {Durations.Format(below)} or {Durations.Format(above)}.");
        }
    }

    private ExpressionSymbolTable ViewSymbols()
    {
        var symbols = new ExpressionSymbolTable();
        foreach (var view in definitions.FeatureViews)
        {
            symbols.AddView(view.Name);
            var source = definitions.FindSource(view.Source);
            foreach (var feature in view.Features)
            {
                var type = source is null ? FieldType.Double : feature.GetValueType(source);
                symbols.AddFeature(view.Name, feature.Name, type.ToExpressionType());
            }
        }

        return symbols;
    }

    private Dictionary<OnDemandFeatureDefinition, CompiledExpression?> CheckOnDemandFeatures()
    {
        var compiled = new Dictionary<OnDemandFeatureDefinition, CompiledExpression?>(ReferenceEqualityComparer.Instance);
        CheckDuplicates(definitions.OnDemandFeatures, f => f.Name, "on-demand feature");
        foreach (var feature in definitions.OnDemandFeatures)
        {
            compiled[feature] = null;
            CheckDuplicates(feature.RequestFields, f => f.Name, "request field", $"on-demand feature '{feature.Name}'");
            var clash = feature.RequestFields.FirstOrDefault(f => f.Name == feature.Name);
            if (clash is not null && feature.Name.Length > 0)
            {
                Error(feature, "name", DiagnosticCodes.NameClash, $"on-demand feature '{feature.Name}' has the same name as one of its request fields", "Rename the feature (e.g. with a suffix) so references to it are unambiguous.");
            }

            if (Usable(feature, "type") && feature.Type == FieldType.Timestamp)
            {
                Error(feature, "type", DiagnosticCodes.OnDemandType, $"on-demand feature '{feature.Name}' cannot have type timestamp", "Use double, long, string or bool.");
            }

            if (!Usable(feature, "expression"))
            {
                continue;
            }

            var symbols = ViewSymbols();
            foreach (var field in feature.RequestFields)
            {
                symbols.AddRequestField(field.Name, field.Type.ToExpressionType());
            }

            var result = CompiledExpression.Compile(feature.Expression, symbols);
            foreach (var diagnostic in result.Diagnostics)
            {
                var code = diagnostic.Code == ExpressionDiagnosticCodes.UnknownFeature ? DiagnosticCodes.UnknownViewFeature : diagnostic.Code;
                bag.Error(ExpressionMark(feature, diagnostic.Position), code, $"expression of on-demand feature '{feature.Name}': {diagnostic.Message}", diagnostic.Hint);
            }

            if (result.Expression is { } expression)
            {
                compiled[feature] = expression;
                var declared = feature.Type.ToExpressionType();
                if (Usable(feature, "type") && declared is { } d && expression.ResultType != ExpressionType.Null && expression.ResultType != d)
                {
                    Error(feature, "type", DiagnosticCodes.DeclaredTypeMismatch, $"on-demand feature '{feature.Name}' is declared as {feature.Type.ToYamlName()} but its expression is {expression.ResultType.ToDisplayName()}", $"Declare 'type: {expression.ResultType.ToDisplayName()}', or change the expression.");
                }
            }
        }

        return compiled;
    }

    /// <summary>The file position of an offset inside an expression scalar (exact for single-line plain and quoted scalars).</summary>
    private Mark ExpressionMark(OnDemandFeatureDefinition feature, int offset)
    {
        var node = map.ValueNode(feature, "expression");
        if (node is not YamlScalarNode scalar)
        {
            return map.Value(feature, "expression");
        }

        var start = scalar.Start;
        var text = scalar.Value ?? string.Empty;
        var singleLine = scalar.End.Line == start.Line;
        switch (scalar.Style)
        {
            case ScalarStyle.Plain or ScalarStyle.Any when singleLine:
                return new Mark(start.Index + offset, start.Line, start.Column + offset);
            case ScalarStyle.SingleQuoted when singleLine:
                {
                    var extra = text[..Math.Min(offset, text.Length)].Count(c => c == '\'');
                    return new Mark(start.Index + 1 + offset + extra, start.Line, start.Column + 1 + offset + extra);
                }

            case ScalarStyle.DoubleQuoted when singleLine && scalar.End.Column - start.Column == text.Length + 2:
                return new Mark(start.Index + 1 + offset, start.Line, start.Column + 1 + offset);
            default:
                return start;
        }
    }

    private void CheckModels(Dictionary<OnDemandFeatureDefinition, CompiledExpression?> compiled)
    {
        CheckDuplicates(definitions.Models, m => m.Name, "model");
        foreach (var model in definitions.Models)
        {
            CheckModel(model, compiled);
        }
    }

    private void CheckModel(ModelDefinition model, Dictionary<OnDemandFeatureDefinition, CompiledExpression?> compiled)
    {
        var observation = ResolveSource(model, "observation_source", model.ObservationSource, label: false);
        if (observation is { IsLabelSource: true })
        {
            Error(model, "observation_source", DiagnosticCodes.NotAnObservationSource, $"observation_source '{observation.Name}' of model '{model.Name}' is a label source", NameSuggestions.Hint(observation.Name, [.. definitions.Sources.Select(s => s.Name)], "sources") + ". Training rows come from a source under 'sources'.");
            observation = null;
        }

        var label = model.Label;
        var labelSource = ResolveSource(label, "source", label.Source, label: true);
        if (labelSource is { IsLabelSource: false })
        {
            Error(label, "source", DiagnosticCodes.NotALabelSource, $"label source '{labelSource.Name}' of model '{model.Name}' is not a label source", $"Declare '{labelSource.Name}' under 'label_sources', or use one of: {(definitions.LabelSources.Count == 0 ? "(none defined)" : string.Join(", ", definitions.LabelSources.Select(s => s.Name)))}.");
            labelSource = null;
        }

        if (Usable(label, "key") && label.Key.Length > 0)
        {
            if (labelSource is not null && labelSource.FindField(label.Key) is null)
            {
                Error(label, "key", DiagnosticCodes.InvalidLabelKey, $"label key '{label.Key}' is not a field of label source '{labelSource.Name}'", NameSuggestions.Hint(label.Key, [.. labelSource.Fields.Select(f => f.Name)], $"fields of '{labelSource.Name}'"));
            }
            else if (observation is not null && observation.FindField(label.Key) is null)
            {
                Error(label, "key", DiagnosticCodes.InvalidLabelKey, $"label key '{label.Key}' is not a field of observation source '{observation.Name}'", "The key matches label events to observations, so both sources need it.");
            }
            else if (labelSource is not null && observation is not null)
            {
                CheckLabelKeyType(model, labelSource.FindField(label.Key)!, observation.FindField(label.Key)!, labelSource, observation);
            }
        }

        CheckLabelValue(model, labelSource);
        CheckModelFeatures(model, observation, compiled);
        CheckTrainer(model);
        CheckSchedule(model);
        CheckPromotionAndCost(model, observation);
    }

    // Labels are matched to observations by the key's value as text (EntityKeys.FromField), as entity keys are.
    private void CheckLabelKeyType(ModelDefinition model, FieldDefinition inLabels, FieldDefinition inObservations, SourceDefinition labelSource, SourceDefinition observation)
    {
        var label = model.Label;
        var odd = new[] { inObservations, inLabels }.FirstOrDefault(f => f.Type is not (FieldType.String or FieldType.Long));
        if (odd is not null)
        {
            Error(label, "key", DiagnosticCodes.LabelKeyType, $"label key '{label.Key}' of model '{model.Name}' has type {odd.Type.ToYamlName()} in {(odd == inLabels ? "label source '" + labelSource.Name : "observation source '" + observation.Name)}'", "A label key must be a string or long field: labels are matched to observations by the key's value as text, so a double's fraction would be dropped (1.2 and 1.7 would match) and a bool or timestamp would match unrelated events.");
        }
        else if (inLabels.Type != inObservations.Type)
        {
            Error(label, "key", DiagnosticCodes.LabelKeyType, $"label key '{label.Key}' of model '{model.Name}' is {inObservations.Type.ToYamlName()} in observation source '{observation.Name}' but {inLabels.Type.ToYamlName()} in label source '{labelSource.Name}'", "Give it one type in both sources: labels are matched by the key's text, so a string such as '0042' would never match the number 42.");
        }
    }

    private void CheckLabelValue(ModelDefinition model, SourceDefinition? labelSource)
    {
        var label = model.Label;
        if (!Usable(model, "task"))
        {
            return;
        }

        if (model.Task == ModelTask.Regression)
        {
            if (label.Value is null)
            {
                Error(label, "source", DiagnosticCodes.InvalidLabelValue, $"regression model '{model.Name}' needs a label value", "Add 'value: <numeric field of the label source>' to the label.");
            }
            else if (labelSource is not null)
            {
                var field = CheckFieldReference(label, "value", label.Value, labelSource, $"label value of model '{model.Name}'");
                if (field is not null && !field.Type.IsNumeric())
                {
                    Error(label, "value", DiagnosticCodes.InvalidLabelValue, $"label value '{field.Name}' of regression model '{model.Name}' has type {field.Type.ToYamlName()}", "A regression label must be a double or long field.");
                }
            }
        }
        else if (label.Value is not null)
        {
            Error(label, "value", DiagnosticCodes.InvalidLabelValue, $"label 'value' is only valid for regression, but model '{model.Name}' is binary_classification", "Remove 'value': a binary label is positive when a label event arrives within the window.");
        }
    }

    private void CheckModelFeatures(ModelDefinition model, SourceDefinition? observation, Dictionary<OnDemandFeatureDefinition, CompiledExpression?> compiled)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var viewsNeeded = new List<(FeatureViewDefinition View, int Index)>();
        var onDemandNeeded = new List<(OnDemandFeatureDefinition Feature, int Index)>();
        for (var i = 0; i < model.Features.Count; i++)
        {
            var reference = model.Features[i];
            if (reference.Name.Length == 0)
            {
                continue;
            }

            if (!seen.Add(reference.ToString()))
            {
                bag.Error(map.Item(model, "features", i), DiagnosticCodes.DuplicateName, $"feature '{reference}' is listed twice in model '{model.Name}'", "List each feature once.");
                continue;
            }

            if (reference.View is null)
            {
                var onDemand = definitions.FindOnDemandFeature(reference.Name);
                if (onDemand is null)
                {
                    var candidates = definitions.OnDemandFeatures.Select(f => f.Name).ToList();
                    var view = definitions.FeatureViews.FirstOrDefault(v => v.FindFeature(reference.Name) is not null);
                    var hint = view is not null
                        ? $"'{reference.Name}' is a feature of view '{view.Name}'; write '{view.Name}:{reference.Name}'."
                        : NameSuggestions.Hint(reference.Name, candidates, "on-demand features") + ". View features are written view:feature.";
                    bag.Error(map.Item(model, "features", i), DiagnosticCodes.UnknownFeatureReference, $"unknown on-demand feature '{reference.Name}' in model '{model.Name}'", hint);
                }
                else
                {
                    onDemandNeeded.Add((onDemand, i));
                }

                continue;
            }

            var featureView = definitions.FindView(reference.View);
            if (featureView is null)
            {
                bag.Error(map.Item(model, "features", i), DiagnosticCodes.UnknownFeatureReference, $"unknown feature view '{reference.View}' in '{reference}' of model '{model.Name}'", NameSuggestions.Hint(reference.View, [.. definitions.FeatureViews.Select(v => v.Name)], "feature views"));
                continue;
            }

            if (featureView.FindFeature(reference.Name) is not { } viewFeature)
            {
                bag.Error(map.Item(model, "features", i), DiagnosticCodes.UnknownFeatureReference, $"unknown feature '{reference.Name}' in view '{featureView.Name}' of model '{model.Name}'", NameSuggestions.Hint(reference.Name, [.. featureView.Features.Select(f => f.Name)], $"features of '{featureView.Name}'"));
                continue;
            }

            // The last value of a timestamp field is an absolute time, as a timestamp request field is (BR0518).
            if (viewFeature.Aggregation == AggregationKind.Last && viewFeature.Field is { } lastOf && definitions.FindSource(featureView.Source)?.FindField(lastOf) is { Type: FieldType.Timestamp })
            {
                bag.Error(map.Item(model, "features", i), DiagnosticCodes.TimestampModelFeature, $"feature '{reference}' of model '{model.Name}' is a timestamp (the last '{lastOf}'), which is no model input: a model that learns absolute times does not carry over to new ones", "Remove it from the model's features; windows already measure how recent events are (e.g. a count over a short window).");
            }

            viewsNeeded.Add((featureView, i));
        }

        var requestSeen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < model.RequestFields.Count; i++)
        {
            var name = model.RequestFields[i];
            if (name.Length == 0)
            {
                continue;
            }

            if (!requestSeen.Add(name))
            {
                bag.Error(map.Item(model, "request_fields", i), DiagnosticCodes.DuplicateName, $"request field '{name}' is listed twice in model '{model.Name}'", "List each request field once.");
            }
            else if (observation?.FindField(name) is not { } field)
            {
                if (observation is not null)
                {
                    bag.Error(map.Item(model, "request_fields", i), DiagnosticCodes.RequestFieldNotInObservation, $"request field '{name}' of model '{model.Name}' is not a field of observation source '{observation.Name}'", NameSuggestions.Hint(name, [.. observation.Fields.Select(f => f.Name)], $"fields of '{observation.Name}'"));
                }
            }
            else if (field.Type == FieldType.Timestamp)
            {
                // As a number it would tie the model to the training period, and predict takes no timestamps.
                bag.Error(map.Item(model, "request_fields", i), DiagnosticCodes.TimestampRequestField, $"request field '{name}' of model '{model.Name}' is a timestamp, which is no model input: a model that learns absolute times does not carry over to new ones", "Remove it; the time of a prediction is the observation's own (the source's timestamp_field), and windows already measure time.");
            }
        }

        if (model.Features.Count == 0 && model.RequestFields.Count == 0 && Usable(model, "features"))
        {
            Error(model, "name", DiagnosticCodes.NoModelInputs, $"model '{model.Name}' has no features and no request fields", "Add 'features: [view:feature, ...]' and/or 'request_fields: [...]'.");
        }

        foreach (var (feature, index) in onDemandNeeded)
        {
            // A model's inputs are named by on-demand feature and by request field alike (training columns, predict
            // answers, the prediction log): two inputs of one name would only fail at training.
            if (requestSeen.Contains(feature.Name))
            {
                bag.Error(map.Item(model, "features", index), DiagnosticCodes.NameClash, $"on-demand feature '{feature.Name}' of model '{model.Name}' has the same name as its request field '{feature.Name}'", "A model's inputs are named by feature and request field alike, so they would be one input. Rename the on-demand feature, or drop one of the two from the model.");
            }
        }

        var viewsNeededDirectly = viewsNeeded.Count;
        foreach (var (feature, index) in onDemandNeeded)
        {
            foreach (var reference in compiled.GetValueOrDefault(feature)?.Features ?? [])
            {
                if (definitions.FindView(reference.View!) is { } view)
                {
                    viewsNeeded.Add((view, index));
                }
            }
        }

        CheckViewsOnline(model, viewsNeeded, viewsNeededDirectly);
        if (observation is null)
        {
            return;
        }

        foreach (var (feature, index) in onDemandNeeded)
        {
            foreach (var field in feature.RequestFields)
            {
                var actual = observation.FindField(field.Name);
                if (actual is null || actual.Type.ToExpressionType() != field.Type.ToExpressionType())
                {
                    var problem = actual is null ? "is not a field of" : $"has type {actual.Type.ToYamlName()}, not {field.Type.ToYamlName()}, in";
                    bag.Error(map.Item(model, "features", index), DiagnosticCodes.RequestFieldNotInObservation, $"request field '{field.Name}' of on-demand feature '{feature.Name}' {problem} observation source '{observation.Name}'", "Training computes on-demand features from the observation events, so each request field must be an observation field of the same type.");
                }
            }
        }

        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (view, index) in viewsNeeded)
        {
            if (definitions.FindEntity(view.Entity) is not { } entity || entity.JoinKey.Length == 0 || observation.FindField(entity.JoinKey) is not null || !reported.Add(view.Name))
            {
                continue;
            }

            bag.Error(map.Item(model, "features", index), DiagnosticCodes.JoinKeyNotInObservation, $"model '{model.Name}' uses view '{view.Name}' of entity '{entity.Name}', but observation source '{observation.Name}' has no field '{entity.JoinKey}'", $"Add the join key '{entity.JoinKey}' to '{observation.Name}', or drop the features of '{view.Name}'.");
        }
    }

    /// <summary>
    /// Predict reads a model's view features from the online store, which holds no values of a view with
    /// <c>online: false</c>: training would see its offline values and serving would see it missing forever.
    /// </summary>
    private void CheckViewsOnline(ModelDefinition model, List<(FeatureViewDefinition View, int Index)> viewsNeeded, int viewsNeededDirectly)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < viewsNeeded.Count; i++)
        {
            var (view, index) = viewsNeeded[i];
            if (view.Online || !reported.Add(view.Name))
            {
                continue;
            }

            var use = i < viewsNeededDirectly
                ? $"features of view '{view.Name}'"
                : $"on-demand feature '{model.Features[index]}', which reads view '{view.Name}'";
            bag.Error(map.Item(model, "features", index), DiagnosticCodes.OfflineViewInModel, $"model '{model.Name}' uses {use}, which is not online", $"Serving reads model features from the online store, so the model would be trained on these values and always served them as missing. Set 'online: true' on '{view.Name}' (with 'streaming: false' it is still batch-materialized), or drop its features from the model.");
        }
    }

    private void CheckTrainer(ModelDefinition model)
    {
        var trainer = model.Trainer;
        if (!Usable(trainer, "name") || !TrainerParameters.TryGetValue(trainer.Name, out var known))
        {
            return;
        }

        var node = map.ValueNode(trainer, "parameters") as YamlMappingNode;
        foreach (var (name, value) in trainer.Parameters)
        {
            var found = false;
            var mark = Mark.Empty;
            var valueMark = Mark.Empty;
            if (node is not null)
            {
                foreach (var (k, v) in node.Children)
                {
                    if (k is YamlScalarNode { Value: { } key } && key == name)
                    {
                        mark = k.Start;
                        valueMark = v.Start;
                        found = true;
                    }
                }
            }

            if (!found)
            {
                mark = map.Value(trainer, "parameters");
                valueMark = mark;
            }

            var trainerName = trainer.Name.ToYamlName();
            if (!known.TryGetValue(name, out var kind))
            {
                var names = known.Keys.Order(StringComparer.Ordinal).ToList();
                var closest = NameSuggestions.Closest(name, names);
                bag.Error(mark, DiagnosticCodes.UnknownTrainerParameter, $"unknown parameter '{name}' for trainer '{trainerName}'", (closest is null ? string.Empty : $"Did you mean '{closest}'? ") + $"Parameters of {trainerName}: {string.Join(", ", names)}");
                continue;
            }

            var (valid, expected, hint) = kind switch
            {
                ParameterKind.Boolean => (value is "true" or "false", "true or false", "Write true or false."),
                ParameterKind.Integer => (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _), "a whole number", "Write a whole number such as 31: the trainer would ignore anything else and use its default."),
                _ => (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number), "a number", "Write a number such as 31 or 0.05."),
            };
            if (!valid)
            {
                bag.Error(valueMark, DiagnosticCodes.InvalidValue, $"parameter '{name}' of trainer '{trainerName}' must be {expected} but is '{value}'", hint);
            }
            else if (kind != ParameterKind.Boolean && ParameterRanges.TryGetValue(name, out var range)
                && !range.Contains(double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture)))
            {
                bag.Error(valueMark, DiagnosticCodes.TrainerParameterOutOfRange, $"parameter '{name}' of trainer '{trainerName}' must be {range.Text} but is {value}", $"Use e.g. {range.Example}: training would stop at it, or fit a model that predicts nothing.");
            }
        }
    }

    private sealed record ParameterRange(double Min, bool MinInclusive, double? Max, string Text, string Example)
    {
        public bool Contains(double value) => (MinInclusive ? value >= Min : value > Min) && (Max is not { } max || value <= max);
    }

    private void CheckSchedule(ModelDefinition model)
    {
        if (model.Schedule is not { } schedule || !Usable(model, "schedule"))
        {
            return;
        }

        var problem = NcrontabProblem(schedule);
        if (problem is not null)
        {
            Error(model, "schedule", DiagnosticCodes.InvalidSchedule, $"invalid schedule '{schedule}' of model '{model.Name}': {problem}", "Use NCRONTAB with seconds: 'second minute hour day month day-of-week', e.g. '0 0 3 * * *' for 03:00 every day.");
        }
    }

    /// <summary>A light syntactic NCRONTAB check: six fields of numbers in range, *, ranges, steps, lists and month/day names.</summary>
    internal static string? NcrontabProblem(string schedule)
    {
        var fields = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (fields.Length != 6)
        {
            return $"it has {fields.Length} field{(fields.Length == 1 ? string.Empty : "s")}, NCRONTAB needs 6";
        }

        string[] names = ["second", "minute", "hour", "day", "month", "day-of-week"];
        int[] max = [59, 59, 23, 31, 12, 7];
        int[] min = [0, 0, 0, 1, 1, 0];
        for (var i = 0; i < 6; i++)
        {
            foreach (var part in fields[i].Split(','))
            {
                var slash = part.Split('/');
                if (slash.Length > 2 || part.Length == 0)
                {
                    return $"the {names[i]} field '{fields[i]}' is malformed";
                }

                if (slash.Length == 2 && (!int.TryParse(slash[1], NumberStyles.None, CultureInfo.InvariantCulture, out var step) || step == 0))
                {
                    return $"the step in the {names[i]} field '{fields[i]}' must be a positive number";
                }

                if (slash[0] == "*")
                {
                    continue;
                }

                foreach (var bound in slash[0].Split('-'))
                {
                    if (bound.Length == 0)
                    {
                        return $"the {names[i]} field '{fields[i]}' is malformed";
                    }

                    if (int.TryParse(bound, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                    {
                        if (value < min[i] || value > max[i])
                        {
                            return $"{value} is out of range {min[i]}-{max[i]} in the {names[i]} field";
                        }
                    }
                    else if (!(i >= 4 && bound.Length == 3 && bound.All(char.IsAsciiLetter)))
                    {
                        return $"'{bound}' is not valid in the {names[i]} field";
                    }
                }
            }
        }

        return null;
    }

    private void CheckPromotionAndCost(ModelDefinition model, SourceDefinition? observation)
    {
        var promotion = model.Promotion;
        var taskKnown = Usable(model, "task");
        if (taskKnown && Usable(promotion, "metric"))
        {
            var binaryMetric = promotion.Metric is PromotionMetric.ExpectedCost or PromotionMetric.Auc or PromotionMetric.PrAuc or PromotionMetric.LogLoss;
            if (binaryMetric != (model.Task == ModelTask.BinaryClassification))
            {
                var valid = model.Task == ModelTask.BinaryClassification ? "expected_cost, auc, pr_auc, log_loss" : "rmse, mae";
                Error(promotion, "metric", DiagnosticCodes.InvalidMetric, $"metric '{promotion.Metric.ToYamlName()}' does not apply to {model.Task.ToYamlName()} model '{model.Name}'", $"Metrics for {model.Task.ToYamlName()}: {valid}.");
            }
            else if (promotion.Metric == PromotionMetric.ExpectedCost && model.Cost is null && Usable(model, "cost"))
            {
                Error(promotion, "metric", DiagnosticCodes.MissingCost, $"metric 'expected_cost' of model '{model.Name}' needs a cost matrix", "Add 'cost: { false_negative: <number or field>, false_positive: <number> }', or promote on auc.");
            }
        }

        if (promotion.Margin < 0)
        {
            Error(promotion, "margin", DiagnosticCodes.InvalidThreshold, $"promotion margin {Invariant.Format(promotion.Margin)} of model '{model.Name}' is negative", "Use 0 or a positive relative improvement, e.g. 0.01 for 1%.");
        }

        if (promotion.MaxMissingFraction is < 0 or > 1)
        {
            Error(promotion, "max_missing_fraction", DiagnosticCodes.InvalidThreshold, $"max_missing_fraction {Invariant.Format(promotion.MaxMissingFraction)} of model '{model.Name}' is not between 0 and 1", "Use a fraction, e.g. 0.2.");
        }

        if (promotion.MinRows < 0 || promotion.MinPositives < 0)
        {
            var key = promotion.MinRows < 0 ? "min_rows" : "min_positives";
            Error(promotion, key, DiagnosticCodes.InvalidThreshold, $"{key} of model '{model.Name}' is negative", "Use 0 or a positive count.");
        }

        var drift = model.Drift;
        if (drift.PsiWarn < 0 || drift.PsiAlert < 0 || drift.PsiWarn > drift.PsiAlert)
        {
            Error(drift, drift.PsiWarn < 0 ? "psi_warn" : "psi_alert", DiagnosticCodes.InvalidThreshold, $"drift thresholds of model '{model.Name}' must satisfy 0 <= psi_warn <= psi_alert, but psi_warn is {Invariant.Format(drift.PsiWarn)} and psi_alert is {Invariant.Format(drift.PsiAlert)}", "The defaults are psi_warn: 0.1 and psi_alert: 0.25.");
        }

        ValidateLivePolicy(model, drift);

        if (model.Cost is not { } cost)
        {
            return;
        }

        if (taskKnown && model.Task == ModelTask.Regression)
        {
            Error(model, "cost", DiagnosticCodes.MissingCost, $"regression model '{model.Name}' cannot have a cost matrix", "Remove 'cost'; costs apply to binary decisions.");
            return;
        }

        if (cost.FalseNegative.Field is { } fieldName && observation is not null && Usable(cost, "false_negative"))
        {
            var field = observation.FindField(fieldName);
            if (field is null || !field.Type.IsNumeric())
            {
                var numeric = observation.Fields.Where(f => f.Type.IsNumeric()).Select(f => f.Name).ToList();
                var problem = field is null ? $"is neither a number nor a field of observation source '{observation.Name}'" : $"is a {field.Type.ToYamlName()} field, not a numeric one";
                Error(cost, "false_negative", DiagnosticCodes.InvalidCost, $"false_negative cost '{fieldName}' of model '{model.Name}' {problem}", (field is null && NameSuggestions.Closest(fieldName, numeric) is { } closest ? $"Did you mean '{closest}'? " : string.Empty) + $"Use a number, or a numeric field{(numeric.Count > 0 ? ": " + string.Join(", ", numeric) : string.Empty)}.");
            }
            else if (!model.RequestFields.Contains(fieldName, StringComparer.Ordinal))
            {
                // Training rows, predict requests and the prediction log carry the model's request fields only: the
                // cost of a missed positive would be unknown in training and zero in live money saved.
                Error(cost, "false_negative", DiagnosticCodes.CostFieldNotRequestField, $"false_negative cost '{fieldName}' of model '{model.Name}' is not one of its request_fields", $"Add '{fieldName}' to request_fields: training rows and logged predictions carry only those, so the cost of each decision would be unknown.");
            }
        }

        foreach (var (key, value) in new[] { ("false_negative", cost.FalseNegative.Constant ?? 0), ("false_positive", cost.FalsePositive), ("true_positive", cost.TruePositive) })
        {
            if (value < 0)
            {
                Error(cost, key, DiagnosticCodes.InvalidCost, $"{key} cost of model '{model.Name}' is negative", "Costs are zero or positive amounts.");
            }
        }

        CheckExchangeRates(model, cost);
        CheckCurrencyField(model, cost, observation);
    }

    // The live performance verdict's settings (DriftPolicy.Live*): counts that leave a standard error to compute, AUC
    // drops within [0, 1] and MAE ratios of at least 1, warn no stricter than alert.
    private void ValidateLivePolicy(ModelDefinition model, DriftPolicy drift)
    {
        if (drift.LiveMinLabels is < 2)
        {
            Error(drift, "live_min_labels", DiagnosticCodes.InvalidThreshold, $"live_min_labels of model '{model.Name}' is {drift.LiveMinLabels}, below 2", $"Use at least 2 (a standard error needs two rows); the default is {DriftPolicy.DefaultLiveMinLabels}.");
        }

        if (drift.LiveMinPositives is < 1)
        {
            Error(drift, "live_min_positives", DiagnosticCodes.InvalidThreshold, $"live_min_positives of model '{model.Name}' is {drift.LiveMinPositives}, below 1", $"Use at least 1 (AUC needs both classes); the default is {DriftPolicy.DefaultLiveMinPositives}.");
        }

        double aucWarn = drift.LiveAucWarn ?? DriftPolicy.DefaultLiveAucWarn, aucAlert = drift.LiveAucAlert ?? DriftPolicy.DefaultLiveAucAlert;
        if (aucWarn is < 0 or > 1 || aucAlert is < 0 or > 1 || aucWarn > aucAlert)
        {
            Error(drift, aucWarn is < 0 or > 1 || drift.LiveAucAlert is null ? "live_auc_warn" : "live_auc_alert", DiagnosticCodes.InvalidThreshold, $"live AUC drops of model '{model.Name}' must satisfy 0 <= live_auc_warn <= live_auc_alert <= 1, but live_auc_warn is {Invariant.Format(aucWarn)} and live_auc_alert is {Invariant.Format(aucAlert)}", $"They are drops of AUC below the validation AUC; the defaults are live_auc_warn: {Invariant.Format(DriftPolicy.DefaultLiveAucWarn)} and live_auc_alert: {Invariant.Format(DriftPolicy.DefaultLiveAucAlert)}.");
        }

        double maeWarn = drift.LiveMaeWarn ?? DriftPolicy.DefaultLiveMaeWarn, maeAlert = drift.LiveMaeAlert ?? DriftPolicy.DefaultLiveMaeAlert;
        if (maeWarn < 1 || maeAlert < 1 || maeWarn > maeAlert)
        {
            Error(drift, maeWarn < 1 || drift.LiveMaeAlert is null ? "live_mae_warn" : "live_mae_alert", DiagnosticCodes.InvalidThreshold, $"live MAE ratios of model '{model.Name}' must satisfy 1 <= live_mae_warn <= live_mae_alert, but live_mae_warn is {Invariant.Format(maeWarn)} and live_mae_alert is {Invariant.Format(maeAlert)}", $"They are live MAE ÷ validation MAE; the defaults are live_mae_warn: {Invariant.Format(DriftPolicy.DefaultLiveMaeWarn)} and live_mae_alert: {Invariant.Format(DriftPolicy.DefaultLiveMaeAlert)}.");
        }
    }

    private void CheckExchangeRates(ModelDefinition model, CostMatrix cost)
    {
        if (cost.ExchangeRates is not { } rates)
        {
            return;
        }

        foreach (var (currency, rate) in rates)
        {
            if (!double.IsFinite(rate) || rate <= 0)
            {
                Error(rates, currency, DiagnosticCodes.InvalidExchangeRate, $"exchange rate {Invariant.Format(rate)} of '{currency}' in the cost of model '{model.Name}' is not a finite number greater than 0", $"A rate is how many units of the cost's currency one '{currency}' is worth, e.g. 'USD: 0.92'.");
            }
            else if (currency == cost.Currency && rate != 1)
            {
                // Amounts already in the reporting currency are never converted: a different rate would be ignored.
                Error(rates, currency, DiagnosticCodes.InvalidExchangeRate, $"exchange rate {Invariant.Format(rate)} of '{currency}' in the cost of model '{model.Name}' is not 1, but '{currency}' is the cost's currency", "Amounts in the cost's currency are not converted; remove this rate.");
            }
        }

        if (cost.CurrencyField is null)
        {
            Error(cost, "exchange_rates", DiagnosticCodes.IncompleteCurrencyConversion, $"exchange_rates of model '{model.Name}' are given without currency_field", "Add 'currency_field: <the request field holding each row's currency>', or remove exchange_rates: without it every amount is taken to be in the cost's currency.");
        }
    }

    private void CheckCurrencyField(ModelDefinition model, CostMatrix cost, SourceDefinition? observation)
    {
        if (cost.CurrencyField is not { } fieldName || !Usable(cost, "currency_field"))
        {
            return;
        }

        if (cost.Currency is null)
        {
            Error(cost, "currency_field", DiagnosticCodes.IncompleteCurrencyConversion, $"currency_field '{fieldName}' of model '{model.Name}' needs 'currency', the currency amounts are converted to", "Add e.g. 'currency: EUR' to the cost.");
        }

        if (cost.FalseNegative.Field is null && Usable(cost, "false_negative"))
        {
            Error(cost, "currency_field", DiagnosticCodes.IncompleteCurrencyConversion, $"currency_field '{fieldName}' of model '{model.Name}' needs a false_negative read from a field, but false_negative is the constant {cost.FalseNegative}", "A constant cost is already in the cost's currency: remove currency_field, or read false_negative from an amount field.");
        }

        if (observation is null)
        {
            return;
        }

        var field = observation.FindField(fieldName);
        if (field is null || field.Type != FieldType.String)
        {
            var strings = observation.Fields.Where(f => f.Type == FieldType.String).Select(f => f.Name).ToList();
            var problem = field is null ? $"is not a field of observation source '{observation.Name}'" : $"is a {field.Type.ToYamlName()} field, not a string one";
            Error(cost, "currency_field", DiagnosticCodes.InvalidCurrencyField, $"currency_field '{fieldName}' of model '{model.Name}' {problem}", (field is null && NameSuggestions.Closest(fieldName, strings) is { } closest ? $"Did you mean '{closest}'? " : string.Empty) + $"Use the string field holding each row's currency code{(strings.Count > 0 ? ": " + string.Join(", ", strings) : string.Empty)}.");
            return;
        }

        if (!model.RequestFields.Contains(fieldName, StringComparer.Ordinal))
        {
            // As for the false_negative field (BR0519): training rows and logged predictions carry request fields only.
            Error(cost, "currency_field", DiagnosticCodes.CurrencyFieldNotRequestField, $"currency_field '{fieldName}' of model '{model.Name}' is not one of its request_fields", $"Add '{fieldName}' to request_fields: training rows and logged predictions carry only those, so the currency of each amount would be unknown.");
        }

        if (field.Allowed is { } allowed && cost.Currency is { } currency && Usable(cost, "exchange_rates"))
        {
            var missing = allowed.Where(a => a != currency && cost.ExchangeRates?.ContainsKey(a) != true).Distinct(StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
            {
                var names = string.Join(", ", missing.Select(m => $"'{m}'"));
                Error(cost, cost.ExchangeRates is null ? "currency_field" : "exchange_rates", DiagnosticCodes.MissingExchangeRate, $"exchange_rates of model '{model.Name}' have no rate for {names}, which field '{fieldName}' of observation source '{observation.Name}' allows", $"Add the units of {currency} per unit of each, e.g. 'exchange_rates: {{ {string.Join(", ", missing.Select(m => m + ": <rate>"))} }}'.");
            }
        }
    }
}
