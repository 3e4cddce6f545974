using Brisa.Azure.Ingestion;
using Brisa.Core.Definitions;
using Brisa.Core.Generation;
using Brisa.Core.Ingestion;
using Brisa.Testing;
using Spectre.Console;
using Spectre.Console.Testing;

namespace Brisa.Cli.Tests.Infrastructure;

/// <summary>
/// Control characters in what the CLI prints (a producer's event values quoted by a dead-letter reason, feature values)
/// reach the terminal as visible characters, never as escape sequences it would obey.
/// </summary>
public sealed class PrintableOutputTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    // Sets the terminal's title, clears the screen, then writes over the start of the line.
    private const string Hostile = "\u001b]0;pwned\u0007\u001b[2J\rX\u009b1m";

    [Fact]
    public void Printable_ControlCharacters_ShownAsPictures()
    {
        Assert.Equal("␛]0;pwned␇␛[2J␍X�1m", PrintableOutput.Printable(Hostile));
        Assert.Equal("tab\tand\nline feed stay; ␡", PrintableOutput.Printable("tab\tand\nline feed stay; \u007f"));
    }

    [Fact]
    public void Attach_AnsiConsole_TextHasNoControlCharacterWhileStylesStillColour()
    {
        var writer = new StringWriter();
        var console = PrintableOutput.Attach(AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.Standard, Out = new AnsiConsoleOutput(writer) }));

        console.MarkupLineInterpolated($"[red]reason:[/] {Hostile}");
        console.Write(new Table().AddColumn("reason").AddRow(Markup.Escape(Hostile)));
        console.WriteLine(Hostile);

        var output = writer.ToString();
        Assert.Contains("\u001b[91mreason:", output, StringComparison.Ordinal);
        Assert.Equal(3, CountOf(output, "␛]0;pwned␇␛[2J"));
        Assert.Equal(3, CountOf(output, "X�1m"));
        Assert.DoesNotContain("\u001b]", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[2J", output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u0007', output);
        Assert.DoesNotContain('\u009b', output);
    }

    [Fact]
    public void Attach_StatusSpinner_KeepsItsCursorControlCodes()
    {
        var writer = new StringWriter();
        var console = PrintableOutput.Attach(AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.Yes, Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(writer) }));

        console.Status().Start("working " + Markup.Escape(Hostile), _ => Thread.Sleep(300));

        var output = writer.ToString();
        Assert.Contains("\u001b[?25l", output, StringComparison.Ordinal);
        Assert.Contains("\u001b[?25h", output, StringComparison.Ordinal);
        Assert.Contains("working ␛]0;pwned␇", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b]0;", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TestConsole_MessagesArePrintable()
    {
        var console = new TestConsole().Width(400);

        await BrisaApp.Create(console).RunAsync(["validate", "no-such-file" + Hostile + ".yaml"]);

        Assert.Contains("␛]0;pwned␇", console.Output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', console.Output);
    }

    [Fact]
    public async Task DeadLetterList_ReasonQuotesAProducersEscapeSequence_PrintedAsVisibleCharacters()
    {
        var sample = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
        var time = new DateTimeOffset(2031, 3, 4, 5, 6, 0, TimeSpan.Zero);
        GeneratedEvent[] events = [new TransactionEvent("esc-1", time, "esc-c", "esc-m", 10, Hostile, "ES", "pos", false)];
        var ingested = await new EventIngestor(azurite.Storage, sample, new FixedTime(time)).IngestAsync([new IncomingMessage(FraudStreamJson.ToJsonArray(events))], CancellationToken.None);
        Assert.Equal(1, ingested.Rejected);

        var (exitCode, stdout, stderr) = await CliRunner.RunProcessSeparatelyAsync(
            TimeSpan.FromMinutes(2), new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }, "deadletter", "list", "--from", "2031-03-04", "--to", "2031-03-05");

        Assert.True(exitCode == 0, stdout + stderr);
        // Spectre turns the carriage return into a line break of the table cell; everything else is one visible character each.
        Assert.Contains("field 'currency': '␛]0;pwned␇␛[2J", stdout, StringComparison.Ordinal);
        Assert.Contains("X�1m' is not allowed", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', stdout);
        Assert.DoesNotContain('\u0007', stdout);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
