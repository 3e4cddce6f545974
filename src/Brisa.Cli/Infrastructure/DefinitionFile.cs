using Brisa.Core.Definitions;
using Spectre.Console;

namespace Brisa.Cli;

/// <summary>Loads a definitions file for a command, printing every diagnostic when it is not valid.</summary>
public static class DefinitionFile
{
    /// <summary>The definitions, or null after printing why not (missing file, or each problem with its line).</summary>
    public static FeatureRepositoryDefinition? Load(IAnsiConsole console, string path)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (!File.Exists(path))
        {
            console.MarkupLineInterpolated($"[red]error:[/] file '{path}' does not exist.");
            return null;
        }

        var result = DefinitionLoader.Load(path);
        foreach (var diagnostic in result.Diagnostics)
        {
            console.MarkupLineInterpolated($"[red]{diagnostic.ToString()}[/]");
        }

        if (result.Definitions is null)
        {
            console.MarkupLineInterpolated($"[red]{result.Diagnostics.Count} problem(s) in {path}.[/]");
        }

        return result.Definitions;
    }
}
