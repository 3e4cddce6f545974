using System.Text.RegularExpressions;
using Brisa.Testing;

namespace Brisa.Cli.Tests;

/// <summary>
/// Every <c>brisa …</c> command line in the documentation (README.md, docs/*.md and the READMEs under src/), inline or
/// in a bash block, names a command that exists and only options its <c>--help</c> lists, so renaming an option or a
/// command fails here until the docs say the new name. (<see cref="ReadmeTests"/> checks the README's CLI table the same
/// way, with its <c>/</c> alternatives.)
/// </summary>
public sealed partial class DocsCommandLinesTests
{
    public static TheoryData<string, string> CommandLines()
    {
        var data = new TheoryData<string, string>();
        foreach (var (file, line) in ReadCommandLines().Distinct())
        {
            data.Add(file, line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CommandLines))]
    public async Task Docs_CommandLine_NamesACommandWithEveryOptionShown(string file, string commandLine)
    {
        var words = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        var (_, help) = await CliRunner.RunAsync([words[0], "--help"]);

        // A command with subcommands (models, features, deadletter): the next word is one, or several ("promote/rollback").
        var commands = help.Contains("COMMANDS:", StringComparison.Ordinal) && words.Count > 1
            ? words[1].Split('/').Select(sub => new[] { words[0], sub }).ToList()
            : [[words[0]]];
        foreach (var command in commands)
        {
            var (exitCode, commandHelp) = await CliRunner.RunAsync([.. command, "--help"]);
            var name = "brisa " + string.Join(' ', command);
            Assert.True(exitCode == 0 && commandHelp.Contains(name, StringComparison.Ordinal), $"{file}: `{commandLine}`: {name} --help:\n{commandHelp}");
            foreach (var option in Option().Matches(commandLine).Select(m => m.Value).Distinct())
            {
                Assert.True(Regex.IsMatch(commandHelp, $@"(^|[\s,]){Regex.Escape(option)}([\s,<]|$)", RegexOptions.Multiline), $"{file}: `{commandLine}`: {option} is not an option of {name}:\n{commandHelp}");
            }
        }
    }

    [Fact]
    public void ReadCommandLines_Docs_FindsInlineAndBlockLinesOfEveryKind()
    {
        var lines = ReadCommandLines().ToList();

        // Inline, an inline snippet broken over two lines, and a bash block line; and more than a handful overall.
        Assert.Contains(lines, l => l.File == "docs/operations.md" && l.Line.StartsWith("brisa features get customer_1h:txn_count_1h", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.File == "docs/http-api.md" && l.Line == "brisa deadletter replay --url");
        Assert.Contains(lines, l => l.File == "docs/operations.md" && l.Line.StartsWith("brisa deadletter replay --source transaction", StringComparison.Ordinal) && l.Line.EndsWith("--dry-run", StringComparison.Ordinal));
        Assert.True(lines.Select(l => l.File).Distinct().Count() >= 6, string.Join('\n', lines));
    }

    [Fact]
    public async Task Docs_CommandLineWithAnOptionThatDoesNotExist_Fails()
    {
        // The check itself: a misspelt option is caught.
        await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => Docs_CommandLine_NamesACommandWithEveryOptionShown("test", "brisa materialize --view customer_7d"));
    }

    /// <summary>Inline <c>`brisa …`</c> snippets (joined when a line break splits one) and bash block lines that run brisa.</summary>
    private static IEnumerable<(string File, string Line)> ReadCommandLines()
    {
        var files = new[] { Path.Combine(RepositoryPaths.Root, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md"))
            .Concat(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "src"), "README.md", SearchOption.AllDirectories));
        foreach (var path in files.Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(RepositoryPaths.Root, path).Replace('\\', '/');
            var text = File.ReadAllText(path);
            var inBash = false;
            var prose = new List<string>();
            foreach (var line in text.Split('\n'))
            {
                var trimmed = line.Trim();
                if (trimmed.StartsWith("```", StringComparison.Ordinal))
                {
                    inBash = !inBash && trimmed == "```bash";
                    prose.Add(string.Empty);
                    continue;
                }

                if (inBash)
                {
                    // A command line, without its trailing comment (a comment may show another one).
                    var hash = trimmed.IndexOf(" #", StringComparison.Ordinal);
                    if (trimmed.StartsWith("brisa ", StringComparison.Ordinal))
                    {
                        yield return (name, (hash < 0 ? trimmed : trimmed[..hash]).TrimEnd(' ', '&'));
                    }

                    if (hash >= 0 && trimmed[(hash + 2)..].Contains("brisa ", StringComparison.Ordinal))
                    {
                        // "# or every streaming view: brisa materialize --tiles"; "# brisa demo: the whole loop" names one.
                        var comment = trimmed[(hash + 2)..];
                        comment = comment[comment.IndexOf("brisa ", StringComparison.Ordinal)..];
                        yield return (name, CommentEnd().Split(comment)[0].Trim());
                    }

                    continue;
                }

                prose.Add(line);
            }

            foreach (Match match in Inline().Matches(string.Join('\n', prose)))
            {
                yield return (name, Whitespace().Replace(match.Groups[1].Value, " ").Trim());
            }
        }
    }

    [GeneratedRegex(@"`(brisa [a-z][^`]*)`")]
    private static partial Regex Inline();

    [GeneratedRegex(@":(\s|$)")]
    private static partial Regex CommentEnd();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(?<![\w-])--?[a-z][a-z-]*")]
    private static partial Regex Option();
}
