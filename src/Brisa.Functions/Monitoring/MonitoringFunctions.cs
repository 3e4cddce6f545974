using Brisa.Azure.Monitoring;
using Brisa.Azure.Registry;
using Brisa.Core.Serving;
using Brisa.Core.Training;
using Brisa.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Monitoring;

/// <summary>
/// <c>MonitorDrift</c> (timer, <c>Brisa:MonitorDriftSchedule</c>): every model's serving features and scores of the
/// last 24 h against its champion's training baseline, and its live performance once labels arrived; a JSON and an HTML
/// report per run, and a retraining on alert when the model's policy says so. <c>GET /api/monitoring/{model}</c> returns
/// the latest report (the HTML page when the client prefers <c>text/html</c> to JSON, as the catalog decides).
/// </summary>
public sealed partial class MonitoringFunctions(IDefinitionsSource definitions, DriftMonitor monitor, IConfiguration configuration, TimeProvider time, ILogger<MonitoringFunctions> logger)
{
    /// <summary>The setting of <c>MonitorDrift</c>'s schedule (NCRONTAB with seconds, UTC).</summary>
    public const string ScheduleSetting = "Brisa:MonitorDriftSchedule";

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

    /// <summary>
    /// The latest drift report as JSON, or as the HTML page with charts when the client prefers <c>text/html</c>
    /// (<see cref="ContentNegotiation.PrefersHtml"/>); 404 when none was written yet: problem details, or for a browser
    /// and a model the definitions know, a page saying so and when <c>MonitorDrift</c> runs next.
    /// </summary>
    [Function("Monitoring")]
    public async Task<IActionResult> Latest(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "monitoring/{model}")] HttpRequest request,
        string model,
        CancellationToken cancellationToken) =>
        await Problems.Guard(logger, async () =>
        {
            ArgumentNullException.ThrowIfNull(request);
            // A stored report is served even for a model since removed from the definitions; without one, a name the
            // definitions do not know is said to be unknown rather than "not checked yet", and a browser is told when
            // the check runs next.
            async Task<IActionResult> MissingAsync(bool page)
            {
                var current = await definitions.GetAsync(cancellationToken);
                return current.FindModel(model) is null
                    ? throw ServingException.NotFound("Unknown model", $"No model named '{model}'. {current.ModelNameHint(model)}.")
                    : page
                    ? HtmlPage.Create(request, NoReportPage(model), DriftReportHtml.ContentSecurityPolicy, StatusCodes.Status404NotFound)
                    : throw ServingException.NotFound("No drift report", $"No drift report for model '{model}' yet: MonitorDrift writes one on its schedule.");
            }

            if (ContentNegotiation.PrefersHtml(request))
            {
                return await monitor.GetLatestHtmlAsync(model, cancellationToken) is { } html
                    ? HtmlPage.Create(request, html, DriftReportHtml.ContentSecurityPolicy)
                    : await MissingAsync(page: true);
            }

            return await monitor.GetLatestAsync(model, cancellationToken) is { } report
                ? new ContentResult { Content = report.ToJson(), ContentType = "application/json", StatusCode = StatusCodes.Status200OK }
                : await MissingAsync(page: false);
        }, cancellationToken);

    // A browser's 404 for a known model: the schedule from the setting the timer reads, and its next occurrence.
    private string NoReportPage(string model)
    {
        var schedule = configuration[ScheduleSetting];
        DateTimeOffset? next = null;
        try
        {
            next = schedule is null ? null : RetrainSchedule.NextAfter(schedule, time.GetUtcNow());
        }
        catch (FormatException)
        {
            // The host refuses to start the timer on such a setting; the page still says what is missing.
        }

        return DriftReportHtml.NoReport(model, schedule, next);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift alert on {Model}: {Share:P0} of features drifted; retraining enqueued: {Retrain}")]
    private static partial void LogAlert(ILogger logger, string model, double share, bool retrain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live performance alert on {Model}: {Reason}; retraining enqueued: {Retrain}")]
    private static partial void LogPerformanceAlert(ILogger logger, string model, string reason, bool retrain);

    [LoggerMessage(Level = LogLevel.Error, Message = "Drift check of {Model} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string model, string reason);
}
