using Brisa.Azure.Offline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Materialization;

/// <summary>
/// <c>MaterializeFeatures</c>: the timer (schedule from the app setting <c>Brisa:MaterializeSchedule</c>, e.g.
/// <c>0 */15 * * * *</c>). A thin adapter onto <see cref="IncrementalMaterializer.PlanAsync"/>: lease the watermark,
/// enqueue one <c>materialize</c> message per view and day since the watermark, and per view and day a late day
/// recorded by ingestion changes, advance the watermark, clear those late days.
/// </summary>
/// <remarks>
/// A storage failure is not caught: the invocation fails and the watermark stays where it was, so the next tick plans
/// the same range again (slices enqueued twice are harmless: materialization is idempotent).
/// </remarks>
public sealed partial class MaterializeFeaturesFunction(IncrementalMaterializer materializer, ILogger<MaterializeFeaturesFunction> logger)
{
    /// <summary>Plans and enqueues the slices since the last watermark.</summary>
    /// <param name="timer">The timer's schedule status.</param>
    /// <param name="cancellationToken">Signalled when the host shuts down.</param>
    /// <returns>A task.</returns>
    [Function("MaterializeFeatures")]
    public async Task Run([TimerTrigger("%Brisa:MaterializeSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var result = await materializer.PlanAsync(cancellationToken);
        LogRun(logger, result.Status, result.Slices.Count, result.LateSlices.Count, result.WatermarkName, timer?.IsPastDue ?? false, result.Message);
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information,
        Message = "MaterializeFeatures {Status}: {Slices} slice(s), {LateSlices} for late days, watermark offline/{WatermarkName} (past due: {IsPastDue}). {Detail}")]
    private static partial void LogRun(ILogger logger, IncrementalRunStatus status, int slices, int lateSlices, string watermarkName, bool isPastDue, string detail);
}
