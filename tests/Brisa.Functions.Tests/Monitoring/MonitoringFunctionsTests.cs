using Brisa.Azure.Models;
using Brisa.Azure.Monitoring;
using Brisa.Azure.Registry;
using Brisa.Azure.Serving;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;
using Brisa.Functions.Monitoring;
using Brisa.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brisa.Functions.Tests.Monitoring;

[Collection(AzuriteCollection.Name)]
public sealed class MonitoringFunctionsTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, "application/json")]
    [InlineData("*/*", "application/json")]
    [InlineData("application/json", "application/json")]
    [InlineData("application/json, text/html;q=0.1", "application/json")]
    [InlineData("text/html;q=0", "application/json")]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html; charset=utf-8")]
    public async Task Latest_AcceptHeader_HtmlOnlyWhenPreferredToJson(string? accept, string contentType)
    {
        var model = "drift_" + Guid.NewGuid().ToString("N")[..12];
        await StoreReportAsync(model);
        await using var log = PredictionLog.For(azurite.Storage);
        var function = Function(FraudHistory.Definitions, new DriftMonitor(azurite.Storage, log));
        var context = new DefaultHttpContext();
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        var result = Assert.IsType<ContentResult>(await function.Latest(context.Request, model, CancellationToken.None));

        Assert.Equal(200, result.StatusCode);
        Assert.Equal(contentType, result.ContentType);
    }

    // The model name becomes a blob prefix: '..' reached storage (a 500), and '../offline/…' read another container's blob.
    [Theory]
    [InlineData("..")]
    [InlineData("../offline/_stats/hostile_view")]
    [InlineData("..\\offline\\_stats\\hostile_view")]
    [InlineData("fraud' or '1'='1")]
    public async Task Latest_HostileModelName_NotFoundWithoutReadingOtherBlobs(string model)
    {
        await azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer).GetBlobClient("_stats/hostile_view/latest.json")
            .UploadAsync(BinaryData.FromString("""{"not":"a drift report"}"""), overwrite: true);
        await using var log = PredictionLog.For(azurite.Storage);
        var function = Function(FraudHistory.Definitions, new DriftMonitor(azurite.Storage, log));
        foreach (var accept in new[] { "application/json", "text/html" })
        {
            var context = new DefaultHttpContext();
            context.Request.Headers.Accept = accept;

            var result = await function.Latest(context.Request, model, CancellationToken.None);

            Assert.Equal(404, Assert.IsType<ObjectResult>(result).StatusCode);
        }
    }

    [Fact]
    public async Task Latest_NoReport_UnknownModelOrNotCheckedYet()
    {
        var model = "watched_" + Guid.NewGuid().ToString("N")[..12];
        var yaml = (await File.ReadAllTextAsync(RepositoryPaths.FraudDefinitions)).Replace("  - name: fraud\n", $"  - name: {model}\n", StringComparison.Ordinal);
        await using var log = PredictionLog.For(azurite.Storage);
        var function = Function(DefinitionLoader.Parse(yaml, "features.yaml").Definitions!, new DriftMonitor(azurite.Storage, log));

        var known = Assert.IsType<ObjectResult>(await function.Latest(new DefaultHttpContext().Request, model, CancellationToken.None));
        var unknown = Assert.IsType<ObjectResult>(await function.Latest(new DefaultHttpContext().Request, model + "x", CancellationToken.None));

        Assert.Equal((404, 404), (known.StatusCode, unknown.StatusCode));
        Assert.Equal("No drift report", Assert.IsType<ProblemDetails>(known.Value).Title);
        Assert.Equal($"No model named '{model}x'. Did you mean '{model}'? Known models: {model}.", Assert.IsType<ProblemDetails>(unknown.Value).Detail);
    }

    [Fact]
    public async Task Latest_NoReportForABrowser_HtmlPageSayingWhenMonitorDriftRunsNext()
    {
        // Before, a browser got problem JSON; an unknown name still gets it (the page is for a model that will have one).
        var model = "watched_" + Guid.NewGuid().ToString("N")[..12];
        var yaml = (await File.ReadAllTextAsync(RepositoryPaths.FraudDefinitions)).Replace("  - name: fraud\n", $"  - name: {model}\n", StringComparison.Ordinal);
        await using var log = PredictionLog.For(azurite.Storage);
        var function = Function(DefinitionLoader.Parse(yaml, "features.yaml").Definitions!, new DriftMonitor(azurite.Storage, log));
        var context = new DefaultHttpContext();
        context.Request.Headers.Accept = "text/html";
        var other = new DefaultHttpContext();
        other.Request.Headers.Accept = "text/html";

        var page = Assert.IsType<ContentResult>(await function.Latest(context.Request, model, CancellationToken.None));
        var unknown = await function.Latest(other.Request, model + "x", CancellationToken.None);

        Assert.Equal((404, "text/html; charset=utf-8"), (page.StatusCode, page.ContentType));
        Assert.Contains("No drift report yet. <code>MonitorDrift</code> writes one on its schedule (<code>0 30 * * * *</code>, UTC); its next run is at 2026-11-29 12:30Z.", page.Content, StringComparison.Ordinal);
        Assert.Contains(DriftReportHtml.ContentSecurityPolicy, page.Content, StringComparison.Ordinal);
        Assert.Equal(DriftReportHtml.ContentSecurityPolicy + "; frame-ancestors 'none'", context.Response.Headers.ContentSecurityPolicy);
        Assert.Equal(404, Assert.IsType<ObjectResult>(unknown).StatusCode);
    }

    [Fact]
    public async Task OnSchedule_FirstModelFails_LaterModelsStillCheckedAndTheTickFailsWithEvery()
    {
        // Two champions; the first one's metadata is gone, so its check throws before the second model's turn.
        var run = Guid.NewGuid().ToString("N")[..12];
        var (broken, healthy) = ($"broken_{run}", $"healthy_{run}");
        var sample = await File.ReadAllTextAsync(RepositoryPaths.FraudDefinitions);
        var block = sample[sample.IndexOf("  - name: fraud\n", StringComparison.Ordinal)..];
        var yaml = sample[..sample.IndexOf("  - name: fraud\n", StringComparison.Ordinal)]
            + block.Replace("  - name: fraud\n", $"  - name: {broken}\n", StringComparison.Ordinal)
            + block.Replace("  - name: fraud\n", $"  - name: {healthy}\n", StringComparison.Ordinal);
        var definitions = DefinitionLoader.Parse(yaml, "features.yaml").Definitions!;
        var registry = new ModelRegistry(azurite.Storage);
        foreach (var model in new[] { broken, healthy })
        {
            byte[] zip = [1, 2, 3];
            var report = TrainingReports.Binary(model, Now.AddDays(-10)) with { Version = ModelVersionId.Create(Now.AddDays(-10), zip) };
            await registry.SaveVersionAsync(report, zip);
            await registry.PromoteAsync(model, report.Version, null, "test", "test");
            if (model == broken)
            {
                await azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.ModelsContainer).GetBlobClient($"{model}/{report.Version}/metadata.json").DeleteAsync();
            }
        }

        await using var log = PredictionLog.For(azurite.Storage);
        var monitor = new DriftMonitor(azurite.Storage, log, new FixedTimeProvider(Now));
        var logs = new ListLoggerProvider();
        var function = Function(definitions, monitor, logs.CreateLogger<MonitoringFunctions>());

        var error = await Assert.ThrowsAsync<AggregateException>(() => function.OnSchedule(null!, CancellationToken.None));

        Assert.Contains($"Model '{broken}'", Assert.Single(error.InnerExceptions).Message, StringComparison.Ordinal);
        Assert.StartsWith("MonitorDrift: 1 of 2 model(s) failed their drift check; the others ran.", error.Message, StringComparison.Ordinal);
        Assert.NotNull(await monitor.GetLatestAsync(healthy));
        var logged = Assert.Single(logs.Entries, e => e.Level == LogLevel.Error);
        Assert.StartsWith($"Drift check of {broken} failed: ", logged.Message, StringComparison.Ordinal);
    }

    private static MonitoringFunctions Function(FeatureRepositoryDefinition definitions, DriftMonitor monitor, ILogger<MonitoringFunctions>? logger = null) => new(
        new FixedDefinitionsSource(definitions),
        monitor,
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [MonitoringFunctions.ScheduleSetting] = "0 30 * * * *" }).Build(),
        new FixedTimeProvider(Now),
        logger ?? NullLogger<MonitoringFunctions>.Instance);

    private async Task StoreReportAsync(string model)
    {
        var amounts = Enumerable.Range(1, 200).Select(i => (float)i).ToArray();
        var baseline = TrainingReports.Binary(model, Now.AddDays(-10)) with
        {
            Version = "v20261101000000000-abcdef12",
            Training = new DataRange(Now.AddDays(-60), Now.AddDays(-17), 200, 20),
            Validation = new DataRange(Now.AddDays(-17), Now.AddDays(-10), 50, 5),
            Inputs = [new ModelInput("amount", FeatureKind.Numeric, "raw")],
            Baseline = [FeatureStatistics.Numeric("amount", amounts)],
            ScoreBaseline = FeatureStatistics.Numeric("score", [.. amounts.Select(a => a / 200)]),
        };
        var columns = new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal) { ["amount"] = [.. amounts.Select(a => (object?)(double)a)] };
        var report = DriftAnalyzer.Analyze(baseline, new DriftInput(Now.AddDays(-1), Now, amounts.Length, columns, [.. amounts.Select(a => a / 200.0)]), new DriftPolicy());
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.MonitoringContainer);
        await container.GetBlobClient($"{model}/latest.json").UploadAsync(BinaryData.FromString(report.ToJson()), overwrite: true);
        await container.GetBlobClient($"{model}/latest.html").UploadAsync(BinaryData.FromString("<!doctype html><title>drift</title>"), overwrite: true);
    }
}
