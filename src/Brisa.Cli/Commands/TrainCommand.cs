using System.ComponentModel;
using Brisa.Azure.Registry;
using Brisa.Azure.Training;
using Brisa.Core.Definitions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary><c>brisa train &lt;model&gt;</c>: retrain from the raw zone, evaluate in money, promote only if better.</summary>
public sealed class TrainCommand(IAnsiConsole console) : AsyncCommand<TrainCommand.Settings>
{
    /// <summary>Options of <c>train</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The model.</summary>
        [CommandArgument(0, "<model>")]
        [Description("The model to train, as named in the definitions.")]
        public string Model { get; init; } = "";

        /// <summary>Definitions file instead of the registry.</summary>
        [CommandOption("--definitions <FILE>")]
        [Description("Use this definitions file instead of the registry's live version.")]
        public string? Definitions { get; init; }

        /// <summary>How far back observations go.</summary>
        [CommandOption("--history-days <D>")]
        [Description("Days of observations to train on (default 90); features also read the events their windows need before that.")]
        public int HistoryDays { get; init; } = 90;

        /// <summary>Where to write the HTML report.</summary>
        [CommandOption("--report <FILE>")]
        [Description("Write the HTML training report here.")]
        public string? Report { get; init; }

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            HistoryDays < 1 ? ValidationResult.Error($"--history-days must be at least 1 (got {HistoryDays}).") : ValidationResult.Success();
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // A definitions file is checked before storage, so a bad file is reported as such wherever the command runs.
        FeatureRepositoryDefinition? fromFile = null;
        if (settings.Definitions is { } file && (fromFile = DefinitionFile.Load(console, file)) is null)
        {
            return ExitCodes.BadInput;
        }

        // Checked before training, not after it: the version would be in the registry (maybe champion) while the
        // command failed, and a user re-running it would train another one.
        if (settings.Report is { } report && Path.GetDirectoryName(Path.GetFullPath(report)) is { } folder && !Directory.Exists(folder))
        {
            console.MarkupLineInterpolated($"[red]error:[/] cannot write the report {report}: no folder {folder}.");
            return ExitCodes.BadInput;
        }

        if (!LocalStorage.IsConfigured)
        {
            console.MarkupLine("[red]error:[/] train reads the raw zone of a storage account: set AzureWebJobsStorage (a connection string, or identity-based '__blobServiceUri' settings; a private Azurite would be empty; 'brisa demo' trains on generated data).");
            return ExitCodes.BadInput;
        }

        await using var storage = await LocalStorage.OpenAsync(cancellationToken);
        if ((fromFile ?? await DefinitionFile.LiveAsync(console, storage.Storage, cancellationToken)) is not { } definitions)
        {
            return ExitCodes.BadInput;
        }

        if (definitions.FindModel(settings.Model) is null)
        {
            console.MarkupLineInterpolated($"[red]error:[/] unknown model '{settings.Model}'. {definitions.ModelNameHint(settings.Model)}.");
            return ExitCodes.BadInput;
        }

        var result = await console.Status().StartAsync("training", async status =>
            await new ModelTrainingPipeline(storage.Storage).RunAsync(
                definitions,
                settings.Model,
                new TrainingPipelineOptions { History = TimeSpan.FromDays(settings.HistoryDays), Actor = "cli" },
                new Progress<string>(stage => status.Status(stage)),
                cancellationToken));
        TrainingReportView.Render(console, result);
        if (settings.Report is { } path && result.Run.Report is { } trained)
        {
            await File.WriteAllTextAsync(path, Brisa.Core.Modeling.TrainingReportHtml.Render(trained), cancellationToken);
            console.MarkupLineInterpolated($"report: {path}");
        }

        if (fromFile is not null && result.Run.Report is not null
            && (await DefinitionRegistry.For(storage.Storage).LoadCurrentAsync(cancellationToken))?.FindModel(settings.Model) is null)
        {
            // The version is in the registry (and may be champion), but serving, drift and retraining follow the live
            // definitions: without this, the next predict's 404 "No model named" reads like a failed training.
            console.MarkupLineInterpolated($"[yellow]note:[/] model '{settings.Model}' is not in the registry's live definitions, so nothing serves it yet: predict answers 404, and drift, features --service and RetrainModels do not know it until 'brisa apply {settings.Definitions}'.");
        }

        return result.Run.Report is null ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
