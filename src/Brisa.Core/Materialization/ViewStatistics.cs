using System.Globalization;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Modeling;

namespace Brisa.Core.Materialization;

/// <summary>
/// Per-feature statistics of the offline rows one materialization run wrote for one view (DESIGN §8), stored with the
/// run and shown in the catalog.
/// </summary>
/// <param name="View">The view.</param>
/// <param name="RunId">The run: <c>&lt;computed at&gt;-&lt;from&gt;-&lt;to&gt;</c>, sortable by time.</param>
/// <param name="From">Start of the rows' feature times (the run's range, moved back to its UTC day start).</param>
/// <param name="To">End (exclusive) of the run's range.</param>
/// <param name="ComputedAt">When the run finished.</param>
/// <param name="Rows">Offline rows written.</param>
/// <param name="NewestEventTime">The newest event aggregated into any row; null without rows.</param>
/// <param name="Features">One entry per feature, in the view's order (strings categorical, everything else numeric).</param>
public sealed record ViewStatistics(
    string View,
    string RunId,
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset ComputedAt,
    long Rows,
    DateTimeOffset? NewestEventTime,
    IReadOnlyList<FeatureStatistics> Features)
{
    /// <summary>
    /// When the run started reading the raw zone (the <c>raw_as_of</c> of the offline files it wrote); null in
    /// statistics written before it was recorded. Of two runs of ranges ending alike, the later one's are the latest.
    /// </summary>
    public DateTimeOffset? RawAsOf { get; init; }

    /// <summary>The run id of a run: UTC times, so ids sort by completion time.</summary>
    /// <param name="computedAt">When the run finished.</param>
    /// <param name="from">Range start.</param>
    /// <param name="to">Range end.</param>
    /// <returns><c>yyyyMMddTHHmmssfffZ-yyyyMMddTHH-yyyyMMddTHH</c>.</returns>
    public static string RunIdOf(DateTimeOffset computedAt, DateTimeOffset from, DateTimeOffset to) =>
        string.Create(CultureInfo.InvariantCulture, $"{computedAt.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{from.UtcDateTime:yyyyMMdd'T'HH}-{to.UtcDateTime:yyyyMMdd'T'HH}");
}

/// <summary>
/// Accumulates <see cref="ViewStatistics"/> over the row blocks a run writes, one <see cref="FeatureStatisticsBuilder"/>
/// per feature: memory is bounded by the number of features, not by the rows.
/// </summary>
public sealed class ViewStatisticsBuilder
{
    private readonly ViewPlan view;
    private readonly FeatureStatisticsBuilder[] features;
    private long rows;
    private long newestEventTicks = long.MinValue;

    /// <summary>Creates an empty builder for a view.</summary>
    /// <param name="view">The view.</param>
    /// <param name="definitions">The definitions (for the features' value types).</param>
    public ViewStatisticsBuilder(ViewPlan view, FeatureRepositoryDefinition definitions)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(definitions);
        this.view = view;
        var source = definitions.FindSource(view.Definition.Source)!;
        features = view.Definition.Features
            .Select(f => new FeatureStatisticsBuilder(f.Name, f.GetValueType(source) == FieldType.String ? FeatureKind.Categorical : FeatureKind.Numeric))
            .ToArray();
    }

    /// <summary>Adds a block of rows of the view.</summary>
    /// <param name="block">The rows.</param>
    public void Add(OfflineRows block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (!ReferenceEquals(block.View.Definition, view.Definition))
        {
            throw new ArgumentException($"Rows of view '{block.View.Name}' given to the statistics of '{view.Name}'.", nameof(block));
        }

        for (var r = 0; r < block.Count; r++)
        {
            var values = block.ValuesOf(r);
            for (var f = 0; f < features.Length; f++)
            {
                Add(features[f], values[f]);
            }

            newestEventTicks = Math.Max(newestEventTicks, block.EventTicksOf(r));
        }

        rows += block.Count;
    }

    /// <summary>The statistics of every row added.</summary>
    /// <param name="from">The run's range start.</param>
    /// <param name="to">The run's range end.</param>
    /// <param name="computedAt">When the run finished.</param>
    /// <returns>The statistics.</returns>
    public ViewStatistics Build(DateTimeOffset from, DateTimeOffset to, DateTimeOffset computedAt) => new(
        view.Name,
        ViewStatistics.RunIdOf(computedAt, from, to),
        from,
        to,
        computedAt,
        rows,
        rows == 0 ? null : TiledView.FromUnixTicks(newestEventTicks),
        [.. features.Select(f => f.Build())]);

    private static void Add(FeatureStatisticsBuilder builder, FieldValue value)
    {
        if (builder.Kind == FeatureKind.Categorical)
        {
            builder.AddCategory(value.AsText());
        }
        else
        {
            builder.AddNumber(value.AsNumber());
        }
    }
}
