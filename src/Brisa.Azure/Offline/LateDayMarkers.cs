using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Brisa.Azure.Storage;
using Brisa.Core.Ingestion;
using Brisa.Core.Materialization;

namespace Brisa.Azure.Offline;

/// <summary>A recorded late day and the ETag it was listed with.</summary>
/// <param name="Day">The source and day.</param>
/// <param name="ETag">The marker blob's ETag when listed: clearing it is conditional on it.</param>
public sealed record LateDayMarker(LateDay Day, ETag ETag);

/// <summary>
/// Late-day markers <c>offline/_late/&lt;source&gt;/&lt;yyyy-MM-dd&gt;.json</c>: ingestion records a (source, day)
/// whose events landed after the incremental watermark had passed the day (<see cref="MarkAsync"/>), and the
/// incremental run re-materializes it and clears the marker (<see cref="IncrementalMaterializer.PlanAsync"/>).
/// </summary>
/// <remarks>
/// A marker is written after the batch's raw files, so a run that sees it reads them. Writing is idempotent (one blob
/// per source and day, overwritten: any number of batches make one marker). The watermark is read only for batches
/// with events before <see cref="LateEvents.OnTimeFrom"/>, and kept per instance: a cached watermark that has passed
/// the batch's days is trusted (it only moves forward; if it was lowered by hand the extra re-materialization is
/// harmless), one that has not is read again, so a day is never taken as still open after a run has passed it.
/// </remarks>
public sealed class LateDayMarkers
{
    /// <summary>The markers' folder in the offline container.</summary>
    public const string Prefix = "_late/";

    // Long enough that a backlog replay reads the watermark about once a minute per instance, short enough that a
    // watermark reset by hand stops producing markers soon after.
    private static readonly TimeSpan WatermarkCacheTtl = TimeSpan.FromMinutes(1);

    private readonly BlobContainerClient offline;
    private readonly TimeProvider time;
    private readonly IncrementalMaterializeOptions options;
    private readonly Dictionary<string, WatermarkReading> watermarks = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>Creates the markers of an account.</summary>
    /// <param name="storage">The account.</param>
    /// <param name="time">The clock.</param>
    /// <param name="options">The incremental runs' options (lateness, and the source scope that names the watermark); defaults when null.</param>
    public LateDayMarkers(BrisaStorage storage, TimeProvider? time = null, IncrementalMaterializeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        offline = storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        this.time = time ?? TimeProvider.System;
        this.options = options ?? new IncrementalMaterializeOptions();
    }

    /// <summary>The marker blob of a source and day: <c>_late/&lt;source&gt;/&lt;yyyy-MM-dd&gt;.json</c>.</summary>
    /// <param name="day">The source and day.</param>
    /// <returns>The blob name in the offline container.</returns>
    public static string BlobName(LateDay day)
    {
        ArgumentNullException.ThrowIfNull(day);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{day.Source}/{day.Day.UtcDateTime:yyyy-MM-dd}.json");
    }

