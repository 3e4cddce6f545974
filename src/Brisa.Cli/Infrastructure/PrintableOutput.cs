using Brisa.Core.Ingestion;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Brisa.Cli;

/// <summary>
/// Keeps control characters in printed text from reaching the terminal. The CLI prints what producers and storage hold
/// (dead-letter reasons quote event values, string feature values, blob names): an ESC or BEL in them would be an
/// escape sequence the terminal obeys (rewrite the title, clear the screen, hide or fake lines, set the clipboard).
/// Every written text segment shows each C0 control character as its Unicode control picture (ESC as ␛), DEL as ␡ and
/// C1 controls as �; tabs and line breaks stay, and the console's own styling and cursor codes pass untouched.
/// </summary>
public sealed class PrintableOutput : IRenderHook
{
    /// <summary>Makes every write of <paramref name="console"/> printable; returns it.</summary>
    /// <param name="console">The console.</param>
    public static IAnsiConsole Attach(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.Pipeline.Attach(new PrintableOutput());
        return console;
    }

    /// <summary><paramref name="text"/> with each control character other than tab and line feed made visible.</summary>
    /// <param name="text">The text.</param>
    public static string Printable(string text) => LogText.Printable(text, keepTabsAndLineFeeds: true);

    /// <inheritdoc />
    public IEnumerable<IRenderable> Process(RenderOptions options, IEnumerable<IRenderable> renderables) =>
        renderables.Select(r => (IRenderable)new Printed(r));

    private static bool IsUnsafe(char c) => LogText.IsUnsafe(c, keepTabsAndLineFeeds: true);

    private sealed class Printed(IRenderable inner) : IRenderable
    {
        public Measurement Measure(RenderOptions options, int maxWidth) => inner.Measure(options, maxWidth);

        public IEnumerable<Segment> Render(RenderOptions options, int maxWidth) =>
            inner.Render(options, maxWidth).Select(s => s.IsControlCode || s.IsLineBreak || !s.Text.Any(IsUnsafe) ? s : new Segment(Printable(s.Text), s.Style, s.Link));
    }
}
