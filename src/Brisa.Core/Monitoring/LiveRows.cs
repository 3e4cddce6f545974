using System.Globalization;
using Brisa.Core.Definitions;

namespace Brisa.Core.Monitoring;

/// <summary>The predictions a live performance report joins with labels, and its split by UTC day (classifiers and regressions alike).</summary>
internal sealed class LiveRows
{
    private LiveRows(LivePrediction[] scored, LivePrediction[] unjoinable, LivePrediction[] rows)
    {
        Scored = scored;
        Unjoinable = unjoinable;
        Rows = rows;
    }

    /// <summary>Predictions made by the report's time.</summary>
    public LivePrediction[] Scored { get; }

    /// <summary>Predictions without an id: no label can be joined to them, so they are only counted.</summary>
    public LivePrediction[] Unjoinable { get; }

    /// <summary>One row per id, its first prediction (a client's retry scores it again; the first is the one acted on), in time order.</summary>
    public LivePrediction[] Rows { get; }

    /// <summary>The rows of <paramref name="predictions"/> as of <paramref name="asOf"/>.</summary>
    public static LiveRows Of(IEnumerable<LivePrediction> predictions, DateTimeOffset asOf)
    {
        var scored = predictions.Where(p => p.Time <= asOf).ToArray();
        return new LiveRows(
            scored,
            [.. scored.Where(p => p.Id is null)],
            [.. scored.Where(p => p.Id is not null).OrderBy(p => p.Time).DistinctBy(p => p.Id, StringComparer.Ordinal)]);
    }

    /// <summary>
    /// The warning when at least <see cref="LivePerformanceAnalyzer.UnjoinableWarnShare"/> of the predictions came without
    /// an id; empty otherwise.
    /// </summary>
    /// <param name="model">The model (its label source and key).</param>
    /// <param name="numbers">What the unjoinable predictions are left out of, e.g. "these errors".</param>
    public string[] UnjoinableWarning(ModelDefinition model, string numbers)
    {
        long unjoinable = Unjoinable.Length, joined = Rows.Length;
        var share = unjoinable == 0 ? 0 : (double)unjoinable / (unjoinable + joined);
        return share < LivePerformanceAnalyzer.UnjoinableWarnShare
            ? []
            : [string.Create(
                CultureInfo.InvariantCulture,
                $"{unjoinable:N0} of {unjoinable + joined:N0} predictions ({share:P1}) were sent without an id: no {model.Label.Source} label can be joined with them, so they are left out of {numbers}, which describe the other predictions only. Send the label key ({model.Label.Key}) as each instance's id.")];
    }

    /// <summary>The UTC days holding a row or an unjoinable prediction, in order: the day's bounds, its rows' indexes in <see cref="Rows"/>, and its unjoinable count.</summary>
    public IEnumerable<(DateTimeOffset From, DateTimeOffset To, int[] Rows, int Unjoinable)> ByUtcDay()
    {
        var rows = Rows;
        var joinedByDay = Enumerable.Range(0, rows.Length).ToLookup(i => rows[i].Time.UtcDateTime.Date);
        var unjoinableByDay = Unjoinable.CountBy(p => p.Time.UtcDateTime.Date).ToDictionary();
        return joinedByDay.Select(g => g.Key).Union(unjoinableByDay.Keys).Order()
            .Select(day => (new DateTimeOffset(day, TimeSpan.Zero), new DateTimeOffset(day.AddDays(1), TimeSpan.Zero), joinedByDay[day].ToArray(), unjoinableByDay.GetValueOrDefault(day)));
    }
}
