using System.ComponentModel;
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
        if (DefinitionFile.Load(console, settings.File) is not { } definitions)
        {
            return ExitCodes.BadInput;
        }

        console.MarkupLineInterpolated(
            $"[green]ok[/] {settings.File}: {definitions.Entities.Count} entities, {definitions.AllSources.Count()} sources, {definitions.FeatureViews.Count} views, {definitions.FeatureViews.Sum(v => v.Features.Count)} window features, {definitions.OnDemandFeatures.Count} on-demand features, {definitions.Models.Count} models; version {definitions.ComputeVersion()[..12]}.");
        return ExitCodes.Ok;
    }
}
