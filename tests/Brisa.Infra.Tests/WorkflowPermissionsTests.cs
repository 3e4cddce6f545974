using Brisa.Testing;
using YamlDotNet.RepresentationModel;

namespace Brisa.Infra.Tests;

/// <summary>
/// The workflows' GITHUB_TOKEN permissions are least privilege: every workflow declares them, nothing is granted
/// write-all, and only a job that logs in to Azure (or calls a workflow that does) may request an OIDC token.
/// </summary>
public sealed class WorkflowPermissionsTests
{
    /// <summary>Every workflow file under .github/workflows.</summary>
    public static TheoryData<string> Workflows()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, ".github", "workflows"), "*.yml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Workflow_DeclaresReadOnlyDefaultPermissions(string workflow)
    {
        var root = Load(workflow);
        Assert.True(root.Children.TryGetValue(new YamlScalarNode("permissions"), out var permissions),
            $"{workflow}: no top-level 'permissions': the GITHUB_TOKEN would get the repository's default (possibly write) scopes");
        Assert.IsType<YamlMappingNode>(permissions);
        foreach (var (job, jobPermissions) in Jobs(root).Select(j => (j.Name, Permissions(root, j.Job))))
        {
            Assert.True(jobPermissions is not null, $"{workflow}: job {job} has 'write-all' or 'read-all' permissions: name each scope");
            var writes = jobPermissions!.Where(p => p.Value == "write" && p.Key != "id-token").Select(p => p.Key).ToList();
            Assert.True(writes.Count == 0, $"{workflow}: job {job} may write {string.Join(", ", writes)}; deployment needs no GITHUB_TOKEN write scope");
        }
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Jobs_RequestAnOidcTokenOnlyToLogInToAzure(string workflow)
    {
        var root = Load(workflow);
        var offenders = new List<string>();
        foreach (var (name, job) in Jobs(root))
        {
            if (Permissions(root, job) is not { } permissions || !permissions.TryGetValue("id-token", out var idToken) || idToken != "write")
            {
                continue;
            }

            // A call of a reusable workflow passes the grant on; that workflow's own jobs are checked where it is declared.
            var callsWorkflow = job.Children.TryGetValue(new YamlScalarNode("uses"), out var uses) && uses.ToString().StartsWith("./.github/workflows/", StringComparison.Ordinal);
            var logsIn = job.Children.TryGetValue(new YamlScalarNode("steps"), out var steps)
                && ((YamlSequenceNode)steps).Children.OfType<YamlMappingNode>().Any(step =>
                    step.Children.TryGetValue(new YamlScalarNode("uses"), out var action) && action.ToString().StartsWith("azure/login@", StringComparison.OrdinalIgnoreCase));
            if (!callsWorkflow && !logsIn)
            {
                offenders.Add(name);
            }
        }

        Assert.True(offenders.Count == 0,
            $"{workflow}: jobs that may request an OIDC token but never log in to Azure (grant id-token: write on the jobs that do, not on the workflow): {string.Join(", ", offenders)}");
    }

    /// <summary>A workflow file under .github/workflows, parsed.</summary>
    internal static YamlMappingNode Load(string workflow)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, ".github", "workflows", workflow));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>A workflow's jobs, by name.</summary>
    internal static IEnumerable<(string Name, YamlMappingNode Job)> Jobs(YamlMappingNode root) =>
        ((YamlMappingNode)root.Children[new YamlScalarNode("jobs")]).Children.Select(j => (j.Key.ToString(), (YamlMappingNode)j.Value));

    // A job's effective permissions (its own, else the workflow's) as scope → level; null for read-all or write-all.
    private static Dictionary<string, string>? Permissions(YamlMappingNode root, YamlMappingNode job)
    {
        var node = job.Children.TryGetValue(new YamlScalarNode("permissions"), out var own) ? own : root.Children[new YamlScalarNode("permissions")];
        return node is YamlMappingNode map
            ? map.Children.ToDictionary(p => p.Key.ToString(), p => p.Value.ToString(), StringComparer.Ordinal)
            : null;
    }
}
