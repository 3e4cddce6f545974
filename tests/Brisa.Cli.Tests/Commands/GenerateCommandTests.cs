using System.Text.Json;

namespace Brisa.Cli.Tests.Commands;

public sealed class GenerateCommandTests
{
    [Fact]
    public async Task Generate_SameSeedTwice_SameBytesOfValidCloudEvents()
    {
        var first = Path.Combine(Path.GetTempPath(), $"gen-{Guid.NewGuid():N}.jsonl");
        var second = Path.Combine(Path.GetTempPath(), $"gen-{Guid.NewGuid():N}.jsonl");
        string[] args = ["generate", "--customers", "20", "--days", "2", "--seed", "5", "--start", "2026-01-01T00:00:00Z"];

        var (exitCode, output) = await CliRunner.RunAsync([.. args, "-o", first]);
        await CliRunner.RunAsync([.. args, "-o", second]);

        Assert.Equal(0, exitCode);
        Assert.Contains("transactions", output);
        Assert.Equal(await File.ReadAllBytesAsync(first), await File.ReadAllBytesAsync(second));
        var lines = await File.ReadAllLinesAsync(first);
        Assert.NotEmpty(lines);
        Assert.All(lines, line =>
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal("1.0", json.RootElement.GetProperty("specversion").GetString());
        });
    }

    [Theory]
    [InlineData("--customers", "-1", "--customers must be at least 1 (got -1).")]
    [InlineData("--merchants", "0", "--merchants must be at least 1 (got 0).")]
    [InlineData("--days", "0", "--days must be at least 1 (got 0).")]
    [InlineData("--fraud-rate", "0.9", "--fraud-rate must be between 0 and 0.5 (got 0.9).")]
    public async Task Generate_OptionOutOfRange_ExitTwoNamingTheOption(string option, string value, string message)
    {
        var file = Path.Combine(Path.GetTempPath(), $"never-{Guid.NewGuid():N}.jsonl");

        var (exitCode, output) = await CliRunner.RunAsync("generate", option, value, "-o", file);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, output);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task Generate_OutputFolderMissing_ExitTwoNamingTheFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}", "dir");

        var (exitCode, output) = await CliRunner.RunAsync("generate", "--customers", "5", "--days", "1", "-o", Path.Combine(folder, "x.jsonl"));

        Assert.Equal(2, exitCode);
        Assert.Contains($"the folder '{folder}' does not exist", output);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Generate_OutputIsAFolder_ExitTwo()
    {
        var (exitCode, output) = await CliRunner.RunAsync("generate", "--customers", "5", "--days", "1", "-o", Path.GetTempPath());

        Assert.Equal(2, exitCode);
        Assert.Contains("is a folder; give a file name", output);
    }

    [Fact]
    public async Task Generate_StartNotAnIsoTime_ExitTwoSayingTheFormat()
    {
        var (exitCode, output) = await CliRunner.RunAsync("generate", "--start", "yesterday", "-o", Path.Combine(Path.GetTempPath(), $"never-{Guid.NewGuid():N}.jsonl"));

        Assert.Equal(2, exitCode);
        Assert.Contains("--start 'yesterday' is not an ISO 8601 time (e.g. 2026-05-01 or 2026-05-01T06:00Z)", output);
        Assert.DoesNotContain("Nullable", output);
    }

    [Fact]
    public async Task Generate_StreamRunningPastNow_HeldBackTransactionsAndChargebacksCountedApart()
    {
        // With --start, transactions can be dated after now too: they were held back and counted as chargebacks.
        var all = Path.Combine(Path.GetTempPath(), $"gen-{Guid.NewGuid():N}.jsonl");
        var held = Path.Combine(Path.GetTempPath(), $"gen-{Guid.NewGuid():N}.jsonl");
        var start = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-ddTHH:00Z", System.Globalization.CultureInfo.InvariantCulture);
        string[] args = ["generate", "--customers", "20", "--days", "3", "--seed", "3", "--start", start];

        await CliRunner.RunAsync([.. args, "--include-future", "-o", all]);
        var (exitCode, output) = await CliRunner.RunAsync([.. args, "-o", held]);

        Assert.Equal(0, exitCode);
        var missing = (await File.ReadAllLinesAsync(all)).Except(await File.ReadAllLinesAsync(held)).ToArray();
        var transactions = missing.Count(line => line.Contains("\"type\":\"com.brisa.fraud.transaction\"", StringComparison.Ordinal));
        Assert.True(transactions > 0);
        Assert.Contains($"held back, dated after now (--include-future keeps them): {transactions} transactions, {missing.Length - transactions} chargebacks.", output.ReplaceLineEndings(""));
        File.Delete(all);
        File.Delete(held);
    }

    [Fact]
    public async Task Generate_StartAfterNow_ExitTwoInsteadOfAnEmptyFile()
    {
        var file = Path.Combine(Path.GetTempPath(), $"never-{Guid.NewGuid():N}.jsonl");
        var start = DateTimeOffset.UtcNow.AddDays(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var (exitCode, output) = await CliRunner.RunAsync("generate", "--customers", "5", "--days", "1", "--start", start, "-o", file);

        Assert.Equal(2, exitCode);
        Assert.Contains($"--start ({start} 00:00:00Z) is after now: every event would be held back", output.ReplaceLineEndings(""));
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task Generate_StartWithoutOffset_IsUtcWhateverTheMachineTimeZone()
    {
        var file = Path.Combine(Path.GetTempPath(), $"gen-{Guid.NewGuid():N}.jsonl");

        var (exitCode, output) = await CliRunner.RunProcessWithEnvironmentAsync(
            TimeSpan.FromMinutes(1), new Dictionary<string, string?> { ["TZ"] = "Asia/Tokyo" }, "generate", "--customers", "5", "--days", "1", "--start", "2026-01-01T06:00", "-o", file);
        File.Delete(file);

        Assert.True(exitCode == 0, output);
        Assert.Contains("2026-01-01 06:00:00Z to 2026-01-02 06:00:00Z", output);
    }
}
