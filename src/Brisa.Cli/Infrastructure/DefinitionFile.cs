using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Spectre.Console;

namespace Brisa.Cli;

/// <summary>The definitions a command works with: a file (every diagnostic printed when it is not valid) or the registry's live version.</summary>
public static class DefinitionFile
{
    /// <summary>The definitions, or null after printing why not (missing file, or each problem with its line).</summary>
    public static FeatureRepositoryDefinition? Load(IAnsiConsole console, string path)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (Directory.Exists(path))
        {
            console.MarkupLineInterpolated($"[red]error:[/] '{path}' is a directory, not a definitions file: give the YAML file (e.g. samples/fraud/features.yaml).");
            return null;
        }

        if (!File.Exists(path))
        {
            console.MarkupLineInterpolated($"[red]error:[/] file '{path}' does not exist.");
            return null;
        }

        // Diagnostics name the file as it was given (as compilers do), so an editor or a CI annotation finds it from
        // where the command ran; the bare file name would not.
        var result = DefinitionLoader.Parse(File.ReadAllText(path), path);
        foreach (var diagnostic in result.Diagnostics)
        {
            WriteWhole(console, diagnostic.ToString(), "red");
        }

        if (result.Definitions is null)
        {
            console.MarkupLineInterpolated($"[red]{result.Diagnostics.Count} problem(s) in {path}.[/]");
        }

        return result.Definitions;
    }

    // A diagnostic is one "file:line:col: error CODE: message" line that CI logs, grep and problem matchers read whole:
    // where there is no terminal to colour it, it is written as it is instead of being wrapped at the console's width.
    private static void WriteWhole(IAnsiConsole console, string line, string color)
    {
        if (console.Profile.Capabilities.Ansi)
        {
            console.MarkupLine($"[{color}]{Markup.Escape(line)}[/]");
        }
        else
        {
            console.Profile.Out.Writer.WriteLine(PrintableOutput.Printable(line));
        }
    }

    /// <summary>The registry's live definitions (after a warning for each policy rule they break), or null after saying how to get some.</summary>
    public static async Task<FeatureRepositoryDefinition?> LiveAsync(IAnsiConsole console, BrisaStorage storage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        var live = await DefinitionRegistry.For(storage).LoadCurrentAsync(cancellationToken);
        if (live is null)
        {
            console.MarkupLine("[red]error:[/] no definitions are deployed in this storage account: run 'brisa apply <file>' or pass --definitions <file>.");
            return null;
        }

        WriteStoredWarnings(console, live.StoredWarnings);
        return live;
    }

    /// <summary>
    /// One whole line per policy rule the applied definitions break (<see cref="FeatureRepositoryDefinition.StoredWarnings"/>):
    /// they were valid when applied, but the next apply must fix them.
    /// </summary>
    public static void WriteStoredWarnings(IAnsiConsole console, IReadOnlyList<DefinitionDiagnostic> warnings)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(warnings);
        foreach (var warning in warnings)
        {
            WriteWhole(console, "warning: " + warning.DescribeAsStored(), "yellow");
        }
    }
}
