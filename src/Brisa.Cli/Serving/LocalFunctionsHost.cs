using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Brisa.Functions;
using Brisa.Functions.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brisa.Cli.Serving;

/// <summary>
/// Runs Brisa's HTTP functions on this machine without the Functions host (Core Tools are not available here):
/// every <c>[Function]</c> with an <c>[HttpTrigger]</c> in Brisa.Functions is mapped to its route under
/// <c>/api</c> and invoked exactly as the host would, with the same service registrations (<c>AddBrisa</c>).
/// Like the Functions host, a function whose trigger is not <see cref="AuthorizationLevel.Anonymous"/> needs the key
/// in the <c>x-functions-key</c> header or the <c>code</c> query parameter (401 problem details otherwise), unless the
/// host is built without a key. It answers only requests addressed to a loopback name (421 problem details otherwise),
/// so a web page cannot reach it through DNS rebinding.
/// </summary>
public static class LocalFunctionsHost
{
    /// <summary>
    /// Builds the web app. Settings, lowest first: the local defaults of <c>local.settings.json</c>
    /// (<see cref="LocalSettings"/>), the environment, then <paramref name="configuration"/>.
    /// </summary>
    /// <param name="url">Where to listen.</param>
    /// <param name="configuration">Settings, as the Function App's app settings.</param>
    /// <param name="functionKey">The key every non-anonymous function requires; null serves without keys (<c>--no-auth</c>).</param>
    /// <param name="configureServices">Registrations applied after Brisa's own (tests pin the clock this way).</param>
    /// <param name="triggers">Also run the timer and queue functions (<see cref="LocalTriggerService"/>); null serves HTTP only.</param>
    public static WebApplication Build(Uri url, IDictionary<string, string?> configuration, string? functionKey, Action<IServiceCollection>? configureServices = null, LocalTriggerOptions? triggers = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        // Beneath the environment, as Core Tools' local.settings.json is beneath the app settings it becomes.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LocalSettings.Defaults() });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddBrisa();
        builder.Services.AddMvcCore();
        builder.Services.AddProblemDetails();
        if (triggers is not null)
        {
            builder.Services.AddSingleton(triggers);
            builder.Services.AddSingleton<LocalTriggerService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<LocalTriggerService>());
        }

        configureServices?.Invoke(builder.Services);
        builder.WebHost.UseUrls(url.ToString());

        var app = builder.Build();
        app.UseExceptionHandler();

        // DNS rebinding: a web page whose own name resolves to 127.0.0.1 is, to the browser, the same origin as this API,
        // so it could read every answer and send every request (all of them under --no-auth). Its requests carry its
        // name as Host; the host listens on loopback only, so no request addressed to another name is its to answer.
        app.Use(async (context, next) =>
        {
            if (!IsLoopbackName(context.Request.Host.Host))
            {
                await Execute(Problems.Create(
                    StatusCodes.Status421MisdirectedRequest,
                    "Misdirected request",
                    $"This API answers requests addressed to 127.0.0.1, localhost or [::1] only, not to '{context.Request.Host.Host}' (a web page whose name resolves to this machine must not reach it).",
                    "misdirected-request"), context);
                return;
            }

            await next(context);
        });

        foreach (var function in Discover(typeof(HostingExtensions).Assembly))
        {
            app.MapMethods("/api/" + function.Route, function.Methods, context => InvokeAsync(function, functionKey, context)).WithName(function.Name);
        }

        return app;
    }

    /// <summary>
    /// Fails with one line when something already listens on the port: the host would log its start-up failure with a
    /// stack trace and exit as a generic failure, though the fix is the user's (stop the other one, or another port).
    /// </summary>
    /// <param name="url">Where the host will listen.</param>
    /// <param name="option">The option that sets the port, for the message.</param>
    /// <exception cref="BadInputException">The port is in use.</exception>
    public static void EnsurePortAvailable(Uri url, string option = "--port")
    {
        ArgumentNullException.ThrowIfNull(url);
        using var probe = new TcpListener(IPAddress.Loopback, url.Port);
        try
        {
            probe.Start();
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new BadInputException($"port {url.Port} on 127.0.0.1 is already in use (another brisa serve or Functions host?): stop it, or choose another port with {option}.", ex);
        }
        finally
        {
            probe.Stop();
        }
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
            .Select(m => new HttpFunction(m.function!.Name, m.trigger!.Route ?? m.function.Name, m.trigger.Methods?.Select(x => x.ToUpperInvariant()).ToArray() ?? ["GET", "POST"], m.trigger.AuthLevel, m.method))
            .OrderBy(f => f.Route, StringComparer.Ordinal)
            .ToArray();
    }

    private static async Task InvokeAsync(HttpFunction function, string? functionKey, HttpContext context)
    {
        if (functionKey is not null && function.AuthLevel != AuthorizationLevel.Anonymous && !FunctionKeys.Matches(context.Request, functionKey))
        {
            await Execute(Problems.Create(
                StatusCodes.Status401Unauthorized,
                "Unauthorized",
                $"{function.Name} needs a function key: send it in the x-functions-key header or the 'code' query parameter.",
                "unauthorized"), context);
            return;
        }

        var instance = ActivatorUtilities.CreateInstance(context.RequestServices, function.Method.DeclaringType!);
        var arguments = function.Method.GetParameters().Select(object? (parameter) => parameter.ParameterType switch
        {
            var t when t == typeof(HttpRequest) => context.Request,
            var t when t == typeof(CancellationToken) => context.RequestAborted,
            var t when t == typeof(string) => context.GetRouteValue(parameter.Name!)?.ToString(),
            _ => throw new NotSupportedException($"{function.Name}: parameter '{parameter.Name}' of type {parameter.ParameterType.Name} cannot be bound by the local host."),
        }).ToArray();

        await Execute(await (Task<IActionResult>)function.Method.Invoke(instance, arguments)!, context);
    }

    private static bool IsLoopbackName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.TrimStart('[').TrimEnd(']'), out var address) && IPAddress.IsLoopback(address));

    private static Task Execute(IActionResult result, HttpContext context) =>
        result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
}

/// <summary>An HTTP-triggered function found in the Functions assembly.</summary>
/// <param name="Name">The function name.</param>
/// <param name="Route">Its route under <c>/api</c>.</param>
/// <param name="Methods">HTTP methods, upper case.</param>
/// <param name="AuthLevel">Its trigger's authorization level (anything but anonymous needs the function key).</param>
/// <param name="Method">The method to invoke.</param>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods, AuthorizationLevel AuthLevel, MethodInfo Method);
