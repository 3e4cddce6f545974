using System.ComponentModel;
using Brisa.Azure.Registry;
using Brisa.Cli.Serving;
using Brisa.Functions;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary>
/// <c>brisa serve</c>: the HTTP API and the timer and queue triggers on this machine, against Azurite (started here) or
/// configured storage.
/// </summary>
public sealed class ServeCommand(IAnsiConsole console) : AsyncCommand<ServeCommand.Settings>
{
    private const string GeneratedKey = "generated";

    /// <summary>Options of <c>serve</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Port to listen on.</summary>
        [CommandOption("--port <PORT>")]
        [Description("Port on 127.0.0.1 (default 7071, as the Functions host).")]
        public int Port { get; init; } = 7071;

        /// <summary>A definitions file to pin.</summary>
        [CommandOption("--definitions <FILE>")]
        [Description("Serve these definitions instead of the registry's live version.")]
        public string? Definitions { get; init; }

        /// <summary>The function key to require.</summary>
        [CommandOption("--key <KEY>")]
        [Description("Function key every endpoint but health requires (default: $BRISA_FUNCTION_KEY, else a new random key, printed).")]
        public string? Key { get; init; }

        /// <summary>Serve without keys.</summary>
        [CommandOption("--no-auth")]
        [Description("Serve without function keys (local use only: anyone who can reach the port can call the API).")]
        public bool NoAuth { get; init; }

        /// <summary>Serve HTTP only.</summary>
        [CommandOption("--no-timers")]
        [Description("Serve the HTTP API only: no timer or queue triggers (materialization, retraining, drift).")]
        public bool NoTimers { get; init; }

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            NoAuth && Key is not null ? ValidationResult.Error("--key and --no-auth exclude each other.") : ValidationResult.Success();
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var url = new Uri($"http://127.0.0.1:{settings.Port}");
        LocalFunctionsHost.EnsurePortAvailable(url);
        await using var storage = await LocalStorage.OpenAsync(cancellationToken);
        var definitionsFile = settings.Definitions;
        var nothingApplied = definitionsFile is null && await DefinitionRegistry.For(storage.Storage).GetPointerAsync(cancellationToken) is null;
        if (nothingApplied && storage.Azurite is not null)
        {
            // The emulator started here is empty and private: serve the sample so the API works out of the box.
            definitionsFile = SamplePaths.FraudDefinitions();
        }

        if (definitionsFile is not null && DefinitionFile.Load(console, definitionsFile) is null)
        {
            return ExitCodes.BadInput;
        }

        var (key, keyOrigin) = ResolveKey(settings);
        await using var app = LocalFunctionsHost.Build(
            url,
            new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = storage.ConnectionString,
                ["Brisa:DefinitionsFile"] = definitionsFile,
            },
            key,
            triggers: settings.NoTimers ? null : new LocalTriggerOptions());
        LocalTriggerService? triggers;
        try
        {
            // Resolved before start-up so a bad schedule or a missing setting is one line, not a host failure.
            triggers = app.Services.GetService<LocalTriggerService>();
        }
        catch (TriggerConfigurationException ex)
        {
            console.MarkupLineInterpolated($"[red]✗[/] {ex.Message}");
            return ExitCodes.BadInput;
        }

        await app.StartAsync(cancellationToken);
        console.MarkupLineInterpolated($"[green]Brisa API[/] on {url} ({storage.Description}); definitions: {definitionsFile ?? "registry"}. Ctrl+C stops.");
        if (nothingApplied && definitionsFile is null)
        {
            // Configured storage is someone's account: the sample would run its timers there, so follow the registry (503 until apply).
            console.MarkupLine("[yellow]no definitions applied yet:[/] run brisa apply <file> (until then features, predict, catalog and events answer 503).");
        }

        if (key is null)
        {
            console.MarkupLine("[yellow]no auth[/] (--no-auth): every endpoint answers without a function key.");
        }
        else
        {
            // Only a generated key is printed: one the user gave is a secret they hold, and this output often goes to a log.
            if (keyOrigin == GeneratedKey)
            {
                console.MarkupLineInterpolated($"function key ({keyOrigin}): {key}");
            }
            else
            {
                console.MarkupLineInterpolated($"function key: {keyOrigin} (not printed)");
            }

            console.MarkupLineInterpolated($"  send it as the {FunctionKeys.Header} header or ?code=; GET /api/health needs none.");
        }

        foreach (var function in LocalFunctionsHost.Discover(typeof(HostingExtensions).Assembly))
        {
            console.MarkupLineInterpolated($"  {string.Join(",", function.Methods),-5} {url}api/{function.Route}");
        }

        if (triggers is not null)
        {
            PrintTriggers(console, triggers.Plan, app.Services.GetRequiredService<LocalTriggerOptions>().Queues);
        }
        else
        {
            console.MarkupLine("[grey]no timers or queue triggers (--no-timers).[/]");
        }

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[grey]stopping...[/]");
        }

        await app.StopAsync(CancellationToken.None);
        return ExitCodes.Ok;
    }

    /// <summary>Prints each timer's schedule and each queue trigger's queue, as the routes are printed.</summary>
    internal static void PrintTriggers(IAnsiConsole console, TriggerPlan plan, QueueTriggerOptions queues)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var timer in plan.Timers)
        {
            var source = timer.Binding == timer.Schedule.Expression ? "" : $" ({timer.Binding})";
            console.MarkupLineInterpolated($"  timer {timer.Name,-22} {timer.Schedule.Expression}{source} UTC, next {timer.Schedule.NextAfter(now):yyyy-MM-dd HH:mm:ss}Z");
        }

        foreach (var queue in plan.Queues)
        {
            console.MarkupLineInterpolated($"  queue {queue.Name,-22} {queue.Queue} ({queues.MaxDequeueCount} attempts, then {queue.PoisonQueue})");
        }
    }

    // --no-auth, else --key, else $BRISA_FUNCTION_KEY, else a new key (printed, as Core Tools print function URLs).
    private static (string? Key, string Origin) ResolveKey(Settings settings) =>
        settings.NoAuth ? (null, "none")
        : settings.Key is { Length: > 0 } given ? (given, "--key")
        : FunctionKeys.FromEnvironment() is { } fromEnvironment ? (fromEnvironment, "$BRISA_FUNCTION_KEY")
        : (FunctionKeys.Generate(), GeneratedKey);
}
