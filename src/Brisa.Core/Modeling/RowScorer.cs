using Microsoft.ML;
using Microsoft.ML.Data;

namespace Brisa.Core.Modeling;

/// <summary>
/// Scores one row at a time through a row-to-row mapper built once, as ML.NET's PredictionEngine does: no transform
/// chain, cursor or data view per call (those cost about a millisecond and hundreds of KB per request). Not
/// thread-safe: <see cref="TrainedModel"/> keeps a pool and lends one to each caller.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2213:Disposable fields should be disposed", Justification = "InputRow holds managed arrays only.")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "InputRow holds managed arrays only; scorers live as long as their model.")]
internal sealed class RowScorer
{
    private readonly InputRow input;
    private readonly ValueGetter<float> output;

    public RowScorer(ITransformer transformer, DataViewSchema inputSchema, string outputColumn)
    {
        input = new InputRow(inputSchema);
        var mapper = transformer.GetRowToRowMapper(inputSchema);
        var column = mapper.OutputSchema[outputColumn];
        output = mapper.GetRow(input, [column]).GetGetter<float>(column);
    }

    /// <summary>The score of row <paramref name="row"/> of <paramref name="table"/>.</summary>
    public float Score(TrainingTable table, int row)
    {
        input.MoveTo(table, row);
        float value = 0;
        output(ref value);
        return value;
    }

    /// <summary>The model's input row: getters read the current table row's columns by name.</summary>
    private sealed class InputRow(DataViewSchema schema) : DataViewRow
    {
        private readonly FeatureColumn?[] columns = new FeatureColumn?[schema.Count];
        private TrainingTable? table;
        private int row;
        private long position = -1;

        public override long Position => position;

        public override long Batch => 0;

        public override DataViewSchema Schema => schema;

        public void MoveTo(TrainingTable next, int index)
        {
            if (!ReferenceEquals(table, next))
            {
                table = next;
                for (var i = 0; i < schema.Count; i++)
                {
                    columns[i] = schema[i].Name == TableDataView.LabelColumn ? null : Require(next, schema[i]);
                }
            }

            row = index;

            // Mappers cache per position: a new position per call, as PredictionEngine does.
            position++;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        // The same checks as TableDataView: a missing or mistyped input is an error, never a silent NaN.
        private static FeatureColumn Require(TrainingTable table, DataViewSchema.Column column)
        {
            var found = table.Find(column.Name) ?? throw new ArgumentException($"The table has no feature '{column.Name}', which the model needs.", nameof(table));
            var expected = column.Type is TextDataViewType ? FeatureKind.Categorical : FeatureKind.Numeric;
            return found.Kind == expected ? found : throw new ArgumentException($"Feature '{column.Name}' is {found.Kind} in the table but {expected} in the model.", nameof(table));
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var index = column.Index;
            Delegate getter = column.Type switch
            {
                NumberDataViewType when column.Type.RawType == typeof(float) => (ValueGetter<float>)((ref float value) =>
                    value = columns[index] is NumericColumn numeric ? numeric.Data[row] : float.NaN),
                TextDataViewType => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) =>
                    value = (columns[index] is CategoricalColumn categorical ? categorical.Data[row] ?? string.Empty : string.Empty).AsMemory()),

                // The label column of the saved schema: never read when scoring.
                BooleanDataViewType => (ValueGetter<bool>)((ref bool value) => value = false),
                _ => throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}, which the model input does not use."),
            };
            return getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type.RawType.Name}, not {typeof(TValue).Name}.");
        }
    }
}
