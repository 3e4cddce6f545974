using Brisa.Azure.Registry;
using Brisa.Core.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Http;

/// <summary>RFC 7807 problem details for every HTTP error Brisa returns: a clear message, never a stack trace.</summary>
public static partial class Problems
{
    /// <summary>A problem response.</summary>
    public static ObjectResult Create(int status, string title, string detail, string type)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = "https://brisa.dev/problems/" + type };
        return new ObjectResult(problem) { StatusCode = status, ContentTypes = { "application/problem+json" } };
    }

    /// <summary>
    /// Runs an HTTP function's handler and answers what it throws with problem details: a <see cref="ServingException"/>
    /// with its own status; <see cref="DefinitionsNotDeployedException"/> with 503; anything else with a 500 that names
    /// a new error id and nothing of the exception (its text may hold internals), the exception being logged at Error
    /// with that id. A cancellation of the request itself (<paramref name="cancellationToken"/>) is not answered: it
    /// propagates to the host, as before. The JSON of the answer is made here too (<see cref="SerializedJson"/>), so a
    /// value that cannot be serialized is such a 500 rather than a failure after the function returned (a bare 500).
    /// </summary>
    /// <param name="logger">The function's logger: where an unexpected exception and its id go.</param>
    /// <param name="handler">The function's work.</param>
    /// <param name="cancellationToken">The request's token, as given to the function.</param>
    public static async Task<IActionResult> Guard(ILogger logger, Func<Task<IActionResult>> handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(handler);
        try
        {
            return SerializedJson.Serialize(await handler());
        }
        catch (ServingException ex)
        {
            return Create(ex.Status, ex.Title, ex.Message, ex.Title.ToLowerInvariant().Replace(' ', '-'));
        }
        catch (DefinitionsNotDeployedException ex)
        {
            return Create(StatusCodes.Status503ServiceUnavailable, "No definitions deployed", ex.Message, "no-definitions-deployed");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var errorId = Guid.NewGuid().ToString("N");
            LogUnexpected(logger, ex, errorId);
            return InternalError(errorId);
        }
    }

    /// <summary>500: an unexpected failure, named by the id it was logged with.</summary>
    private static ObjectResult InternalError(string errorId)
    {
        var result = Create(
            StatusCodes.Status500InternalServerError,
            "Internal error",
            $"The request failed unexpectedly. Error id {errorId}: the operator finds the cause in the service's logs under this id.",
            "internal-error");
        ((ProblemDetails)result.Value!).Extensions["error_id"] = errorId;
        return result;
    }

    /// <summary>415: the body is not a media type the endpoint reads.</summary>
    public static ObjectResult UnsupportedMediaType(string? contentType, IEnumerable<string> accepted) =>
        UnsupportedMediaType($"Content-Type '{contentType ?? "(none)"}' is not accepted; use one of: {string.Join(", ", accepted)}.");

    /// <summary>415: the request's form is not one the endpoint reads, as <paramref name="detail"/> says.</summary>
    public static ObjectResult UnsupportedMediaType(string detail) =>
        Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", detail, "unsupported-media-type");

    /// <summary>413: the body is larger than the endpoint's limit.</summary>
    public static ObjectResult PayloadTooLarge(long limit) =>
        Create(
            StatusCodes.Status413PayloadTooLarge,
            "Payload too large",
            $"The request body is larger than {limit} bytes; split it into smaller batches.",
            "payload-too-large");

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error {ErrorId}: answered 500 with this id.")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string errorId);
}
