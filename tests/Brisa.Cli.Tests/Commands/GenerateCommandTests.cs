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

    [Fact]
    public async Task Generate_NegativeCustomers_ExitTwo()
    {
        var (exitCode, output) = await CliRunner.RunAsync("generate", "--customers", "-1", "-o", Path.Combine(Path.GetTempPath(), "never.jsonl"));

        Assert.Equal(2, exitCode);
        Assert.Contains("error:", output);
    }
}
