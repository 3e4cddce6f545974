using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Brisa.Functions.Tests;

/// <summary>An action result executed by MVC as the Functions host's ASP.NET Core integration executes it, body included.</summary>
/// <param name="Status">The status code written.</param>
/// <param name="ContentType">The content type written.</param>
/// <param name="Text">The body, as UTF-8 text.</param>
internal sealed record ExecutedResult(int Status, string? ContentType, string Text)
{
    private static readonly IServiceProvider Mvc = new ServiceCollection().AddLogging().AddMvcCore().Services.BuildServiceProvider();

    /// <summary>Executes <paramref name="result"/> into a response held in memory.</summary>
    public static async Task<ExecutedResult> ExecuteAsync(IActionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var context = new DefaultHttpContext { RequestServices = Mvc };
        using var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        return new ExecutedResult(context.Response.StatusCode, context.Response.ContentType, Encoding.UTF8.GetString(body.ToArray()));
    }
}
