using Brisa.Testing;

namespace Brisa.Cli.Tests;

public sealed class BrisaAppTests
{
    [Theory]
    [InlineData("plan")]
    [InlineData("serve")]
    public async Task Run_AzuriteNotInstalled_ExitThreeSaysWhatToInstall(string command)
    {
        string[] args = command == "plan" ? ["plan", RepositoryPaths.FraudDefinitions] : ["serve", "--port", "1", "--no-timers"];
        var environment = new Dictionary<string, string?> { ["BRISA_AZURITE"] = Path.Combine(Path.GetTempPath(), "no-such-folder", "azurite.js") };

        var (exitCode, output) = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(1), environment, args);

        Assert.Equal(ExitCodes.MissingPrerequisite, exitCode);
        Assert.Contains("BRISA_AZURITE points to", output, StringComparison.Ordinal);
    }
}
