using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Brisa.Azure.Online;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Modeling;
using Brisa.Core.Serving;
using Brisa.Core.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brisa.Azure.Serving;

/// <summary>
/// Scores instances with a model: reads the online features of their entities (one partition query per key),
/// assembles each row exactly as a training row is assembled (same TTL rule, same on-demand expressions, same
/// encoding: <see cref="TrainingSetBuilder.Assemble"/> and <see cref="TrainingTables"/>), scores, decides at the
/// model's threshold, and logs the prediction. Missing features are NaN, as in training (LightGBM's missing branch).
/// A version is served with the inputs it was trained on (<see cref="TrainingReport.Inputs"/>), not with the live
/// definitions' model entry, which only drives the next training: the views, on-demand expressions and sources those
/// inputs resolve to come from the live definitions (the online rows are written with the live layout).
/// With <see cref="ServingPolicy.ShadowChallenger"/>, a champion prediction also scores the challenger on the same rows
/// and logs it as a shadow record (<see cref="PredictionRecord.Shadow"/>); the answer stays the champion's, and a
/// challenger that cannot be loaded or scored is counted (<see cref="ModelCache.GetShadowStatus"/>) and logged, never answered.
/// </summary>
public sealed partial class Predictor(ModelCache models, OnlineFeatureReader reader, PredictionLog log, TimeProvider time, ILogger<Predictor>? logger = null)
{
    /// <summary>The entity key of <see cref="WarmUpAsync"/>'s instance.</summary>
    public const string WarmUpKey = "brisa-warm-up";

    // A version's served definition and row builder (which compiles its on-demand expressions): once per plan (a new
    // plan when definitions change) and (model, version).
    private readonly ConditionalWeakTable<FeaturePlan, ConcurrentDictionary<(string Model, string Version), ServedModel>> served = new();
    private readonly ConditionalWeakTable<TrainingSetBuilder, ServingShape> shapes = new();
    private readonly ConcurrentDictionary<(string Model, string Version), byte> shadowWarned = new();

    /// <summary>Scores the request body's instances.</summary>
    public Task<PredictResponse> PredictAsync(FeaturePlan plan, string modelName, string? version, ReadOnlyMemory<byte> body, string requestId, CancellationToken cancellationToken) =>
        PredictAsync(plan, modelName, version, body, requestId, logPrediction: true, cancellationToken);

    /// <summary>
    /// Runs one prediction with the champion end to end, unlogged, for an instance whose entity keys name no entity and
    /// that carries only the required request fields (a value each accepts): the model's download and scorer, the online
    /// reads, assembly, on-demand features and scoring are then loaded and compiled before the first real request needs them.
    /// </summary>
    /// <returns>The prediction (every view feature NOT_FOUND, optional request fields missing).</returns>
    /// <exception cref="ServingException">
    /// 404 when the model has no champion yet; 409 when an input of the champion is no longer in the definitions.
    /// </exception>
    public async Task<PredictResponse> WarmUpAsync(FeaturePlan plan, string modelName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var definition = plan.Definitions.FindModel(modelName)
            ?? throw ServingException.NotFound("Unknown model", $"No model named '{modelName}'.");
        var loaded = await models.GetAsync(modelName, null, cancellationToken);
        var requirements = ServedFor(plan, definition, loaded).Builder.Requirements;
        var instance = new JsonObject();
        foreach (var key in requirements.EntityKeyFields)
        {
            instance[key] = WarmUpKey;
        }

        // Predict rejects an instance without a required request field.
        foreach (var field in requirements.RequestFields.Where(f => f.Required))
        {
            instance[field.Name] = WarmUpValueOf(field);
        }

        // Loaded, and its row builder compiled, now rather than by the first requests, so shadow scoring starts with them.
        if (definition.Serving?.ShadowChallenger == true && await models.LoadShadowChallengerAsync(modelName) is { } challenger)
        {
            try
            {
                _ = ServedFor(plan, definition, challenger);
            }
            catch (ServingException)
            {
                // Its inputs are gone from the definitions: each request's shadow scoring counts and logs that.
            }
        }

        return await PredictAsync(plan, modelName, null, JsonSerializer.SerializeToUtf8Bytes(instance), "warm-up", logPrediction: false, cancellationToken);
    }

