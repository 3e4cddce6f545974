using Brisa.Testing;

namespace Brisa.Cli.Tests.Infrastructure;

public sealed class LocalStorageTests
{
    [Theory]
    [InlineData("https://brisadev.blob.core.windows.net/")]
    [InlineData("AccountName=brisadev")]
    [InlineData("'UseDevelopmentStorage=true'")]
    public async Task Open_MalformedConnectionString_ExitTwoNamingTheSetting(string connectionString)
    {
        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(1), connectionString, "plan", RepositoryPaths.FraudDefinitions);

        Assert.True(exitCode == 2, $"exit {exitCode}\n{output}");
        Assert.Contains("AzureWebJobsStorage is not a storage connection string", output, StringComparison.Ordinal);
    }
}
