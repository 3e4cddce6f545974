using System.Reflection;
using Azure.Storage.Queues;
using Brisa.Azure.Storage;
using Brisa.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brisa.Cli.Serving;

/// <summary>What <c>brisa serve</c> runs besides HTTP, and how.</summary>
public sealed record LocalTriggerOptions
{
    /// <summary>The assembly whose timer and queue functions run (default Brisa.Functions).</summary>
    public Assembly FunctionsAssembly { get; init; } = typeof(HostingExtensions).Assembly;

    /// <summary>Which functions run, by name (default all).</summary>
    public Func<string, bool>? Include { get; init; }

    /// <summary>Queue processing numbers (default: <c>host.json</c>'s <c>extensions.queues</c>).</summary>
    public QueueTriggerOptions Queues { get; init; } = QueueTriggerOptions.FromHostJson();
}

/// <summary>
/// The timer and queue triggers of the Functions assembly, run in the serving process as a hosted service: one
/// <see cref="TimerTriggerListener"/> per timer function and one <see cref="QueueTriggerListener"/> per queue function,
/// invoking the same classes and methods with the same services as the HTTP routes. Stopping signals the functions'
/// cancellation token and waits for the runs in flight, as the host does on shutdown.
/// </summary>
public sealed class LocalTriggerService : BackgroundService
{
    private readonly IServiceProvider services;
    private readonly IConfiguration configuration;
    private readonly LocalTriggerOptions options;
    private readonly ILoggerFactory loggers;

    /// <summary>Resolves the triggers now, so a schedule or setting that is wrong stops start-up with its name.</summary>
    public LocalTriggerService(IServiceProvider services, IConfiguration configuration, LocalTriggerOptions options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.services = services;
        this.configuration = configuration;
        this.options = options;
        this.loggers = loggers;
        Plan = TriggerFunctions.Discover(options.FunctionsAssembly, configuration, options.Include);
    }

    /// <summary>The triggers this service runs.</summary>
    public TriggerPlan Plan { get; }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var invoker = new FunctionInvoker(services);
        var logger = loggers.CreateLogger("Brisa.Cli.Serving.Triggers");
        var listeners = Plan.Timers
            .Select(timer => new TimerTriggerListener(timer, invoker, TimeProvider.System, logger).RunAsync(stoppingToken))
            .Concat(Plan.Queues.Select(function =>
            {
                // Undecoded, as the extension receives: the listener decodes and keeps the raw text for poison copies.
                var raw = BrisaStorage.QueuesFromConfiguration(configuration, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None }, function.Connection);
                return new QueueTriggerListener(function, raw.GetQueueClient(function.Queue), raw.GetQueueClient(function.PoisonQueue), options.Queues, invoker, logger).RunAsync(stoppingToken);
            }))
            .Select(run => StopQuietly(run, stoppingToken))
            .ToList();
        return Task.WhenAll(listeners);
    }

    // A listener ends by its token's cancellation; that is the normal way out, not an error.
    private static async Task StopQuietly(Task run, CancellationToken stoppingToken)
    {
        try
        {
            await run.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
