using System.ComponentModel;
using Brisa.Core.Definitions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary><c>brisa validate &lt;file&gt;</c>: every problem of a definition file, with its line, or a summary.</summary>
public sealed class ValidateCommand(IAnsiConsole console) : Command<ValidateCommand.Settings>
{
    /// <summary>Arguments of <c>validate</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The definitions file.</summary>
        [CommandArgument(0, "<file>")]
        [Description("The feature definition file (YAML).")]
        public string File { get; init; } = "";
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!System.IO.File.Exists(settings.File))
        {
            console.MarkupLineInterpolated($"[red]error:[/] file '{settings.File}' does not exist.");
            return ExitCodes.BadInput;
        }

        var result = DefinitionLoader.Load(settings.File);
        foreach (var diagnostic in result.Diagnostics)
        {
            console.MarkupLineInterpolated($"[red]{diagnostic.ToString()}[/]");
        }

        if (result.Definitions is not { } definitions)
        {
            console.MarkupLineInterpolated($"[red]{result.Diagnostics.Count} problem(s) in {settings.File}.[/]");
            return ExitCodes.BadInput;
        }

        console.MarkupLineInterpolated(
            $"[green]ok[/] {settings.File}: {definitions.Entities.Count} entities, {definitions.Sources.Count} sources, {definitions.FeatureViews.Count} views, {definitions.FeatureViews.Sum(v => v.Features.Count)} window features, {definitions.OnDemandFeatures.Count} on-demand features, {definitions.Models.Count} models.");
        return ExitCodes.Ok;
    }
}
