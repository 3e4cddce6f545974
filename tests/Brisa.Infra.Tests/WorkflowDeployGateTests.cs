using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Brisa.Infra.Tests;

/// <summary>
/// deploy.yml deploys only a commit that ci (build, every test, definitions, Bicep lint) passed: it starts when a ci
/// run on a push to main completes (not on the push itself, which would deploy a commit whose tests fail), every job
/// that deploys runs only if that run succeeded (or on a manual run), and every checkout in the deploy path, and the
/// commit <c>brisa apply</c> records, is the commit ci tested rather than main's head when the run started.
/// </summary>
public sealed partial class WorkflowDeployGateTests
{
    private const string TestedCommit = "github.event.workflow_run.head_sha";

    [Fact]
    public void Deploy_StartsWhenCiCompletesOnMain_NotOnAPush()
    {
        var triggers = (YamlMappingNode)Deploy.Children[new YamlScalarNode("on")];
        var events = triggers.Children.Keys.Select(k => k.ToString()).ToList();

        Assert.True(!events.Contains("push") && !events.Contains("pull_request") && !events.Contains("pull_request_target"),
            $"deploy.yml starts on {string.Join(", ", events)}: a push deploys before (and whatever) ci says; trigger it with workflow_run on ci");
        Assert.True(triggers.Children.TryGetValue(new YamlScalarNode("workflow_run"), out var node), "deploy.yml has no workflow_run trigger on ci");
        var run = (YamlMappingNode)node;
        var ciName = WorkflowPermissionsTests.Load("ci.yml").Children[new YamlScalarNode("name")].ToString();
        Assert.Equal([ciName], Sequence(run, "workflows"));
        Assert.Equal(["completed"], Sequence(run, "types"));
        Assert.Equal(["main"], Sequence(run, "branches"));
        Assert.Contains("workflow_dispatch", events);
    }

    [Fact]
    public void DeployJobs_RunOnlyAfterASuccessfulCiPushRunOrByHand()
    {
        var jobs = WorkflowPermissionsTests.Jobs(Deploy).ToDictionary(j => j.Name, j => j.Job, StringComparer.Ordinal);
        var ungated = jobs.Keys.Where(name => !Gated(jobs, name, depth: 0)).ToList();

        Assert.True(ungated.Count == 0,
            $"deploy.yml: jobs that can run when ci failed, was cancelled, or ran for a pull request (gate them with 'if' on github.event.workflow_run.conclusion == 'success' and event == 'push', or need a gated job without always()): {string.Join(", ", ungated)}");
    }

    [Fact]
    public void Build_AfterCiOfACommitMainHasMovedPast_DoesNotDeploy()
    {
        // Re-running an old ci run on main (a flaky job, weeks later) completes it again with success: without this,
        // its commit would be deployed over newer ones. main's head moved on, so that head's own ci run deploys instead.
        // A re-run of a deploy run keeps its event, so re-running the deploy of a good commit still rolls back to it.
        var build = WorkflowPermissionsTests.Jobs(Deploy).Single(j => j.Name == "build").Job;
        var condition = Whitespace().Replace(Scalar(build, "if") ?? "", " ");

        Assert.True(
            condition.Contains($"{TestedCommit} == github.sha", StringComparison.Ordinal),
            $"deploy.yml build: a workflow_run deploys only while the commit ci tested is still main's head ({TestedCommit} == github.sha); condition: {condition}");
    }

    [Fact]
    public void Checkouts_InTheDeployPath_CheckOutTheTestedCommit()
    {
        var offenders = new List<string>();
        foreach (var (name, job) in WorkflowPermissionsTests.Jobs(Deploy))
        {
            var resolve = (string value) => Resolve(value, Deploy, job, inputs: null);
            offenders.AddRange(UntestedCheckouts("deploy.yml", name, job, resolve));
            if (Scalar(job, "uses") is { } uses && uses.StartsWith("./.github/workflows/", StringComparison.Ordinal))
            {
                // The called workflow sees only its inputs: each resolves to what this job passes it.
                var inputs = job.Children.TryGetValue(new YamlScalarNode("with"), out var with)
                    ? ((YamlMappingNode)with).Children.ToDictionary(p => p.Key.ToString(), p => resolve(p.Value.ToString()), StringComparer.Ordinal)
                    : [];
                var called = WorkflowPermissionsTests.Load(Path.GetFileName(uses));
                foreach (var (calledName, calledJob) in WorkflowPermissionsTests.Jobs(called))
                {
                    offenders.AddRange(UntestedCheckouts($"{Path.GetFileName(uses)} (from {name})", calledName, calledJob, value => Resolve(value, called, calledJob, inputs)));
                }
            }
        }

        Assert.True(offenders.Count == 0,
            $"checkouts of another commit than the one ci tested (set 'ref' to github.event.workflow_run.head_sha, or github.sha on a manual run): {string.Join("; ", offenders)}");
    }

