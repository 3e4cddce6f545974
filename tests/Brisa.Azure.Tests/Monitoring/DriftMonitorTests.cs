using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Storage.Blobs;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Tests.Ingestion;
using Brisa.Azure.Models;
using Brisa.Azure.Monitoring;
using Brisa.Azure.Serving;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Monitoring;

[Collection(AzuriteCollection.Name)]
public sealed class DriftMonitorTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 3, 20, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RunAsync_ShiftedAmountsAndRetrainOnAlert_WritesReportsAndEnqueuesRetrain()
    {
        var model = "drift_" + Guid.NewGuid().ToString("N")[..8];
        var version = await PublishChampionAsync(model);
        await LogPredictionsAsync(model, version, amountFactor: 1.8, extraOldShifted: false);

        var monitor = new DriftMonitor(azurite.Storage, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now));
        var result = await monitor.RunAsync(Definitions(model, retrainOnAlert: true), model);

        Assert.NotNull(result);
        Assert.Equal(version, result.Report.Version);
        Assert.Equal(1000, result.Report.Rows);
        Assert.Equal(DriftVerdict.Alert, result.Report.Features.Single(f => f.Name == "tx:amount").Verdict);
        Assert.Equal(DriftVerdict.Ok, result.Report.Features.Single(f => f.Name == "merchant").Verdict);
        Assert.Equal(DriftVerdict.Alert, result.Report.Verdict);
        Assert.True(result.RetrainEnqueued);
        Assert.True(result.Champion);
        Assert.Equal($"{model}/latest.json", result.LatestBlob);
        Assert.Equal($"{model}/20260320T120000Z.json", result.TimestampedBlob);

        var latest = await monitor.GetLatestAsync(model);
        Assert.Equal(result.Report.ToJson(), latest!.ToJson());
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.MonitoringContainer);
        Assert.True(await container.GetBlobClient(result.TimestampedBlob).ExistsAsync());
        Assert.True(await container.GetBlobClient($"{model}/20260320T120000Z.html").ExistsAsync());
        Assert.Equal(result.Html, await monitor.GetLatestHtmlAsync(model));

        var queue = azurite.Storage.Queues.GetQueueClient(StorageNames.RetrainQueue);
        var messages = (await queue.PeekMessagesAsync(32)).Value;
        Assert.Contains(messages, m =>
        {
            using var json = JsonDocument.Parse(m.Body.ToString());
            return json.RootElement.GetProperty("model").GetString() == model && json.RootElement.GetProperty("reason").GetString() == "drift";
        });
    }

    [Fact]
    public async Task RunAsync_SameDistributionWithOldShiftedRows_IsOkAndDoesNotEnqueue()
    {
        var model = "drift_" + Guid.NewGuid().ToString("N")[..8];
        var version = await PublishChampionAsync(model);
        await LogPredictionsAsync(model, version, amountFactor: 1, extraOldShifted: true);

        var monitor = new DriftMonitor(azurite.Storage, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now));
        var result = await monitor.RunAsync(Definitions(model, retrainOnAlert: true), model);

        Assert.NotNull(result);
        Assert.Equal(1000, result.Report.Rows);
        Assert.Equal(DriftVerdict.Ok, result.Report.Verdict);
        Assert.False(result.RetrainEnqueued);
    }

    [Fact]
    public async Task RunAsync_NoPredictionsInWindow_NoDataVerdictAndDoesNotEnqueue()
    {
        // Before, a champion nobody called read "dataset verdict: ok", as healthy as one checked on a day of traffic.
        var model = "drift_" + Guid.NewGuid().ToString("N")[..8];
        await PublishChampionAsync(model);

        var monitor = new DriftMonitor(azurite.Storage, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now));
        var result = (await monitor.RunAsync(Definitions(model, retrainOnAlert: true), model))!;

        Assert.Equal(0, result.Report.Rows);
        Assert.Equal(DriftVerdict.NoData, result.Report.Verdict);
        Assert.False(result.RetrainEnqueued);
        Assert.Contains("Dataset verdict: <span class=\"muted\">no data</span> — no prediction of", result.Html, StringComparison.Ordinal);
        Assert.Equal(DriftVerdict.NoData, (await monitor.GetLatestAsync(model))!.Verdict);
    }

    [Fact]
    public async Task RunAsync_AlertOnVersionNotTheChampion_ReportedButNoRetrainEnqueued()
    {
        // A retraining competes with the champion: a challenger's drift says nothing about it. Before, `brisa drift
        // --version <challenger>` enqueued one under retrain_on_alert.
        var model = "drift_" + Guid.NewGuid().ToString("N")[..8];
        var champion = await PublishChampionAsync(model);
        var challenger = await PublishChampionAsync(model, trainedAt: Now.AddDays(-1), promote: false);
        await LogPredictionsAsync(model, champion, amountFactor: 1, extraOldShifted: false);
        await LogPredictionsAsync(model, challenger, amountFactor: 1.8, extraOldShifted: false);
        var monitor = new DriftMonitor(azurite.Storage, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now));

        var result = (await monitor.RunAsync(Definitions(model, retrainOnAlert: true), model, version: challenger))!;

        Assert.False(result.Champion);
        Assert.Equal(DriftVerdict.Alert, result.Report.Verdict);
        Assert.False(result.RetrainEnqueued);
        var queue = azurite.Storage.Queues.GetQueueClient(StorageNames.RetrainQueue);
        await queue.CreateIfNotExistsAsync();
        Assert.DoesNotContain((await queue.PeekMessagesAsync(32)).Value, m => m.Body.ToString().Contains(model, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ChargebacksIngested_JoinsThemWithPredictionsById()
    {
        var model = "drift_" + Guid.NewGuid().ToString("N")[..8];
        var binary = new BinaryMetrics(5000, 50, 0.01, 0.93, 0.61, 0.05, 0.01, []);
        var business = new BusinessResult("EUR", 0.5, 100, 1334, 25000, 1234, 0.925, new ConfusionMatrix(40, 60, 4890, 10), []);
        var version = await PublishChampionAsync(model, new ModelEvaluation(binary, 0.5, business.Confusion, business, null));

        // 40 predictions, one every 6 hours up to a day ago: even ones score 0.9 (flagged), odd ones 0.1; amount 10·(i+1),
        // in GBP for t1 and USD for t2 (the sample converts at 1.17 and 0.92 EUR), EUR otherwise.
        var times = Enumerable.Range(0, 40).Select(i => Now.AddHours(-24 - (6 * i))).ToArray();
        await using (var log = PredictionLog.For(azurite.Storage, TimeSpan.FromMinutes(10)))
        {
            for (var i = 0; i < 40; i++)
            {
                var amount = 10.0 * (i + 1);
                log.Append(new PredictionRecord("req", $"{model}-t{i}", model, version, times[i], i % 2 == 0 ? 0.9 : 0.1, i % 2 == 0, new Dictionary<string, object?> { ["tx:amount"] = amount, ["merchant"] = "fuel", ["amount"] = amount, ["currency"] = i switch { 1 => "GBP", 2 => "USD", _ => "EUR" } }));
            }

            // Two more sent without an id (the log holds "<request id>-<index>"): no chargeback can name them, so they
            // are counted apart, not as negatives (before: 42 predictions, and their review fees in the cost).
            for (var i = 0; i < 2; i++)
            {
                log.Append(new PredictionRecord("req-no-ids", $"req-no-ids-{i}", model, version, times[i], 0.9, true, new Dictionary<string, object?> { ["tx:amount"] = 500.0, ["merchant"] = "fuel", ["amount"] = 500.0, ["currency"] = "EUR" }));
            }

            await log.FlushAsync();
        }

        // Chargebacks through normal ingestion: t0 and t2 (caught), t1 (missed), and one for a transaction never scored.
        var definitions = Definitions(model, retrainOnAlert: false);
        var chargebacks = new[] { (Tx: 0, Hours: 12), (Tx: 2, Hours: 30), (Tx: 1, Hours: 20), (Tx: 99, Hours: 1) }
            .Select(c => (c.Tx, (c.Tx < 40 ? times[c.Tx] : Now.AddDays(-2)).AddHours(c.Hours)));
        Assert.Equal(4, await IngestChargebacksAsync(definitions, model, chargebacks));

        var monitor = new DriftMonitor(azurite.Storage, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now));
        var live = (await monitor.RunAsync(definitions, model))!.Report.Live;

        Assert.NotNull(live);
        Assert.Equal(40, live.Total.Predictions);
        Assert.Equal(3, live.Total.Positives);
        Assert.Equal(40, live.Days.Sum(d => d.Predictions));
        Assert.Equal(2, live.Total.Unjoinable);
        Assert.Contains("2 of 42 predictions", Assert.Single(live.Warnings), StringComparison.Ordinal);
        Assert.Equal(0, live.Total.Final - live.Total.Positives); // every label window (30 days) is still open
        Assert.Equal(10 + (20 * 1.17) + (30 * 0.92), live.Total.NoModelCost!.Value, 9);

        // Flagged: the 20 even predictions at 5 EUR each; missed: t1's 20 GBP.
        Assert.Equal((20 * 5) + (20 * 1.17), live.Total.ExpectedCost!.Value, 9);

        // Positives at 0.9, 0.9, 0.1 against 18 negatives at 0.9 and 19 at 0.1 (ties count half).
        Assert.Equal(((2 * (19 + 9)) + 9.5) / (3 * 37), live.Total.Auc!.Value, 12);
        Assert.Equal(0.93, live.Validation.Auc);
    }

    [Fact]
    public async Task RunAsync_LivePerformanceAlertAndRetrainOnAlert_EnqueuesRetrainForPerformance()
    {
        var model = "drift_" + Guid.NewGuid().ToString("N")[..8];
        var binary = new BinaryMetrics(5000, 250, 0.05, 0.93, 0.61, 0.05, 0.01, []);
        var version = await PublishChampionAsync(model, new ModelEvaluation(binary, 0.5, null, null, null));

        // 400 predictions 31–35 days old (their 30-day label windows closed), scored at random; every tenth charged back
        // two days later. No prediction in the last 24 hours: the features cannot drift, only live performance alerts.
        var rng = new Random(3);
        var times = Enumerable.Range(0, 400).Select(i => Now.AddDays(-31).AddMinutes(-15 * i)).ToArray();
        await using (var log = PredictionLog.For(azurite.Storage, TimeSpan.FromMinutes(10)))
        {
            for (var i = 0; i < times.Length; i++)
            {
                log.Append(new PredictionRecord("req", $"{model}-t{i}", model, version, times[i], rng.NextDouble(), false, new Dictionary<string, object?> { ["tx:amount"] = 50.0, ["merchant"] = "fuel", ["amount"] = 50.0, ["currency"] = "EUR" }));
            }

            await log.FlushAsync();
        }

        var definitions = Definitions(model, retrainOnAlert: true);
        Assert.Equal(40, await IngestChargebacksAsync(definitions, model, Enumerable.Range(0, 40).Select(k => (10 * k, times[10 * k].AddDays(2)))));

        var monitor = new DriftMonitor(azurite.Storage, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now));
        var result = (await monitor.RunAsync(definitions, model))!;

        Assert.NotEqual(DriftVerdict.Alert, result.Report.Verdict);
        var judgement = result.Report.Live!.Judgement!;
        Assert.Equal(LiveVerdict.Alert, judgement.Verdict);
        Assert.Equal((400, 40), (judgement.Rows, judgement.Positives!.Value));
        Assert.True(result.RetrainEnqueued);
        Assert.Equal("performance", result.RetrainReason);
        Assert.Equal(judgement, (await monitor.GetLatestAsync(model))!.Live!.Judgement);
        Assert.Contains("Live verdict: <span class=\"alert\">alert</span>", result.Html, StringComparison.Ordinal);

        var messages = (await azurite.Storage.Queues.GetQueueClient(StorageNames.RetrainQueue).PeekMessagesAsync(32)).Value;
        Assert.Contains(messages, m =>
        {
            using var json = JsonDocument.Parse(m.Body.ToString());
            return json.RootElement.GetProperty("model").GetString() == model && json.RootElement.GetProperty("reason").GetString() == "performance";
        });
    }

    [Fact]
    public async Task RunAsync_RegressionWithLabelValuesIngested_ReportsLiveErrorsOfTheChampionById()
    {
        // A regression on the chargeback amount (the sample's fraud model, its label given a value), validation MAE 4.2.
        var model = "drift_" + Guid.NewGuid().ToString("N")[..8];
        var version = await PublishChampionAsync(model, new ModelEvaluation(null, null, null, null, new RegressionMetrics(500, 6.5, 4.2, 0.8)), ModelTask.Regression);
        var sample = Definitions(model, retrainOnAlert: false);
        var regression = sample.Models.Single() with { Task = ModelTask.Regression, Cost = null, Label = sample.Models.Single().Label with { Value = "amount" } };
        var definitions = sample with { Models = [regression] };

        // Ten predictions 50, 51, …, 59, a day ago and every 6 hours before; one without an id; one by another version.
        var times = Enumerable.Range(0, 10).Select(i => Now.AddHours(-24 - (6 * i))).ToArray();
        await using (var log = PredictionLog.For(azurite.Storage, TimeSpan.FromMinutes(10)))
        {
            for (var i = 0; i < 10; i++)
            {
                log.Append(new PredictionRecord("req", $"{model}-t{i}", model, version, times[i], 50 + i, null, new Dictionary<string, object?> { ["tx:amount"] = 10.0, ["merchant"] = "fuel" }));
            }

            log.Append(new PredictionRecord("req-no-ids", "req-no-ids-0", model, version, times[0], 70, null, new Dictionary<string, object?> { ["tx:amount"] = 10.0, ["merchant"] = "fuel" }));
            log.Append(new PredictionRecord("req", $"{model}-t0", model, "v20260101000000000-00000000", times[0], 99, null, new Dictionary<string, object?> { ["tx:amount"] = 10.0, ["merchant"] = "fuel" }));
            await log.FlushAsync();
        }

        // Labels of t0…t5 worth 48 + 2i, 12 hours after their prediction (errors 2, 1, 0, −1, −2, −3); t1 again later
        // with another value (the earliest counts); one for a transaction never scored.
        var labels = Enumerable.Range(0, 6).Select(i => (Id: $"cb-{model}-{i}", Tx: $"{model}-t{i}", Amount: 48.0 + (2 * i), At: times[i].AddHours(12)))
            .Append(($"cb-{model}-1-again", $"{model}-t1", 500.0, times[1].AddHours(20)))
            .Append(($"cb-{model}-99", $"{model}-t99", 5.0, Now.AddDays(-2)));
        var events = labels.Select(c => JsonSerializer.Serialize(new
        {
            specversion = "1.0",
            id = c.Item1,
            source = "/test",
            type = "com.brisa.fraud.chargeback",
            data = new
            {
                chargeback_id = c.Item1,
                transaction_id = c.Item2,
                customer_id = "c1",
                amount = c.Item3,
                reason = "fraud",
                timestamp = c.Item4.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            },
        }));
        var ingested = await new EventIngestor(azurite.Storage, definitions).IngestAsync([new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(",", events) + "]"))], CancellationToken.None);
        Assert.Equal(8, ingested.Accepted);

        var monitor = new DriftMonitor(azurite.Storage, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now));
        var report = (await monitor.RunAsync(definitions, model))!.Report;

        Assert.Null(report.Live);
        var live = report.LiveRegression!;
        Assert.Equal((10L, 1L, 6L, 6L), (live.Total.Predictions, live.Total.Unjoinable, live.Total.Labelled, live.Total.Final));
        Assert.Equal(9 / 6.0, live.Total.Mae!.Value, 12);
        Assert.Equal(Math.Sqrt(19 / 6.0), live.Total.Rmse!.Value, 12);
        Assert.Equal(-0.5, live.Total.MeanError!.Value, 12);
        Assert.Equal(10, live.Days.Sum(d => d.Predictions));
        Assert.Equal((4.2, 6.5), (live.Validation.Mae, live.Validation.Rmse));
        Assert.Equal(("chargeback", "amount"), (live.LabelSource, live.LabelValue));

        // Stored: the JSON the API and brisa drift --latest read, and the page.
        var stored = (await monitor.GetLatestAsync(model))!.LiveRegression!;
        Assert.Equal(live.Total, stored.Total);
        Assert.Contains("<th>MAE</th><th>RMSE</th><th>mean error</th>", (await monitor.GetLatestHtmlAsync(model))!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_OlderRunWritesLatestAfterANewerRun_LatestKeepsTheNewerReport()
    {
        // Two runs at once (the timer on one instance, `brisa drift` or a second `brisa serve` elsewhere): the one
        // whose window ends earlier is held before its latest.html while the later one runs to the end. Before, the
        // older run's pages replaced the newer ones, so the monitoring endpoint went back in time.
        var model = "drift_" + Guid.NewGuid().ToString("N")[..8];
        var version = await PublishChampionAsync(model);
        await LogPredictionsAsync(model, version, amountFactor: 1, extraOldShifted: false);
        var definitions = Definitions(model, retrainOnAlert: false);
        var gate = new RequestGate(r => r.Method == RequestMethod.Put && r.Uri.Path.EndsWith($"/{model}/latest.html", StringComparison.Ordinal));
        var gated = new BrisaStorage(new BlobServiceClient(azurite.ConnectionString, gate.Gating(new BlobClientOptions())), azurite.Storage.Queues, azurite.Storage.Tables);

        var older = new DriftMonitor(gated, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now)).RunAsync(definitions, model);
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(20));
        var monitor = new DriftMonitor(azurite.Storage, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now.AddMinutes(10)));
        var newer = (await monitor.RunAsync(definitions, model))!;
        gate.Open();
        var late = (await older.WaitAsync(TimeSpan.FromSeconds(20)))!;

        Assert.True(late.Report.To < newer.Report.To);
        Assert.Equal($"{model}/latest.json", newer.LatestBlob);
        Assert.Null(late.LatestBlob); // before, it named latest.json though it had not written it
        Assert.Equal(newer.Report.ToJson(), (await monitor.GetLatestAsync(model))!.ToJson());
        Assert.Equal(newer.Html, await monitor.GetLatestHtmlAsync(model));
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.MonitoringContainer);
        Assert.True(await container.GetBlobClient(late.TimestampedBlob).ExistsAsync());
    }

    [Fact]
    public async Task RunAsync_VersionNotTheChampion_StoresItsReportApartAndKeepsTheChampionsLatest()
    {
        // The demo and `brisa drift --version` check the version they name. Before, a challenger's report replaced the
        // champion's latest.json and latest.html, which GET /api/monitoring/{model} serves as the champion's report.
        var model = "drift_" + Guid.NewGuid().ToString("N")[..8];
        var champion = await PublishChampionAsync(model);
        var challenger = await PublishChampionAsync(model, trainedAt: Now.AddDays(-1), promote: false);
        await LogPredictionsAsync(model, champion, amountFactor: 1, extraOldShifted: false);
        await LogPredictionsAsync(model, challenger, amountFactor: 1.8, extraOldShifted: false);
        var definitions = Definitions(model, retrainOnAlert: false);
        var monitor = new DriftMonitor(azurite.Storage, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now));
        var ofChampion = (await monitor.RunAsync(definitions, model))!;
        var later = new DriftMonitor(azurite.Storage, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now.AddMinutes(10)));

        var ofChallenger = (await later.RunAsync(definitions, model, version: challenger))!;

        Assert.Equal(ofChampion.Report.ToJson(), (await monitor.GetLatestAsync(model))!.ToJson());
        Assert.Equal(ofChampion.Html, await monitor.GetLatestHtmlAsync(model));
        Assert.Equal(challenger, ofChallenger.Report.Version);
        Assert.False(ofChallenger.Champion);
        Assert.Null(ofChallenger.LatestBlob);
        Assert.Equal($"{model}/versions/{challenger}/20260320T121000Z.json", ofChallenger.TimestampedBlob);
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.MonitoringContainer);
        Assert.True(await container.GetBlobClient(ofChallenger.TimestampedBlob).ExistsAsync());
        Assert.True(await container.GetBlobClient($"{model}/versions/{challenger}/20260320T121000Z.html").ExistsAsync());

        // The champion named as a version is checked as the champion.
        var named = (await later.RunAsync(definitions, model, version: champion))!;
        Assert.True(named.Champion);
        Assert.Equal($"{model}/latest.json", named.LatestBlob);
        Assert.Equal(named.Report.ToJson(), (await monitor.GetLatestAsync(model))!.ToJson());
    }

    [Fact]
    public async Task RunAsync_UnreadableLogOlderThanItsWindows_NotRead()
    {
        // The drift window is a day and live performance 37 days back: a log blob from 60 days ago is none of its
        // business. Before, the monitor downloaded the model's whole log, every run, and one unreadable line stopped it.
        var model = "drift_" + Guid.NewGuid().ToString("N")[..8];
        var version = await PublishChampionAsync(model);
        await LogPredictionsAsync(model, version, amountFactor: 1, extraOldShifted: false);
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.PredictionsContainer);
        await container.GetBlobClient($"{model}/date=2026-01-19/hour=00/unreadable.jsonl").UploadAsync(BinaryData.FromString("{\"truncated\n"));

        var monitor = new DriftMonitor(azurite.Storage, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now));
        var result = await monitor.RunAsync(Definitions(model, retrainOnAlert: false), model);

        Assert.Equal(1000, result!.Report.Rows);
    }

    [Fact]
    public async Task RunAsync_UnreadableLinesInTheWindow_SkippedAndCounted()
    {
        // A cut line, a JSON null and a record without its features, among readable ones of the last day. Before, the
        // first of them failed the run, and every run for the 37 days the blob stayed in the spans read.
        var model = "drift_" + Guid.NewGuid().ToString("N")[..8];
        var version = await PublishChampionAsync(model);
        await LogPredictionsAsync(model, version, amountFactor: 1, extraOldShifted: false);
        var hour = Now.AddHours(-1).UtcDateTime;
        var good = JsonSerializer.Serialize(new { request_id = "req", id = "x1", model, version, time = Now.AddHours(-1), score = 0.5, decision = false, features = new Dictionary<string, object> { ["tx:amount"] = 40.0, ["merchant"] = "fuel" } });
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.PredictionsContainer);
        await container.GetBlobClient($"{model}/date={hour:yyyy-MM-dd}/hour={hour:HH}/damaged.jsonl")
            .UploadAsync(BinaryData.FromString($"{good}\n{{\"request_id\": \"req\", \"id\": \"x2\n\nnull\n{{\"request_id\": \"req\", \"id\": \"x3\", \"model\": \"{model}\", \"version\": \"{version}\"}}\n"));

        var monitor = new DriftMonitor(azurite.Storage, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now));
        var result = await monitor.RunAsync(Definitions(model, retrainOnAlert: false), model);

        Assert.Equal(1001, result!.Report.Rows);
        Assert.Equal(3, result.Report.UnreadableLogLines);
        Assert.Contains("3 unreadable lines", result.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ShadowRecordsOfTheChampionVersion_LeftOutOfItsSeries()
    {
        // The champion was the challenger before its promotion: its shadow predictions then decided nothing.
        var model = "drift_" + Guid.NewGuid().ToString("N")[..8];
        var version = await PublishChampionAsync(model);
        var rng = new Random(3);
        await using (var log = PredictionLog.For(azurite.Storage, TimeSpan.FromMinutes(10)))
        {
            for (var i = 0; i < 300; i++)
            {
                log.Append(Record(model, version, Now.AddMinutes(-i), Amount(rng), Merchant(rng), i));
                log.Append(Record(model, version, Now.AddMinutes(-i), Amount(rng) * 5, "travel", i) with { Shadow = true });
            }

            await log.FlushAsync();
        }

        var monitor = new DriftMonitor(azurite.Storage, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now));
        var result = await monitor.RunAsync(Definitions(model, retrainOnAlert: false), model);

        Assert.Equal(300, result!.Report.Rows);
        Assert.Null(result.Report.Shadow);
    }

    [Fact]
    public async Task RunAsync_NoChampion_ReturnsNull()
    {
        var monitor = new DriftMonitor(azurite.Storage, PredictionLog.For(azurite.Storage), new FixedTimeProvider(Now));

        Assert.Null(await monitor.RunAsync(Definitions("drift_none", retrainOnAlert: false), "drift_none"));
        Assert.Null(await monitor.GetLatestAsync("drift_none"));
    }

    /// <summary>The sample's definitions with its fraud model renamed (its label source, key and cost matrix are kept).</summary>
    internal static FeatureRepositoryDefinition Definitions(string model, bool retrainOnAlert)
    {
        var sample = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
        var fraud = sample.FindModel("fraud")! with { Name = model, Drift = new DriftPolicy { RetrainOnAlert = retrainOnAlert } };
        return sample with { Models = [fraud] };
    }

    /// <summary>Ingests a chargeback of transaction <c>&lt;model&gt;-t&lt;Tx&gt;</c> at each time, through normal ingestion; returns the events accepted.</summary>
    private async Task<int> IngestChargebacksAsync(FeatureRepositoryDefinition definitions, string model, IEnumerable<(int Tx, DateTimeOffset Time)> chargebacks)
    {
        var events = chargebacks.Select(c => JsonSerializer.Serialize(new
        {
            specversion = "1.0",
            id = $"cb-{model}-{c.Tx}",
            source = "/test",
            type = "com.brisa.fraud.chargeback",
            data = new
            {
                chargeback_id = $"cb-{model}-{c.Tx}",
                transaction_id = $"{model}-t{c.Tx}",
                customer_id = "c1",
                amount = 10.0 * (c.Tx + 1),
                reason = "fraud",
                timestamp = c.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            },
        }));
        var ingested = await new EventIngestor(azurite.Storage, definitions).IngestAsync([new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(",", events) + "]"))], CancellationToken.None);
        return ingested.Accepted;
    }

    /// <summary>Saves a version trained at <paramref name="trainedAt"/> (default ten days ago) and, unless told not to, promotes it.</summary>
    private async Task<string> PublishChampionAsync(string model, ModelEvaluation? evaluation = null, ModelTask task = ModelTask.BinaryClassification, DateTimeOffset? trainedAt = null, bool promote = true)
    {
        var rng = new Random(1);
        const int N = 20_000;
        var amounts = new float[N];
        var scores = new float[N];
        var merchants = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < N; i++)
        {
            amounts[i] = (float)Amount(rng);
            scores[i] = (float)Score(amounts[i]);
            var m = Merchant(rng);
            merchants[m] = merchants.GetValueOrDefault(m) + 1;
        }

        var zip = "not a real model"u8.ToArray();
        var trained = trainedAt ?? Now.AddDays(-10);
        var report = TrainingReports.Binary(model, trained) with
        {
            Task = task,
            Version = ModelVersionId.Create(trained, zip),
            Training = new DataRange(Now.AddDays(-60), Now.AddDays(-17), N, 100),
            Validation = new DataRange(Now.AddDays(-17), Now.AddDays(-10), N, 20),
            Inputs = [new ModelInput("tx:amount", FeatureKind.Numeric, "raw"), new ModelInput("merchant", FeatureKind.Categorical, "one_hot")],
            Evaluation = evaluation ?? new ModelEvaluation(null, 0.5, null, null, null),
            Baseline =
            [
                FeatureStatistics.Numeric("tx:amount", amounts),
                new FeatureStatistics("merchant", FeatureKind.Categorical, N, 0, 0, null, null, null, null, [], [], [], [.. merchants.OrderByDescending(m => m.Value).Select(m => new CategoryCount(m.Key, m.Value))], 0),
            ],
            ScoreBaseline = FeatureStatistics.Numeric("score", scores),
        };
        var registry = new ModelRegistry(azurite.Storage);
        await registry.SaveVersionAsync(report, zip);
        if (promote)
        {
            await registry.PromoteAsync(model, report.Version, null, "test", "test");
        }

        return report.Version;
    }

    private async Task LogPredictionsAsync(string model, string version, double amountFactor, bool extraOldShifted)
    {
        var rng = new Random(7);
        await using var log = PredictionLog.For(azurite.Storage, TimeSpan.FromMinutes(10));
        for (var i = 0; i < 1000; i++)
        {
            log.Append(Record(model, version, Now.AddMinutes(-i), Amount(rng) * amountFactor, Merchant(rng), i));
        }

        if (extraOldShifted)
        {
            // Outside the 24 h window, or scored by another version: ignored.
            for (var i = 0; i < 500; i++)
            {
                log.Append(Record(model, version, Now.AddDays(-3).AddMinutes(-i), Amount(rng) * 5, "travel", i));
                log.Append(Record(model, "v20260101000000000-00000000", Now.AddMinutes(-i), Amount(rng) * 5, "travel", i));
            }
        }

        await log.FlushAsync();
    }

    private static PredictionRecord Record(string model, string version, DateTimeOffset time, double amount, string merchant, int i) =>
        new("req", "t" + i, model, version, time, Score(amount), false, new Dictionary<string, object?> { ["tx:amount"] = amount, ["merchant"] = merchant });

    private static double Amount(Random rng) =>
        Math.Exp(3.7 + (0.9 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble())));

    private static string Merchant(Random rng)
    {
        var u = rng.NextDouble();
        return u < 0.5 ? "grocery" : u < 0.8 ? "fuel" : "online";
    }

    private static double Score(double amount) => 1 / (1 + Math.Exp(-(Math.Log(amount) - 6)));
}
