using Brisa.Azure.Monitoring;
using Brisa.Azure.Registry;
using Brisa.Core.Serving;
using Brisa.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Monitoring;

/// <summary>
/// <c>MonitorDrift</c> (timer, <c>Brisa:MonitorDriftSchedule</c>): every model's serving features and scores of the
/// last 24 h against its champion's training baseline, and its live performance once labels arrived; a JSON and an HTML
/// report per run, and a retraining on alert when the model's policy says so. <c>GET /api/monitoring/{model}</c> returns
/// the latest report (the HTML page when the client prefers <c>text/html</c> to JSON, as the catalog decides).
/// </summary>
public sealed partial class MonitoringFunctions(IDefinitionsSource definitions, DriftMonitor monitor, ILogger<MonitoringFunctions> logger)
{
    /// <summary>
    /// Runs drift for every model. A model whose check fails is logged and the others are still checked (one champion
    /// whose metadata cannot be read must not leave the rest unwatched); the tick then fails with every failure, so the
    /// host records it.
    /// </summary>
    [Function("MonitorDrift")]
    public async Task OnSchedule([TimerTrigger("%Brisa:MonitorDriftSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var current = await definitions.GetAsync(cancellationToken);
        await EveryModel.RunAsync(
            current.Models,
            async model =>
            {
                var result = await monitor.RunAsync(current, model.Name, cancellationToken: cancellationToken);
                if (result?.Report.Verdict == Core.Monitoring.DriftVerdict.Alert)
                {
                    LogAlert(logger, model.Name, result.Report.AlertShare, result.RetrainEnqueued);
                }

                if (result?.Report.LiveJudgement is { Verdict: Core.Monitoring.LiveVerdict.Alert } live)
                {
                    LogPerformanceAlert(logger, model.Name, live.Reason, result.RetrainEnqueued);
                }
            },
            (model, ex) => LogFailed(logger, ex, model.Name, ex.Message),
            (failed, models) => $"MonitorDrift: {failed} of {models} model(s) failed their drift check");
    }

    /// <summary>The latest drift report as JSON, or as the HTML page with charts when the client prefers <c>text/html</c> (<see cref="ContentNegotiation.PrefersHtml"/>); 404 when none was written yet.</summary>
    [Function("Monitoring")]
    public async Task<IActionResult> Latest(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "monitoring/{model}")] HttpRequest request,
        string model,
        CancellationToken cancellationToken) =>
        await Problems.Guard(logger, async () =>
        {
            ArgumentNullException.ThrowIfNull(request);
            // A stored report is served even for a model since removed from the definitions; without one, a name the
            // definitions do not know is said to be unknown rather than "not checked yet".
            async Task<Exception> MissingAsync()
            {
                var current = await definitions.GetAsync(cancellationToken);
                return current.FindModel(model) is null
                    ? ServingException.NotFound("Unknown model", $"No model named '{model}'. {current.ModelNameHint(model)}.")
                    : ServingException.NotFound("No drift report", $"No drift report for model '{model}' yet: MonitorDrift writes one on its schedule.");
            }

            if (ContentNegotiation.PrefersHtml(request))
            {
                var html = await monitor.GetLatestHtmlAsync(model, cancellationToken) ?? throw await MissingAsync();
                return HtmlPage.Create(request, html, DriftReportHtml.ContentSecurityPolicy);
            }

            var report = await monitor.GetLatestAsync(model, cancellationToken) ?? throw await MissingAsync();
            return new ContentResult { Content = report.ToJson(), ContentType = "application/json", StatusCode = StatusCodes.Status200OK };
        }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift alert on {Model}: {Share:P0} of features drifted; retraining enqueued: {Retrain}")]
    private static partial void LogAlert(ILogger logger, string model, double share, bool retrain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live performance alert on {Model}: {Reason}; retraining enqueued: {Retrain}")]
    private static partial void LogPerformanceAlert(ILogger logger, string model, string reason, bool retrain);

    [LoggerMessage(Level = LogLevel.Error, Message = "Drift check of {Model} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string model, string reason);
}
