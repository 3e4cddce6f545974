using System.Runtime.CompilerServices;

namespace Brisa.Core.Modeling;

/// <summary>The kind of a feature column.</summary>
public enum FeatureKind
{
    /// <summary>A number (<see cref="float"/>); <see cref="float.NaN"/> is missing.</summary>
    Numeric,

    /// <summary>A category (text); null or empty is missing.</summary>
    Categorical,
}

/// <summary>One model input column of a <see cref="TrainingTable"/>.</summary>
public abstract class FeatureColumn
{
    private protected FeatureColumn(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The feature name as the model definition writes it: <c>view:feature</c>, an on-demand feature or a request field.</summary>
    public string Name { get; }

    /// <summary>Numeric or categorical.</summary>
    public abstract FeatureKind Kind { get; }

    /// <summary>Number of rows.</summary>
    public abstract int Count { get; }

    /// <summary>A numeric column (booleans as 0/1, integers and doubles as <see cref="float"/>; NaN = missing).</summary>
    /// <param name="name">The feature name.</param>
    /// <param name="values">One value per row.</param>
    /// <returns>The column.</returns>
    public static NumericColumn Numeric(string name, float[] values) => new(name, values);

    /// <summary>A categorical column (null or empty = missing).</summary>
    /// <param name="name">The feature name.</param>
    /// <param name="values">One value per row.</param>
    /// <returns>The column.</returns>
    public static CategoricalColumn Categorical(string name, string?[] values) => new(name, values);

    /// <summary>True when row <paramref name="row"/> is missing.</summary>
    /// <param name="row">The row index.</param>
    /// <returns>True when missing.</returns>
    public abstract bool IsMissing(int row);

    /// <summary>The column restricted to some rows, in the given order.</summary>
    /// <param name="rows">Row indexes.</param>
    /// <returns>A new column.</returns>
    public abstract FeatureColumn Take(IReadOnlyList<int> rows);
}

/// <summary>A numeric feature column.</summary>
public sealed class NumericColumn : FeatureColumn
{
    internal NumericColumn(string name, float[] values)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        Data = values;
        Values = values;
    }

    /// <summary>The values; NaN = missing.</summary>
    public IReadOnlyList<float> Values { get; }

    /// <inheritdoc />
    public override FeatureKind Kind => FeatureKind.Numeric;

    /// <inheritdoc />
    public override int Count => Values.Count;

    /// <inheritdoc />
    public override bool IsMissing(int row) => float.IsNaN(Data[row]);

    internal float[] Data { get; }

    /// <inheritdoc />
    public override FeatureColumn Take(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var values = new float[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Data[rows[i]];
        }

        return new NumericColumn(Name, values);
    }
}

/// <summary>A categorical feature column.</summary>
public sealed class CategoricalColumn : FeatureColumn
{
    internal CategoricalColumn(string name, string?[] values)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        Data = values;
        Values = values;
    }

    /// <summary>The values; null or empty = missing.</summary>
    public IReadOnlyList<string?> Values { get; }

    /// <inheritdoc />
    public override FeatureKind Kind => FeatureKind.Categorical;

    /// <inheritdoc />
    public override int Count => Values.Count;

    /// <inheritdoc />
    public override bool IsMissing(int row) => string.IsNullOrEmpty(Data[row]);

    internal string?[] Data { get; }

    /// <inheritdoc />
    public override FeatureColumn Take(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var values = new string?[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Values[rows[i]];
        }

        return new CategoricalColumn(Name, values);
    }
}

/// <summary>
/// The columnar input of training, evaluation and champion re-scoring: one row per labelled observation
/// (a point-in-time training set). Row order is free; the temporal split sorts by <see cref="Timestamps"/>.
/// Only observations whose label is final (older than the label's <c>within</c>) belong here.
/// </summary>
public sealed class TrainingTable
{
    // Up to this many columns a name is looked up by a scan; a served prediction builds a small table per request,
    // and the dictionary was its largest allocation.
    private const int ScanLimit = 24;
    private static readonly Dictionary<string, double[]> NoCostInputs = [];

