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
    /// earliest such label event, ties by event id (rows without one are skipped). Both inputs are deduplicated by
    /// (event id, event time), as the features are: the same id at another time is another row (with the same row id).
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

        var labels = new LabelIndex(model, labelsKnownAt);
        foreach (var batch in labelEvents)
        {
            labels.Add(batch);
        }

        var knownAtTicks = labelsKnownAt is { } known ? TiledView.ToUnixTicks(known) : (long?)null;
        var withinTicks = model.Label.Within.Ticks;

        var seen = new HashSet<(string Id, long Ticks)>();
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
                // An event is (id, time), as the features count it: the same id at another time is another row.
                var t = batch.EventTicks(row);
                if (!seen.Add((batch.Id(row), t)))
                {
                    continue;
                }

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

    private static FieldValue LabelOf(LabelIndex labels, string? key, long t, long withinTicks, bool regression)
    {
        var found = labels.TryFind(key, t, t + withinTicks, out var value);
        if (regression)
        {
            return found ? value : FieldValue.Null;
        }

        return FieldValue.FromNumber(found ? 1.0 : 0.0);
    }
}
