using Spectre.Console;

namespace Brisa.Cli;

/// <summary>Standard error as a console, for the messages of a command whose standard output is data (<c>--json</c>).</summary>
public static class ErrorConsole
{
    /// <summary>A console writing to standard error, printable as standard output is (<see cref="PrintableOutput"/>).</summary>
    public static IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (Console.IsErrorRedirected)
        {
            // As on standard output: logs capture whole lines, so do not wrap at 80 columns.
            console.Profile.Width = 240;
        }

        return PrintableOutput.Attach(console);
    }
}
