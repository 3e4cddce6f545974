using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using FeaturePlan = Brisa.Core.Features.FeaturePlan;

namespace Brisa.Core.Training;

/// <summary>
/// Builds a model's observations from events: every event of the model's observation source is a row at its own
/// time, labelled from the label source (DESIGN §7, <c>label</c> in the definitions).
/// </summary>
public static class ModelObservations
{
    /// <summary>
    /// Turns observation events into labelled rows. Binary classification: the label is true when a label event with
    /// the same <see cref="LabelDefinition.Key"/> value has a time in [t, t + within]; regression: the value of the
    /// earliest such label event, ties by event id (rows without one are skipped). Both inputs are deduplicated by event id.
    /// </summary>
    /// <param name="plan">The compiled definitions.</param>
    /// <param name="model">The model.</param>
    /// <param name="observationEvents">Events of the model's observation source (any order, may repeat).</param>
    /// <param name="labelEvents">Events of the model's label source (any order, may repeat).</param>
    /// <param name="labelsKnownAt">
    /// When set, only label events at or before this time count, and observations whose label window
    /// (t + within) ends after it are dropped: their label is not final yet (counted in <see cref="ObservationSet.ImmatureDropped"/>).
    /// When null, every label event in the data counts and no observation is dropped.
    /// </param>
    /// <returns>The observations, in input order.</returns>
    public static ObservationSet Build(
        FeaturePlan plan,
        ModelDefinition model,
        IEnumerable<SourceEventBatch> observationEvents,
        IEnumerable<SourceEventBatch> labelEvents,
        DateTimeOffset? labelsKnownAt = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(observationEvents);
        ArgumentNullException.ThrowIfNull(labelEvents);
        var definitions = plan.Definitions;
        var observationSource = definitions.FindSource(model.ObservationSource)
            ?? throw new ArgumentException($"Model '{model.Name}': unknown observation source '{model.ObservationSource}'.", nameof(model));
        var requirements = FeatureRequirements.Resolve(plan, model.Features, model.RequestFields, observationSource);
        var regression = model.Task == ModelTask.Regression;
        var set = new ObservationSet(requirements.EntityKeyFields, requirements.RequestFields, regression ? FieldType.Double : FieldType.Bool);

        var labels = IndexLabels(model, labelEvents, labelsKnownAt);
        var knownAtTicks = labelsKnownAt is { } known ? TiledView.ToUnixTicks(known) : (long?)null;
        var withinTicks = model.Label.Within.Ticks;

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var keys = new string?[requirements.EntityKeyFields.Count];
        var request = new FieldValue[requirements.RequestFields.Count];
        foreach (var batch in observationEvents)
        {
            if (batch.Schema.SourceName != observationSource.Name)
            {
                throw new ArgumentException($"Observation events must come from source '{observationSource.Name}', not '{batch.Schema.SourceName}'.", nameof(observationEvents));
            }

            var keyIndexes = requirements.EntityKeyFields.Select(batch.Schema.IndexOf).ToArray();
            var requestIndexes = requirements.RequestFields.Select(f => batch.Schema.IndexOf(f.Name)).ToArray();
            var labelKeyIndex = batch.Schema.IndexOf(model.Label.Key);
            for (var row = 0; row < batch.Count; row++)
            {
                if (!seen.Add(batch.Id(row)))
                {
                    continue;
                }

                var t = batch.EventTicks(row);
                if (knownAtTicks is { } k && t + withinTicks > k)
                {
                    set.ImmatureDropped++;
                    continue;
                }

                var labelKey = labelKeyIndex < 0 ? null : EntityKeys.FromField(batch.Value(row, labelKeyIndex));
                var label = LabelOf(labels, labelKey, t, withinTicks, regression);
                if (regression && label.IsNull)
                {
                    continue;
                }

                for (var i = 0; i < keys.Length; i++)
                {
                    keys[i] = keyIndexes[i] < 0 ? null : EntityKeys.FromField(batch.Value(row, keyIndexes[i]));
                }

                for (var i = 0; i < request.Length; i++)
                {
                    request[i] = requestIndexes[i] < 0 ? FieldValue.Null : batch.Value(row, requestIndexes[i]);
                }

                set.Add(batch.Id(row), t, keys, request, label);
            }
        }

        return set;
    }

    private static Dictionary<string, List<(long Ticks, string Id, FieldValue Value)>> IndexLabels(
        ModelDefinition model, IEnumerable<SourceEventBatch> labelEvents, DateTimeOffset? labelsKnownAt)
    {
        var byKey = new Dictionary<string, List<(long Ticks, string Id, FieldValue Value)>>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var knownAtTicks = labelsKnownAt is { } known ? TiledView.ToUnixTicks(known) : long.MaxValue;
        foreach (var batch in labelEvents)
        {
            if (batch.Schema.SourceName != model.Label.Source)
            {
                throw new ArgumentException($"Label events must come from source '{model.Label.Source}', not '{batch.Schema.SourceName}'.", nameof(labelEvents));
            }

            var keyIndex = batch.Schema.IndexOf(model.Label.Key);
            var valueIndex = model.Label.Value is { } valueField ? batch.Schema.IndexOf(valueField) : -1;
            if (keyIndex < 0)
            {
                throw new ArgumentException($"Label source '{model.Label.Source}' has no field '{model.Label.Key}'.", nameof(labelEvents));
            }

            for (var row = 0; row < batch.Count; row++)
            {
                if (batch.EventTicks(row) > knownAtTicks || !seen.Add(batch.Id(row)) || EntityKeys.FromField(batch.Value(row, keyIndex)) is not { } key)
                {
                    continue;
                }

                if (!byKey.TryGetValue(key, out var list))
                {
                    byKey[key] = list = [];
                }

                list.Add((batch.EventTicks(row), batch.Id(row), valueIndex < 0 ? FieldValue.Null : batch.Value(row, valueIndex)));
            }
        }

        return byKey;
    }

    private static FieldValue LabelOf(Dictionary<string, List<(long Ticks, string Id, FieldValue Value)>> labels, string? key, long t, long withinTicks, bool regression)
    {
        if (key is null || !labels.TryGetValue(key, out var candidates))
        {
            return regression ? FieldValue.Null : FieldValue.FromNumber(0.0);
        }

        string? bestId = null;
        var bestTicks = long.MaxValue;
        var best = FieldValue.Null;
        foreach (var (ticks, id, value) in candidates)
        {
            // Ties by id, not by the order the raw files were read in: the same events batched otherwise give the same label.
            if (ticks >= t && ticks - t <= withinTicks && (ticks < bestTicks || (ticks == bestTicks && string.CompareOrdinal(id, bestId) < 0)))
            {
                bestId = id;
                bestTicks = ticks;
                best = value;
            }
        }

        var found = bestId is not null;

        if (regression)
        {
            return found ? best : FieldValue.Null;
        }

        return FieldValue.FromNumber(found ? 1.0 : 0.0);
    }
}
