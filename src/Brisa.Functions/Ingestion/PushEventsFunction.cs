using Brisa.Core.Ingestion;
using Brisa.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Brisa.Functions.Ingestion;

/// <summary><c>POST /api/events</c>: CloudEvents (one, or a batch) into the same ingestion path as Event Hubs.</summary>
public sealed partial class PushEventsFunction(IEventIngestor ingestor, IOptions<PushOptions> options, ILogger<PushEventsFunction> logger)
{
    private static readonly string[] AcceptedMediaTypes = ["application/cloudevents+json", "application/cloudevents-batch+json", "application/json"];

    /// <summary>Answers 200 with a per-event result when any event was accepted, 400 when none was.</summary>
    [Function("PushEvents")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "events")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await Problems.Guard(logger, async () =>
        {
            // Binary content mode carries the attributes in ce-* headers and only the data in the body, which would be
            // read (and dead-lettered) as an event without attributes.
            if (request.Headers.ContainsKey("ce-specversion"))
            {
                return Problems.UnsupportedMediaType(
                    "CloudEvents binary content mode (ce-* headers) is not accepted: send the event in structured mode, the whole event as JSON with Content-Type application/cloudevents+json.");
            }

            if (!BoundedBody.IsMediaType(request.ContentType, AcceptedMediaTypes))
            {
                return Problems.UnsupportedMediaType(request.ContentType, AcceptedMediaTypes);
            }

            var body = await BoundedBody.ReadAsync(request, options.Value.MaxBodyBytes, cancellationToken);
            if (body is null)
            {
                return Problems.PayloadTooLarge(options.Value.MaxBodyBytes);
            }

            var result = await ingestor.IngestAsync([new IncomingMessage(body)], cancellationToken);
            if (result.Rejected > 0)
            {
                LogRejected(logger, result.Rejected, result.Outcomes.Count, RejectionSummary.Sources(result.Rejections), RejectionSummary.Describe(result.Rejections));
            }

            if (result.OnlineTooLarge.Count > 0)
            {
                LogTooLarge(logger, result.OnlineTooLarge.Count, LogText.Printable(string.Join("; ", result.OnlineTooLarge)));
            }

            IngestionLog.RowsRestarted(logger, result);

            if (result.LateDays.Count > 0)
            {
                LogLateDays(logger, string.Join(", ", result.LateDays.Select(d => $"{d.Source} {d.Day:yyyy-MM-dd}")));
            }

            return PushResponse.From(result);
        }, cancellationToken);
    }

    // As IngestEvents logs it: one alert covers both ways in (the caller has each reason in the answer; the operator does not).
    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "{Rejected} of {Events} events pushed to /api/events were rejected and dead-lettered (sources {Sources}); " +
            "most frequent reasons by source: {Reasons}. 'brisa deadletter list --source <source>' counts them all (docs/operations.md, 'Backfill and replays')")]
    private static partial void LogRejected(ILogger logger, int rejected, int events, string sources, string reasons);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error,
        Message = "{Count} online rows were not updated: their tiles would pass Table storage's 1 MiB entity limit; " +
            "their streaming features stay as last written until the view's TTL (docs/operations.md, 'An online row too large'): {Rows}")]
    private static partial void LogTooLarge(ILogger logger, int count, string rows);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "Events landed for days the incremental materializer had passed; recorded for its next run to re-materialize: {Days}")]
    private static partial void LogLateDays(ILogger logger, string days);
}

/// <summary>Limits of the push endpoint.</summary>
public sealed class PushOptions
{
    /// <summary>Largest request body, in bytes (default 4 MiB; Event Hubs itself takes 1 MiB per batch).</summary>
    public int MaxBodyBytes { get; set; } = 4 * 1024 * 1024;
}
