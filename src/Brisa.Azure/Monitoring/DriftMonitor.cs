using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Brisa.Azure.Models;
using Brisa.Azure.Serving;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Monitoring;
using Brisa.Core.Training;

namespace Brisa.Azure.Monitoring;

/// <summary>The outcome of one drift run.</summary>
/// <param name="Report">The report.</param>
/// <param name="LatestBlob">The blob name of <c>latest.json</c> in the monitoring container.</param>
/// <param name="TimestampedBlob">The blob name of the timestamped copy.</param>
/// <param name="RetrainEnqueued">True when a retraining was requested.</param>
public sealed record DriftMonitorResult(DriftReport Report, string LatestBlob, string TimestampedBlob, bool RetrainEnqueued);

/// <summary>
/// Runs drift detection for a model's champion (DESIGN §8): reads its baseline from the registry and the prediction
/// log of the last window (only predictions scored by the champion version, so scores are comparable), writes
/// <c>monitoring/&lt;model&gt;/latest.json</c> and <c>monitoring/&lt;model&gt;/&lt;yyyyMMddTHHmmssZ&gt;.json</c>, and on a dataset
/// alert with <see cref="DriftPolicy.RetrainOnAlert"/> enqueues <c>{"model": …, "reason": "drift"}</c> on the retrain queue.
/// </summary>
public sealed class DriftMonitor
{
    /// <summary>The default window: the last 24 hours.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    private readonly BrisaStorage storage;
    private readonly ModelRegistry registry;
    private readonly PredictionLog log;
    private readonly TimeProvider time;

    /// <summary>A monitor over the account.</summary>
    /// <param name="storage">The storage clients.</param>
    /// <param name="log">The prediction log to read (only <see cref="PredictionLog.ReadAllAsync"/> is used).</param>
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

    /// <summary>Analyzes the champion's drift over the last <paramref name="window"/> and stores the report.</summary>
    /// <param name="model">The model.</param>
    /// <param name="policy">The model's drift policy (<see cref="ModelDefinition.Drift"/>).</param>
    /// <param name="window">The window; default <see cref="DefaultWindow"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The result, or null when the model has no champion.</returns>
    public async Task<DriftMonitorResult?> RunAsync(string model, DriftPolicy policy, TimeSpan? window = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(policy);
        var aliases = await registry.GetAliasesAsync(model, cancellationToken).ConfigureAwait(false);
        if (aliases.Aliases.Champion is not { } champion)
        {
            return null;
        }

        var baseline = await registry.GetMetadataAsync(model, champion, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Model '{model}' champion '{champion}' has no metadata.");
        var to = time.GetUtcNow();
        var from = to - (window ?? DefaultWindow);
        var records = (await log.ReadAllAsync(model, cancellationToken).ConfigureAwait(false))
            .Where(r => r.Version == champion && r.Time > from && r.Time <= to)
            .ToList();
        var report = DriftAnalyzer.Analyze(baseline, ToInput(baseline.Baseline.Select(b => b.Name), records, from, to), policy);

        var container = storage.Blobs.GetBlobContainerClient(StorageNames.MonitoringContainer);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var json = BinaryData.FromString(report.ToJson());
        var stamped = $"{model}/{to.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.json";
        var latest = $"{model}/latest.json";
        await Upload(container, stamped, json, cancellationToken).ConfigureAwait(false);
        await Upload(container, latest, json, cancellationToken).ConfigureAwait(false);

        var retrain = report.Verdict == DriftVerdict.Alert && policy.RetrainOnAlert;
        if (retrain)
        {
            var queue = storage.Queues.GetQueueClient(StorageNames.RetrainQueue);
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await queue.SendMessageAsync(new RetrainRequest(model, "drift").ToJson(), cancellationToken).ConfigureAwait(false);
        }

        return new DriftMonitorResult(report, latest, stamped, retrain);
    }

    /// <summary>The latest stored report of a model, or null.</summary>
    /// <param name="model">The model.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The report or null.</returns>
    public async Task<DriftReport?> GetLatestAsync(string model, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        var blob = storage.Blobs.GetBlobContainerClient(StorageNames.MonitoringContainer).GetBlobClient($"{model}/latest.json");
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return DriftReport.FromJson(content.Value.Content.ToString());
        }
        catch (global::Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Converts logged predictions to the analyzer's column shape (JSON numbers → double, strings → string, booleans → bool).</summary>
    /// <param name="features">The feature names to extract.</param>
    /// <param name="records">The records.</param>
    /// <param name="from">Window start.</param>
    /// <param name="to">Window end.</param>
    /// <returns>The input.</returns>
    public static DriftInput ToInput(IEnumerable<string> features, IReadOnlyList<PredictionRecord> records, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(records);
        var columns = new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal);
        foreach (var name in features)
        {
            columns[name] = [.. records.Select(r => r.Features.TryGetValue(name, out var v) ? Plain(v) : null)];
        }

        return new DriftInput(from, to, records.Count, columns, [.. records.Select(r => r.Score)]);
    }

    private static object? Plain(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        JsonElement => null,
        _ => value,
    };

    private static async Task Upload(BlobContainerClient container, string name, BinaryData json, CancellationToken cancellationToken) =>
        await container.GetBlobClient(name).UploadAsync(json, overwrite: true, cancellationToken).ConfigureAwait(false);
}
