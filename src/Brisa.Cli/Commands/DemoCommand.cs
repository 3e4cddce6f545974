using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Brisa.Azure.Local;
using Brisa.Azure.Monitoring;
using Brisa.Azure.Offline;
using Brisa.Azure.Registry;
using Brisa.Azure.Serving;
using Brisa.Azure.Storage;
using Brisa.Azure.Training;
using Brisa.Cli.Serving;
using Brisa.Core.Definitions;
using Brisa.Core.Generation;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary><c>brisa demo</c>: the whole loop on a private Azurite, stage by stage; exit 0 only if every stage worked.</summary>
public sealed class DemoCommand(IAnsiConsole console) : AsyncCommand<DemoCommand.Settings>
{
    // The model the stages train, score and check for drift: the sample's, fitted to the generated stream.
    private const string DemoModel = "fraud";

    /// <summary>Options of <c>demo</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Card holders in the generated stream.</summary>
        [CommandOption("--customers <N>")]
        [Description("Card holders in the generated stream (default 200).")]
        public int Customers { get; init; } = 200;

        /// <summary>Days of history.</summary>
        [CommandOption("--days <D>")]
        [Description("Days of history (default 45: chargebacks take up to 30 days, so training needs older transactions).")]
        public int Days { get; init; } = 45;

        /// <summary>Random seed.</summary>
        [CommandOption("--seed <S>")]
        [Description("Seed of the generated stream (default 42).")]
        public long Seed { get; init; } = 42;

        /// <summary>Keep the report folder's working files.</summary>
        [CommandOption("--keep")]
        [Description("Keep the generated events file next to the reports.")]
        public bool Keep { get; init; }

        /// <summary>The definitions to apply.</summary>
        [CommandOption("--definitions <FILE>")]
        [Description("Feature definitions to use (default: samples/fraud/features.yaml); they need the sample's sources and its 'fraud' model, which the demo generates events for, trains and scores.")]
        public string? Definitions { get; init; }

        /// <summary>Keep the API up after the last stage.</summary>
        [CommandOption("--serve")]
        [Description("After the last stage, keep the HTTP API, the timer and queue triggers (as brisa serve) and Azurite up with the demo's data and model until Ctrl+C; the key is $BRISA_FUNCTION_KEY when set.")]
        public bool Serve { get; init; }

        /// <summary>With <c>--serve</c>, serve HTTP only.</summary>
        [CommandOption("--no-timers")]
        [Description("With --serve: keep the HTTP API only, without the timer and queue triggers.")]
        public bool NoTimers { get; init; }

        /// <summary>Port of the HTTP API.</summary>
        [CommandOption("--port <PORT>")]
        [Description("Port of the HTTP API on 127.0.0.1 (default: a free port).")]
        public int? Port { get; init; }

