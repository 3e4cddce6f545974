using Brisa.Azure.Models;
using Brisa.Azure.Registry;
using Brisa.Azure.Training;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Training;

/// <summary>
/// A trained version records the git commit of the definitions it was trained on (DESIGN §5), whoever trains it:
/// nothing passed one, so every metadata.json said null. An Azurite of its own: the test applies definitions.
/// </summary>
public sealed class ModelTrainingProvenanceTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task RunAsync_LiveDefinitions_VersionRecordsTheCommitTheyWereAppliedFrom()
    {
        var now = DateTimeOffset.UtcNow;
        var definitions = FraudHistory.Definitions;
        await DefinitionRegistry.For(azurite.Storage).ApplyAsync(definitions, "0123456789abcdef0123456789abcdef01234567", now, CancellationToken.None);
        await FraudHistory.IngestAsync(azurite.Storage, now, customers: 60, days: 40);

        var result = await new ModelTrainingPipeline(azurite.Storage).RunAsync(definitions, "fraud", new TrainingPipelineOptions { Actor = "test" });

        var report = result.Run.Report!;
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", report.GitCommit);
        Assert.Equal(definitions.ComputeVersion(), report.DefinitionsVersion);
        Assert.Equal(report.GitCommit, (await new ModelRegistry(azurite.Storage).GetMetadataAsync("fraud", report.Version))!.GitCommit);
    }
}