    private async Task<PredictResponse> PredictAsync(FeaturePlan plan, string modelName, string? version, ReadOnlyMemory<byte> body, string requestId, bool logPrediction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var definition = plan.Definitions.FindModel(modelName)
            ?? throw ServingException.NotFound("Unknown model", $"No model named '{modelName}'. {plan.Definitions.ModelNameHint(modelName)}.");
        var loaded = await models.GetAsync(modelName, version, cancellationToken);
        var served = ServedFor(plan, definition, loaded);
        var builder = served.Builder;
        var now = time.GetUtcNow();
        var observations = PredictRequest.Parse(body, builder.Requirements, now, requestId, served.SourceFields);

        var keys = Enumerable.Range(0, observations.Count)
            .SelectMany(row => Enumerable.Range(0, observations.EntityKeyFields.Count).Select(k => observations.KeyOf(row, k)))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal);
        var rows = await reader.ReadAsync(keys, builder.Requirements.Views, TiledView.ToUnixTicks(now), cancellationToken);
        var response = Score(plan, builder, loaded, observations, rows, now, requestId, logPrediction, shadow: false);

        // Only behind a champion answer: a caller asking for a version is not scoring the traffic that decides.
        if (logPrediction && (version is null or "champion") && definition.Serving?.ShadowChallenger == true
            && models.GetShadowChallenger(modelName) is { } challenger && challenger.Version != loaded.Version)
        {
            ScoreShadow(plan, definition, builder, challenger, observations, rows, now, requestId);
        }

