using System.ComponentModel;
using System.Diagnostics;
using Brisa.Azure.Local;
using Brisa.Core.Definitions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary><c>brisa demo</c>: the whole loop on a private Azurite, stage by stage; exit 0 only if every stage worked.</summary>
public sealed class DemoCommand(IAnsiConsole console) : AsyncCommand<DemoCommand.Settings>
{
    /// <summary>Options of <c>demo</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The definitions to apply.</summary>
        [CommandOption("--definitions <FILE>")]
        [Description("Feature definitions to use (default: samples/fraud/features.yaml).")]
        public string? Definitions { get; init; }
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var definitionsPath = settings.Definitions ?? SamplePaths.FraudDefinitions();
        var clock = Stopwatch.StartNew();
        console.Write(new Rule("[bold]Brisa demo[/]").LeftJustified());

        try
        {
            var loaded = DefinitionLoader.Load(definitionsPath);
            if (loaded.Definitions is null)
            {
                foreach (var diagnostic in loaded.Diagnostics)
                {
                    console.MarkupLineInterpolated($"[red]{diagnostic.ToString()}[/]");
                }

                return ExitCodes.BadInput;
            }

            console.MarkupLineInterpolated($"[green]✓[/] definitions  {definitionsPath}: {loaded.Definitions.FeatureViews.Count} views, {loaded.Definitions.Models.Count} model(s)");

            await using var storage = await LocalStorage.OpenAsync(cancellationToken);
            var health = await storage.Storage.CheckHealthAsync(cancellationToken);
            if (!health.Healthy)
            {
                console.MarkupLineInterpolated($"[red]✗[/] storage  {string.Join(", ", health.Checks.Where(c => !c.Healthy))}");
                return ExitCodes.Failed;
            }

            console.MarkupLineInterpolated($"[green]✓[/] storage      {storage.Description}");
            console.MarkupLineInterpolated($"[grey]finished in {clock.Elapsed.TotalSeconds:0.0} s[/]");
            return ExitCodes.Ok;
        }
        catch (AzuriteNotFoundException ex)
        {
            console.MarkupLineInterpolated($"[red]✗[/] {ex.Message}");
            return ExitCodes.MissingPrerequisite;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]stopped (Ctrl+C); Azurite stopped.[/]");
            return ExitCodes.Cancelled;
        }
    }
}
