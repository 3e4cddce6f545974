namespace Brisa.Infra.Tests;

/// <summary>
/// The pull request's "Plan definitions against the dev registry" step (ci.yml), run in bash with a stand-in <c>az</c>:
/// only a dev environment that was never deployed skips the plan; any other failure to read its deployment fails the
/// step instead of passing it without a plan.
/// </summary>
public sealed class WorkflowPlanStepTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("brisa-plan-step-");

    public void Dispose() => work.Delete(recursive: true);

    [Fact]
    public async Task PlanStep_DeploymentNeverMade_SkipsThePlanAndSaysSo()
    {
        var (exitCode, output, summary) = await RunAsync("ERROR: (DeploymentNotFound) Deployment 'brisa-dev' could not be found.");

        Assert.True(exitCode == 0, output);
        Assert.Contains("dev is not deployed yet", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanStep_DeploymentUnreadable_FailsInsteadOfSkippingThePlan()
    {
        // The what-if step before it can pass while this read fails (a transient error, a role without
        // deployments/read): the pull request was shown as planned, with no plan.
        var (exitCode, output, summary) = await RunAsync("ERROR: (AuthorizationFailed) The client 'x' does not have authorization to perform action 'Microsoft.Resources/deployments/read'.");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("AuthorizationFailed", output, StringComparison.Ordinal);
        Assert.DoesNotContain("not deployed", summary, StringComparison.Ordinal);
    }

    private Task<StepRun> RunAsync(string azError) =>
        // A stand-in az: 'az deployment group show' fails with the given error, as the Azure CLI does.
        WorkflowStep.RunAsync(
            WorkflowStep.Script("ci.yml", "what-if", "Plan definitions against the dev registry"),
            work.FullName,
            new Dictionary<string, string> { ["az"] = $"echo \"{azError.Replace("\"", "\\\"", StringComparison.Ordinal)}\" >&2\nexit 1" },
            new Dictionary<string, string> { ["RESOURCE_GROUP"] = "rg-brisa-dev" });
}
