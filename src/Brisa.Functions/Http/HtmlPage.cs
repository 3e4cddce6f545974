using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Brisa.Functions.Http;

/// <summary>An HTML answer (the catalog page, a drift report) with the security headers a page on the API's origin needs.</summary>
public static class HtmlPage
{
    /// <summary>
    /// <paramref name="statusCode"/> (200 unless told) with <paramref name="html"/>, and as headers: <paramref name="contentSecurityPolicy"/> (the policy the page's
    /// own <c>meta</c> element states) with <c>frame-ancestors 'none'</c>, which a <c>meta</c> element cannot carry;
    /// <c>nosniff</c>; and no referrer, since a browser's URL may hold the key as <c>?code=</c>. As a header the policy
    /// holds even when the markup is not the one Brisa rendered: a drift report is served as stored in Blob.
    /// </summary>
    /// <param name="request">The request, whose response gets the headers.</param>
    /// <param name="html">The page.</param>
    /// <param name="contentSecurityPolicy">The page's policy, without <c>frame-ancestors</c>.</param>
    /// <param name="statusCode">The status (a page that says what is missing is a 404).</param>
    public static ContentResult Create(HttpRequest request, string html, string contentSecurityPolicy, int statusCode = StatusCodes.Status200OK)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = request.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = contentSecurityPolicy + "; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return new ContentResult { Content = html, ContentType = "text/html; charset=utf-8", StatusCode = statusCode };
    }
}
