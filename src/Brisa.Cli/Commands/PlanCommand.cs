using System.ComponentModel;
using Brisa.Azure.Registry;
using Brisa.Core.Definitions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary><c>brisa plan &lt;file&gt;</c>: what applying the file would change in the deployed registry.</summary>
public sealed class PlanCommand(IAnsiConsole console) : AsyncCommand<PlanCommand.Settings>
{
    /// <summary>Arguments of <c>plan</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The definitions file.</summary>
        [CommandArgument(0, "<file>")]
        [Description("The feature definition file (YAML).")]
        public string File { get; init; } = "";
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (DefinitionFile.Load(console, settings.File) is not { } definitions)
        {
            return ExitCodes.BadInput;
        }

        // Read-only: a pull request's plan runs with read access to the registry and nothing more.
        await using var storage = await LocalStorage.OpenAsync(cancellationToken, readOnly: true);
        var registry = DefinitionRegistry.For(storage.Storage);
        var plan = await registry.PlanChangesAsync(definitions, cancellationToken);
        console.MarkupLineInterpolated($"Registry: {storage.Description}; deployed version: {plan.Deployed?.Version[..12] ?? "none"}; proposed: {definitions.ComputeVersion()[..12]}");
        Render(console, plan.Changes);
        RenderDeployedWarnings(console, plan);
        return ExitCodes.Ok;
    }

    /// <summary>The policy rules the live version breaks (rules added or tightened since it was applied), which the planned file fixes.</summary>
    public static void RenderDeployedWarnings(IAnsiConsole console, RegistryPlan plan)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.DeployedWarnings.Count == 0)
        {
            return;
        }

        DefinitionFile.WriteStoredWarnings(console, plan.DeployedWarnings);
        console.MarkupLine("The file planned here keeps every rule: applying it clears these warnings.");
    }

    /// <summary>Prints a plan as a table, or says there is nothing to do.</summary>
    public static void Render(IAnsiConsole console, IReadOnlyList<DefinitionChange> changes)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            console.MarkupLine("[green]No changes.[/] The registry matches the file.");
            return;
        }

        var table = new Table().AddColumns("change", "type", "name", "what changes", "breaking");
        foreach (var change in changes)
        {
            var (symbol, color) = change.Kind switch
            {
                ChangeKind.Add => ("+ add", "green"),
                ChangeKind.Remove => ("- remove", "red"),
                _ => ("~ change", "yellow"),
            };
            table.AddRow($"[{color}]{symbol}[/]", change.ObjectType, Markup.Escape(change.Name), Markup.Escape(change.Details ?? ""), change.Breaking is { } why ? $"[red]BREAKING:[/] {Markup.Escape(why)}" : "");
        }

        console.Write(table);
        console.MarkupLineInterpolated($"Plan: {changes.Count(c => c.Kind == ChangeKind.Add)} to add, {changes.Count(c => c.Kind == ChangeKind.Change)} to change, {changes.Count(c => c.Kind == ChangeKind.Remove)} to remove, {changes.Count(c => c.IsBreaking)} breaking.");
        if (changes.Any(c => c.IsBreaking))
        {
            console.MarkupLine("[red]Breaking changes:[/] a model or view depends on what changes. `brisa apply` refuses them without --allow-breaking.");
        }
    }
}