        return response;
    }

    // The challenger on the rows already read; whatever goes wrong is counted and logged, never answered.
    private void ScoreShadow(FeaturePlan plan, ModelDefinition definition, TrainingSetBuilder champion, LoadedModel challenger, ObservationSet observations, IReadOnlyDictionary<(string Key, string View), ViewValues> rows, DateTimeOffset now, string requestId)
    {
        try
        {
            var builder = ServedFor(plan, definition, challenger).Builder;
            if (!builder.Requirements.IsCoveredBy(champion.Requirements))
            {
                // No second online read, and the request was parsed for the champion's fields only.
                throw new InvalidOperationException("it reads views, entity keys or request fields the champion does not, so the champion's request and reads cannot feed it");
            }

            Score(plan, builder, challenger, observations, rows, now, requestId, logPrediction: true, shadow: true);
        }
        catch (Exception ex)
        {
            models.CountShadowScoringFailure(challenger.Name);
            if (shadowWarned.TryAdd((challenger.Name, challenger.Version), 0))
            {
                LogShadowFailed(logger ?? (ILogger)NullLogger.Instance, ex, challenger.Name, challenger.Version, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: shadow scoring of challenger {Challenger} failed ({Reason}); the champion's answers are not affected. Logged once per challenger; counted on every request.")]
    private static partial void LogShadowFailed(ILogger logger, Exception exception, string model, string challenger, string reason);

    /// <summary>
    /// The in-process part of a prediction, once the online rows are read: assemble each row (TTL, on-demand
    /// features, encoding), score, decide, log. <paramref name="builder"/> is the version's (<see cref="BuilderFor"/>).
    /// </summary>
    public PredictResponse Score(FeaturePlan plan, TrainingSetBuilder builder, LoadedModel loaded, ObservationSet observations, IReadOnlyDictionary<(string Key, string View), ViewValues> rows, DateTimeOffset now, string requestId) =>
        Score(plan, builder, loaded, observations, rows, now, requestId, logPrediction: true, shadow: false);

    private PredictResponse Score(FeaturePlan plan, TrainingSetBuilder builder, LoadedModel loaded, ObservationSet observations, IReadOnlyDictionary<(string Key, string View), ViewValues> rows, DateTimeOffset now, string requestId, bool logPrediction, bool shadow)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(rows);
        var definition = ServedFor(plan, loaded).Definition;
        var modelName = loaded.Name;
        var nowTicks = TiledView.ToUnixTicks(now);
        var views = builder.Requirements.Views;
        var set = builder.Assemble(observations, (int v, string key, long t, Span<FieldValue> destination) =>
        {
            if (!rows.TryGetValue((key, views[v].Name), out var found))
            {
                return null;
            }

            found.Values.CopyTo(destination);
            return found.EventTicks;
        });
        var table = TrainingTables.FromSet(set, definition, withLabels: false);
        var scores = loaded.Model.Score(table);
        // A regression model has no threshold: its score is the prediction, and there is no decision to take.
        var threshold = loaded.Report.Threshold;

        var shape = ShapeOf(builder, set, table, plan);
        var predictions = new List<Prediction>(set.RowCount);
        for (var r = 0; r < set.RowCount; r++)
        {
            var features = new PredictionFeature[shape.Features.Length];
            var logged = new object?[shape.LoggedNames.Length];
            for (var f = 0; f < shape.Features.Length; f++)
            {
                var feature = shape.Features[f];
                var column = set.Columns[feature.Column];
                var value = column[r];
                var status = feature.View is null
                    ? value.IsNull ? FeatureStatus.NullValue : FeatureStatus.Present
                    : Status(feature.View, set.Columns[feature.KeyColumn][r].AsText(), value, rows, nowTicks);
                var json = OnlineFeatureResponse.ToJsonValue(value, column.Type);
                features[f] = new PredictionFeature(json, status.ToWireName());
                logged[f] = json;
            }

            for (var o = 0; o < shape.OtherInputs.Length; o++)
            {
                var input = table.Features[shape.OtherInputs[o]];
                logged[shape.Features.Length + o] = input is Brisa.Core.Modeling.NumericColumn n ? (float.IsNaN(n.Values[r]) ? null : n.Values[r]) : ((Brisa.Core.Modeling.CategoricalColumn)input).Values[r];
            }

            var score = scores[r];
            bool? decision = threshold is { } t ? score >= t : null;
            predictions.Add(new Prediction(set.RowIds[r], score, decision, new FieldMap<PredictionFeature>(shape.FeatureNames, features)));
            if (!logPrediction)
            {
                continue;
            }

            var keys = new string?[shape.EntityKeyColumns.Length];
            for (var k = 0; k < keys.Length; k++)
            {
                keys[k] = set.Columns[shape.EntityKeyColumns[k]][r].AsText();
            }

            log.Append(new PredictionRecord(requestId, set.RowIds[r], modelName, loaded.Version, now, score, decision, new FieldMap<object?>(shape.LoggedNames, logged), new FieldMap<string?>(shape.KeyNames, keys), shadow));
        }

        return new PredictResponse(modelName, loaded.Version, threshold, requestId, predictions);
    }

    /// <summary>The row builder that assembles <paramref name="loaded"/>'s inputs (those it was trained on) under <paramref name="plan"/>.</summary>
    /// <exception cref="ServingException">
    /// 404 when the definitions have no such model; 409 when one of its inputs is no longer in the definitions.
    /// </exception>
    public TrainingSetBuilder BuilderFor(FeaturePlan plan, LoadedModel loaded) => ServedFor(plan, loaded).Builder;

    /// <summary>
    /// The model definition a version is served with: the live entry with its features and request fields replaced by
    /// the version's inputs (<see cref="TrainingReport.Inputs"/>: <c>view:feature</c>, on-demand feature or request
    /// field names), each resolved against the live definitions, and no cost matrix (serving scores no costs). A
    /// version without recorded inputs is served with the live entry.
    /// </summary>
    /// <exception cref="ServingException">409 naming the inputs the live definitions no longer have.</exception>
    public static ModelDefinition ServedDefinition(FeatureRepositoryDefinition definitions, ModelDefinition live, TrainingReport report)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(report);
        if (report.Inputs.Count == 0)
        {
            return live with { Cost = null };
        }

        var observation = definitions.FindSource(live.ObservationSource);
        var features = new List<FeatureReference>();
        var fields = new List<string>();
        var missing = new List<string>();
        foreach (var input in report.Inputs)
        {
            if (!FeatureReference.TryParse(input.Name, out var reference))
            {
                missing.Add(input.Name);
            }
            else if (!reference.IsOnDemand)
            {
                if (definitions.FindViewFeature(reference) is not null)
                {
                    features.Add(reference);
                }
                else
                {
                    missing.Add(input.Name);
                }
            }
            else if (definitions.OnDemandFeatures.Any(f => f.Name == reference.Name))
            {
                features.Add(reference);
            }
            else if (observation?.Fields.Any(f => f.Name == input.Name) == true)
            {
                fields.Add(input.Name);
            }
            else
            {
                missing.Add(input.Name);
            }
        }

        if (missing.Count > 0)
        {
            throw InputsMissing(report.Model, report.Version, string.Join(", ", missing.Select(m => $"'{m}'")));
        }

        return live with { Features = features, RequestFields = fields, Cost = null };
    }

    private ServedModel ServedFor(FeaturePlan plan, LoadedModel loaded)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(loaded);
        if (served.TryGetValue(plan, out var known) && known.TryGetValue((loaded.Name, loaded.Version), out var found))
        {
            return found;
        }

        var live = plan.Definitions.FindModel(loaded.Name)
            ?? throw ServingException.NotFound("Unknown model", $"No model named '{loaded.Name}'.");
        return ServedFor(plan, live, loaded);
    }

    // A dictionary lookup per request: the inputs are resolved and the builder compiled once per plan and version.
    private ServedModel ServedFor(FeaturePlan plan, ModelDefinition live, LoadedModel loaded) =>
        served.GetOrCreateValue(plan).GetOrAdd((loaded.Name, loaded.Version), static (_, state) => Serve(state.plan, state.live, state.loaded), (plan, live, loaded));

    private static ServedModel Serve(FeaturePlan plan, ModelDefinition live, LoadedModel loaded)
    {
        var definition = ServedDefinition(plan.Definitions, live, loaded.Report);
        try
        {
            // A rolled-back version may read fewer request fields than clients of the live definitions send.
            var sourceFields = plan.Definitions.FindSource(live.ObservationSource)?.Fields.Select(f => f.Name).ToFrozenSet(StringComparer.Ordinal);
            return new ServedModel(definition, TrainingSetBuilder.ForModel(plan, definition), sourceFields);
        }
        catch (ArgumentException ex)
        {
            // E.g. an on-demand feature whose request field the observation source no longer has.
            throw InputsMissing(loaded.Name, loaded.Version, ex.Message);
        }
    }

    // A value the request's checks accept for the field: in its range, one of its allowed values. Null for a timestamp,
    // which predict takes none of.
    private static JsonNode? WarmUpValueOf(FieldDefinition field) => field.Type switch
    {
        FieldType.String => field.Allowed is [var first, ..] ? first : WarmUpKey,
        FieldType.Double => field.Min ?? field.Max ?? 0,
        FieldType.Long => (long)(field.Min is { } min ? Math.Ceiling(min) : field.Max is { } max ? Math.Floor(max) : 0),
        FieldType.Bool => false,
        _ => null,
    };

    private static ServingException InputsMissing(string model, string version, string missing) => new(
        409,
        "Model inputs not in the definitions",
        $"Model '{model}' version '{version}' was trained on inputs the deployed definitions no longer have: {missing}. " +
        "Retrain the model on the current definitions (and promote the new version), roll the definitions back, or serve another version.");

    private static FeatureStatus Status(ViewPlan view, string? key, FieldValue value, IReadOnlyDictionary<(string Key, string View), ViewValues> rows, long nowTicks)
    {
        var found = key is not null && rows.TryGetValue((key, view.Name), out var read) ? read : null;
        return FeatureFreshness.Classify(found is not null, found?.EventTicks, value.IsNull, view.Definition.Ttl, nowTicks);
    }

    // The set's and the table's column layout only depends on the builder, so where each response field comes from
    // is worked out once per builder, not per request (names, views and key columns were a third of the allocations).
    private ServingShape ShapeOf(TrainingSetBuilder builder, TrainingSet set, Brisa.Core.Modeling.TrainingTable table, FeaturePlan plan)
    {
        if (shapes.TryGetValue(builder, out var known) && known.ColumnCount == set.Columns.Count && known.InputCount == table.Features.Count)
        {
            return known;
        }

        var columns = set.Columns;
        var features = new List<ServedFeature>();
        for (var c = 0; c < columns.Count; c++)
        {
            if (columns[c] is not { Role: TrainingColumnRole.Feature, Feature: { } reference })
            {
                continue;
            }

            var view = reference.View is { } name ? plan.FindView(name) : null;
            var keyColumn = view is null ? -1 : IndexOfColumn(columns, plan.Definitions.FindEntity(view.Definition.Entity)!.JoinKey);
            features.Add(new ServedFeature(c, reference.ToString(), view, keyColumn));
        }

        var names = features.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        int[] otherInputs = [.. Enumerable.Range(0, table.Features.Count).Where(i => !names.Contains(table.Features[i].Name))];
        int[] keyColumns = [.. Enumerable.Range(0, columns.Count).Where(i => columns[i].Role == TrainingColumnRole.EntityKey)];
        var shape = new ServingShape(
            columns.Count,
            table.Features.Count,
            [.. features],
            otherInputs,
            keyColumns,
            [.. features.Select(f => f.Name)],
            [.. features.Select(f => f.Name), .. otherInputs.Select(i => table.Features[i].Name)],
            [.. keyColumns.Select(k => columns[k].Name)]);
        shapes.AddOrUpdate(builder, shape);
        return shape;
    }

    private static int IndexOfColumn(IReadOnlyList<TrainingColumn> columns, string name)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Name == name)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"The set has no column '{name}'.");
    }

    private sealed record ServedModel(ModelDefinition Definition, TrainingSetBuilder Builder, IReadOnlySet<string>? SourceFields);

    private sealed record ServedFeature(int Column, string Name, ViewPlan? View, int KeyColumn);

    // Names are shared by every prediction's FieldMaps: the response's features, the logged inputs (features, then the
    // other model inputs) and the entity keys.
    private sealed record ServingShape(
        int ColumnCount, int InputCount, ServedFeature[] Features, int[] OtherInputs, int[] EntityKeyColumns, string[] FeatureNames, string[] LoggedNames, string[] KeyNames);
}

