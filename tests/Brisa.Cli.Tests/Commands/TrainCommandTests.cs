namespace Brisa.Cli.Tests.Commands;

public sealed class TrainCommandTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public async Task Train_HistoryDaysNotPositive_ExitTwoNamingTheOption(string days)
    {
        var (exitCode, output) = await CliRunner.RunAsync("train", "fraud", "--history-days", days);

        Assert.Equal(2, exitCode);
        Assert.Contains($"--history-days must be at least 1 (got {days}).", output);
    }
}
