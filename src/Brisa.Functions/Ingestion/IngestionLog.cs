using System.Globalization;
using Brisa.Core.Ingestion;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Ingestion;

/// <summary>Log lines both ways in (<c>IngestEvents</c>, <c>PushEvents</c>) write alike, so one alert covers both.</summary>
internal static partial class IngestionLog
{
    /// <summary>
    /// A Warning when the batch started online rows over because they held another tile layout: after a deploy that
    /// changed what tiles store, or an apply that changed a view's tiles, until <c>brisa materialize --tiles</c> runs.
    /// </summary>
    /// <param name="logger">The function's logger.</param>
    /// <param name="result">What the batch did.</param>
    public static void RowsRestarted(ILogger logger, IngestionResult result)
    {
        if (result.OnlineRowsRestarted.Count == 0)
        {
            return;
        }

        var views = result.OnlineRowsRestarted.Keys.Order(StringComparer.Ordinal).ToArray();
        LogRowsRestarted(
            logger,
            result.OnlineRowsRestarted.Values.Sum(),
            string.Join(", ", views.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v} ({result.OnlineRowsRestarted[v]})"))),
            string.Join(',', views));
    }

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning,
        Message = "{Rows} online rows held streaming tiles of another layout (written by an older Brisa build, or before a change of the view's tiles) " +
            "and were started over from these events, by view: {Views}. Their window features count only events from now on until " +
            "'brisa materialize --tiles --views {ViewList}' replays the raw zone into them (docs/operations.md, 'Rebuilding streaming tiles')")]
    private static partial void LogRowsRestarted(ILogger logger, int rows, string views, string viewList);
}
