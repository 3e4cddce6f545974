using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;

namespace Brisa.Core.Training;

/// <summary>What a training-set column holds.</summary>
public enum TrainingColumnRole
{
    /// <summary>An entity join key (e.g. customer_id).</summary>
    EntityKey,

    /// <summary>A request field of the observation (e.g. amount).</summary>
    RequestField,

    /// <summary>A view feature or an on-demand feature.</summary>
    Feature,

    /// <summary>The label.</summary>
    Label,
}

/// <summary>One column of a <see cref="TrainingSet"/>: typed values, one per row (bool as 1/0, timestamps as Unix microseconds).</summary>
public sealed class TrainingColumn
{
    private readonly FieldValue[] values;

    internal TrainingColumn(string name, TrainingColumnRole role, FieldType type, FeatureReference? feature, int rows)
    {
        Name = name;
        Role = role;
        Type = type;
        Feature = feature;
        values = new FieldValue[rows];
    }

    /// <summary>The column name (<c>view__feature</c> for view features).</summary>
    public string Name { get; }

    /// <summary>What the column holds.</summary>
    public TrainingColumnRole Role { get; }

    /// <summary>The value type.</summary>
    public FieldType Type { get; }

    /// <summary>The feature, for <see cref="TrainingColumnRole.Feature"/> columns.</summary>
    public FeatureReference? Feature { get; }

    /// <summary>The values, one per row.</summary>
    public ReadOnlySpan<FieldValue> Values => values;

    /// <summary>The value of a row.</summary>
    /// <param name="row">The row.</param>
    /// <returns>The value.</returns>
    public FieldValue this[int row] => values[row];

    internal FieldValue[] Data => values;

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Role}, {Type})";
}

/// <summary>
/// A point-in-time correct training set in columns, rows sorted by observation time (ties by observation id; a set
/// assembled for serving keeps the request's order): row ids, observation times, then entity keys, request fields,
/// features and the label.
/// </summary>
public sealed class TrainingSet
{
    internal TrainingSet(string[] rowIds, long[] ticks, IReadOnlyList<TrainingColumn> columns, IReadOnlyDictionary<string, ViewLookupCounts> viewCounts, TrainingSetOptions options)
    {
        RowIds = rowIds;
        ObservationTicksArray = ticks;
        Columns = columns;
        ViewCounts = viewCounts;
        Options = options;
    }

    /// <summary>Number of rows.</summary>
    public int RowCount => RowIds.Count;

    /// <summary>The observation id of each row.</summary>
    public IReadOnlyList<string> RowIds { get; }

    /// <summary>The observation time of each row, UTC ticks since the Unix epoch.</summary>
    public ReadOnlySpan<long> ObservationTicks => ObservationTicksArray;

    /// <summary>Every column: entity keys, request fields, features (request order), label.</summary>
    public IReadOnlyList<TrainingColumn> Columns { get; }

    /// <summary>The feature columns, in request order.</summary>
    public IEnumerable<TrainingColumn> Features => Columns.Where(c => c.Role == TrainingColumnRole.Feature);

    /// <summary>The label column, or null for an unlabelled set.</summary>
    public TrainingColumn? Label => Columns.FirstOrDefault(c => c.Role == TrainingColumnRole.Label);

    /// <summary>Per view: how often the entity was found, expired (TTL) or unknown as of the rows' times.</summary>
    public IReadOnlyDictionary<string, ViewLookupCounts> ViewCounts { get; }

    /// <summary>The options the set was built with.</summary>
    public TrainingSetOptions Options { get; }

    internal long[] ObservationTicksArray { get; }

    /// <summary>The column with this name.</summary>
    /// <param name="name">The column name.</param>
    /// <returns>The column.</returns>
    /// <exception cref="KeyNotFoundException">No such column.</exception>
    public TrainingColumn Column(string name) =>
        Columns.FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"The training set has no column '{name}'.");
}

/// <summary>How the rows of a training set found a view's entity as of their time.</summary>
/// <param name="Present">The entity had events, the newest within the TTL.</param>
/// <param name="NotFound">The entity key was null or had no event before the row.</param>
/// <param name="OutsideMaxAge">The entity's newest event was older than the view's TTL (values set to null when TTL is applied).</param>
public sealed record ViewLookupCounts(long Present, long NotFound, long OutsideMaxAge);

/// <summary>Which events a row at time t sees.</summary>
public enum PointInTimeMode
{
    /// <summary>
    /// Events strictly before t (e &lt; t), window of t. Matches serving, which scores an event before it is
    /// ingested: an observation never sees itself (the default).
    /// </summary>
    BeforeObservation,

    /// <summary>Events at or before t (e ≤ t), window of t: the engine's value at t (DESIGN §4).</summary>
    AtObservation,
}

/// <summary>Options of the training-set builder.</summary>
public sealed record TrainingSetOptions
{
    /// <summary>Which events a row sees. Default <see cref="PointInTimeMode.BeforeObservation"/>.</summary>
    public PointInTimeMode PointInTime { get; init; } = PointInTimeMode.BeforeObservation;

    /// <summary>
    /// Serve-time rules: when the entity is unknown as of t, or its newest event is older than the view's TTL,
    /// every feature of that view is null (as the online API serves NOT_FOUND / OUTSIDE_MAX_AGE). Default true.
    /// When false, the engine's raw values are used (an unknown entity has count 0, mean null, ...).
    /// </summary>
    public bool ApplyTtl { get; init; } = true;
}
