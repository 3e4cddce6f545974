using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Brisa.Azure.Online;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Serving;
using Brisa.Core.Training;

namespace Brisa.Azure.Serving;

/// <summary>
/// Scores instances with a model: reads the online features of their entities (one partition query per key),
/// assembles each row exactly as a training row is assembled (same TTL rule, same on-demand expressions, same
/// encoding: <see cref="TrainingSetBuilder.Assemble"/> and <see cref="TrainingTables"/>), scores, decides at the
/// model's threshold, and logs the prediction. Missing features are NaN, as in training (LightGBM's missing branch).
/// </summary>
public sealed class Predictor(ModelCache models, OnlineFeatureReader reader, PredictionLog log, TimeProvider time)
{
    /// <summary>The entity key of <see cref="WarmUpAsync"/>'s instance.</summary>
    public const string WarmUpKey = "brisa-warm-up";

    // A model's row builder compiles its on-demand expressions: once per plan (a new plan when definitions change).
    private readonly ConditionalWeakTable<FeaturePlan, ConcurrentDictionary<string, TrainingSetBuilder>> builders = new();
    private readonly ConditionalWeakTable<TrainingSetBuilder, ServingShape> shapes = new();

    /// <summary>Scores the request body's instances.</summary>
    public Task<PredictResponse> PredictAsync(FeaturePlan plan, string modelName, string? version, ReadOnlyMemory<byte> body, string requestId, CancellationToken cancellationToken) =>
        PredictAsync(plan, modelName, version, body, requestId, logPrediction: true, cancellationToken);

    /// <summary>
    /// Runs one prediction with the champion end to end, unlogged, for an instance that carries only entity keys that
    /// name no entity: the model's download and scorer, the online reads, assembly, on-demand features and scoring are
    /// then loaded and compiled before the first real request needs them.
    /// </summary>
    /// <returns>The prediction (every view feature NOT_FOUND, request fields missing).</returns>
    /// <exception cref="ServingException">404 when the model has no champion yet.</exception>
    public Task<PredictResponse> WarmUpAsync(FeaturePlan plan, string modelName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var definition = plan.Definitions.FindModel(modelName)
            ?? throw ServingException.NotFound("Unknown model", $"No model named '{modelName}'.");
        var requirements = BuilderFor(plan, definition).Requirements;
        var instance = new JsonObject();
        foreach (var key in requirements.EntityKeyFields)
        {
            instance[key] = WarmUpKey;
        }

        return PredictAsync(plan, modelName, null, JsonSerializer.SerializeToUtf8Bytes(instance), "warm-up", logPrediction: false, cancellationToken);
    }

    private async Task<PredictResponse> PredictAsync(FeaturePlan plan, string modelName, string? version, ReadOnlyMemory<byte> body, string requestId, bool logPrediction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var definition = plan.Definitions.FindModel(modelName)
            ?? throw ServingException.NotFound("Unknown model", $"No model named '{modelName}'. Known: {string.Join(", ", plan.Definitions.Models.Select(m => m.Name))}.");
        var loaded = await models.GetAsync(modelName, version, cancellationToken);
        var builder = BuilderFor(plan, definition);
        var now = time.GetUtcNow();
        var observations = PredictRequest.Parse(body, builder.Requirements, now, requestId);

        var keys = Enumerable.Range(0, observations.Count)
            .SelectMany(row => Enumerable.Range(0, observations.EntityKeyFields.Count).Select(k => observations.KeyOf(row, k)))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal);
        var rows = await reader.ReadAsync(keys, builder.Requirements.Views, TiledView.ToUnixTicks(now), cancellationToken);
        return Score(plan, builder, loaded, observations, rows, now, requestId, logPrediction);
    }

    /// <summary>
    /// The in-process part of a prediction, once the online rows are read: assemble each row (TTL, on-demand
    /// features, encoding), score, decide, log.
    /// </summary>
    public PredictResponse Score(FeaturePlan plan, TrainingSetBuilder builder, LoadedModel loaded, ObservationSet observations, IReadOnlyDictionary<(string Key, string View), ViewValues> rows, DateTimeOffset now, string requestId) =>
        Score(plan, builder, loaded, observations, rows, now, requestId, logPrediction: true);

    private PredictResponse Score(FeaturePlan plan, TrainingSetBuilder builder, LoadedModel loaded, ObservationSet observations, IReadOnlyDictionary<(string Key, string View), ViewValues> rows, DateTimeOffset now, string requestId, bool logPrediction)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(rows);
        var definition = plan.Definitions.FindModel(loaded.Name)!;
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
        var threshold = loaded.Report.Threshold ?? 0.5;

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
            var decision = score >= threshold;
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

            log.Append(new PredictionRecord(requestId, set.RowIds[r], modelName, loaded.Version, now, score, decision, new FieldMap<object?>(shape.LoggedNames, logged), new FieldMap<string?>(shape.KeyNames, keys)));
        }

        return new PredictResponse(modelName, loaded.Version, threshold, requestId, predictions);
    }

    private TrainingSetBuilder BuilderFor(FeaturePlan plan, ModelDefinition definition) =>
        builders.GetOrCreateValue(plan).GetOrAdd(definition.Name, _ => TrainingSetBuilder.ForModel(plan, definition));

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

    private sealed record ServedFeature(int Column, string Name, ViewPlan? View, int KeyColumn);

    // Names are shared by every prediction's FieldMaps: the response's features, the logged inputs (features, then the
    // other model inputs) and the entity keys.
    private sealed record ServingShape(
        int ColumnCount, int InputCount, ServedFeature[] Features, int[] OtherInputs, int[] EntityKeyColumns, string[] FeatureNames, string[] LoggedNames, string[] KeyNames);
}

/// <summary>The answer of <c>POST /api/models/{model}/predict</c>.</summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The version that scored.</param>
/// <param name="Threshold">The decision threshold (least expected cost on the validation window).</param>
/// <param name="RequestId">The request id (also in the prediction log).</param>
/// <param name="Predictions">One per instance, in request order.</param>
[JsonConverter(typeof(PredictResponseJsonConverter))]
public sealed record PredictResponse(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("threshold")] double Threshold,
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("predictions")] IReadOnlyList<Prediction> Predictions);

/// <summary>One scored instance.</summary>
/// <param name="Id">The instance id.</param>
/// <param name="Score">The score (probability for binary models).</param>
/// <param name="Decision">True when the score reaches the threshold (e.g. send to review).</param>
/// <param name="Features">Each feature's value and status (PRESENT, NULL_VALUE, NOT_FOUND, OUTSIDE_MAX_AGE).</param>
public sealed record Prediction(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("decision")] bool Decision,
    [property: JsonPropertyName("features")] IReadOnlyDictionary<string, PredictionFeature> Features);

/// <summary>A feature as scored.</summary>
/// <param name="Value">The value (null when missing).</param>
/// <param name="Status">Its status.</param>
public readonly record struct PredictionFeature(
    [property: JsonPropertyName("value")] object? Value,
    [property: JsonPropertyName("status")] string Status);
