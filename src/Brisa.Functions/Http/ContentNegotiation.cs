using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Brisa.Functions.Http;

/// <summary>Picks HTML or JSON from a request's <c>Accept</c> header.</summary>
public static class ContentNegotiation
{
    /// <summary>
    /// True when the client prefers <c>text/html</c> to <c>application/json</c>: it lists text/html with a higher
    /// quality than application/json (absent: 0). A browser's Accept prefers HTML; curl's <c>*/*</c> and API clients
    /// asking for JSON get JSON.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <returns>True for HTML.</returns>
    public static bool PrefersHtml(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            return false;
        }

        double Quality(string mediaType) => accepted
            .Where(a => a.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase))
            .Select(a => a.Quality ?? 1)
            .DefaultIfEmpty(0)
            .Max();

        return Quality("text/html") > Quality("application/json");
    }
}
