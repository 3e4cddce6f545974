using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Brisa.Infra.Tests;

/// <summary>
/// An artifact that carries the Function App's package keeps its hidden files. The isolated worker's build puts the
/// host's binding extensions (queues, Event Hubs) in <c>.azurefunctions/</c>, and <c>actions/upload-artifact</c> (from
/// v4.4) leaves out every file or folder whose name starts with a dot unless <c>include-hidden-files: true</c>. The
/// package deployed without it starts, and its HTTP functions (the smoke test too) answer, but the host registers no
/// queue or Event Hubs trigger: IngestEvents, MaterializeSlice and RetrainModelOnRequest never run.
/// </summary>
public sealed partial class WorkflowArtifactsTests
{
    [Fact]
    public void FunctionsBuild_LoadsBindingExtensionsFromAHiddenFolder()
    {
        // Why the uploads below need hidden files: extensions.json, which the host reads, points into such a folder.
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsBuild.OutputDirectory, "extensions.json")));
        var hidden = document.RootElement.GetProperty("extensions").EnumerateArray()
            .Select(e => e.GetProperty("hintPath").GetString()!)
            .Where(hint => hint.Split('/', '\\').Any(part => part.Length > 1 && part.StartsWith('.') && part != ".."))
            .ToList();
        Assert.NotEmpty(hidden);
        Assert.All(hidden, hint => Assert.True(File.Exists(Path.Combine(FunctionsBuild.OutputDirectory, hint)), $"{hint} is not in the build output"));
    }

    [Theory]
    [MemberData(nameof(WorkflowPermissionsTests.Workflows), MemberType = typeof(WorkflowPermissionsTests))]
    public void Uploads_OfTheFunctionsPackage_IncludeHiddenFiles(string workflow)
    {
        var offenders = new List<string>();
        foreach (var (name, job) in WorkflowPermissionsTests.Jobs(WorkflowPermissionsTests.Load(workflow)))
        {
            var steps = job.Children.TryGetValue(new YamlScalarNode("steps"), out var node) ? ((YamlSequenceNode)node).Children.OfType<YamlMappingNode>().ToList() : [];
            var packages = steps.Select(s => Scalar(s, "run") ?? "")
                .SelectMany(run => FunctionsPublish().Matches(run))
                .Select(m => m.Groups["out"].Value.TrimEnd('/'))
                .ToList();
            foreach (var upload in steps.Where(s => Scalar(s, "uses")?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true))
            {
                var with = (YamlMappingNode)upload.Children[new YamlScalarNode("with")];
                var path = Scalar(with, "path")!.TrimEnd('/');
                if (packages.Any(p => p == path || p.StartsWith(path + "/", StringComparison.Ordinal)) && Scalar(with, "include-hidden-files") != "true")
                {
                    offenders.Add($"job {name}: upload of '{path}'");
                }
            }
        }

        Assert.True(offenders.Count == 0,
            $"{workflow}: these artifacts carry the Function App's package (dotnet publish src/Brisa.Functions -o …) without its .azurefunctions folder; set include-hidden-files: true: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void Uploads_OfTheFunctionsPackage_AreFound()
    {
        // Guards the theory above against matching nothing: the deploy build publishes the package and uploads it.
        var build = WorkflowPermissionsTests.Jobs(WorkflowPermissionsTests.Load("deploy.yml")).Single(j => j.Name == "build").Job;
        var runs = ((YamlSequenceNode)build.Children[new YamlScalarNode("steps")]).Children.OfType<YamlMappingNode>().Select(s => Scalar(s, "run") ?? "");
        Assert.Contains(runs, run => FunctionsPublish().IsMatch(run));
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    // "dotnet publish src/Brisa.Functions ... -o artifacts/functions" → artifacts/functions.
    [GeneratedRegex(@"dotnet publish src/Brisa\.Functions\b[^\n]*?\s(?:-o|--output)\s+(?<out>\S+)")]
    private static partial Regex FunctionsPublish();
}
