using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Brisa.Core.Training;

/// <summary>
/// A <see cref="TrainingSet"/> as an ML.NET <see cref="IDataView"/>, without copying: <c>row_id</c> (text),
/// <c>observation_time</c> (DateTimeOffset), entity keys and string columns as text, numeric and bool inputs as
/// <see cref="float"/> (null = NaN, bool = 1/0, timestamps = Unix microseconds), and the label as <c>Label</c>
/// (<see cref="bool"/> for binary classification, <see cref="float"/> for regression). Rows are in time order.
/// </summary>
public sealed class TrainingSetDataView : IDataView
{
    /// <summary>The label column's name, as ML.NET trainers expect by default.</summary>
    public const string LabelColumnName = "Label";

    /// <summary>The row id column.</summary>
    public const string RowIdColumnName = "row_id";

    /// <summary>The observation time column.</summary>
    public const string TimeColumnName = "observation_time";

    private readonly TrainingSet set;

    /// <summary>Wraps a training set.</summary>
    /// <param name="set">The set.</param>
    public TrainingSetDataView(TrainingSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        this.set = set;
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(RowIdColumnName, TextDataViewType.Instance);
        builder.AddColumn(TimeColumnName, DateTimeOffsetDataViewType.Instance);
        foreach (var column in set.Columns)
        {
            if (column.Role == TrainingColumnRole.Label)
            {
                builder.AddColumn(LabelColumnName, column.Type == FieldType.Bool ? BooleanDataViewType.Instance : NumberDataViewType.Single);
            }
            else
            {
                builder.AddColumn(column.Name, column.Type == FieldType.String ? TextDataViewType.Instance : NumberDataViewType.Single);
            }

            }

        Schema = builder.ToSchema();
    }

    /// <summary>The names of the numeric input columns (features and request fields that are not text), for a Concatenate step.</summary>
    public IReadOnlyList<string> NumericInputColumns =>
        set.Columns.Where(c => c.Role is TrainingColumnRole.Feature or TrainingColumnRole.RequestField && c.Type != FieldType.String).Select(c => c.Name).ToArray();

    /// <summary>The names of the text input columns (e.g. last country, channel), for one-hot encoding.</summary>
    public IReadOnlyList<string> TextInputColumns =>
        set.Columns.Where(c => c.Role is TrainingColumnRole.Feature or TrainingColumnRole.RequestField && c.Type == FieldType.String).Select(c => c.Name).ToArray();

    /// <inheritdoc />
    public bool CanShuffle => false;

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <inheritdoc />
    public long? GetRowCount() => set.RowCount;

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private static float ToSingle(FieldValue value) => value.AsNumber() is { } x ? (float)x : float.NaN;

    private sealed class Cursor(TrainingSetDataView parent) : DataViewRowCursor
    {
        private long position = -1;

        public override long Position => position;

        public override long Batch => 0;

        public override DataViewSchema Schema => parent.Schema;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext()
        {
            if (position < parent.set.RowCount - 1)
            {
                position++;
                return true;
            }

            position = parent.set.RowCount;
            return false;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = new DataViewRowId((ulong)position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter;
            var set = parent.set;
            if (column.Index == 0)
            {
                getter = (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = set.RowIds[(int)position].AsMemory());
            }
            else if (column.Index == 1)
            {
                getter = (ValueGetter<DateTimeOffset>)((ref DateTimeOffset value) => value = TiledView.FromUnixTicks(set.ObservationTicksArray[(int)position]));
            }
            else
            {
                var data = set.Columns[column.Index - 2];
                if (data.Role == TrainingColumnRole.Label && data.Type == FieldType.Bool)
                {
                    getter = (ValueGetter<bool>)((ref bool value) => value = data[(int)position].AsNumber() is { } x && x != 0);
                }
                else if (data.Role != TrainingColumnRole.Label && data.Type == FieldType.String)
                {
                    getter = (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = (data[(int)position].AsText() ?? string.Empty).AsMemory());
                }
                else
                {
                    getter = (ValueGetter<float>)((ref float value) => value = ToSingle(data[(int)position]));
                }
            }

            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}, not {typeof(TValue).Name}.");
        }
    }
}
