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

    [Fact]
    public async Task Models_UnknownVerb_ExitTwo()
    {
        var (exitCode, output) = await CliRunner.RunAsync("models", "explode", "fraud");

        Assert.Equal(2, exitCode);
        Assert.DoesNotContain("   at ", output);
    }
}
