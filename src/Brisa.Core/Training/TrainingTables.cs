using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;

namespace Brisa.Core.Training;

/// <summary>
/// Turns a point-in-time <see cref="TrainingSet"/> into the model's <see cref="TrainingTable"/>: the inputs in model
/// order (named as the definition writes them), the label, and the cost inputs. Training and serving both go through
/// here, so a served row is encoded exactly as a training row.
/// </summary>
public static class TrainingTables
{
    /// <summary>The model's table. <paramref name="withLabels"/> false (serving) fills labels with 0.</summary>
    public static TrainingTable FromSet(TrainingSet set, ModelDefinition model, bool withLabels = true)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(model);
        var rows = set.RowCount;
        var timestamps = new DateTimeOffset[rows];
        for (var r = 0; r < rows; r++)
        {
            timestamps[r] = TiledView.FromUnixTicks(set.ObservationTicks[r]);
        }

        var labels = new float[rows];
        if (withLabels)
        {
            var label = set.Label ?? throw new ArgumentException("The training set has no label column.", nameof(set));
            for (var r = 0; r < rows; r++)
            {
                labels[r] = (float)(label[r].AsNumber() ?? throw new ArgumentException($"Row {set.RowIds[r]} has no label.", nameof(set)));
            }
        }

        var names = ModelTraining.InputNames(model);
        var features = new FeatureColumn[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            features[i] = ToFeature(names[i], FindInput(set, names[i]));
        }

        var costInputs = new Dictionary<string, double[]>(1, StringComparer.Ordinal);
        if (model.Cost?.FalseNegative.Field is { } costField)
        {
            var column = FindInput(set, costField);
            var costs = new double[rows];
            for (var r = 0; r < rows; r++)
            {
                costs[r] = column[r].AsNumber() ?? 0;
            }

            costInputs[costField] = costs;
        }

        return new TrainingTable(timestamps, labels, features, costInputs, Currencies(set, model.Cost?.CurrencyField), [.. set.RowIds]);
    }

    // The currency of each false-negative amount, from the cost matrix's currency_field (a request field).
    private static string?[]? Currencies(TrainingSet set, string? currencyField)
    {
        if (currencyField is null)
        {
            return null;
        }

        foreach (var column in set.Columns)
        {
            if (column.Role == TrainingColumnRole.RequestField && column.Name == currencyField)
            {
                var currencies = new string?[set.RowCount];
                for (var r = 0; r < currencies.Length; r++)
                {
                    currencies[r] = column[r].AsText();
                }

                return currencies;
            }
        }

        throw new ArgumentException($"The training set has no request field '{currencyField}', the cost matrix's currency_field.", nameof(set));
    }

    // A loop, not LINQ: serving builds a table per request, and a lambda per lookup showed in its allocations.
    private static TrainingColumn FindInput(TrainingSet set, string name)
    {
        var columns = set.Columns;
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i] is { Role: TrainingColumnRole.Feature, Feature: { } feature } column && feature.Is(name))
            {
                return column;
            }
        }

        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i] is { Role: TrainingColumnRole.RequestField } column && column.Name == name)
            {
                return column;
            }
        }

        throw new ArgumentException($"The training set has no column for model input '{name}'.", nameof(set));
    }

    private static FeatureColumn ToFeature(string name, TrainingColumn column)
    {
        var values = column.Values;
        if (column.Type == FieldType.String)
        {
            var text = new string?[values.Length];
            for (var r = 0; r < values.Length; r++)
            {
                text[r] = values[r].AsText();
            }

            return FeatureColumn.Categorical(name, text);
        }

        var numbers = new float[values.Length];
        for (var r = 0; r < values.Length; r++)
        {
            numbers[r] = values[r].AsNumber() is { } n ? (float)n : float.NaN;
        }

        return FeatureColumn.Numeric(name, numbers);
    }
}
