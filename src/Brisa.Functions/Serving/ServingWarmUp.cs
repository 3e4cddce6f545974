using System.Diagnostics;
using System.Text.Json;
using Brisa.Azure.Registry;
using Brisa.Azure.Serving;
using Brisa.Core.Serving;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Serving;

/// <summary>
/// When an instance starts, in the background: one unlogged prediction per model with a champion
/// (<see cref="Predictor.WarmUpAsync"/>), answer serialized as a request's would be, so the instance's first real
/// request does not pay for downloading the model, building its scorer and compiling the whole path (about 0.2 s here).
/// The host does not wait for it, and a failure only means the first request does that work, as before.
/// </summary>
public sealed partial class ServingWarmUp(IDefinitionsSource definitions, ServingPlans plans, Predictor predictor, ILogger<ServingWarmUp> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the start path: the host's start (and its first requests) must not wait for storage.
        await Task.Yield();
        try
        {
            var plan = plans.For(await definitions.GetAsync(stoppingToken));
            foreach (var model in plan.Definitions.Models)
            {
                await WarmUpAsync(plan, model.Name, stoppingToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDefinitionsFailed(ex);
        }
    }

    private async Task WarmUpAsync(Brisa.Core.Features.FeaturePlan plan, string model, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var response = await predictor.WarmUpAsync(plan, model, cancellationToken);
            _ = JsonSerializer.SerializeToUtf8Bytes(response);
            LogWarmedUp(model, response.Version, clock.Elapsed.TotalMilliseconds);
        }
        catch (ServingException ex) when (ex.Status == 404)
        {
            LogNoChampion(model);
        }
        catch (ServingException ex) when (ex.Status == 409)
        {
            LogInputsMissing(model, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex, model);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Warm-up: model {Model} {Version} loaded and scored once in {Milliseconds:F0} ms.")]
    private partial void LogWarmedUp(string model, string version, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Warm-up: model {Model} has no champion yet; nothing to load.")]
    private partial void LogNoChampion(string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm-up: model {Model}'s champion cannot be served with the deployed definitions: {Reason}")]
    private partial void LogInputsMissing(string model, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm-up of model {Model} failed; its first request will load it.")]
    private partial void LogFailed(Exception exception, string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm-up skipped: the definitions could not be read.")]
    private partial void LogDefinitionsFailed(Exception exception);
}
