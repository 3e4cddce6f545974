using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;

namespace Brisa.Core.Training;

/// <summary>
/// A model's label events by the value of their <see cref="LabelDefinition.Key"/>: the one reader of label semantics,
/// used by <see cref="ModelObservations"/> to label training rows and by live monitoring to score a regression's
/// predictions, so both take the same event and the same value. Events are deduplicated by (event id, event time), the
/// identity every path uses (the same id at another time is another event, which can only be the label when it is the
/// earliest in the window, whatever order the raw files were read in); a key is read as an entity key (<see cref="EntityKeys.FromField"/>: a <c>long</c> as its invariant integer text), the value from
/// <see cref="LabelDefinition.Value"/> (null for a binary label).
/// </summary>
public sealed class LabelIndex
{
    private readonly Dictionary<string, List<(long Ticks, string Id, FieldValue Value)>> byKey = new(StringComparer.Ordinal);
    private readonly HashSet<(string Id, long Ticks)> seen = [];
    private readonly ModelDefinition model;
    private readonly long knownAtTicks;

    /// <summary>An empty index of <paramref name="model"/>'s label events.</summary>
    /// <param name="model">The model (label source, key and value field).</param>
    /// <param name="knownAt">When set, label events dated after it are left out (not known yet).</param>
    public LabelIndex(ModelDefinition model, DateTimeOffset? knownAt = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.model = model;
        knownAtTicks = knownAt is { } known ? TiledView.ToUnixTicks(known) : long.MaxValue;
    }

    /// <summary>Label events indexed (after deduplication; without those dated after the known-at time or without a key).</summary>
    public int Count { get; private set; }

    /// <summary>Indexes the events of one batch of the model's label source.</summary>
    /// <param name="batch">Events of <see cref="LabelDefinition.Source"/> (any order; may repeat events already added).</param>
    public void Add(SourceEventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Schema.SourceName != model.Label.Source)
        {
            throw new ArgumentException($"Label events must come from source '{model.Label.Source}', not '{batch.Schema.SourceName}'.", nameof(batch));
        }

        var keyIndex = batch.Schema.IndexOf(model.Label.Key);
        var valueIndex = model.Label.Value is { } valueField ? batch.Schema.IndexOf(valueField) : -1;
        if (keyIndex < 0)
        {
            throw new ArgumentException($"Label source '{model.Label.Source}' has no field '{model.Label.Key}'.", nameof(batch));
        }

        for (var row = 0; row < batch.Count; row++)
        {
            if (batch.EventTicks(row) > knownAtTicks || !seen.Add((batch.Id(row), batch.EventTicks(row))) || EntityKeys.FromField(batch.Value(row, keyIndex)) is not { } key)
            {
                continue;
            }

            if (!byKey.TryGetValue(key, out var list))
            {
                byKey[key] = list = [];
            }

            list.Add((batch.EventTicks(row), batch.Id(row), valueIndex < 0 ? FieldValue.Null : batch.Value(row, valueIndex)));
            Count++;
        }
    }

    /// <summary>
    /// The label of <paramref name="key"/> dated in [<paramref name="fromTicks"/>, <paramref name="toTicks"/>]: the earliest
    /// such event, ties by the smallest event id (not by the order the raw files were read in, so the same events batched
    /// otherwise give the same label).
    /// </summary>
    /// <param name="key">The label key's value (null: no label).</param>
    /// <param name="fromTicks">Earliest event time, Unix ticks (inclusive).</param>
    /// <param name="toTicks">Latest event time, Unix ticks (inclusive).</param>
    /// <param name="value">The event's label value (<see cref="FieldValue.Null"/> for a binary label, or when the event has none).</param>
    /// <returns>True when such an event exists.</returns>
    public bool TryFind(string? key, long fromTicks, long toTicks, out FieldValue value)
    {
        value = FieldValue.Null;
        if (key is null || !byKey.TryGetValue(key, out var candidates))
        {
            return false;
        }

        string? bestId = null;
        var bestTicks = long.MaxValue;
        foreach (var (ticks, id, candidate) in candidates)
        {
            if (ticks >= fromTicks && ticks <= toTicks && (ticks < bestTicks || (ticks == bestTicks && string.CompareOrdinal(id, bestId) < 0)))
            {
                bestId = id;
                bestTicks = ticks;
                value = candidate;
            }
        }

        return bestId is not null;
    }
}
