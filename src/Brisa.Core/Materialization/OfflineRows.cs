using Brisa.Core.Aggregation;
using Brisa.Core.Features;

namespace Brisa.Core.Materialization;

/// <summary>
/// Offline feature rows of one view (DESIGN §5 <c>offline/&lt;view&gt;/…</c>): entity key, feature time, event time
/// (the newest event aggregated) and one value per feature, sorted by (feature time, entity key).
/// Each row holds the entity's values from its feature time until the entity's next row: see the README.
/// </summary>
public sealed class OfflineRows
{
    /// <summary>The offline files' feature time column (after the entity's join key column).</summary>
    public const string FeatureTimeColumn = "feature_time";

    /// <summary>The offline files' event time column.</summary>
    public const string EventTimeColumn = "event_time";

    /// <summary>The offline files' Hive partition column (<c>&lt;view&gt;/date=YYYY-MM-DD/</c>), which readers add as a column.</summary>
    public const string DatePartitionColumn = "date";

    private readonly List<string> keys = [];
    private readonly List<long> featureTicks = [];
    private readonly List<long> eventTicks = [];
    private readonly List<FieldValue> values = [];

    /// <summary>Creates an empty block.</summary>
    /// <param name="view">The view.</param>
    public OfflineRows(ViewPlan view)
    {
        ArgumentNullException.ThrowIfNull(view);
        View = view;
    }

    /// <summary>The view.</summary>
    public ViewPlan View { get; }

    /// <summary>Number of rows.</summary>
    public int Count => keys.Count;

    /// <summary>The entity key of a row.</summary>
    /// <param name="row">The row.</param>
    /// <returns>The key.</returns>
    public string EntityKeyOf(int row) => keys[row];

    /// <summary>The feature time of a row (UTC ticks since the Unix epoch): the values hold from this instant.</summary>
    /// <param name="row">The row.</param>
    /// <returns>The time.</returns>
    public long FeatureTicksOf(int row) => featureTicks[row];

    /// <summary>The event time of a row (newest event aggregated, UTC ticks since the Unix epoch): what TTL is measured from.</summary>
    /// <param name="row">The row.</param>
    /// <returns>The time.</returns>
    public long EventTicksOf(int row) => eventTicks[row];

    /// <summary>The feature values of a row, in the view's feature order.</summary>
    /// <param name="row">The row.</param>
    /// <returns>The values.</returns>
    public ReadOnlySpan<FieldValue> ValuesOf(int row)
    {
        var n = View.View.FeatureCount;
        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values).Slice(row * n, n);
    }

    /// <summary>Appends a row.</summary>
    /// <param name="entityKey">The entity key.</param>
    /// <param name="featureUnixTicks">The feature time.</param>
    /// <param name="eventUnixTicks">The event time.</param>
    /// <param name="rowValues">One value per feature.</param>
    public void Add(string entityKey, long featureUnixTicks, long eventUnixTicks, ReadOnlySpan<FieldValue> rowValues)
    {
        ArgumentNullException.ThrowIfNull(entityKey);
        if (rowValues.Length != View.View.FeatureCount)
        {
            throw new ArgumentException($"Expected {View.View.FeatureCount} values, got {rowValues.Length}.", nameof(rowValues));
        }

        keys.Add(entityKey);
        featureTicks.Add(featureUnixTicks);
        eventTicks.Add(eventUnixTicks);
        foreach (var v in rowValues)
        {
            values.Add(v);
        }
    }

    /// <summary>Sorts the rows by (feature time, entity key ordinal) so output is deterministic.</summary>
    public void Sort()
    {
        var n = Count;
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var c = featureTicks[a].CompareTo(featureTicks[b]);
            return c != 0 ? c : string.CompareOrdinal(keys[a], keys[b]);
        });
        var width = View.View.FeatureCount;
        var k = new string[n];
        var f = new long[n];
        var e = new long[n];
        var v = new FieldValue[n * width];
        for (var i = 0; i < n; i++)
        {
            var j = order[i];
            k[i] = keys[j];
            f[i] = featureTicks[j];
            e[i] = eventTicks[j];
            for (var c = 0; c < width; c++)
            {
                v[(i * width) + c] = values[(j * width) + c];
            }
        }

        keys.Clear();
        keys.AddRange(k);
        featureTicks.Clear();
        featureTicks.AddRange(f);
        eventTicks.Clear();
        eventTicks.AddRange(e);
        values.Clear();
        values.AddRange(v);
    }
}
