namespace Brisa.Core.Aggregation;

/// <summary>The window aggregations the engine computes (DESIGN §4).</summary>
public enum AggregationKind
{
    /// <summary>Number of events in the window.</summary>
    Count,

    /// <summary>Sum of a numeric field.</summary>
    Sum,

    /// <summary>Arithmetic mean of a numeric field; null on an empty window.</summary>
    Mean,

    /// <summary>Minimum of a numeric field; null on an empty window.</summary>
    Min,

    /// <summary>Maximum of a numeric field; null on an empty window.</summary>
    Max,

    /// <summary>Sample standard deviation (n−1) of a numeric field; null below two events.</summary>
    StdDev,

    /// <summary>Value of the latest event by event time, ties broken by event id.</summary>
    Last,

    /// <summary>Exact number of distinct values of a low-cardinality field.</summary>
    DistinctCount,
}
