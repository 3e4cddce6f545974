using System.Text.RegularExpressions;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Commands;

/// <summary>The README's main command, end to end, as its own process with small sizes.</summary>
public sealed partial class DemoCommandTests
{
    [Fact]
    public async Task Demo_SmallSizes_ExitZeroReportsAndPositiveSavings()
    {
        var reports = Path.Combine(Path.GetTempPath(), $"demo-{Guid.NewGuid():N}");

        var (exitCode, output) = await CliRunner.RunProcessAsync(TimeSpan.FromMinutes(8), "demo", "--customers", "150", "--days", "45", "--out", reports);

        Assert.True(exitCode == 0, output);
        foreach (var stage in new[] { "definitions", "storage", "apply", "generate", "serve", "ingest", "materialize", "train", "predict", "drift" })
        {
            Assert.Matches($"✓ {stage}", output);
        }

        Assert.True(File.Exists(Path.Combine(reports, "training.html")));
        Assert.Contains("data:image/png;base64,", File.ReadAllText(Path.Combine(reports, "drift.html")), StringComparison.Ordinal);
        Assert.Matches(@"│ amount\s+│ psi\s+│[^\n]*│ alert", output);
        Assert.Contains("<span class=\"badge fresh\">fresh</span>", File.ReadAllText(Path.Combine(reports, "catalog.html")), StringComparison.Ordinal);
        Assert.Matches(@"│ window\s+│ \d{4}-\d\d-\d\d \d\d:\d\d to \d{4}-\d\d-\d\d \d\d:\d\d; trained on \d{4}-\d\d-\d\d \d\d:\d\d to ", output);
        var saved = MoneySaved().Match(output);
        Assert.True(saved.Success, output);
        Assert.True(double.Parse(saved.Groups["amount"].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) > 0, saved.Value);
    }

    [Fact]
    public async Task Demo_AzureWebJobsStorageSet_RunsOnItsOwnAzuriteNotThatAccount()
    {
        // Nothing listens there: the demo used to stop at it with exit 3, and to fill a reachable account with the sample.
        var unreachable = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + "BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";
        var reports = Path.Combine(Path.GetTempPath(), $"demo-{Guid.NewGuid():N}");

        // Two days of five customers: too young to train on (exit 1 there), enough to pass the storage stages.
        var (_, output) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(3), unreachable, "demo", "--customers", "5", "--days", "2", "--out", reports);

        Assert.Matches(@"✓ storage\s+Azurite in memory on 127\.0\.0\.1 [^\n]*AzureWebJobsStorage is set but not used", output);
        Assert.Matches(@"✓ ingest\s+\d+ events", output);
        Assert.DoesNotContain("cannot reach", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_DefinitionsWithoutTheFraudModel_ExitTwoBeforeAnyStage()
    {
        // A copy of the sample whose model was renamed: the training stage stopped at it after a minute, with
        // "Unknown model 'fraud'. ... (Parameter 'modelName')".
        var file = Path.Combine(Path.GetTempPath(), $"renamed-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "samples", "fraud", "features.yaml"))).Replace("  - name: fraud\n", "  - name: fraud_main\n", StringComparison.Ordinal));
        try
        {
            var (exitCode, output) = await CliRunner.RunAsync("demo", "--definitions", file);

            Assert.Equal(2, exitCode);
            Assert.Contains("has no model named 'fraud' (it has: fraud_main). The demo trains, scores and checks the drift of the sample's 'fraud' model", output, StringComparison.Ordinal);
            Assert.DoesNotContain("✓ storage", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--customers", "0", "--customers must be at least 1 (got 0).")]
    [InlineData("--days", "-2", "--days must be at least 1 (got -2).")]
    [InlineData("--port", "70000", "--port must be between 1 and 65535 (got 70000).")]
    public async Task Demo_OptionOutOfRange_ExitTwoBeforeAnyStage(string option, string value, string message)
    {
        var (exitCode, output) = await CliRunner.RunAsync("demo", option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, output);
        Assert.DoesNotContain("✓ definitions", output);
    }

    [GeneratedRegex(@"money saved, out-of-sample\s*│\s*(?<amount>[\d,\.]+) EUR")]
    private static partial Regex MoneySaved();
}