    private readonly Dictionary<string, FeatureColumn>? byName;

    /// <summary>Creates a table and checks that every column has one value per row.</summary>
    /// <param name="timestamps">Observation time of each row (the split key).</param>
    /// <param name="labels">Binary: 0 or 1 (1 = the label event arrived); regression: the target value.</param>
    /// <param name="features">Model inputs, in model input order, unique names.</param>
    /// <param name="costInputs">
    /// Per-row numeric fields the cost matrix reads, by field name (fraud: <c>amount</c> for the false-negative cost).
    /// Null or empty when the cost matrix uses constants only.
    /// </param>
    /// <param name="currencies">
    /// Per-row currency of the false-negative cost input (the cost matrix's <c>currency_field</c>), which evaluation
    /// converts to the matrix's currency and breaks the business result down by; null when the matrix has no currency_field.
    /// </param>
    /// <param name="rowIds">Optional per-row observation id (e.g. the transaction id), for debugging and joins; null when absent.</param>
    /// <exception cref="ArgumentException">A column length differs from the row count, a name repeats, or a label is NaN.</exception>
    public TrainingTable(
        DateTimeOffset[] timestamps,
        float[] labels,
        IReadOnlyList<FeatureColumn> features,
        IReadOnlyDictionary<string, double[]>? costInputs = null,
        string?[]? currencies = null,
        string[]? rowIds = null)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(features);
        var rows = timestamps.Length;
        Check(labels.Length == rows, $"labels has {labels.Length} values for {rows} rows");
        Check(!HasNaN(labels), $"a label is NaN: only labelled rows belong in a training table");
        for (var i = 0; i < features.Count; i++)
        {
            var column = features[i];
            ArgumentNullException.ThrowIfNull(column, nameof(features));
            Check(column.Count == rows, $"feature '{column.Name}' has {column.Count} values for {rows} rows");
            if (features.Count <= ScanLimit)
            {
                for (var j = 0; j < i; j++)
                {
                    Check(features[j].Name != column.Name, $"feature '{column.Name}' appears twice");
                }
            }
            else
            {
                byName ??= new Dictionary<string, FeatureColumn>(features.Count, StringComparer.Ordinal);
                Check(byName.TryAdd(column.Name, column), $"feature '{column.Name}' appears twice");
            }
        }