        /// <summary>Where the reports go.</summary>
        [CommandOption("--out <DIR>")]
        [Description("Report folder (default: a new folder under the system temp folder).")]
        public string? Out { get; init; }

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            Customers < 1 ? ValidationResult.Error($"--customers must be at least 1 (got {Customers}).")
            : Days < 1 ? ValidationResult.Error($"--days must be at least 1 (got {Days}).")
            : Port is not (null or (>= 1 and <= 65535)) ? ValidationResult.Error($"--port must be between 1 and 65535 (got {Port}).")
            : ValidationResult.Success();
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Port is { } port)
        {
            // Checked now rather than after a minute of stages.
            LocalFunctionsHost.EnsurePortAvailable(new Uri($"http://127.0.0.1:{port}"));
        }

        var clock = Stopwatch.StartNew();
        console.Write(new Rule("[bold]Brisa demo[/]: the whole loop on this machine").LeftJustified());
        var reportDir = settings.Out ?? Path.Combine(Path.GetTempPath(), $"brisa-demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        Directory.CreateDirectory(reportDir);

        try
        {
            var definitionsPath = settings.Definitions ?? SamplePaths.FraudDefinitions();
            if (DefinitionFile.Load(console, definitionsPath) is not { } definitions)
            {
                return ExitCodes.BadInput;
            }

            if (definitions.FindModel(DemoModel) is null)
            {
                // Said now, not after a minute of stages: the training stage would stop at it with a framework message.
                console.MarkupLineInterpolated($"[red]error:[/] {definitionsPath} has no model named '{DemoModel}' (it has: {(definitions.Models.Count == 0 ? "none" : string.Join(", ", definitions.Models.Select(m => m.Name)))}). The demo trains, scores and checks the drift of the sample's '{DemoModel}' model on its generated fraud stream: keep that model, and add yours beside it.");
                return ExitCodes.BadInput;
            }

            Done("definitions", $"{definitionsPath}: {definitions.FeatureViews.Count} views, {definitions.OnDemandFeatures.Count} on-demand features, {definitions.Models.Count} model(s)");

            // Always its own emulator: the demo applies the sample as the live definitions and ingests synthetic events,
            // which have no place in the account AzureWebJobsStorage names (it may be the one the demo's export pointed at).
            await using var storage = await LocalStorage.StartPrivateAsync(cancellationToken);
            Done("storage", storage.Description + (LocalStorage.IsConfigured ? "; AzureWebJobsStorage is set but not used: the demo never touches configured storage" : ""));

            var pointer = await DefinitionRegistry.For(storage.Storage).ApplyAsync(definitions, "demo", DateTimeOffset.UtcNow, cancellationToken);
            Done("apply", $"registry version {pointer.Version[..12]}");

            var options = new FraudStreamOptions { Customers = settings.Customers, Days = settings.Days, Seed = settings.Seed };
            var stream = FraudStreamGenerator.Generate(options);
            var now = DateTimeOffset.UtcNow;
            var arrived = stream.Events.Where(e => e.Time <= now).ToList();
            var eventsFile = Path.Combine(reportDir, "events.jsonl");
            using (var file = File.Create(eventsFile))
            {
                FraudStreamJson.WriteJsonLines(arrived, file);
            }

            var transactions = arrived.OfType<TransactionEvent>().ToList();
            Done("generate", $"{transactions.Count} transactions ({transactions.Count(t => t.IsFraud)} fraudulent) and {arrived.Count - transactions.Count} chargebacks over {settings.Days} days, seed {settings.Seed}");

            var url = new Uri($"http://127.0.0.1:{settings.Port ?? FreePort()}");
            var givenKey = FunctionKeys.FromEnvironment();
            var key = givenKey ?? FunctionKeys.Generate();
            await using var api = LocalFunctionsHost.Build(url, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage.ConnectionString }, key);
            await api.StartAsync(cancellationToken);
            using var http = new HttpClient { BaseAddress = url };
            http.DefaultRequestHeaders.Add(FunctionKeys.Header, key);
            Done("serve", $"HTTP API on {url} (function key required)");

            var (accepted, rejected) = await IngestAsync(new Uri(url, "api/events"), key, eventsFile, arrived.Count, cancellationToken);
            if (accepted != arrived.Count || rejected != 0)
            {
                return Failed("ingest", $"{accepted} of {arrived.Count} events accepted, {rejected} rejected");
            }

            var rawFiles = await CountBlobsAsync(storage.Storage, StorageNames.RawContainer, cancellationToken);
            Done("ingest", $"{accepted} events through POST /api/events into {rawFiles} raw Parquet files and the online tiles");

            var lastHour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
            var materialized = await new FeatureMaterializer(storage.Storage, definitions).MaterializeAsync(stream.Start, lastHour, cancellationToken: cancellationToken);
            Done("materialize", $"{materialized.Events:N0} raw events → offline Parquet for {materialized.Views.Count} views and online values for batch views");
            // The catalog page as served (statistics of the run just made), kept with the reports.
            await File.WriteAllTextAsync(Path.Combine(reportDir, "catalog.html"), await http.GetStringAsync("api/catalog/ui", cancellationToken), cancellationToken);

            var training = await new ModelTrainingPipeline(storage.Storage).RunAsync(
                definitions, DemoModel, new TrainingPipelineOptions { Actor = "demo" }, cancellationToken: cancellationToken);
            TrainingReportView.Render(console, training);
            if (!TrainingReportView.SavesMoney(training))
            {
                return Failed("train", training.Run.Message);
            }

            await File.WriteAllTextAsync(Path.Combine(reportDir, "training.html"), TrainingReportHtml.Render(training.Run.Report!), cancellationToken);
            Done("train", $"{training.Run.Status} {training.Run.Report!.Version} on {training.Rows:N0} rows ({training.ImmatureDropped:N0} recent observations left out: their chargeback window is still open)");

            if (!await PredictAsync(http, training.Run.Report!.Version, transactions, now, cancellationToken))
            {
                return Failed("predict", "the fraud burst did not score above the ordinary transaction");
            }

            if (!await DriftAsync(http, storage.Storage, definitions, training.Run.Report!.Version, options with { Start = stream.Start }, now, reportDir, cancellationToken))
            {
                return Failed("drift", "the amount shift did not raise an alert on the amount");
            }

            if (!settings.Keep)
            {
                File.Delete(eventsFile);
            }

            console.MarkupLineInterpolated($"Reports: [bold]{reportDir}[/]");
            console.MarkupLineInterpolated($"[grey]finished in {clock.Elapsed.TotalSeconds:0.0} s[/]");
            if (settings.Serve)
            {
                // A key from the environment is not printed: the user holds it, and this output often goes to a log.
                var shownKey = givenKey is null ? key : "$" + FunctionKeys.EnvironmentVariable;
                console.MarkupLineInterpolated($"Serving the demo's data and model on [bold]{url}[/] (header {FunctionKeys.Header}: {shownKey}); Ctrl+C stops.");
                // The other commands (apply, train, models, drift, features) reach this data through AzureWebJobsStorage.
                // Azurite's account key is the published development key, no secret; the line is written whole to be copied.
                console.MarkupLine("Other brisa commands work on this data (until Ctrl+C) with:");
                console.Profile.Out.Writer.WriteLine($"export AzureWebJobsStorage='{storage.ConnectionString}'");
                // Started only now: a timer firing mid-demo (MonitorDrift on the hour) would race the stages above.
                using var triggers = settings.NoTimers ? null : ActivatorUtilities.CreateInstance<LocalTriggerService>(api.Services, new LocalTriggerOptions());
                if (triggers is not null)
                {
                    await triggers.StartAsync(cancellationToken);
                    ServeCommand.PrintTriggers(console, triggers.Plan, QueueTriggerOptions.FromHostJson());
                }

                await WaitForStopAsync(cancellationToken);
                if (triggers is not null)
                {
                    await triggers.StopAsync(CancellationToken.None);
                }
            }

            await api.StopAsync(CancellationToken.None);
            return ExitCodes.Ok;
        }
        catch (AzuriteNotFoundException ex)
        {
            console.MarkupLineInterpolated($"[red]✗[/] {ex.Message}");
            return ExitCodes.MissingPrerequisite;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]stopped (Ctrl+C); Azurite and the server are stopped.[/]");
            return ExitCodes.Cancelled;
        }
    }

    // With --serve, Ctrl+C after every stage worked is the normal way to stop: exit 0.
    private static async Task WaitForStopAsync(CancellationToken cancellationToken) =>
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    private async Task<(int Accepted, int Rejected)> IngestAsync(Uri endpoint, string key, string eventsFile, int total, CancellationToken cancellationToken)
    {
        (int, int) result = default;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask("ingest", maxValue: total);
                result = await SendCommand.PushAsync(endpoint, key, File.ReadLines(eventsFile), 2000, cancellationToken, new Progress<int>(n => task.Value = n));
                task.Value = total;
            });
        return result;
    }

    // An ordinary purchase of a regular customer, then the same customer's card in a burst abroad: both scored over HTTP.
    private async Task<bool> PredictAsync(HttpClient http, string version, IReadOnlyList<TransactionEvent> history, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var regular = history.Where(t => !t.IsFraud && t.Time > now.AddDays(-7)).GroupBy(t => t.CustomerId).MaxBy(g => g.Count())!;
        var usual = regular.OrderBy(t => t.Amount).ElementAt(regular.Count() / 2);
        var ordinaryId = $"demo-ordinary-{now.Ticks}";
        var ordinary = await ScoreAsync(http, version, ordinaryId, regular.Key, usual.MerchantId, usual.Amount, usual.Currency, usual.Country, usual.Channel, cancellationToken);

        var burst = Enumerable.Range(0, 6).Select(i => new
        {
            specversion = "1.0",
            id = $"demo-burst-{i}-{now.Ticks}",
            source = "/brisa/demo",
            type = FraudEventTypes.Transaction,
            data = new
            {
                transaction_id = $"demo-burst-{i}-{now.Ticks}",
                customer_id = regular.Key,
                merchant_id = "m00001",
                amount = Math.Round(usual.Amount * (8 + i), 2),
                currency = "EUR",
                country = "NG",
                channel = "online",
                timestamp = now.AddMinutes(-12 + (2 * i)).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            },
        });
        using (var content = new StringContent(System.Text.Json.JsonSerializer.Serialize(burst), System.Text.Encoding.UTF8, "application/cloudevents-batch+json"))
        {
            (await http.PostAsync("api/events", content, cancellationToken)).EnsureSuccessStatusCode();
        }

        var fraud = await ScoreAsync(http, version, $"demo-burst-6-{now.Ticks}", regular.Key, "m00001", Math.Round(usual.Amount * 10, 2), "EUR", "NG", "online", cancellationToken);
        var table = new Table().AddColumns("transaction", "score", "decision", "features behind it");
        table.AddRow("ordinary", Markup.Escape($"{ordinary.Score:0.0000}"), ordinary.Decision ? "review" : "approve", Markup.Escape(ordinary.Summary));
        table.AddRow("fraud burst", Markup.Escape($"{fraud.Score:0.0000}"), fraud.Decision ? "[red]review[/]" : "approve", Markup.Escape(fraud.Summary));
        console.Write(table);

        var latencies = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            // The ordinary purchase scored again, as a retrying client would: live performance keeps its first prediction.
            var clock = Stopwatch.StartNew();
            await ScoreAsync(http, version, ordinaryId, regular.Key, usual.MerchantId, usual.Amount, usual.Currency, usual.Country, usual.Channel, cancellationToken);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }

        latencies.Sort();
        Done("predict", $"customer {regular.Key}: ordinary {ordinary.Score:0.0000}, burst {fraud.Score:0.0000}; HTTP latency over 200 calls p50 {latencies[100]:0.0} ms, p99 {latencies[197]:0.0} ms");
        return fraud.Score > ordinary.Score;
    }

    // A day's worth of traffic with every amount ×3 (the generator's shift), scored now over HTTP; then the drift check
    // over those predictions, as MonitorDrift runs it (for the version just trained, champion or challenger). The traffic is every 7th transaction of the shifted stream's last
    // week (spread over the week's customers and hours like training rows), sent with its transaction id, so the
    // chargebacks already ingested for those transactions join as live labels.
    private async Task<bool> DriftAsync(HttpClient http, BrisaStorage storage, FeatureRepositoryDefinition definitions, string version, FraudStreamOptions options, DateTimeOffset now, string reportDir, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var shifted = FraudStreamGenerator.Generate(options with { Shift = new FraudStreamShift { After = TimeSpan.FromDays(options.Days - 7), AmountFactor = 3, OnlineShare = 0 } })
            .Events.OfType<TransactionEvent>()
            .Where(t => t.Time > now.AddDays(-7) && t.Time <= now)
            .Where((_, i) => i % 7 == 0)
            .ToList();
        foreach (var chunk in shifted.Chunk(250))
        {
            var body = System.Text.Json.JsonSerializer.Serialize(new
            {
                instances = chunk.Select(t => new { id = t.Id, customer_id = t.CustomerId, merchant_id = t.MerchantId, amount = t.Amount, currency = t.Currency, country = t.Country, channel = t.Channel }),
            });
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var response = await http.PostAsync($"api/models/{DemoModel}/predict?version={version}", content, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"predict answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }

        // The server writes its prediction log off the request path, every 5 s: wait until the shifted predictions are in it.
        await using var log = PredictionLog.For(storage);
        var ids = shifted.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var logged = new List<PredictionRecord>();
        for (var wait = Stopwatch.StartNew(); logged.Count < ids.Count; await Task.Delay(500, cancellationToken))
        {
            if (wait.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException("the shifted predictions did not reach the prediction log within 30 s");
            }

            logged = [.. (await log.ReadAllAsync(DemoModel, cancellationToken)).Where(r => ids.Contains(r.Id))];
        }

        // The window starts with this traffic: the predict stage's 200 identical latency calls (a second or more earlier) stay out.
        var window = DateTimeOffset.UtcNow - logged.Min(r => r.Time) + TimeSpan.FromMilliseconds(100);
        var result = (await new DriftMonitor(storage, log).RunAsync(definitions, DemoModel, window, version, cancellationToken))!;
        DriftReportView.Render(console, result.Report);
        await File.WriteAllTextAsync(Path.Combine(reportDir, "drift.html"), result.Html, cancellationToken);
        var amount = result.Report.Features.Single(f => f.Name == "amount");
        Done("drift", $"{shifted.Count} transactions with amounts ×3 through HTTP predict: amount PSI {amount.Psi:0.00} ({DriftAnalyzer.Name(amount.Verdict)}), dataset {DriftAnalyzer.Name(result.Report.Verdict)}; drift.html written ({clock.Elapsed.TotalSeconds:0.0} s)");
        return amount.Verdict == DriftVerdict.Alert;
    }

    // Every call carries its transaction id, as a caller should: live performance joins predictions with labels by it.
    private static async Task<(double Score, bool Decision, string Summary)> ScoreAsync(HttpClient http, string version, string id, string customer, string merchant, double amount, string currency, string country, string channel, CancellationToken cancellationToken)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { id, customer_id = customer, merchant_id = merchant, amount, currency, country, channel });
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync($"api/models/{DemoModel}/predict?version={version}", content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"predict answered {(int)response.StatusCode}: {text}");
        }

        using var json = System.Text.Json.JsonDocument.Parse(text);
        var prediction = json.RootElement.GetProperty("predictions")[0];
        var features = prediction.GetProperty("features");
        string Show(string name) => features.TryGetProperty(name, out var f) ? $"{name.Split(':')[^1]}={Plain(f.GetProperty("value"))}" : "";
        static string Plain(System.Text.Json.JsonElement value) => value.ValueKind switch
        {
            System.Text.Json.JsonValueKind.Number => value.GetDouble().ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
            System.Text.Json.JsonValueKind.Null => "missing",
            _ => value.ToString().ToLowerInvariant(),
        };
        var summary = string.Join(", ", new[] { Show("customer_1h:txn_count_1h"), Show("customer_1h:country_distinct_1h"), Show("amount_zscore"), Show("is_foreign") }.Where(x => x.Length > 0));
        return (prediction.GetProperty("score").GetDouble(), prediction.GetProperty("decision").GetBoolean(), $"amount {amount} {country} {channel}; {summary}");
    }

    private static async Task<int> CountBlobsAsync(BrisaStorage storage, string container, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var _ in storage.Blobs.GetBlobContainerClient(container).GetBlobsAsync(cancellationToken: cancellationToken))
        {
            count++;
        }

        return count;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Done(string stage, string detail) => console.MarkupLineInterpolated($"[green]✓[/] {stage,-12} {detail}");

    private int Failed(string stage, string detail)
    {
        console.MarkupLineInterpolated($"[red]✗[/] {stage,-12} {detail}");
        return ExitCodes.Failed;
    }
}
