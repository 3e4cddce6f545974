namespace Brisa.Cli.Tests.Commands;

public sealed class ModelsCommandsTests
{
    [Theory]
    [InlineData("list")]
    [InlineData("rollback")]
    public async Task Models_NoStorageConfigured_ExitTwoSaysWhatToSet(string verb)
    {
        var (exitCode, output) = await CliRunner.RunAsync("models", verb, "fraud");

        Assert.Equal(2, exitCode);
        Assert.Contains("set AzureWebJobsStorage", output);
    }

    [Theory]
    [InlineData("models", "list", "fraud")]
    [InlineData("models", "rollback", "fraud")]
    [InlineData("train", "fraud")]
    public async Task ModelsAndTrain_IdentityBasedStorage_UseItInsteadOfAskingForAConnectionString(params string[] args)
    {
        // Plain http, so the token credential refuses at once: proof the command went to these URIs, with no Azure login.
        var environment = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage__blobServiceUri"] = "http://127.0.0.1:9/devstoreaccount1",
            ["AzureWebJobsStorage__queueServiceUri"] = "http://127.0.0.1:9/devstoreaccount1",
            ["AzureWebJobsStorage__tableServiceUri"] = "http://127.0.0.1:9/devstoreaccount1",
        };

        var (exitCode, output) = await CliRunner.RunProcessWithEnvironmentAsync(TimeSpan.FromMinutes(1), environment, args);

        Assert.DoesNotContain("set AzureWebJobsStorage", output, StringComparison.Ordinal);
        Assert.Contains("HTTPS", output, StringComparison.Ordinal);
        Assert.Equal(1, exitCode);
    }

    [Fact]
    public async Task Models_UnknownVerb_ExitTwo()
    {
        var (exitCode, output) = await CliRunner.RunAsync("models", "explode", "fraud");

        Assert.Equal(2, exitCode);
        Assert.DoesNotContain("   at ", output);
    }
}
