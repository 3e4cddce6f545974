using System.ComponentModel;
using Brisa.Azure.Models;
using Brisa.Azure.Monitoring;
using Brisa.Azure.Serving;
using Brisa.Core.Monitoring;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary>
/// <c>brisa drift &lt;model&gt;</c>: runs the drift check of the champion (what <c>MonitorDrift</c> does on its timer: the
/// reports are stored, and a retraining is enqueued on alert when the policy says so), or of a named version (its
/// report stored apart, the model's latest left the champion's, and no retraining on its alert), or with <c>--latest</c> reads the stored report;
/// prints it, says where it was stored and writes the HTML page. Exit 0 whatever the verdict: the check itself worked.
/// </summary>
public sealed class DriftCommand(IAnsiConsole console) : AsyncCommand<DriftCommand.Settings>
{
    /// <summary>The longest drift window, in hours (366 days).</summary>
    public const int MaxWindowHours = 8784;

    /// <summary>Options of <c>drift</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The model.</summary>
        [CommandArgument(0, "<model>")]
        [Description("The model, as named in the definitions.")]
        public string Model { get; init; } = "";

        /// <summary>Where to write the HTML report.</summary>
        [CommandOption("--out <FILE>")]
        [Description("Write the HTML report (charts included) here (default: <model>-drift.html in the current folder).")]
        public string? Out { get; init; }

        /// <summary>Read the stored report instead of running the check.</summary>
        [CommandOption("--latest")]
        [Description("Print the latest stored report instead of running the check.")]
        public bool Latest { get; init; }

        /// <summary>The drift window.</summary>
        [CommandOption("--window-hours <H>")]
        [Description("Compare the predictions of the last H hours (default 24, at most 8784).")]
        public int WindowHours { get; init; } = 24;

        /// <summary>The version to check instead of the champion.</summary>
        [CommandOption("--version <V>")]
        [Description("Check this version (e.g. a challenger scored with ?version=) instead of the champion; unless it is the champion, its report is stored under monitoring/<model>/versions/<V>/, the model's latest report stays the champion's, and its alert enqueues no retraining.")]
        public string? Version { get; init; }

        /// <summary>Definitions file instead of the registry.</summary>
        [CommandOption("--definitions <FILE>")]
        [Description("Use this definitions file instead of the registry's live version.")]
        public string? Definitions { get; init; }
    }

    /// <inheritdoc />
    public override ValidationResult Validate(CommandContext context, Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // A year at most: the log is read a day at a time, and past TimeSpan's range the check itself failed (exit 1).
        return settings.WindowHours is < 1 or > MaxWindowHours ? ValidationResult.Error($"--window-hours must be between 1 and {MaxWindowHours} (a year).")
            : settings.Version is { } version && !ModelVersionId.IsValid(version) ? ValidationResult.Error($"'{version}' is not a model version (v<yyyyMMddHHmmssfff>-<hash8>, as 'brisa models list {settings.Model}' shows them).")
            : settings.Version is not null && settings.Latest ? ValidationResult.Error("--latest reads the latest report, the champion's: it takes no --version.")
            : ValidationResult.Success();
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // A definitions file is checked before storage, as train does, so a bad file is reported as such wherever the command runs.
        FeatureRepositoryDefinition? fromFile = null;
        if (settings.Definitions is { } file && (fromFile = DefinitionFile.Load(console, file)) is null)
        {
            return ExitCodes.BadInput;
        }

        if (!LocalStorage.IsConfigured)
        {
            console.MarkupLine("[red]error:[/] drift reads the prediction log and the registry of a storage account: set AzureWebJobsStorage ('brisa demo' runs drift on generated data).");
            return ExitCodes.BadInput;
        }

        await using var storage = await LocalStorage.OpenAsync(cancellationToken);
        await using var log = PredictionLog.For(storage.Storage);
        var monitor = new DriftMonitor(storage.Storage, log);
        DriftReport report;
        string html;
        string? retrain = null;
        string? stored = null;
        if (settings.Latest)
        {
            if (await monitor.GetLatestAsync(settings.Model, cancellationToken) is not { } latest || await monitor.GetLatestHtmlAsync(settings.Model, cancellationToken) is not { } page)
            {
                console.MarkupLineInterpolated($"[red]error:[/] no drift report for '{settings.Model}' yet: run 'brisa drift {settings.Model}' without --latest, or wait for MonitorDrift.");
                return ExitCodes.Failed;
            }

            (report, html) = (latest, page);
        }
        else
        {
            var definitions = fromFile ?? await DefinitionFile.LiveAsync(console, storage.Storage, cancellationToken);
            if (definitions is null)
            {
                return ExitCodes.BadInput;
            }

            if (definitions.FindModel(settings.Model) is null)
            {
                console.MarkupLineInterpolated($"[red]error:[/] unknown model '{settings.Model}'. {definitions.ModelNameHint(settings.Model)}.");
                return ExitCodes.BadInput;
            }

            if (settings.Version is { } version && await new ModelRegistry(storage.Storage).GetMetadataAsync(settings.Model, version, cancellationToken) is null)
            {
                console.MarkupLineInterpolated($"[red]error:[/] model '{settings.Model}' has no version '{version}' ('brisa models list {settings.Model}' lists them).");
                return ExitCodes.BadInput;
            }

            var result = await console.Status().StartAsync(
                "checking drift",
                async _ => await monitor.RunAsync(definitions, settings.Model, TimeSpan.FromHours(settings.WindowHours), settings.Version, cancellationToken));
            if (result is null)
            {
                console.MarkupLineInterpolated($"[red]error:[/] model '{settings.Model}' has no champion: train it first ('brisa train {settings.Model}').");
                return ExitCodes.Failed;
            }

            (report, html) = (result.Report, result.Html);
            retrain = result.RetrainReason;
            stored = Stored(result, settings.Model);
        }

        DriftReportView.Render(console, report);
        if (retrain is not null)
        {
            console.MarkupLineInterpolated($"[yellow]a retraining was enqueued, reason {retrain} (the model's drift policy says retrain_on_alert).[/]");
        }

        if (stored is not null)
        {
            console.MarkupLineInterpolated($"{stored}");
        }

        var path = settings.Out ?? $"{settings.Model}-drift.html";
        await File.WriteAllTextAsync(path, html, cancellationToken);
        console.MarkupLineInterpolated($"report: {Path.GetFullPath(path)}");
        return ExitCodes.Ok;
    }

    // Where the report went: only the champion's replaces the latest one, which GET /api/monitoring/{model} serves.
    private static string Stored(DriftMonitorResult result, string model)
    {
        var copies = $"monitoring/{Path.ChangeExtension(result.TimestampedBlob, null)}.json|.html";
        return result.LatestBlob is { } latest ? $"stored: {copies}, and as the latest report (monitoring/{latest}, GET /api/monitoring/{model})."
            : !result.Champion ? $"stored: {copies} only: {result.Report.Version} is not the champion, so the latest report (GET /api/monitoring/{model}) stays the champion's."
            : $"stored: {copies} only: a run whose window ends later had already written the latest report.";
    }
}
