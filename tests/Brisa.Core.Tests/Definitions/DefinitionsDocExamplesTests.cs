using Brisa.Core.Definitions;
using YamlDotNet.RepresentationModel;

namespace Brisa.Core.Tests.Definitions;

/// <summary>
/// The YAML examples of docs/definitions.md cannot rot. They are excerpts of the fraud sample (a view alone has no
/// source to aggregate), so each block is checked twice: alone under a project, it must have the schema right (no
/// syntax, key, value, name or duration problem: <c>BR0001</c>–<c>BR0009</c>); and put into the sample, each item
/// merged over the sample's item of the same name (its named lists, fields and features, merged the same way), the
/// file must load without a single diagnostic.
/// </summary>
public class DefinitionsDocExamplesTests
{
    private static readonly string DocPath = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(SampleDefinitionsTests.SamplePath())))!, "docs", "definitions.md");

    public static TheoryData<int> Blocks()
    {
        var data = new TheoryData<int>();
        foreach (var (line, _) in ReadYamlBlocks())
        {
            data.Add(line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Load_DefinitionsDocExampleInTheSample_HasNoDiagnostics(int line)
    {
        var block = ReadYamlBlocks().Single(b => b.Line == line).Text;

        var merged = MergeIntoSample(block);
        var result = DefinitionLoader.Parse(merged, "merged.yaml");

        Assert.True(result.Diagnostics.Count == 0, $"the example at docs/definitions.md:{line}, merged into the sample, gives:\n{string.Join('\n', result.Diagnostics)}\n\n{merged}");
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Load_DefinitionsDocExampleAlone_HasNoSchemaProblem(int line)
    {
        var block = ReadYamlBlocks().Single(b => b.Line == line).Text;

        var result = DefinitionLoader.Parse("project: docs\n" + block, "example.yaml");

        var schema = result.Diagnostics.Where(IsSchemaProblem).Select(d => d.ToString()).ToList();
        Assert.True(schema.Count == 0, $"the example at docs/definitions.md:{line} (line 1 is 'project: docs'):\n{string.Join('\n', schema)}");
    }

    [Fact]
    public void ReadYamlBlocks_DefinitionsDoc_ShowsEveryListOfTheFile()
    {
        var keys = ReadYamlBlocks().SelectMany(b => ((YamlMappingNode)Parse(b.Text).RootNode).Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value)).ToList();

        Assert.Equal(["entities", "sources", "feature_views", "on_demand_features", "models"], keys);
    }

    [Fact]
    public void MergeIntoSample_ExampleWithABadValue_IsReported()
    {
        // The checks themselves: what the loader refuses must not pass because the merge hid it.
        var merged = MergeIntoSample("feature_views:\n  - name: customer_1h\n    tile: 7m\n    features:\n      - { name: txn_count_1h, aggregation: count, window: 1h }\n");

        var result = DefinitionLoader.Parse(merged, "merged.yaml");

        Assert.Equal([DiagnosticCodes.WindowNotMultipleOfTile], result.Diagnostics.Select(d => d.Code).Distinct());
    }

    [Fact]
    public void Load_ExampleWithoutARequiredKeyAlone_IsASchemaProblem()
    {
        // Merged, the sample would supply the missing ttl; alone, it is reported.
        var result = DefinitionLoader.Parse("project: docs\nfeature_views:\n  - name: customer_1h\n    entity: customer\n    source: transaction\n    tile: 5m\n    features:\n      - { name: txn_count_1h, aggregation: count, window: 1h }\n", "example.yaml");

        Assert.Contains(result.Diagnostics, d => IsSchemaProblem(d) && d.Code == DiagnosticCodes.MissingKey);
    }

    [Fact]
    public void DefinitionsDoc_OpeningDiagnostic_IsWhatTheLoaderSays()
    {
        // The first example line names the file features.yaml; it is the corpus file window_not_multiple.yaml's problem.
        var text = File.ReadAllText(DocPath);
        var shown = text.Split('\n').First(l => l.StartsWith("    features.yaml:", StringComparison.Ordinal)).Trim();
        var corpus = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Definitions", "Corpus", "window_not_multiple.yaml"));

        var result = DefinitionLoader.Parse(corpus, "features.yaml");

        Assert.Contains(shown, result.Diagnostics.Select(d => d.ToString()));
    }

    /// <summary>The ```yaml blocks of the reference, with the line each starts on.</summary>
    private static List<(int Line, string Text)> ReadYamlBlocks()
    {
        var lines = File.ReadAllLines(DocPath);
        var blocks = new List<(int, string)>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```yaml")
            {
                continue;
            }

            var end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            Assert.True(end > i, $"docs/definitions.md:{i + 1}: a yaml block that is not closed");
            blocks.Add((i + 2, string.Join('\n', lines[(i + 1)..end]) + "\n"));
            i = end;
        }

        return blocks;
    }

    // BR0001-BR0009: the file's shape (syntax, node kinds, keys, scalar values, names, durations), which needs no other part of it.
    private static bool IsSchemaProblem(DefinitionDiagnostic diagnostic) => string.CompareOrdinal(diagnostic.Code, "BR0100") < 0;

    /// <summary>The sample with the block's top-level lists merged into it (<see cref="MergeNamed"/>).</summary>
    private static string MergeIntoSample(string block)
    {
        var sample = Parse(File.ReadAllText(SampleDefinitionsTests.SamplePath()));
        var root = (YamlMappingNode)sample.RootNode;
        foreach (var (key, value) in ((YamlMappingNode)Parse(block).RootNode).Children)
        {
            if (!root.Children.TryGetValue(key, out var existing))
            {
                existing = new YamlSequenceNode();
                root.Add(key, existing);
            }

            MergeNamed((YamlSequenceNode)existing, (YamlSequenceNode)value);
        }

        using var writer = new StringWriter();
        new YamlStream(sample).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    /// <summary>
    /// Each named item of <paramref name="excerpt"/> goes over the item of the same name in <paramref name="list"/> (its
    /// keys replace the item's, a list of named items is merged the same way) or, when there is none, is added.
    /// </summary>
    private static void MergeNamed(YamlSequenceNode list, YamlSequenceNode excerpt)
    {
        foreach (var item in excerpt.Children.Cast<YamlMappingNode>())
        {
            var target = list.Children.OfType<YamlMappingNode>().FirstOrDefault(i => NameOf(i) == NameOf(item));
            if (target is null)
            {
                list.Add(item);
                continue;
            }

            foreach (var (key, value) in item.Children)
            {
                if (value is YamlSequenceNode { Children: [YamlMappingNode, ..] } named && target.Children.TryGetValue(key, out var old) && old is YamlSequenceNode oldList)
                {
                    MergeNamed(oldList, named);
                }
                else
                {
                    target.Children[key] = value;
                }
            }
        }
    }

    private static string? NameOf(YamlMappingNode item) =>
        item.Children.TryGetValue(new YamlScalarNode("name"), out var name) ? ((YamlScalarNode)name).Value : null;

    private static YamlDocument Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents[0];
    }
}
