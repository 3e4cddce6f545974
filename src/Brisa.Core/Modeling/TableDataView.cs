using Microsoft.ML;
using Microsoft.ML.Data;

namespace Brisa.Core.Modeling;

/// <summary>
/// A read-only <see cref="IDataView"/> over a <see cref="TrainingTable"/>: one scalar column per feature, named exactly
/// as the feature (<see cref="float"/> for numeric, text for categorical), plus the label under <see cref="LabelColumn"/>
/// (Boolean for binary classification, Single for regression). Named columns make a saved model's input schema
/// self-describing. No copy of the data is made.
/// </summary>
internal sealed class TableDataView : IDataView
{
    /// <summary>The label column's name (cannot clash with snake_case feature names).</summary>
    public const string LabelColumn = "Label";

    private readonly TrainingTable table;
    private readonly bool binary;

    public TableDataView(TrainingTable table, IReadOnlyList<(string Name, FeatureKind Kind)> inputs, bool? binaryLabel)
    {
        this.table = table;
        var builder = new DataViewSchema.Builder();
        var columns = new List<FeatureColumn>();
        foreach (var (name, kind) in inputs)
        {
            var column = table.Find(name) ?? throw new ArgumentException($"The table has no feature '{name}', which the model needs.", nameof(table));
            if (column.Kind != kind)
            {
                throw new ArgumentException($"Feature '{name}' is {column.Kind} in the table but {kind} in the model.", nameof(table));
            }

            builder.AddColumn(name, kind == FeatureKind.Numeric ? NumberDataViewType.Single : TextDataViewType.Instance);
            columns.Add(column);
        }

        Columns = columns;
        if (binaryLabel is { } isBinary)
        {
            binary = isBinary;
            builder.AddColumn(LabelColumn, isBinary ? BooleanDataViewType.Instance : NumberDataViewType.Single);
            HasLabel = true;
        }

        Schema = builder.ToSchema();
    }

    public IReadOnlyList<FeatureColumn> Columns { get; }

    public bool HasLabel { get; }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => table.RowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [new Cursor(this, columnsNeeded)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly TableDataView parent;
        private readonly bool[] active;
        private long position = -1;

        public Cursor(TableDataView parent, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            this.parent = parent;
            active = new bool[parent.Schema.Count];
            foreach (var c in columnsNeeded)
            {
                active[c.Index] = true;
            }
        }

        public override long Position => position;

        public override long Batch => 0;

        public override DataViewSchema Schema => parent.Schema;

        public override bool MoveNext()
        {
            if (position + 1 >= parent.table.RowCount)
            {
                position = parent.table.RowCount;
                return false;
            }

            position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < parent.Columns.Count)
            {
                switch (parent.Columns[column.Index])
                {
                    case NumericColumn numeric:
                        {
                            var data = numeric.Data;
                            ValueGetter<float> getter = (ref float value) => value = data[position];
                            return Cast<TValue, float>(getter, column);
                        }

                    case CategoricalColumn categorical:
                        {
                            var data = categorical.Data;
                            ValueGetter<ReadOnlyMemory<char>> getter = (ref ReadOnlyMemory<char> value) => value = (data[position] ?? string.Empty).AsMemory();
                            return Cast<TValue, ReadOnlyMemory<char>>(getter, column);
                        }
                }
            }

            var labels = parent.table.Labels;
            if (parent.binary)
            {
                ValueGetter<bool> getter = (ref bool value) => value = labels[(int)position] > 0.5f;
                return Cast<TValue, bool>(getter, column);
            }
            else
            {
                ValueGetter<float> getter = (ref float value) => value = labels[(int)position];
                return Cast<TValue, float>(getter, column);
            }
        }

        private static ValueGetter<TValue> Cast<TValue, TActual>(ValueGetter<TActual> getter, DataViewSchema.Column column) =>
            getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{column.Name}' is {typeof(TActual).Name}, not {typeof(TValue).Name}.");
    }
}
