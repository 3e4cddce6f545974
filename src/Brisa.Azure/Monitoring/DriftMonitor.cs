using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Brisa.Azure.Models;
using Brisa.Azure.Serving;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Monitoring;
using Brisa.Core.Serving;
using Brisa.Core.Training;

namespace Brisa.Azure.Monitoring;

/// <summary>The outcome of one drift run.</summary>
/// <param name="Report">The report.</param>
/// <param name="Html">The report rendered by <see cref="DriftReportHtml"/>.</param>
/// <param name="Champion">True when the version checked was the model's champion (the only version whose report becomes the model's latest).</param>
/// <param name="LatestBlob">
/// The blob name of <c>latest.json</c> in the monitoring container when this run replaced it and <c>latest.html</c>; null
/// when it did not: the version is not the champion, or a run whose window ends later had written them.
/// </param>
/// <param name="TimestampedBlob">The blob name of the timestamped JSON copy, always written (the HTML copy has the same name with <c>.html</c>).</param>
/// <param name="RetrainReason">
/// The reason of the retraining requested on the queue: <c>performance</c> (a live performance alert) or <c>drift</c> (a
/// dataset drift alert); null when none was requested, always for a version that is not the champion.
/// </param>
public sealed record DriftMonitorResult(DriftReport Report, string Html, bool Champion, string? LatestBlob, string TimestampedBlob, string? RetrainReason)
{
    /// <summary>True when a retraining was requested.</summary>
    public bool RetrainEnqueued => RetrainReason is not null;
}

/// <summary>
/// Runs drift detection for a model's champion, or a named version (DESIGN §8): reads its baseline from the registry and the prediction
/// log of the last window (only predictions scored by the champion version, so scores are comparable); joins the
/// champion's predictions of the last <see cref="LabelDefinition.Within"/> + <see cref="LiveLookbackExtra"/> with the
/// label events in the raw zone (<see cref="LivePerformanceAnalyzer"/> for a classifier, <see cref="LiveRegressionAnalyzer"/>
/// for a regression); for the champion writes <c>monitoring/&lt;model&gt;/latest.json</c>,
/// <c>latest.html</c> (unless a run whose window ends later wrote them: <see cref="WindowEndMetadata"/>) and timestamped copies <c>&lt;yyyyMMddTHHmmssZ&gt;.json|.html</c>,
/// for another version only timestamped copies under <c>&lt;model&gt;/versions/&lt;version&gt;/</c> (<see cref="VersionsFolder"/>); and with
/// <see cref="DriftPolicy.RetrainOnAlert"/> enqueues <c>{"model": …, "reason": "performance"}</c> on the retrain queue
/// when the champion's live performance alerts (<see cref="LiveVerdict.Alert"/>), else <c>"reason": "drift"</c> on its
/// dataset drift alert; another version's alert is reported only (a retraining is judged against the champion, whose
/// drift says nothing about it). A <see cref="DriftVerdict.NoData"/> run never enqueues.
/// When the log holds shadow predictions of the current challenger (<see cref="ServingPolicy.ShadowChallenger"/>), the
/// report also compares both versions on the instances both scored (<see cref="ShadowComparer"/>; report only).
/// </summary>
public sealed class DriftMonitor
{
    /// <summary>
    /// Blob metadata of <c>latest.json</c> and <c>latest.html</c>: the end of the report's window. A run replaces them only
    /// when its window ends no earlier (<c>If-Match</c> the ETag compared), so of overlapping runs the latest stays.
    /// </summary>
    public const string WindowEndMetadata = "window_end";

    /// <summary>
    /// The folder, under the model's, of the reports of versions other than the champion: <c>latest.*</c> is what
    /// <c>GET /api/monitoring/{model}</c> serves as the champion's report, so a challenger's report must not replace it,
    /// and its timestamped copies stay apart from the champion's (same second, same name).
    /// </summary>
    public const string VersionsFolder = "versions";

