using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using Brisa.Azure.Online;
using Brisa.Core.Aggregation;
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
    // A model's row builder compiles its on-demand expressions: once per plan (a new plan when definitions change).
    private readonly ConditionalWeakTable<FeaturePlan, ConcurrentDictionary<string, TrainingSetBuilder>> builders = new();

    /// <summary>Scores the request body's instances.</summary>
    public async Task<PredictResponse> PredictAsync(FeaturePlan plan, string modelName, string? version, ReadOnlyMemory<byte> body, string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var definition = plan.Definitions.FindModel(modelName)
            ?? throw ServingException.NotFound("Unknown model", $"No model named '{modelName}'. Known: {string.Join(", ", plan.Definitions.Models.Select(m => m.Name))}.");
        var loaded = await models.GetAsync(modelName, version, cancellationToken);
        var builder = builders.GetOrCreateValue(plan).GetOrAdd(modelName, _ => TrainingSetBuilder.ForModel(plan, definition));
        var now = time.GetUtcNow();
        var observations = PredictRequest.Parse(body, builder.Requirements, now, requestId);

        var keys = Enumerable.Range(0, observations.Count)
            .SelectMany(row => Enumerable.Range(0, observations.EntityKeyFields.Count).Select(k => observations.KeyOf(row, k)))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal);
        var rows = await reader.ReadAsync(keys, builder.Requirements.Views, TiledView.ToUnixTicks(now), cancellationToken);
        return Score(plan, builder, loaded, observations, rows, now, requestId);
    }

    /// <summary>
    /// The in-process part of a prediction, once the online rows are read: assemble each row (TTL, on-demand
    /// features, encoding), score, decide, log.
    /// </summary>
    public PredictResponse Score(FeaturePlan plan, TrainingSetBuilder builder, LoadedModel loaded, ObservationSet observations, IReadOnlyDictionary<(string Key, string View), ViewValues> rows, DateTimeOffset now, string requestId)
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

        var joinKeyOf = views.ToDictionary(v => v.Name, v => plan.Definitions.FindEntity(v.Definition.Entity)!.JoinKey);
        var predictions = new List<Prediction>(set.RowCount);
        var inputs = table.Features;
        for (var r = 0; r < set.RowCount; r++)
        {
            var features = new Dictionary<string, PredictionFeature>(StringComparer.Ordinal);
            var logged = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var column in set.Columns.Where(c => c.Role == TrainingColumnRole.Feature))
            {
                var value = column[r];
                var status = StatusOf(column, value, set, r, rows, plan, joinKeyOf, nowTicks);
                var json = OnlineFeatureResponse.ToJsonValue(value, column.Type);
                features[column.Feature!.ToString()] = new PredictionFeature(json, status.ToWireName());
                logged[column.Feature!.ToString()] = json;
            }

            foreach (var input in inputs.Where(i => !logged.ContainsKey(i.Name)))
            {
                logged[input.Name] = input is Brisa.Core.Modeling.NumericColumn n ? (float.IsNaN(n.Values[r]) ? null : n.Values[r]) : ((Brisa.Core.Modeling.CategoricalColumn)input).Values[r];
            }

            var score = scores[r];
            var decision = score >= threshold;
            predictions.Add(new Prediction(set.RowIds[r], score, decision, features));
            var keys = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var column in set.Columns.Where(c => c.Role == TrainingColumnRole.EntityKey))
            {
                keys[column.Name] = column[r].AsText();
            }

            log.Append(new PredictionRecord(requestId, set.RowIds[r], modelName, loaded.Version, now, score, decision, logged, keys));
        }

        return new PredictResponse(modelName, loaded.Version, threshold, requestId, predictions);
    }

    private static FeatureStatus StatusOf(TrainingColumn column, FieldValue value, TrainingSet set, int row, IReadOnlyDictionary<(string Key, string View), ViewValues> rows, FeaturePlan plan, Dictionary<string, string> joinKeyOf, long nowTicks)
    {
        if (column.Feature is not { View: { } viewName })
        {
            return value.IsNull ? FeatureStatus.NullValue : FeatureStatus.Present;
        }

        var key = set.Column(joinKeyOf[viewName])[row].AsText();
        var found = key is not null && rows.TryGetValue((key, viewName), out var read) ? read : null;
        return FeatureFreshness.Classify(found is not null, found?.EventTicks, value.IsNull, plan.FindView(viewName)!.Definition.Ttl, nowTicks);
    }
}

/// <summary>The answer of <c>POST /api/models/{model}/predict</c>.</summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The version that scored.</param>
/// <param name="Threshold">The decision threshold (least expected cost on the validation window).</param>
/// <param name="RequestId">The request id (also in the prediction log).</param>
/// <param name="Predictions">One per instance, in request order.</param>
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
public sealed record PredictionFeature(
    [property: JsonPropertyName("value")] object? Value,
    [property: JsonPropertyName("status")] string Status);
