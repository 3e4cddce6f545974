using Brisa.Azure.Ingestion;
using Brisa.Azure.Registry;
using Brisa.Core.Definitions;
using Brisa.Core.Generation;
using Brisa.Core.Ingestion;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Commands;

public sealed class TrainCommandTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
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

    [Fact]
    public async Task Train_ReportFolderMissing_ExitTwoBeforeTraining()
    {
        var report = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}", "report.html");

        var (exitCode, output) = await CliRunner.RunAsync("train", "fraud", "--report", report);

        Assert.Equal(2, exitCode);
        Assert.Contains($"cannot write the report {report}: no folder {Path.GetDirectoryName(report)}.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_DefinitionsFileWithAModelNotApplied_TrainsAndSaysNothingServesItUntilApply()
    {
        // The sample applied and 45 days of its events ingested; a copy of the sample adds a second model, not applied.
        var sampleText = await File.ReadAllTextAsync(RepositoryPaths.FraudDefinitions);
        var sample = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
        await DefinitionRegistry.For(azurite.Storage).ApplyAsync(sample, "test", DateTimeOffset.UtcNow, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var arrived = FraudStreamGenerator.Generate(new FraudStreamOptions { Customers = 120, Days = 45, Seed = 5, Start = now.AddDays(-45) }).Events.Where(e => e.Time <= now).ToList();
        await new EventIngestor(azurite.Storage, sample).IngestAsync([.. arrived.Chunk(2000).Select(chunk => new IncomingMessage(FraudStreamJson.ToJsonArray(chunk)))], CancellationToken.None);
        var file = Path.Combine(Path.GetTempPath(), $"second-model-{Guid.NewGuid():N}.yaml");
        var models = sampleText.IndexOf("\nmodels:\n", StringComparison.Ordinal) + "\nmodels:\n".Length;
        var fraud = sampleText[models..];
        await File.WriteAllTextAsync(file, sampleText + "\n" + fraud.Replace("  - name: fraud\n", "  - name: fraud_copy\n", StringComparison.Ordinal));
        try
        {
            var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(3), azurite.ConnectionString, "train", "fraud_copy", "--definitions", file);

            Assert.True(exitCode == 0, output);
            // The line may wrap at the console's width (the temporary file's path is long).
            Assert.Contains($"note: model 'fraud_copy' is not in the registry's live definitions, so nothing serves it yet: predict answers 404, and drift, features --service and RetrainModels do not know it until 'brisa apply {file}'.", System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
