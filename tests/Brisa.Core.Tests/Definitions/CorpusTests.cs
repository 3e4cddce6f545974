using System.Reflection;
using Brisa.Core.Definitions;

namespace Brisa.Core.Tests.Definitions;

/// <summary>
/// Each file in Corpus/ is a broken definition file. Its trailing lines "#! &lt;diagnostic&gt;" are the
/// exact, complete list of diagnostics the loader must report (the trailing comments do not shift positions).
/// </summary>
public class CorpusTests
{
    private static readonly string CorpusDirectory = Path.Combine(AppContext.BaseDirectory, "Definitions", "Corpus");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(CorpusDirectory, "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    private static List<string> Expected(string text) =>
        [.. text.Split('\n').Where(l => l.StartsWith("#! ", StringComparison.Ordinal)).Select(l => l[3..].TrimEnd('\r'))];

    [Theory]
    [MemberData(nameof(Files))]
    public void Load_CorpusFile_ReportsExactlyTheExpectedDiagnostics(string fileName)
    {
        var path = Path.Combine(CorpusDirectory, fileName);
        var expected = Expected(File.ReadAllText(path));

        var result = DefinitionLoader.Load(path);
        var actual = result.Diagnostics.Select(d => d.ToString()).ToList();

        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
        Assert.Equal(result.Diagnostics.Any(d => d.IsError), result.Definitions is null);
    }

    [Fact]
    public void DefinitionsDoc_Examples_AreDiagnosticsTheCorpusExpects()
    {
        // docs/definitions.md quotes the corpus ("Examples (from the test corpus ...)"): a quote must stay the real text.
        var docs = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(SampleDefinitionsTests.SamplePath())))!, "docs", "definitions.md");
        var text = File.ReadAllText(docs);
        var examples = text[text.IndexOf("Examples (from the test corpus", StringComparison.Ordinal)..]
            .Split('\n')
            .Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^[a-z_]+\.yaml:\d+:\d+: "))
            .ToList();
        var expected = Directory.GetFiles(CorpusDirectory, "*.yaml").SelectMany(f => Expected(File.ReadAllText(f))).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(examples);
        Assert.All(examples, example => Assert.Contains(example, expected));
    }

    [Fact]
    public void DefinitionsDoc_Examples_CoverEveryDiagnosticCode()
    {
        // The reference promises an example of every code; a code added without one would go unnoticed.
        var docs = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(SampleDefinitionsTests.SamplePath())))!, "docs", "definitions.md");
        var text = File.ReadAllText(docs);
        var examples = text[text.IndexOf("Examples (from the test corpus", StringComparison.Ordinal)..];
        var codes = typeof(DiagnosticCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!);

        var missing = codes.Where(code => !examples.Contains(" " + code + ":", StringComparison.Ordinal)).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void Corpus_AllFiles_CoverEveryDiagnosticCode()
    {
        var codes = typeof(DiagnosticCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        var covered = Directory.GetFiles(CorpusDirectory, "*.yaml")
            .SelectMany(f => Expected(File.ReadAllText(f)))
            .ToList();

        var missing = codes.Where(code => !covered.Any(line => line.Contains(" " + code + ":", StringComparison.Ordinal))).ToList();

        Assert.Empty(missing);
    }
}
