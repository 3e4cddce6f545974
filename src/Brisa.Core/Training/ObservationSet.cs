using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;

namespace Brisa.Core.Training;

/// <summary>
/// The rows of a training set before features are joined: one observation (e.g. a transaction, or a label event)
/// with an id, a time, the entity keys it refers to, the request fields known at that time, and its label.
/// Columnar; rows may be added in any order (the builder sorts them by time).
/// </summary>
public sealed class ObservationSet
{
    private readonly List<string> ids = [];
    private readonly List<long> ticks = [];
    private readonly List<string?> keys = [];
    private readonly List<FieldValue> requestValues = [];
    private readonly List<FieldValue> labels = [];

    /// <summary>Creates an empty set.</summary>
    /// <param name="entityKeyFields">The join keys carried per row (e.g. customer_id, merchant_id).</param>
    /// <param name="requestFields">The request fields carried per row, typed (read by on-demand features and passed to the model).</param>
    /// <param name="labelType">The label's type: <see cref="FieldType.Bool"/> (binary) or <see cref="FieldType.Double"/> (regression); null when unlabelled.</param>
    public ObservationSet(IReadOnlyList<string> entityKeyFields, IReadOnlyList<FieldDefinition> requestFields, FieldType? labelType)
    {
        ArgumentNullException.ThrowIfNull(entityKeyFields);
        ArgumentNullException.ThrowIfNull(requestFields);
        EntityKeyFields = entityKeyFields;
        RequestFields = requestFields;
        LabelType = labelType;
    }

    /// <summary>The join keys carried per row.</summary>
    public IReadOnlyList<string> EntityKeyFields { get; }

    /// <summary>The request fields carried per row.</summary>
    public IReadOnlyList<FieldDefinition> RequestFields { get; }

    /// <summary>The label's type, or null when the set is unlabelled.</summary>
    public FieldType? LabelType { get; }

    /// <summary>Number of rows.</summary>
    public int Count => ids.Count;

    /// <summary>Observations dropped while building the set because their label was not known yet (see <see cref="ModelObservations"/>).</summary>
    public int ImmatureDropped { get; internal set; }

    /// <summary>Appends a row.</summary>
    /// <param name="id">The observation id (e.g. the transaction's event id).</param>
    /// <param name="unixTicks">The observation time, UTC ticks since the Unix epoch.</param>
    /// <param name="entityKeys">One key per <see cref="EntityKeyFields"/> (null when absent).</param>
    /// <param name="requestFieldValues">One value per <see cref="RequestFields"/> (numbers for double, long and bool 1/0; text for string).</param>
    /// <param name="label">The label: a number (bool as 1/0, or the regression target), or null when unlabelled.</param>
    public void Add(string id, long unixTicks, ReadOnlySpan<string?> entityKeys, ReadOnlySpan<FieldValue> requestFieldValues, FieldValue label)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (entityKeys.Length != EntityKeyFields.Count)
        {
            throw new ArgumentException($"Expected {EntityKeyFields.Count} entity keys, got {entityKeys.Length}.", nameof(entityKeys));
        }

        if (requestFieldValues.Length != RequestFields.Count)
        {
            throw new ArgumentException($"Expected {RequestFields.Count} request field values, got {requestFieldValues.Length}.", nameof(requestFieldValues));
        }

        ids.Add(id);
        ticks.Add(unixTicks);
        foreach (var key in entityKeys)
        {
            keys.Add(key);
        }

        foreach (var value in requestFieldValues)
        {
            requestValues.Add(value);
        }

        labels.Add(label);
    }

    /// <summary>The id of a row.</summary>
    /// <param name="row">The row.</param>
    /// <returns>The id.</returns>
    public string IdOf(int row) => ids[row];

    /// <summary>The time of a row, UTC ticks since the Unix epoch.</summary>
    /// <param name="row">The row.</param>
    /// <returns>The time.</returns>
    public long TicksOf(int row) => ticks[row];

    /// <summary>An entity key of a row.</summary>
    /// <param name="row">The row.</param>
    /// <param name="keyField">Index into <see cref="EntityKeyFields"/>.</param>
    /// <returns>The key or null.</returns>
    public string? KeyOf(int row, int keyField) => keys[(row * EntityKeyFields.Count) + keyField];

    /// <summary>A request field value of a row.</summary>
    /// <param name="row">The row.</param>
    /// <param name="field">Index into <see cref="RequestFields"/>.</param>
    /// <returns>The value.</returns>
    public FieldValue RequestValueOf(int row, int field) => requestValues[(row * RequestFields.Count) + field];

    /// <summary>The label of a row (null when unlabelled).</summary>
    /// <param name="row">The row.</param>
    /// <returns>The label.</returns>
    public FieldValue LabelOf(int row) => labels[row];
}
