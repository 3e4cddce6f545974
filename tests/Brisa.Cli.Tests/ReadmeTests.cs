using System.Text.RegularExpressions;
using Brisa.Testing;

namespace Brisa.Cli.Tests;

/// <summary>
/// The README's CLI table cannot rot: every command it lists exists and accepts every option it shows.
/// (The quickstart commands are run by <c>.ci/run</c>; the local API walkthrough by <see cref="ReadmeWalkthroughTests"/>.)
/// </summary>
public sealed partial class ReadmeTests
{
    public static TheoryData<string, string[]> CliTableRows()
    {
        var rows = new TheoryData<string, string[]>();
        foreach (var (command, options) in ReadCliTable(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"))))
        {
            rows.Add(command, options);
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(CliTableRows))]
    public async Task Readme_CliTableCommand_ExistsWithEveryOptionShown(string command, string[] options)
    {
        var (exitCode, help) = await CliRunner.RunAsync([.. command.Split(' '), "--help"]);

        Assert.True(exitCode == 0, help);
        Assert.Contains($"brisa {command}", help, StringComparison.Ordinal);
        foreach (var option in options)
        {
            Assert.Matches($@"(^|[\s,]){Regex.Escape(option)}([\s,<]|$)", help);
        }
    }

    [Fact]
    public void ReadCliTable_Readme_ListsEveryTopLevelCommand()
    {
        var commands = ReadCliTable(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"))).Select(row => row.Command.Split(' ')[0]).ToHashSet();

        foreach (var command in new[] { "validate", "plan", "apply", "generate", "send", "deadletter", "materialize", "train", "models", "features", "drift", "serve", "demo" })
        {
            Assert.Contains(command, commands);
        }
    }

    /// <summary>
    /// Rows of the "## CLI" table: each backticked <c>brisa …</c> snippet in the first column gives a command path
    /// (<c>promote/rollback</c> gives both) and the options shown in that cell's snippets.
    /// </summary>
    private static IEnumerable<(string Command, string[] Options)> ReadCliTable(string readme)
    {
        var section = readme[readme.IndexOf("\n## CLI", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        foreach (var line in section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cell = line.Split(" | ")[0];
            var snippets = Snippet().Matches(cell).Select(m => m.Groups[1].Value).ToList();
            var current = new List<string>();
            foreach (var snippet in snippets)
            {
                if (snippet.StartsWith("brisa ", StringComparison.Ordinal))
                {
                    foreach (var row in Expand(current))
                    {
                        yield return row;
                    }

                    current = [snippet];
                }
                else
                {
                    current.Add(snippet);
                }
            }

            foreach (var row in Expand(current))
            {
                yield return row;
            }
        }
    }

    private static IEnumerable<(string Command, string[] Options)> Expand(List<string> snippets)
    {
        if (snippets.Count == 0)
        {
            yield break;
        }

        var words = snippets[0].Split(' ').Skip(1).TakeWhile(w => Word().IsMatch(w)).ToList();
        var options = snippets.SelectMany(s => Option().Matches(s).Select(m => m.Value)).Distinct().ToArray();
        var last = words[^1];
        foreach (var alternative in last.Split('/'))
        {
            yield return (string.Join(' ', words[..^1].Append(alternative)), options);
        }
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Snippet();

    [GeneratedRegex("^[a-z][a-z/]*$")]
    private static partial Regex Word();

    [GeneratedRegex(@"(?<![\w-])--?[a-z][a-z-]*")]
    private static partial Regex Option();
}