    /// <summary>The default window: the last 24 hours.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    /// <summary>Live performance covers the label window plus this much, so its oldest days have final labels.</summary>
    public static readonly TimeSpan LiveLookbackExtra = TimeSpan.FromDays(7);

    private readonly BrisaStorage storage;
    private readonly ModelRegistry registry;
    private readonly PredictionLog log;
    private readonly TimeProvider time;

    /// <summary>A monitor over the account.</summary>
    /// <param name="storage">The storage clients.</param>
    /// <param name="log">The prediction log to read (only <see cref="PredictionLog.ReadAsync"/> is used).</param>
    /// <param name="timeProvider">The clock (end of the window and report timestamps).</param>
    public DriftMonitor(BrisaStorage storage, PredictionLog log, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(log);
        this.storage = storage;
        this.log = log;
        time = timeProvider ?? TimeProvider.System;
        registry = new ModelRegistry(storage, time);
    }

    /// <summary>Analyzes the champion's drift over the last <paramref name="window"/> and its live performance, and stores the reports.</summary>
    /// <param name="definitions">The definitions (the model's drift policy, label source and cost matrix).</param>
    /// <param name="model">The model.</param>
    /// <param name="window">The drift window; default <see cref="DefaultWindow"/>.</param>
    /// <param name="version">The version to check (e.g. a challenger scored with <c>?version=</c>); default the champion.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The result, or null when the model has no champion (and no version was named).</returns>
    /// <remarks>A named version that is the champion is checked as the champion (shadow comparison, <c>latest.*</c>).</remarks>
    public async Task<DriftMonitorResult?> RunAsync(FeatureRepositoryDefinition definitions, string model, TimeSpan? window = null, string? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        var definition = definitions.FindModel(model)
            ?? throw new ArgumentException($"Unknown model '{model}'. {definitions.ModelNameHint(model)}.", nameof(model));
        var aliases = (await registry.GetAliasesAsync(model, cancellationToken).ConfigureAwait(false)).Aliases;
        if ((version ?? aliases.Champion) is not { } champion)
        {
            return null;
        }

        var isChampion = champion == aliases.Champion;
        var baseline = await registry.GetMetadataAsync(model, champion, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Model '{model}' version '{champion}' has no metadata.");
        var to = time.GetUtcNow();
        var from = to - (window ?? DefaultWindow);
        var liveFrom = to - definition.Label.Within - LiveLookbackExtra;

        // Shadow predictions are compared only for the champion's report, and only the current challenger's.
        var challenger = isChampion && aliases.Challenger is { } c && c != champion ? c : null;

        // Only the two spans are read, streamed: a full record is kept for the drift window, the few fields live
        // performance needs for the longer label span.
        var costField = definition.Cost?.FalseNegative.Field;
        var currencyField = definition.Cost?.CurrencyField;
        var recent = new List<PredictionRecord>();
        var predictions = new List<LoggedPrediction>();
        var shadows = new List<LoggedPrediction>();
        long unreadable = 0;
        await foreach (var r in log.ReadAsync(model, from < liveFrom ? from : liveFrom, to, _ => unreadable++, cancellationToken).ConfigureAwait(false))
        {
            if (r.Time > to)
            {
                continue;
            }

            // A shadow prediction decided nothing: it is in no series of its version, only in the comparison.
            if (r.Shadow)
            {
                if (r.Version == challenger && r.Time > liveFrom)
                {
                    shadows.Add(Logged(r, costField, currencyField));
                }

                continue;
            }

            if (r.Version != champion)
            {
                continue;
            }

            if (r.Time > from)
            {
                recent.Add(r);
            }

            if (r.Time > liveFrom)
            {
                predictions.Add(Logged(r, costField, currencyField));
            }
        }

        var report = DriftAnalyzer.Analyze(baseline, ToInput(baseline.Baseline.Select(b => b.Name), recent, from, to, EntityKeysOf(definitions)), definition.Drift);
        var challengerReport = shadows.Count > 0 ? await registry.GetMetadataAsync(model, challenger!, cancellationToken).ConfigureAwait(false) : null;
        LivePrediction[] live = [.. predictions.Select(p => p.Prediction)];

        // A classifier's labels are arrivals (key and time); a regression's carry a value, read as training reads it.
        var reader = LabelArrivalReader.For(storage);
        if (definition.Task == ModelTask.Regression)
        {
            var index = await reader.ReadIndexAsync(definitions, definition, liveFrom, to, cancellationToken).ConfigureAwait(false);
            report = report with
            {
                LiveRegression = LiveRegressionAnalyzer.Compute(baseline, definition, live, index, to),
                Shadow = challengerReport is null ? null : ShadowComparer.Compare(baseline, challengerReport, definition, predictions, shadows, index, to),
                UnreadableLogLines = unreadable,
            };
        }
        else
        {
            var labels = await reader.ReadAsync(definitions, definition, liveFrom, to, cancellationToken).ConfigureAwait(false);
            report = report with
            {
                Live = LivePerformanceAnalyzer.Compute(baseline, definition, live, labels, to),
                Shadow = challengerReport is null ? null : ShadowComparer.Compare(baseline, challengerReport, definition, predictions, shadows, labels, to),
                UnreadableLogLines = unreadable,
            };
        }

        var html = DriftReportHtml.Render(report);

        var container = storage.Blobs.GetBlobContainerClient(StorageNames.MonitoringContainer);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var folder = isChampion ? model : $"{model}/{VersionsFolder}/{champion}";
        var stamp = $"{folder}/{to.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
        var json = BinaryData.FromString(report.ToJson());
        var page = BinaryData.FromString(html);
        await Upload(container, stamp + ".json", json, "application/json", cancellationToken).ConfigureAwait(false);
        await Upload(container, stamp + ".html", page, "text/html; charset=utf-8", cancellationToken).ConfigureAwait(false);

        // The page first: when it lost to a newer run, that run writes (or wrote) the JSON too.
        var latest = isChampion
            && await UploadLatestAsync(container.GetBlobClient($"{model}/latest.html"), page, "text/html; charset=utf-8", to, cancellationToken).ConfigureAwait(false)
            && await UploadLatestAsync(container.GetBlobClient($"{model}/latest.json"), json, "application/json", to, cancellationToken).ConfigureAwait(false);

        // One request per run: labels showing the model got worse say more than inputs that moved, so they name it. Only
        // the champion's alert asks: a retraining competes with the champion, so another version's alert is no reason.
        var reason = report.LiveJudgement?.Verdict == LiveVerdict.Alert ? "performance" : report.Verdict == DriftVerdict.Alert ? "drift" : null;
        var retrain = reason is not null && definition.Drift.RetrainOnAlert && isChampion;
        if (retrain)
        {
            var queue = storage.Queues.GetQueueClient(StorageNames.RetrainQueue);
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await queue.SendMessageAsync(new RetrainRequest(model, reason).ToJson(), cancellationToken).ConfigureAwait(false);
        }

        return new DriftMonitorResult(report, html, isChampion, latest ? $"{model}/latest.json" : null, stamp + ".json", retrain ? reason : null);
    }

    /// <summary>The latest stored report of a model, or null (also for a name that is not a definition name).</summary>
    /// <param name="model">The model.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The report or null.</returns>
    public async Task<DriftReport?> GetLatestAsync(string model, CancellationToken cancellationToken = default) =>
        await DownloadLatestAsync(model, "json", cancellationToken).ConfigureAwait(false) is { } json ? DriftReport.FromJson(json) : null;

    /// <summary>The latest stored HTML report of a model, or null (also for a name that is not a definition name).</summary>
    /// <param name="model">The model.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The HTML page or null.</returns>
    public Task<string?> GetLatestHtmlAsync(string model, CancellationToken cancellationToken = default) => DownloadLatestAsync(model, "html", cancellationToken);

    /// <summary>Converts logged predictions to the analyzer's column shape (JSON numbers → double, strings → string, booleans → bool).</summary>
    /// <param name="features">The feature names to extract.</param>
    /// <param name="records">The records.</param>
    /// <param name="from">Window start.</param>
    /// <param name="to">Window end.</param>
    /// <param name="entityKeyOf">
    /// The join key of a view feature's entity (<see cref="EntityKeysOf"/>): its logged keys become the feature's
    /// clusters, so rows of one entity are not counted as independent. Null, or records logged without keys, count every row.
    /// </param>
    /// <returns>The input.</returns>
    public static DriftInput ToInput(
        IEnumerable<string> features,
        IReadOnlyList<PredictionRecord> records,
        DateTimeOffset from,
        DateTimeOffset to,
        Func<string, string?>? entityKeyOf = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(records);
        var columns = new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal);
        var clusters = new Dictionary<string, IReadOnlyList<string?>>(StringComparer.Ordinal);
        var keyed = records.All(r => r.Keys is not null);
        foreach (var name in features)
        {
            columns[name] = [.. records.Select(r => r.Features.TryGetValue(name, out var v) ? Plain(v) : null)];
            if (keyed && entityKeyOf?.Invoke(name) is { } keyField)
            {
                clusters[name] = [.. records.Select(r => r.Keys!.GetValueOrDefault(keyField))];
            }
        }

        return new DriftInput(from, to, records.Count, columns, [.. records.Select(r => r.Score)], clusters);
    }

