namespace Brisa.Core.Ingestion;

/// <summary>
/// The names the raw zone's Parquet files (<c>raw/&lt;source&gt;/date=YYYY-MM-DD/hour=HH/&lt;batch&gt;.parquet</c>) give
/// their own columns and partitions, ahead of a source's fields: no field may be named like one of them.
/// </summary>
public static class RawZoneColumns
{
    /// <summary>The column holding the CloudEvent id (the first column).</summary>
    public const string Id = "event_id";

    /// <summary>The column holding the event time (the second column).</summary>
    public const string Time = "event_time";

    /// <summary>The date partition of the folders, which readers add as a column.</summary>
    public const string DatePartition = "date";

    /// <summary>The hour partition of the folders, which readers add as a column.</summary>
    public const string HourPartition = "hour";
}
