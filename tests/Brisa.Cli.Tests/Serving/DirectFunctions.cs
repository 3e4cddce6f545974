using System.Text.RegularExpressions;
using Brisa.Functions;
using Brisa.Functions.Catalog;
using Brisa.Functions.Health;
using Brisa.Functions.Ingestion;
using Brisa.Functions.Models;
using Brisa.Functions.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Brisa.Cli.Tests.Serving;

/// <summary>
/// The Functions classes called directly, as the Functions host's ASP.NET Core integration calls them: services from
/// <c>AddBrisa</c>, an <see cref="HttpRequest"/> built here, the returned <see cref="IActionResult"/> executed by MVC.
/// Routes are matched by hand (not by the CLI host's reflection), so the two targets share no dispatch code.
/// </summary>
public sealed partial class DirectFunctions : IAsyncDisposable
{
    private readonly IHost host;

    private DirectFunctions(IHost host) => this.host = host;

    /// <summary>Services as the Function App registers them, on the given clock; <paramref name="configureServices"/> runs after them.</summary>
    public static DirectFunctions Create(IDictionary<string, string?> settings, TimeProvider clock, Action<IServiceCollection>? configureServices = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddBrisa();
        builder.Services.AddSingleton(clock);
        builder.Services.AddLogging();
        builder.Services.AddMvcCore();
        builder.Services.AddProblemDetails();
        configureServices?.Invoke(builder.Services);
        return new DirectFunctions(builder.Build());
    }

    /// <summary>Invokes the function that serves <paramref name="method"/> <paramref name="path"/> (under <c>/api/</c>).</summary>
    public async Task<HttpAnswer> SendAsync(string method, string path, byte[]? body, string? contentType, IReadOnlyDictionary<string, string> headers)
    {
        using var scope = host.Services.CreateScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        var query = path.IndexOf('?', StringComparison.Ordinal);
        context.Request.Method = method;
        context.Request.Path = "/api/" + (query < 0 ? path : path[..query]);
        context.Request.QueryString = new QueryString(query < 0 ? null : path[query..]);
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(body ?? []);
        context.Request.ContentLength = body?.Length;
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        var response = new MemoryStream();
        context.Response.Body = response;
        var result = await InvokeAsync(scope.ServiceProvider, method, query < 0 ? path : path[..query], context.Request);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        return new HttpAnswer(context.Response.StatusCode, context.Response.ContentType, response.ToArray());
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }

    private static Task<IActionResult> InvokeAsync(IServiceProvider services, string method, string route, HttpRequest request)
    {
        var ct = CancellationToken.None;
        T Make<T>() => ActivatorUtilities.CreateInstance<T>(services);
        return (method, route) switch
        {
            ("POST", "features/online") => Make<OnlineFeaturesFunction>().Run(request, ct),
            ("POST", _) when PredictRoute().Match(route) is { Success: true } m => Make<PredictFunction>().Run(request, m.Groups[1].Value, ct),
            ("POST", "events") => Make<PushEventsFunction>().Run(request, ct),
            ("GET", "catalog") => Make<CatalogFunctions>().List(request, ct),
            ("GET", "catalog/ui") => Make<CatalogFunctions>().Page(request, ct),
            ("GET", _) when CatalogViewRoute().Match(route) is { Success: true } m => Make<CatalogFunctions>().Get(request, m.Groups[1].Value, ct),
            ("GET", _) when ModelRoute().Match(route) is { Success: true } m => Make<ModelInfoFunction>().Run(request, m.Groups[1].Value, ct),
            ("GET", "health") => Make<HealthFunction>().Run(request, ct),
            _ => throw new ArgumentException($"no function serves {method} {route}"),
        };
    }

    [GeneratedRegex("^models/([^/]+)/predict$")]
    private static partial Regex PredictRoute();

    [GeneratedRegex("^catalog/([^/]+)$")]
    private static partial Regex CatalogViewRoute();

    [GeneratedRegex("^models/([^/]+)$")]
    private static partial Regex ModelRoute();
}

/// <summary>An HTTP answer from either target.</summary>
/// <param name="Status">The status code.</param>
/// <param name="ContentType">The content type.</param>
/// <param name="Body">The body's bytes.</param>
public sealed record HttpAnswer(int Status, string? ContentType, byte[] Body);