    [Fact]
    public void BrisaApply_InTheDeployPath_RecordsTheTestedCommit()
    {
        // Without --commit, apply records $GITHUB_SHA: after workflow_run that is main's head, maybe a newer commit.
        var callers = WorkflowPermissionsTests.Jobs(Deploy).Where(j => Scalar(j.Job, "uses") == "./.github/workflows/deploy-environment.yml").ToList();
        Assert.NotEmpty(callers);
        var environment = WorkflowPermissionsTests.Load("deploy-environment.yml");
        foreach (var (name, caller) in callers)
        {
            var inputs = ((YamlMappingNode)caller.Children[new YamlScalarNode("with")]).Children
                .ToDictionary(p => p.Key.ToString(), p => Resolve(p.Value.ToString(), Deploy, caller, inputs: null), StringComparer.Ordinal);
            foreach (var (_, job) in WorkflowPermissionsTests.Jobs(environment))
            {
                var apply = Steps(job).Single(s => Scalar(s, "run")?.Contains("brisa.dll apply", StringComparison.Ordinal) == true);
                var commit = CommitOption().Match(Scalar(apply, "run")!);
                Assert.True(commit.Success, $"deploy-environment.yml (from {name}): brisa apply has no --commit \"$VARIABLE\"");
                var env = (YamlMappingNode)apply.Children[new YamlScalarNode("env")];
                var recorded = Resolve(Scalar(env, commit.Groups["name"].Value) ?? "", environment, job, inputs);
                Assert.True(recorded.Contains(TestedCommit, StringComparison.Ordinal), $"deploy-environment.yml (from {name}): brisa apply records '{recorded}', not the commit ci tested");
            }
        }
    }

    private static YamlMappingNode Deploy { get; } = WorkflowPermissionsTests.Load("deploy.yml");

    // A job is gated when its own condition requires ci's success on a push, or when it needs a gated job and does
    // not override the default success() check (always(), failure() and cancelled() run it after a skipped need).
    private static bool Gated(Dictionary<string, YamlMappingNode> jobs, string name, int depth)
    {
        var job = jobs[name];
        var condition = Whitespace().Replace(Scalar(job, "if") ?? "", " ");
        if (condition.Contains("github.event.workflow_run.conclusion == 'success'", StringComparison.Ordinal)
            && condition.Contains("github.event.workflow_run.event == 'push'", StringComparison.Ordinal))
        {
            return true;
        }

        var overridesStatus = condition.Contains("always()", StringComparison.Ordinal) || condition.Contains("failure()", StringComparison.Ordinal) || condition.Contains("cancelled()", StringComparison.Ordinal);
        return !overridesStatus && depth < jobs.Count && Needs(job).Any(need => jobs.ContainsKey(need) && Gated(jobs, need, depth + 1));
    }

    private static IEnumerable<string> UntestedCheckouts(string workflow, string jobName, YamlMappingNode job, Func<string, string> resolve) =>
        Steps(job)
            .Where(s => Scalar(s, "uses")?.StartsWith("actions/checkout@", StringComparison.Ordinal) == true)
            .Select(s => s.Children.TryGetValue(new YamlScalarNode("with"), out var with) ? Scalar((YamlMappingNode)with, "ref") : null)
            .Select(reference => reference is null ? null : resolve(reference))
            .Where(reference => reference is null || !reference.Contains(TestedCommit, StringComparison.Ordinal))
            .Select(reference => $"{workflow} job {jobName}: ref {reference ?? "(none: the run's github.sha)"}");

    // Expands env.X (the job's, else the workflow's), needs.J.outputs.O and inputs.I in a value, until none is left.
    private static string Resolve(string value, YamlMappingNode root, YamlMappingNode job, IReadOnlyDictionary<string, string>? inputs)
    {
        for (var pass = 0; pass < 10; pass++)
        {
            var expanded = Reference().Replace(value, m => m.Groups["kind"].Value switch
            {
                "env" => Env(job, m.Groups["name"].Value) ?? Env(root, m.Groups["name"].Value) ?? m.Value,
                "inputs" => inputs?.GetValueOrDefault(m.Groups["name"].Value) ?? m.Value,
                _ => Output(root, m.Groups["job"].Value, m.Groups["name"].Value) ?? m.Value,
            });
            if (expanded == value)
            {
                return value;
            }

            value = expanded;
        }

        return value;
    }

    private static string? Env(YamlMappingNode node, string name) =>
        node.Children.TryGetValue(new YamlScalarNode("env"), out var env) ? Scalar((YamlMappingNode)env, name) : null;

    private static string? Output(YamlMappingNode root, string job, string name)
    {
        var producer = WorkflowPermissionsTests.Jobs(root).SingleOrDefault(j => j.Name == job).Job;
        return producer is not null && producer.Children.TryGetValue(new YamlScalarNode("outputs"), out var outputs)
            && Scalar((YamlMappingNode)outputs, name) is { } output
            ? Resolve(output, root, producer, inputs: null)
            : null;
    }

    private static IEnumerable<string> Needs(YamlMappingNode job) =>
        !job.Children.TryGetValue(new YamlScalarNode("needs"), out var needs) ? []
        : needs is YamlSequenceNode list ? list.Children.Select(n => n.ToString())
        : [needs.ToString()];

    private static IEnumerable<YamlMappingNode> Steps(YamlMappingNode job) =>
        job.Children.TryGetValue(new YamlScalarNode("steps"), out var steps) ? ((YamlSequenceNode)steps).Children.OfType<YamlMappingNode>() : [];

    private static List<string> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode list ? list.Children.Select(n => n.ToString()).ToList() : [];

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    // env.X, inputs.X or needs.J.outputs.X inside an expression.
    [GeneratedRegex(@"\b(?:(?<kind>env|inputs)\.(?<name>[A-Za-z_][\w-]*)|(?<kind>needs)\.(?<job>[\w-]+)\.outputs\.(?<name>[\w-]+))")]
    private static partial Regex Reference();

    // --commit "$COMMIT" or --commit "${COMMIT}" → COMMIT.
    [GeneratedRegex(@"--commit\s+""?\$\{?(?<name>\w+)")]
    private static partial Regex CommitOption();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