    /// <summary>Maps a model input name to the join key of its view's entity (<c>customer_7d:amount_mean_7d</c> → <c>customer_id</c>); null for request and on-demand inputs.</summary>
    /// <param name="definitions">The definitions.</param>
    /// <returns>The mapping.</returns>
    public static Func<string, string?> EntityKeysOf(FeatureRepositoryDefinition definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        return name => name.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon
            && definitions.FindView(name[..colon]) is { } view
            && definitions.FindEntity(view.Entity) is { } entity
                ? entity.JoinKey
                : null;
    }

    private static LoggedPrediction Logged(PredictionRecord r, string? costField, string? currencyField) => new(
        r.RequestId,
        r.Id,
        new LivePrediction(
            PredictRequest.IsGeneratedId(r.Id, r.RequestId) ? null : r.Id,
            r.Time,
            r.Score,
            costField is not null && r.Features.TryGetValue(costField, out var cost) && Plain(cost) is double d ? d : double.NaN,
            currencyField is not null && r.Features.TryGetValue(currencyField, out var currency) ? Plain(currency) as string : null));

    private static object? Plain(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        JsonElement => null,
        _ => value,
    };

    private async Task<string?> DownloadLatestAsync(string model, string extension, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);

        // The name becomes a blob prefix: only a definition name may ('..' or '/' would reach other blobs and containers),
        // and no other name can have a report.
        if (!DefinitionNames.IsValidName(model))
        {
            return null;
        }

        var blob = storage.Blobs.GetBlobContainerClient(StorageNames.MonitoringContainer).GetBlobClient($"{model}/latest.{extension}");
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return content.Value.Content.ToString();
        }
        catch (global::Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private static async Task Upload(BlobContainerClient container, string name, BinaryData content, string contentType, CancellationToken cancellationToken) =>
        await container.GetBlobClient(name).UploadAsync(content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, cancellationToken).ConfigureAwait(false);

    // Runs can overlap (the timer on one instance, `brisa drift` elsewhere): one whose window ends earlier and that
    // finishes last must not replace the newer pages, or the monitoring endpoint goes back in time.
    private static Task<bool> UploadLatestAsync(BlobClient blob, BinaryData content, string contentType, DateTimeOffset to, CancellationToken cancellationToken) =>
        UnlessNewer.WriteAsync(
            null,
            ct => InstantMetadata.ReadStoredAsync(blob, WindowEndMetadata, ct),
            current => current.Value > to,
            (conditions, ct) => blob.UploadAsync(content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType }, Metadata = InstantMetadata.Of(WindowEndMetadata, to), Conditions = conditions }, ct),
            cancellationToken);
}
