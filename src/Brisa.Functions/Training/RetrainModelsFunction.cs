using Brisa.Azure.Models;
using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Azure.Training;
using Brisa.Core.Training;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Training;

/// <summary>
/// <c>RetrainModels</c>: on the timer (<c>Brisa:RetrainSchedule</c>), every model that is due (<see cref="RetrainSchedule"/>:
/// a model without its own <c>schedule</c> at every tick, one with a schedule when it fell due since its newest version
/// was trained), or one model on demand or on drift through the <c>retrain</c> queue
/// (<c>{"model": "fraud", "reason": "drift"}</c>). A model already training elsewhere is skipped (its lease), and a new
/// version becomes champion only when the policy says so.
/// </summary>
public sealed partial class RetrainModelsFunction(IDefinitionsSource definitions, ModelTrainingPipeline pipeline, ModelRegistry registry, TimeProvider time, ILogger<RetrainModelsFunction> logger)
{
    /// <summary>
    /// Retrains every model that is due. A model whose run fails is logged and the others still run (one model without
    /// labelled rows yet must not stop the rest); the tick then fails with every failure, so the host records it.
    /// </summary>
    [Function("RetrainModels")]
    public async Task OnSchedule([TimerTrigger("%Brisa:RetrainSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var live = await definitions.GetAsync(cancellationToken);
        await EveryModel.RunAsync(
            live.Models,
            async model =>
            {
                var last = model.Schedule is null ? null : await registry.LastTrainedAtAsync(model.Name, cancellationToken);
                if (!RetrainSchedule.IsDue(model.Schedule, last, time.GetUtcNow()))
                {
                    LogNotDue(logger, model.Name, model.Schedule!, last!.Value, RetrainSchedule.NextAfter(model.Schedule!, last.Value));
                    return;
                }

                await RetrainAsync(model.Name, "retrain:timer", cancellationToken);
            },
            (model, ex) => LogFailed(logger, ex, model.Name, ex.Message),
            (failed, models) => $"RetrainModels: {failed} of {models} model(s) failed to retrain");
    }

    /// <summary>Retrains one model asked for on the queue; a malformed message throws (it ends in <c>retrain-poison</c>).</summary>
    [Function("RetrainModelOnRequest")]
    public async Task OnRequest([QueueTrigger(StorageNames.RetrainQueue, Connection = "AzureWebJobsStorage")] string message, CancellationToken cancellationToken)
    {
        var request = RetrainRequest.Parse(message);
        await RetrainAsync(request.Model, $"retrain:{request.Reason ?? "queue"}", cancellationToken);
    }

    private async Task RetrainAsync(string model, string actor, CancellationToken cancellationToken)
    {
        var result = await pipeline.RunAsync(await definitions.GetAsync(cancellationToken), model, new TrainingPipelineOptions { Actor = actor }, cancellationToken: cancellationToken);
        logger.LogInformation("Retrained {Model}: {Status} ({Message}); {Rows} rows", model, result.Run.Status, result.Run.Message, result.Rows);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Retraining {Model} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model} not due: schedule '{Schedule}', last trained {LastTrained:u}, next at {Next:u}")]
    private static partial void LogNotDue(ILogger logger, string model, string schedule, DateTimeOffset lastTrained, DateTimeOffset? next);
}
