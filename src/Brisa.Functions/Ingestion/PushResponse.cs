using Brisa.Core.Ingestion;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Brisa.Functions.Ingestion;

/// <summary>The push endpoint's answer: counts and one result per event, in the order sent.</summary>
/// <param name="Accepted">Events landed in the raw zone.</param>
/// <param name="Rejected">Events dead-lettered with a reason.</param>
/// <param name="Results">Per event: id, status (<c>accepted</c> or <c>rejected</c>) and reason.</param>
public sealed record PushResponse(int Accepted, int Rejected, IReadOnlyList<PushEventResult> Results)
{
    /// <summary>200 when any event was accepted (or none was sent); 400 problem details when every event was rejected.</summary>
    public static IActionResult From(IngestionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var results = result.Outcomes.Select(o => new PushEventResult(o.EventId, o.Accepted ? "accepted" : "rejected", o.Reason)).ToArray();
        if (result.Accepted == 0 && result.Rejected > 0)
        {
            var problem = new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "No event was accepted",
                Detail = results.Length == 1 ? results[0].Reason : $"All {results.Length} events were rejected; each is in dead-letter with its reason.",
                Type = "https://brisa.dev/problems/events-rejected",
            };
            problem.Extensions["results"] = results;
            return new ObjectResult(problem) { StatusCode = StatusCodes.Status400BadRequest, ContentTypes = { "application/problem+json" } };
        }

        return new OkObjectResult(new PushResponse(result.Accepted, result.Rejected, results));
    }
}

/// <summary>The fate of one pushed event.</summary>
/// <param name="Id">Its CloudEvent id, when readable.</param>
/// <param name="Status"><c>accepted</c> or <c>rejected</c>.</param>
/// <param name="Reason">Why it was rejected.</param>
public sealed record PushEventResult(string? Id, string Status, string? Reason);
