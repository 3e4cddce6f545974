using Brisa.Azure.Local;
using Brisa.Azure.Storage;
using Brisa.Cli.Commands;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli;

/// <summary>The <c>brisa</c> command line: one place that lists every command.</summary>
public static class BrisaApp
{
    /// <summary>Builds the command app; tests pass their own console.</summary>
    /// <param name="console">The console to write to (default: the terminal).</param>
    /// <param name="stopping">The token <c>RunAsync</c> is given: once it is cancelled, a failure is reported as a cancellation.</param>
    public static CommandApp Create(IAnsiConsole? console = null, CancellationToken stopping = default)
    {
        // Printed text holds what producers sent (dead-letter reasons, feature values): no control character reaches the terminal.
        var output = PrintableOutput.Attach(console ?? AnsiConsole.Console);
        if (console is null && Console.IsOutputRedirected)
        {
            // Logs and CI capture whole lines: do not wrap diagnostics at 80 columns.
            output.Profile.Width = 240;
        }
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("brisa");
            // Spectre ignores unknown options by default: a mistyped option (--view for --views) would silently do the default.
            config.UseStrictParsing();
            config.ConfigureConsole(output);
            config.CancellationExitCode(ExitCodes.Cancelled);
            // On the terminal, failures go to standard error: a command's standard output may be data (generate's JSON
            // lines, --json), and an error line redirected into a file would be lost there. Tests read their own console.
            var errors = console is null ? ErrorConsole.Create() : output;
            config.SetExceptionHandler((exception, _) => ReportError(errors, exception, stopping));
            config.AddCommand<ValidateCommand>("validate")
                .WithDescription("Check a feature definition file and print every problem with its line.")
                .WithExample("validate", "samples/fraud/features.yaml");
            config.AddCommand<PlanCommand>("plan")
                .WithDescription("Show what applying a definition file would change in the deployed registry.")
                .WithExample("plan", "samples/fraud/features.yaml");
            config.AddCommand<ApplyCommand>("apply")
                .WithDescription("Publish a definition file to the registry (records the git commit).")
                .WithExample("apply", "samples/fraud/features.yaml");
            config.AddCommand<GenerateCommand>("generate")
                .WithDescription("Write a seeded, realistic fraud stream as CloudEvents JSON lines.")
                .WithExample("generate", "--customers", "200", "--days", "7", "-o", "events.jsonl");
            config.AddCommand<MaterializeCommand>("materialize")
                .WithDescription("Backfill the offline store (and online batch values) for a range from the raw zone, or rebuild streaming views' online tiles from it (--tiles), with a progress bar.")
                .WithExample("materialize", "--from", "2026-05-01", "--to", "2026-05-08", "--views", "customer_7d,merchant_7d")
                .WithExample("materialize", "--tiles", "--views", "customer_7d");
            config.AddCommand<SendCommand>("send")
                .WithDescription("Send CloudEvents JSON lines to the push endpoint or to Event Hubs.")
                .WithExample("send", "events.jsonl", "--url", "http://127.0.0.1:7071/api/events");
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Retrain a model from the raw zone; evaluate in money; promote only if it beats the champion.")
                .WithExample("train", "fraud", "--report", "fraud.html");
            config.AddBranch("models", models =>
            {
                models.SetDescription("List, promote and roll back model versions in the registry.");
                models.AddCommand<ModelsListCommand>("list").WithDescription("Versions, aliases and headline metrics.");
                models.AddCommand<ModelsPromoteCommand>("promote").WithDescription("Make a version champion by hand (recorded in the history).");
                models.AddCommand<ModelsRollbackCommand>("rollback").WithDescription("Restore the previous champion, or a named version.");
            });
            config.AddBranch("features", features =>
            {
                features.SetDescription("Read feature values: online, as the HTTP API serves them, or point in time from the raw zone.");
                features.AddCommand<FeaturesGetCommand>("get")
                    .WithDescription("Online values of features for entity keys, with status (TTL applied) and event time.")
                    .WithExample("features", "get", "customer_1h:txn_count_1h", "customer_7d:amount_mean_7d", "--entity", "customer_id=c000014");
                features.AddCommand<FeaturesHistoryCommand>("history")
                    .WithDescription("Point-in-time feature values from the raw zone, as Parquet: for rows of entity keys and times (CSV), or a model's training set.")
                    .WithExample("features", "history", "customer_7d:amount_mean_7d", "--entities", "rows.csv", "-o", "features.parquet")
                    .WithExample("features", "history", "--service", "fraud", "-o", "fraud-training.parquet");
            });
            config.AddBranch("deadletter", deadLetter =>
            {
                deadLetter.SetDescription("Count and replay rejected events from dead-letter (records are kept: they are the audit trail).");
                deadLetter.AddCommand<DeadLetterListCommand>("list")
                    .WithDescription("Rejected events counted per source, receipt hour and reason.")
                    .WithExample("deadletter", "list", "--source", "transaction", "--from", "2026-05-01");
                deadLetter.AddCommand<DeadLetterReplayCommand>("replay")
                    .WithDescription("Send the original bytes of dead-lettered events again (after fixing the producer or the definitions); report accepted and rejected again. Records are not deleted; ingestion deduplicates by event id, so a replay never double counts.")
                    .WithExample("deadletter", "replay", "--source", "transaction", "--reason", "'JPY' is not allowed", "--url", "http://127.0.0.1:7071/api/events");
            });
            config.AddCommand<DriftCommand>("drift")
                .WithDescription("Check a model's drift and live performance; print the table and write the HTML report (exit 0 whatever the verdict).")
                .WithExample("drift", "fraud", "--out", "fraud-drift.html");
            config.AddCommand<ServeCommand>("serve")
                .WithDescription("Run the HTTP API on this machine against Azurite (started here) or configured storage.")
                .WithExample("serve", "--port", "7071");
            config.AddCommand<DemoCommand>("demo")
                .WithDescription("Run the whole loop end to end on a private Azurite.")
                .WithExample("demo");
        });
        return app;
    }

    // A user sees one clear line, never a stack trace; usage errors, missing prerequisites (Node.js or Azurite for any
    // command that starts its own, configured storage that cannot be reached), failures and Ctrl+C get distinct exit codes.
    private static int ReportError(IAnsiConsole console, Exception exception, CancellationToken stopping)
    {
        // After Ctrl+C (or SIGTERM) whatever the command was waiting for fails, in whichever way it fails: that is the
        // stop the user asked for, not an error.
        if (stopping.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]cancelled.[/]");
            return ExitCodes.Cancelled;
        }

        console.MarkupLineInterpolated($"[red]error:[/] {exception.Message}");
        return exception switch
        {
            // OptionsValidationException: a Brisa:* setting of the Functions app (serve) that is out of range or does not parse.
            CommandAppException or BadInputException or OptionsValidationException => ExitCodes.BadInput,
            AzuriteNotFoundException or StorageUnreachableException => ExitCodes.MissingPrerequisite,
            _ => ExitCodes.Failed,
        };
    }
}
