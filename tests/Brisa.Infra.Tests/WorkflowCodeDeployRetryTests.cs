using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Brisa.Infra.Tests;

/// <summary>
/// The code deploy of deploy-environment.yml is retried, a bounded number of times with growing waits: on a first
/// deployment the app's identity cannot write its deployment container until the Storage Blob Data Owner assignment
/// the Bicep step just made applies, and the upload fails with 403 meanwhile.
/// </summary>
public sealed partial class WorkflowCodeDeployRetryTests
{
    private const string CodeDeployAction = "Azure/functions-action@";

    private static IReadOnlyList<YamlMappingNode> Steps { get; } = WorkflowStep.Steps("deploy-environment.yml", "deploy");

    [Fact]
    public void CodeDeploy_IsRetriedAfterGrowingWaits_EachAttemptOnlyIfThePreviousFailed()
    {
        var attempts = Steps.Select((step, index) => (Step: step, Index: index)).Where(s => IsCodeDeploy(s.Step)).ToList();
        Assert.InRange(attempts.Count, 3, 5);

        var waits = new List<int>();
        for (var i = 1; i < attempts.Count; i++)
        {
            var previous = WorkflowStep.Scalar(attempts[i - 1].Step, "id");
            Assert.False(string.IsNullOrEmpty(previous), $"attempt {i} has no id for the next one to test");
            Assert.Equal("true", WorkflowStep.Scalar(attempts[i - 1].Step, "continue-on-error"));
            var retryCondition = $"steps.{previous}.outcome == 'failure'";

            // Between two attempts, exactly one step: a wait under the same condition.
            Assert.Equal(attempts[i - 1].Index + 2, attempts[i].Index);
            var wait = Steps[attempts[i].Index - 1];
            Assert.Equal(retryCondition, WorkflowStep.Scalar(wait, "if"));
            Assert.Equal(retryCondition, WorkflowStep.Scalar(attempts[i].Step, "if"));
            var sleep = Sleep().Match(WorkflowStep.Scalar(wait, "run") ?? "");
            Assert.True(sleep.Success, $"the step before attempt {i + 1} should only 'sleep <seconds>'");
            waits.Add(int.Parse(sleep.Groups["seconds"].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.True(waits.Zip(waits.Skip(1)).All(p => p.Second >= 2 * p.First), $"waits should at least double: {string.Join(", ", waits)} s");
        Assert.InRange(waits.Sum(), 5 * 60, 15 * 60);
    }

    [Fact]
    public void CodeDeploy_LastAttemptFailsTheJob()
    {
        // Every attempt but the last continues on error; the last one's failure stops the environment before brisa
        // apply and the smoke test, and prod never starts.
        var last = Steps.Last(IsCodeDeploy);

        Assert.Null(WorkflowStep.Scalar(last, "continue-on-error"));
        var after = Steps.SkipWhile(s => !ReferenceEquals(s, last)).Skip(1).ToList();
        Assert.NotEmpty(after);
        Assert.DoesNotContain(after, s => (WorkflowStep.Scalar(s, "if") ?? "").Contains("always()", StringComparison.Ordinal));
    }

    [Fact]
    public void CodeDeploy_EveryAttemptDeploysTheSamePackageTheSameWay()
    {
        var inputs = Steps.Where(IsCodeDeploy)
            .Select(s => (WorkflowStep.Scalar(s, "uses"), ((YamlMappingNode)s.Children[new YamlScalarNode("with")]).Children.ToDictionary(p => p.Key.ToString(), p => p.Value.ToString())))
            .ToList();

        Assert.All(inputs, i => Assert.Equal(inputs[0].Item1, i.Item1));
        Assert.All(inputs, i => Assert.Equal(inputs[0].Item2, i.Item2));
        Assert.Equal("flexconsumption", inputs[0].Item2["sku"]);
    }

    private static bool IsCodeDeploy(YamlMappingNode step) =>
        WorkflowStep.Scalar(step, "uses")?.StartsWith(CodeDeployAction, StringComparison.OrdinalIgnoreCase) == true;

    [GeneratedRegex(@"^\s*sleep\s+(?<seconds>\d+)\s*$")]
    private static partial Regex Sleep();
}