/// <summary>The answer of <c>POST /api/models/{model}/predict</c>.</summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The version that scored.</param>
/// <param name="Threshold">The decision threshold (least expected cost on the validation window); null for a regression model.</param>
/// <param name="RequestId">The request id (also in the prediction log).</param>
/// <param name="Predictions">One per instance, in request order.</param>
[JsonConverter(typeof(PredictResponseJsonConverter))]
public sealed record PredictResponse(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("threshold")] double? Threshold,
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("predictions")] IReadOnlyList<Prediction> Predictions);

/// <summary>One scored instance.</summary>
/// <param name="Id">The instance id.</param>
/// <param name="Score">The score (probability for binary models).</param>
/// <param name="Decision">True when the score reaches the threshold (e.g. send to review); null for a regression model.</param>
/// <param name="Features">Each feature's value and status (PRESENT, NULL_VALUE, NOT_FOUND, OUTSIDE_MAX_AGE).</param>
public sealed record Prediction(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("decision")] bool? Decision,
    [property: JsonPropertyName("features")] IReadOnlyDictionary<string, PredictionFeature> Features);

/// <summary>A feature as scored.</summary>
/// <param name="Value">The value (null when missing).</param>
/// <param name="Status">Its status.</param>
public readonly record struct PredictionFeature(
    [property: JsonPropertyName("value")] object? Value,
    [property: JsonPropertyName("status")] string Status);
