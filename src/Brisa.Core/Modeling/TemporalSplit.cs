using Brisa.Core.Definitions;

namespace Brisa.Core.Modeling;

/// <summary>
/// The time-based split of a <see cref="TrainingTable"/>: the newest <see cref="SplitDefinition.Validation"/> is
/// held out, training uses what came strictly before it, less the <see cref="SplitDefinition.Gap"/> just before it
/// (optionally only the last <see cref="SplitDefinition.Training"/>). Never random.
/// </summary>
/// <param name="Training">Training row indexes, oldest first.</param>
/// <param name="Validation">Validation row indexes, oldest first.</param>
/// <param name="Cutoff">The newest observation time minus the validation span: validation rows are after it, training rows at or before it less the gap.</param>
/// <param name="End">The newest observation time in the table.</param>
public sealed record TemporalSplit(IReadOnlyList<int> Training, IReadOnlyList<int> Validation, DateTimeOffset Cutoff, DateTimeOffset End)
{
    /// <summary>Splits by time. Ties keep table order (stable).</summary>
    /// <param name="table">The table.</param>
    /// <param name="split">The split definition.</param>
    /// <returns>The split.</returns>
    /// <exception cref="InvalidOperationException">The table is empty, or either side is empty.</exception>
    public static TemporalSplit Create(TrainingTable table, SplitDefinition split)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(split);
        if (table.RowCount == 0)
        {
            throw new InvalidOperationException("The training table is empty: no labelled observations.");
        }

        var order = Enumerable.Range(0, table.RowCount).OrderBy(i => table.Timestamps[i]).ThenBy(i => i).ToArray();
        var end = table.Timestamps[order[^1]];
        var cutoff = end - split.Validation;
        var gap = split.Gap ?? TimeSpan.Zero;
        var trainTo = cutoff - gap;
        var trainFrom = split.Training is { } span ? trainTo - span : DateTimeOffset.MinValue;
        var training = new List<int>();
        var validation = new List<int>();
        foreach (var row in order)
        {
            var t = table.Timestamps[row];
            if (t > cutoff)
            {
                validation.Add(row);
            }
            else if (t <= trainTo && t >= trainFrom)
            {
                training.Add(row);
            }
        }

        if (training.Count == 0 || validation.Count == 0)
        {
            var first = table.Timestamps[order[0]];
            throw new InvalidOperationException(
                $"The temporal split leaves {training.Count} training and {validation.Count} validation rows: the labelled data spans " +
                $"{first:u} to {end:u} ({(end - first).TotalDays:0.#} days), the validation window is {split.Validation.TotalDays:0.#} days" +
                (gap > TimeSpan.Zero ? $" after a gap of {gap.TotalDays:0.#} days. Use a shorter split.validation or split.gap, or a longer training range." : ". Use a shorter split.validation or a longer training range."));
        }

        return new TemporalSplit(training, validation, cutoff, end);
    }
}
