using Brisa.Core.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Brisa.Functions.Http;

/// <summary>RFC 7807 problem details for every HTTP error Brisa returns: a clear message, never a stack trace.</summary>
public static class Problems
{
    /// <summary>A problem response.</summary>
    public static ObjectResult Create(int status, string title, string detail, string type)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = "https://brisa.dev/problems/" + type };
        return new ObjectResult(problem) { StatusCode = status, ContentTypes = { "application/problem+json" } };
    }

    /// <summary>Runs a handler, turning a <see cref="ServingException"/> into its problem details.</summary>
    public static async Task<IActionResult> Guard(Func<Task<IActionResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        try
        {
            return await handler();
        }
        catch (ServingException ex)
        {
            return Create(ex.Status, ex.Title, ex.Message, ex.Title.ToLowerInvariant().Replace(' ', '-'));
        }
    }

    /// <summary>415: the body is not a media type the endpoint reads.</summary>
    public static ObjectResult UnsupportedMediaType(string? contentType, IEnumerable<string> accepted) =>
        Create(
            StatusCodes.Status415UnsupportedMediaType,
            "Unsupported media type",
            $"Content-Type '{contentType ?? "(none)"}' is not accepted; use one of: {string.Join(", ", accepted)}.",
            "unsupported-media-type");

    /// <summary>413: the body is larger than the endpoint's limit.</summary>
    public static ObjectResult PayloadTooLarge(long limit) =>
        Create(
            StatusCodes.Status413PayloadTooLarge,
            "Payload too large",
            $"The request body is larger than {limit} bytes; split it into smaller batches.",
            "payload-too-large");
}