        var costs = new SortedDictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var (name, values) in costInputs ?? NoCostInputs)
        {
            ArgumentNullException.ThrowIfNull(values, nameof(costInputs));
            Check(values.Length == rows, $"cost input '{name}' has {values.Length} values for {rows} rows");
            costs[name] = values;
        }

        Check(currencies is null || currencies.Length == rows, $"currencies has {currencies?.Length} values for {rows} rows");
        Check(rowIds is null || rowIds.Length == rows, $"row ids has {rowIds?.Length} values for {rows} rows");
        Timestamps = timestamps;
        Labels = labels;
        Features = [.. features];
        CostInputs = costs;
        Currencies = currencies;
        RowIds = rowIds;
    }

    /// <summary>Number of rows.</summary>
    public int RowCount => Timestamps.Count;

    /// <summary>Observation time of each row.</summary>
    public IReadOnlyList<DateTimeOffset> Timestamps { get; }

    /// <summary>The label of each row (binary: 0 or 1).</summary>
    public IReadOnlyList<float> Labels { get; }

    /// <summary>The feature columns, in model input order.</summary>
    public IReadOnlyList<FeatureColumn> Features { get; }

    /// <summary>Per-row cost inputs by field name.</summary>
    public IReadOnlyDictionary<string, double[]> CostInputs { get; }

    /// <summary>Per-row currency of the false-negative cost input (the cost matrix's <c>currency_field</c>), or null.</summary>
    public IReadOnlyList<string?>? Currencies { get; }

    /// <summary>Per-row observation id, or null.</summary>
    public IReadOnlyList<string>? RowIds { get; }

    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    /// <param name="name">The feature name.</param>
    /// <returns>The column or null.</returns>
    public FeatureColumn? Find(string name)
    {
        if (byName is not null)
        {
            return byName.GetValueOrDefault(name);
        }

        for (var i = 0; i < Features.Count; i++)
        {
            if (Features[i].Name == name)
            {
                return Features[i];
            }
        }

        return null;
    }

    /// <summary>The rows <paramref name="rows"/>, in that order.</summary>
    /// <param name="rows">Row indexes.</param>
    /// <returns>A new table.</returns>
    public TrainingTable Take(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var timestamps = new DateTimeOffset[rows.Count];
        var labels = new float[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            timestamps[i] = Timestamps[rows[i]];
            labels[i] = Labels[rows[i]];
        }

        return new TrainingTable(
            timestamps,
            labels,
            [.. Features.Select(f => f.Take(rows))],
            CostInputs.ToDictionary(c => c.Key, c => rows.Select(r => c.Value[r]).ToArray(), StringComparer.Ordinal),
            Currencies is null ? null : [.. rows.Select(r => Currencies[r])],
            RowIds is null ? null : [.. rows.Select(r => RowIds[r])]);
    }

    /// <summary>The same rows with the labels replaced (e.g. a shuffled-label control).</summary>
    /// <param name="labels">The new labels.</param>
    /// <returns>A new table sharing the other columns.</returns>
    public TrainingTable WithLabels(float[] labels) =>
        new([.. Timestamps], labels, Features, CostInputs, Currencies?.ToArray(), RowIds?.ToArray());

    /// <summary>The same rows with one feature column replaced (same name), e.g. permuted for feature importance.</summary>
    /// <param name="column">The replacement.</param>
    /// <returns>A new table sharing the other columns.</returns>
    public TrainingTable WithFeature(FeatureColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        Check(Find(column.Name) is not null, $"no feature '{column.Name}'");
        return new([.. Timestamps], [.. Labels], [.. Features.Select(f => f.Name == column.Name ? column : f)], CostInputs, Currencies?.ToArray(), RowIds?.ToArray());
    }

    /// <summary>The same rows with only the named features, in the given order.</summary>
    /// <param name="names">Feature names.</param>
    /// <returns>A new table sharing the columns.</returns>
    /// <exception cref="ArgumentException">A name is not a feature of this table.</exception>
    public TrainingTable Project(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var missing = names.Where(n => Find(n) is null).ToList();
        Check(missing.Count == 0, $"no feature {string.Join(", ", missing.Select(m => "'" + m + "'"))} (it has {string.Join(", ", Features.Select(f => f.Name))})");
        return new([.. Timestamps], [.. Labels], [.. names.Select(n => Find(n)!)], CostInputs, Currencies?.ToArray(), RowIds?.ToArray());
    }

    private static bool HasNaN(float[] values)
    {
        foreach (var value in values)
        {
            if (float.IsNaN(value))
            {
                return true;
            }
        }

        return false;
    }

    // The message is only formatted when the check fails: a served prediction builds a table per request.
    private static void Check(bool condition, [InterpolatedStringHandlerArgument(nameof(condition))] ref FailureMessage message)
    {
        if (!condition)
        {
            throw new ArgumentException("Invalid training table: " + message.ToStringAndClear() + ".");
        }
    }

    /// <summary>An interpolated message built only when its condition is false (as <c>Debug.Assert</c>'s handler does).</summary>
    [InterpolatedStringHandler]
    private ref struct FailureMessage
    {
        private DefaultInterpolatedStringHandler inner;

        public FailureMessage(int literalLength, int formattedCount, bool condition, out bool shouldAppend)
        {
            shouldAppend = !condition;
            inner = shouldAppend ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
        }

        public void AppendLiteral(string value) => inner.AppendLiteral(value);

        public void AppendFormatted<T>(T value) => inner.AppendFormatted(value);

        public string ToStringAndClear() => inner.ToStringAndClear();
    }
}
