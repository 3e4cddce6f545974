using System.Reflection;
using Brisa.Functions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brisa.Cli.Serving;

/// <summary>
/// Runs Brisa's HTTP functions on this machine without the Functions host (Core Tools are not available here):
/// every <c>[Function]</c> with an <c>[HttpTrigger]</c> in Brisa.Functions is mapped to its route under
/// <c>/api</c> and invoked exactly as the host would, with the same service registrations (<c>AddBrisa</c>).
/// Local runs have no function keys.
/// </summary>
public static class LocalFunctionsHost
{
    /// <summary>Builds the web app: configuration values win over the environment.</summary>
    public static WebApplication Build(Uri url, IDictionary<string, string?> configuration)
    {
        ArgumentNullException.ThrowIfNull(url);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddBrisa();
        builder.Services.AddMvcCore();
        builder.Services.AddProblemDetails();
        builder.WebHost.UseUrls(url.ToString());

        var app = builder.Build();
        app.UseExceptionHandler();
        foreach (var function in Discover(typeof(HostingExtensions).Assembly))
        {
            app.MapMethods("/api/" + function.Route, function.Methods, context => InvokeAsync(function, context)).WithName(function.Name);
        }

        return app;
    }

    /// <summary>The HTTP functions of an assembly: name, route, methods and the method to call.</summary>
    public static IReadOnlyList<HttpFunction> Discover(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Select(method => (method, function: method.GetCustomAttribute<FunctionAttribute>()))
            .Where(m => m.function is not null)
            .Select(m => (m.method, m.function, trigger: m.method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(m => m.trigger is not null)
            .Select(m => new HttpFunction(m.function!.Name, m.trigger!.Route ?? m.function.Name, m.trigger.Methods?.Select(x => x.ToUpperInvariant()).ToArray() ?? ["GET", "POST"], m.method))
            .OrderBy(f => f.Route, StringComparer.Ordinal)
            .ToArray();
    }

    private static async Task InvokeAsync(HttpFunction function, HttpContext context)
    {
        var instance = ActivatorUtilities.CreateInstance(context.RequestServices, function.Method.DeclaringType!);
        var arguments = function.Method.GetParameters().Select(object? (parameter) => parameter.ParameterType switch
        {
            var t when t == typeof(HttpRequest) => context.Request,
            var t when t == typeof(CancellationToken) => context.RequestAborted,
            var t when t == typeof(string) => context.GetRouteValue(parameter.Name!)?.ToString(),
            _ => throw new NotSupportedException($"{function.Name}: parameter '{parameter.Name}' of type {parameter.ParameterType.Name} cannot be bound by the local host."),
        }).ToArray();

        var result = await (Task<IActionResult>)function.Method.Invoke(instance, arguments)!;
        await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
    }
}

/// <summary>An HTTP-triggered function found in the Functions assembly.</summary>
/// <param name="Name">The function name.</param>
/// <param name="Route">Its route under <c>/api</c>.</param>
/// <param name="Methods">HTTP methods, upper case.</param>
/// <param name="Method">The method to invoke.</param>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods, MethodInfo Method);