    /// <summary>
    /// Records the late days of a batch that has landed in the raw zone. No storage request when every event is of a
    /// day on or after <see cref="LateEvents.OnTimeFrom"/>; otherwise the watermark (cached, see remarks) and one
    /// marker write per late day.
    /// </summary>
    /// <param name="batch">The events of one source, already in the raw zone.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>The days recorded.</returns>
    public async Task<IReadOnlyList<LateDay>> MarkAsync(SourceEventBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var now = time.GetUtcNow();
        var candidates = LateEvents.DaysBefore(batch, LateEvents.OnTimeFrom(now, options.Lateness));
        if (candidates.Count == 0)
        {
            return [];
        }

        var source = batch.Schema.SourceName;
        var watermark = await WatermarkAsync(source, candidates, now, cancellationToken);
        var late = candidates
            .Where(day => watermark.Unreadable || LateEvents.IsPassed(day, watermark.Watermark))
            .Select(day => new LateDay(source, day))
            .ToArray();
        await Task.WhenAll(late.Select(day => offline.GetBlobClient(BlobName(day)).UploadAsync(
            BinaryData.FromString(JsonSerializer.Serialize(new MarkerDocument(day.Source, day.Day.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), now), LateDayJson.Default.MarkerDocument)),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
            cancellationToken)));
        return late;
    }

    /// <summary>The recorded late days, of one source or of all.</summary>
    /// <param name="source">A source, or null for every source.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The markers (blobs under the folder whose names are not markers are left alone).</returns>
    public async Task<IReadOnlyList<LateDayMarker>> ListAsync(string? source, CancellationToken cancellationToken = default)
    {
        var markers = new List<LateDayMarker>();
        await foreach (var blob in offline.GetBlobsAsync(BlobTraits.None, BlobStates.None, source is null ? Prefix : $"{Prefix}{source}/", cancellationToken))
        {
            if (TryParse(blob.Name) is { } day)
            {
                markers.Add(new LateDayMarker(day, blob.Properties.ETag!.Value));
            }
        }

        return markers;
    }

    /// <summary>
    /// Clears a marker unless it was written again since it was listed (a batch landed meanwhile, after the run may
    /// have read the raw zone): that marker stays for the next run.
    /// </summary>
    /// <param name="marker">The marker as listed.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True when cleared.</returns>
    public async Task<bool> ClearAsync(LateDayMarker marker, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(marker);
        try
        {
            var deleted = await offline.GetBlobClient(BlobName(marker.Day)).DeleteIfExistsAsync(
                DeleteSnapshotsOption.None, new BlobRequestConditions { IfMatch = marker.ETag }, cancellationToken);
            return deleted.Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    private static LateDay? TryParse(string name)
    {
        var parts = name.Split('/');
        return parts.Length == 3 && parts[1].Length > 0 && parts[2].EndsWith(".json", StringComparison.Ordinal)
            && DateTime.TryParseExact(parts[2][..^5], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
            ? new LateDay(parts[1], new DateTimeOffset(date, TimeSpan.Zero))
            : null;
    }

    private async Task<WatermarkReading> WatermarkAsync(string source, IReadOnlyList<DateTimeOffset> days, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The watermark that plans this source's views: its own when the runs are scoped per source, else 'all'.
        var name = IncrementalMaterializer.WatermarkName(options.Source is null ? null : source);
        lock (gate)
        {
            if (watermarks.TryGetValue(name, out var cached) && now - cached.ReadAt < WatermarkCacheTtl
                && (cached.Unreadable || days.All(day => LateEvents.IsPassed(day, cached.Watermark))))
            {
                return cached;
            }
        }

        WatermarkReading reading;
        try
        {
            var content = await offline.GetBlobClient(name).DownloadContentAsync(cancellationToken);
            reading = new WatermarkReading(IncrementalMaterializer.ParseWatermark(name, content.Value.Content)?.Watermark, false, now);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            reading = new WatermarkReading(null, false, now);
        }
        catch (InvalidOperationException)
        {
            // A hand edit gone wrong fails the incremental runs loudly; ingestion must not fail on it. Marking every
            // candidate day costs at most a re-materialization once the watermark is fixed.
            reading = new WatermarkReading(null, true, now);
        }

        lock (gate)
        {
            watermarks[name] = reading;
        }

        return reading;
    }

    private sealed record WatermarkReading(DateTimeOffset? Watermark, bool Unreadable, DateTimeOffset ReadAt);

    internal sealed record MarkerDocument(
        [property: JsonPropertyName("source")] string Source,
        [property: JsonPropertyName("date")] string Date,
        [property: JsonPropertyName("marked_at")] DateTimeOffset MarkedAt);
}

[JsonSerializable(typeof(LateDayMarkers.MarkerDocument))]
internal sealed partial class LateDayJson : JsonSerializerContext;
