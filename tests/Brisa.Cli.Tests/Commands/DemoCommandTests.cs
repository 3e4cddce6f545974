namespace Brisa.Cli.Tests.Commands;

/// <summary>The README's main command, end to end, as its own process with small sizes.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_SmallSizes_ExitZeroAndEveryStageReported()
    {
        var reports = Path.Combine(Path.GetTempPath(), $"demo-{Guid.NewGuid():N}");

        var (exitCode, output) = await CliRunner.RunProcessAsync(TimeSpan.FromMinutes(5), "demo", "--customers", "25", "--days", "3", "--out", reports);

        Assert.True(exitCode == 0, output);
        foreach (var stage in new[] { "definitions", "storage", "apply", "generate", "serve", "ingest" })
        {
            Assert.Matches($"✓ {stage}", output);
        }

        Assert.True(Directory.Exists(reports));
    }
}
