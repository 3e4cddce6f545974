using System.Text;

namespace Brisa.Infra.Tests;

/// <summary>
/// The pull request's "What-if against dev" step (ci.yml), run in bash with a stand-in <c>az</c>: it passes the
/// deployerPrincipalId the dev deploy passes, so the deployer's role assignments, and any change to them, are in the
/// what-if; without it they are left out (the parameter defaults to none).
/// </summary>
public sealed class WorkflowWhatIfStepTests : IDisposable
{
    private const string SignedInObjectId = "0b5e7c1d-signed-in";

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("brisa-what-if-step-");

    public void Dispose() => work.Delete(recursive: true);

    [Fact]
    public async Task WhatIf_PassesTheSignedInObjectIdAsDeployer_LikeTheDeploy()
    {
        var (run, whatIfArguments) = await RunAsync(new Dictionary<string, string>());

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"deployerPrincipalId={SignedInObjectId}", whatIfArguments);
    }

    [Fact]
    public async Task WhatIf_DevDeployerVariableSet_PassesItInsteadOfTheSignedInIdentity()
    {
        // A pull request that logs in with its own read-only identity would otherwise show that identity's roles.
        var (run, whatIfArguments) = await RunAsync(new Dictionary<string, string> { ["DEV_DEPLOYER_OBJECT_ID"] = "dev-deployer" });

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("deployerPrincipalId=dev-deployer", whatIfArguments);
        Assert.DoesNotContain(whatIfArguments, a => a.Contains(SignedInObjectId, StringComparison.Ordinal));
    }

    [Fact]
    public void DeployStep_DecodesTheDeployerTheSameWay()
    {
        // The what-if predicts the deploy only if both name the same principal.
        var decode = DecodeLine(WorkflowStep.Script("ci.yml", "what-if", "What-if against dev"));

        Assert.Equal(decode, DecodeLine(WorkflowStep.Script("deploy-environment.yml", "deploy", "Deploy infrastructure (Bicep)")));
    }

    private async Task<(StepRun Run, string[] WhatIfArguments)> RunAsync(Dictionary<string, string> environment)
    {
        // A stand-in az: an access token whose payload carries the object id (oid), and a what-if that records its
        // arguments one a line.
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""{"oid":"{{SignedInObjectId}}"}""")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var arguments = Path.Combine(work.FullName, "what-if-arguments");
        var az = $"""
            case "$1 $2" in
              "account get-access-token") echo "header.{payload}.signature" ;;
              "deployment group") printf '%s\n' "$@" > "{arguments}"; echo "Resource changes: 1 to modify." ;;
              *) echo "unexpected: az $*" >&2; exit 1 ;;
            esac
            """;
        environment["RESOURCE_GROUP"] = "rg-brisa-dev";

        var run = await WorkflowStep.RunAsync(WorkflowStep.Script("ci.yml", "what-if", "What-if against dev"), work.FullName, new Dictionary<string, string> { ["az"] = az }, environment);
        return (run, File.Exists(arguments) ? await File.ReadAllLinesAsync(arguments) : []);
    }

    private static string DecodeLine(string script) =>
        script.Split('\n').Select(l => l.Trim()).Single(l => l.Contains("urlsafe_b64decode", StringComparison.Ordinal));
}
