using System.Text;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Models;
using Brisa.Azure.Online;
using Brisa.Azure.Registry;
using Brisa.Azure.Serving;
using Brisa.Azure.Training;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Generation;
using Brisa.Core.Ingestion;
using Brisa.Core.Modeling;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Commands;

/// <summary><c>brisa drift</c> as its own process against Azurite holding demo data: a generated stream, a trained champion, shifted traffic.</summary>
public sealed class DriftCommandTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Drift_NoStorageConfigured_ExitTwoSaysWhatToSet()
    {
        var (exitCode, output) = await CliRunner.RunProcessAsync(TimeSpan.FromMinutes(1), "drift", "fraud");

        Assert.Equal(2, exitCode);
        Assert.Contains("set AzureWebJobsStorage", output);
    }

    [Fact]
    public async Task Drift_BadDefinitionsFileNoStorage_ExitTwoNamesTheFileNotTheSetting()
    {
        var file = Path.Combine(Path.GetTempPath(), $"drift-bad-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "project: [unclosed\n");

        var (exitCode, output) = await CliRunner.RunProcessAsync(TimeSpan.FromMinutes(1), "drift", "fraud", "--definitions", file);

        Assert.Equal(2, exitCode);
        Assert.Contains(file, output);
        Assert.DoesNotContain("AzureWebJobsStorage", output);
    }

    [Theory]
    [InlineData("2147483647")]
    [InlineData("0")]
    public async Task Drift_WindowOutOfRange_ExitTwoSaysTheRange(string hours)
    {
        // Before, a window past TimeSpan's range passed validation and failed the check: exit 1, "TimeSpan overflowed
        // because the duration is too long."
        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(1), azurite.ConnectionString, "drift", "fraud", "--definitions", RepositoryPaths.FraudDefinitions, "--window-hours", hours);

        Assert.True(exitCode == 2, output);
        Assert.Contains("--window-hours must be between 1 and 8784", output);
    }

    [Theory]
    [InlineData("v1", "'v1' is not a model version")]
    [InlineData("v20260101000000000-00000000 --latest", "--latest reads the latest report, the champion's: it takes no --version")]
    public async Task Drift_BadVersionOption_ExitTwoSaysWhy(string options, string message)
    {
        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(1), azurite.ConnectionString, ["drift", "fraud", "--version", .. options.Split(' ')]);

        Assert.True(exitCode == 2, output);
        Assert.Contains(message, output);
    }

    [Fact]
    public async Task Drift_VersionNotInTheRegistry_ExitTwoSaysWhereTheVersionsAre()
    {
        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(
            TimeSpan.FromMinutes(1), azurite.ConnectionString, "drift", "fraud", "--definitions", RepositoryPaths.FraudDefinitions, "--version", "v20260101000000000-00000000");

        Assert.True(exitCode == 2, output);
        Assert.Contains("model 'fraud' has no version 'v20260101000000000-00000000' ('brisa models list fraud' lists them)", output);
    }

    [Fact]
    public async Task Drift_DemoDataWithAmountsTimesThree_PrintsTableAndWritesReport()
    {
        await SeedDemoDataAsync();
        var report = Path.Combine(Path.GetTempPath(), $"drift-{Guid.NewGuid():N}.html");

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(3), azurite.ConnectionString, "drift", "fraud", "--out", report);

        Assert.True(exitCode == 0, output);
        Assert.Matches(@"│ amount\s+│ psi\s+│[^\n]*│ alert", output);
        Assert.Matches(@"│ customer_1h:txn_count_1h\s+│", output);
        Assert.Matches(@"│ score\s+│", output);
        Assert.Contains("dataset verdict: alert", output);
        Assert.Contains("live performance: predictions joined with chargeback events", output);
        // This small champion's validation window has no positive, too few to cross-fit: its saving (0) is in-sample.
        Assert.Matches(@"│ validation( \(saved in-sample\))?\s+│", output);
        Assert.Contains("live verdict: not enough labels (0 predictions with a closed label window (needs 200)", output);
        Assert.Contains("a retraining was enqueued, reason drift", output);
        Assert.Matches(@"stored: monitoring/fraud/\d{8}T\d{6}Z\.json\|\.html, and as the latest report \(monitoring/fraud/latest\.json", output);
        var html = await File.ReadAllTextAsync(report);
        Assert.Contains("<img alt=\"PSI per feature\" src=\"data:image/png;base64,", html, StringComparison.Ordinal);
        Assert.Contains("<img alt=\"amount\"", html, StringComparison.Ordinal);

        // --latest prints the stored report without running the check again.
        var (latestExit, latest) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(3), azurite.ConnectionString, "drift", "fraud", "--latest", "--out", report + ".latest.html");

        Assert.True(latestExit == 0, latest);
        Assert.Matches(@"│ amount\s+│ psi\s+│[^\n]*│ alert", latest);
        Assert.DoesNotContain("a retraining was enqueued", latest);
        Assert.Equal(html, await File.ReadAllTextAsync(report + ".latest.html"));

        // A version other than the champion: its report is stored apart and the latest stays the champion's. Before,
        // it replaced the latest, which GET /api/monitoring/fraud serves as the champion's.
        var other = await SaveCopyOfTheChampionAsync();
        var (otherExit, otherOutput) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(3), azurite.ConnectionString, "drift", "fraud", "--version", other, "--out", report + ".other.html");

        Assert.True(otherExit == 0, otherOutput);
        Assert.Matches($@"stored: monitoring/fraud/versions/{other}/\d{{8}}T\d{{6}}Z\.json\|\.html only: {other} is not the champion", otherOutput);
        // Nothing scored by that version: nothing to judge, where "ok" read as healthy.
        Assert.Contains($"dataset verdict: no data (no prediction of {other} in the window", otherOutput, StringComparison.Ordinal);
        var (afterExit, after) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(3), azurite.ConnectionString, "drift", "fraud", "--latest", "--out", report + ".after.html");
        Assert.True(afterExit == 0, after);
        Assert.Equal(html, await File.ReadAllTextAsync(report + ".after.html"));
    }

    // The champion saved again under another version id, never promoted: a version with a baseline and no predictions.
    private async Task<string> SaveCopyOfTheChampionAsync()
    {
        var registry = new ModelRegistry(azurite.Storage);
        var champion = (await registry.GetAliasesAsync("fraud")).Aliases.Champion!;
        var metadata = (await registry.GetMetadataAsync("fraud", champion))!;
        var zip = "a copy"u8.ToArray();
        var copy = metadata with { Version = ModelVersionId.Create(metadata.TrainedAt.AddSeconds(1), zip) };
        await registry.SaveVersionAsync(copy, zip);
        return copy.Version;
    }

    // What the demo holds after its predict stage, smaller: the sample applied, 45 days of generated events ingested, a
    // trained champion; then a day's worth of last week's transactions with amounts ×3 scored with their ids.
    private async Task SeedDemoDataAsync()
    {
        var definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
        await DefinitionRegistry.For(azurite.Storage).ApplyAsync(definitions, "test", DateTimeOffset.UtcNow, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var options = new FraudStreamOptions { Customers = 120, Days = 45, Seed = 3, Start = now.AddDays(-45) };
        var arrived = FraudStreamGenerator.Generate(options).Events.Where(e => e.Time <= now).ToList();
        var messages = arrived.Chunk(2000).Select(chunk => new IncomingMessage(FraudStreamJson.ToJsonArray(chunk))).ToArray();
        await new EventIngestor(azurite.Storage, definitions).IngestAsync(messages, CancellationToken.None);
        var trained = await new ModelTrainingPipeline(azurite.Storage).RunAsync(definitions, "fraud");
        var registry = new ModelRegistry(azurite.Storage);
        if ((await registry.GetAliasesAsync("fraud")).Aliases.Champion is null)
        {
            // Few customers can miss the promotion guardrails (positives in the validation window): promote by hand.
            await registry.PromoteAsync("fraud", trained.Run.Report!.Version, null, "test data", "test");
        }

        var shifted = FraudStreamGenerator.Generate(options with { Shift = new FraudStreamShift { After = TimeSpan.FromDays(38), AmountFactor = 3, OnlineShare = 0 } })
            .Events.OfType<TransactionEvent>()
            .Where(t => t.Time > now.AddDays(-7) && t.Time <= now)
            .Where((_, i) => i % 4 == 0);
        var log = PredictionLog.For(azurite.Storage);
        var predictor = new Predictor(new ModelCache(registry, TimeProvider.System, TimeSpan.FromMinutes(5)), OnlineFeatureReader.For(azurite.Storage), log, TimeProvider.System);
        var plan = FeaturePlan.Compile(definitions, trackEventIds: true);
        foreach (var chunk in shifted.Chunk(200))
        {
            var body = System.Text.Json.JsonSerializer.Serialize(new
            {
                instances = chunk.Select(t => new { id = t.Id, customer_id = t.CustomerId, merchant_id = t.MerchantId, amount = t.Amount, currency = t.Currency, country = t.Country, channel = t.Channel }),
            });
            await predictor.PredictAsync(plan, "fraud", null, Encoding.UTF8.GetBytes(body), "test", CancellationToken.None);
        }

        await log.DisposeAsync();
    }
}
