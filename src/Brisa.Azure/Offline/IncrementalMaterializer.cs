using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Materialization;

namespace Brisa.Azure.Offline;

/// <summary>Options of incremental materialization (app settings <c>Brisa:Materialize:*</c>).</summary>
public sealed record IncrementalMaterializeOptions
{
    /// <summary>How long to wait for late events: a run materializes up to <c>floor_hour(now − Lateness)</c>. Default 1 h.</summary>
    public TimeSpan Lateness { get; init; } = TimeSpan.FromHours(1);

    /// <summary>On the first run (no watermark), how far back to start. Default 7 days.</summary>
    public TimeSpan InitialLookback { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Plan only the views of this source (watermark <c>_watermarks/&lt;source&gt;.json</c>); null for every view (<c>all.json</c>).</summary>
    public string? Source { get; init; }

    /// <summary>The watermark blob lease: 15 to 60 seconds. Default 60 s.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the lease is renewed while a run holds it. Default 20 s.</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(20);
}

/// <summary>The watermark document: everything before <see cref="Watermark"/> was enqueued for materialization.</summary>
/// <param name="Watermark">The end (exclusive) of the last planned range; null before the first run.</param>
/// <param name="UpdatedAt">When it was written.</param>
public sealed record MaterializationWatermark(
    [property: JsonPropertyName("watermark")] DateTimeOffset? Watermark,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt);

/// <summary>How an incremental run ended.</summary>
public enum IncrementalRunStatus
{
    /// <summary>Slices were enqueued and the watermark advanced.</summary>
    Enqueued,

    /// <summary>Nothing new: the watermark is already at the target end (late days may still have been enqueued: <see cref="IncrementalRunResult.LateSlices"/>).</summary>
    UpToDate,

    /// <summary>Another run holds the watermark lease; this run did nothing.</summary>
    LeaseHeld,
}

/// <summary>The result of an incremental run.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="WatermarkName">The watermark blob (in the offline container).</param>
/// <param name="PreviousWatermark">The watermark before the run (null on the first run, or when the lease was held).</param>
/// <param name="Watermark">The watermark after the run.</param>
/// <param name="Slices">The slices enqueued.</param>
/// <param name="Message">One line for the log.</param>
public sealed record IncrementalRunResult(
    IncrementalRunStatus Status,
    string WatermarkName,
    DateTimeOffset? PreviousWatermark,
    DateTimeOffset? Watermark,
    IReadOnlyList<MaterializationSlice> Slices,
    string Message)
{
    /// <summary>The late days recorded by ingestion that this run re-materialized and cleared (<see cref="LateDayMarkers"/>).</summary>
    public IReadOnlyList<LateDay> LateDays { get; init; } = [];

    /// <summary>The slices enqueued for <see cref="LateDays"/>, besides <see cref="Slices"/>.</summary>
    public IReadOnlyList<MaterializationSlice> LateSlices { get; init; } = [];
}

/// <summary>The result of a slice.</summary>
/// <param name="Slice">The slice.</param>
/// <param name="WroteOnline">True when online values were written (the slice asked for it, for an online batch view; rows already holding newer values are kept).</param>
/// <param name="Summary">What the materializer did.</param>
public sealed record SliceRunResult(MaterializationSlice Slice, bool WroteOnline, MaterializationSummary Summary);

/// <summary>
/// Incremental materialization with fan-out (DESIGN §2): <see cref="PlanAsync"/> (the timer) takes a lease on the
/// watermark blob <c>offline/_watermarks/&lt;source or 'all'&gt;.json</c>, plans the slices from the watermark to
/// <c>floor_hour(now − lateness)</c> (<see cref="IncrementalPlanner"/>) and those that re-materialize the late days
/// ingestion recorded (<see cref="LateDayMarkers"/>, <see cref="LateEvents"/>), enqueues one message per slice and
/// only then advances the watermark and clears the late days; <see cref="RunSliceAsync(string, CancellationToken)"/>
/// (the queue trigger) materializes one slice.
/// </summary>
/// <remarks>
/// At least once: if a run fails after enqueueing part of its slices, the watermark stays and the next run enqueues
/// them again — harmless, because <see cref="FeatureMaterializer"/> is idempotent (same range, same bytes).
/// </remarks>
public sealed class IncrementalMaterializer
{
    private readonly BrisaStorage storage;
    private readonly IDefinitionsSource definitions;
    private readonly TimeProvider time;
    private readonly IncrementalMaterializeOptions options;
    private readonly BlobContainerClient offline;
    private readonly LateDayMarkers lateDays;
    private CachedMaterializer? cached;

    /// <summary>Creates the service.</summary>
    /// <param name="storage">The account.</param>
    /// <param name="definitions">The live definitions.</param>
    /// <param name="time">The clock.</param>
    /// <param name="options">Options; defaults when null.</param>
    public IncrementalMaterializer(BrisaStorage storage, IDefinitionsSource definitions, TimeProvider time, IncrementalMaterializeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(time);
        this.storage = storage;
        this.definitions = definitions;
        this.time = time;
        this.options = options ?? new IncrementalMaterializeOptions();
        if (this.options.LeaseDuration < TimeSpan.FromSeconds(15) || this.options.LeaseDuration > TimeSpan.FromSeconds(60))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "LeaseDuration must be 15 to 60 seconds (a blob lease).");
        }

        if (this.options.LeaseRenewInterval <= TimeSpan.Zero || this.options.LeaseRenewInterval >= this.options.LeaseDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "LeaseRenewInterval must be positive and shorter than LeaseDuration.");
        }

        offline = storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        lateDays = new LateDayMarkers(storage, time, this.options);
    }

    /// <summary>The options in force.</summary>
    public IncrementalMaterializeOptions Options => options;

    /// <summary>The watermark blob name (in the offline container) of a scope.</summary>
    /// <param name="source">A source name, or null for every view.</param>
    /// <returns><c>_watermarks/&lt;source&gt;.json</c> or <c>_watermarks/all.json</c>.</returns>
    public static string WatermarkName(string? source) => $"_watermarks/{source ?? "all"}.json";

    /// <summary>Reads a watermark; null when the blob does not exist.</summary>
    /// <param name="source">A source name, or null for the <c>all</c> watermark.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The document.</returns>
    /// <exception cref="InvalidOperationException">The blob is not a watermark document (e.g. a hand edit went wrong).</exception>
    public async Task<MaterializationWatermark?> ReadWatermarkAsync(string? source, CancellationToken cancellationToken = default)
    {
        try
        {
            var content = await offline.GetBlobClient(WatermarkName(source)).DownloadContentAsync(cancellationToken);
            return ParseWatermark(WatermarkName(source), content.Value.Content);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// One incremental run (the timer): lease the watermark, plan, enqueue one message per slice, advance the watermark,
    /// release the lease. When another run holds the lease, returns <see cref="IncrementalRunStatus.LeaseHeld"/> and does nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the run (the watermark is then not advanced).</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="InvalidOperationException">The watermark blob is not a watermark document, or <see cref="IncrementalMaterializeOptions.Source"/> names no source of the live definitions; nothing is enqueued.</exception>
    public async Task<IncrementalRunResult> PlanAsync(CancellationToken cancellationToken = default)
    {
        var name = WatermarkName(options.Source);
        var blob = offline.GetBlobClient(name);
        await EnsureWatermarkBlobAsync(blob, cancellationToken);

        var lease = blob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(options.LeaseDuration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return new IncrementalRunResult(IncrementalRunStatus.LeaseHeld, name, null, null, [],
                $"Another run holds the lease on offline/{name}; this run did nothing.");
        }

        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = RenewAsync(lease, renewal);
        try
        {
            return await PlanLeasedAsync(blob, name, lease.LeaseId, renewal.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"Lost the lease on offline/{name} during the run; the watermark was not advanced. Slices enqueued so far are harmless (materialization is idempotent) and the next run enqueues the range again.");
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
            try
            {
                await lease.ReleaseAsync(cancellationToken: CancellationToken.None);
            }
            catch (RequestFailedException)
            {
                // Lost or expired already: the next run acquires it anyway once it lapses.
            }
        }
    }

    /// <summary>Materializes one slice given as a queue message (the queue trigger).</summary>
    /// <param name="message">The message (<see cref="MaterializationSliceMessage"/>).</param>
    /// <param name="cancellationToken">Cancels the slice (files written stay; a retry overwrites them).</param>
    /// <returns>What the slice did.</returns>
    /// <exception cref="FormatException">The message is malformed, or names a view the live definitions do not have.</exception>
    public async Task<SliceRunResult> RunSliceAsync(string message, CancellationToken cancellationToken = default)
    {
        var slice = MaterializationSliceMessage.Parse(message);
        return await RunSliceAsync(slice, cancellationToken);
    }

    /// <summary>Materializes one slice: <c>MaterializeAsync(slice.From, slice.To, [slice.View])</c>.</summary>
    /// <param name="slice">The slice.</param>
    /// <param name="cancellationToken">Cancels the slice.</param>
    /// <returns>What the slice did.</returns>
    /// <exception cref="FormatException">The slice is invalid, ends after the current UTC hour, or names a view the live definitions do not have.</exception>
    public async Task<SliceRunResult> RunSliceAsync(MaterializationSlice slice, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(slice);
        if (IncrementalPlanner.Validate(slice) is { } problem)
        {
            throw new FormatException($"Invalid materialize slice: {problem}.");
        }

        // As `brisa materialize` does: online values as of a later instant would be kept over every newer slice's until then.
        var latest = IncrementalPlanner.FloorHour(time.GetUtcNow()).AddHours(1);
        if (slice.To > latest)
        {
            throw new FormatException($"Invalid materialize slice: 'to' ({slice.To:O}) is after the end of the current UTC hour ({latest:O}): its online values would be as of a future time, and kept over newer ones until then.");
        }

        var materializer = await MaterializerAsync(cancellationToken);
        var view = materializer.Plan.FindView(slice.View)
            ?? throw new FormatException($"Invalid materialize slice: unknown view '{slice.View}' (live views: {string.Join(", ", materializer.Plan.Views.Select(v => v.Name))}).");

        // A slice older than the newest planned range (a retry, or a day of a catch-up run) writes too: the online store
        // keeps rows whose values are as of a later instant, and the entities only this slice knows need its values.
        var online = slice.Online && view.Definition.Online && !view.Definition.Streaming;
        var summary = await materializer.MaterializeAsync(slice.From, slice.To, [slice.View], new MaterializeOptions { WriteOnline = online }, progress: null, cancellationToken);
        return new SliceRunResult(slice, online, summary);
    }

    private async Task<IncrementalRunResult> PlanLeasedAsync(BlobClient blob, string name, string leaseId, CancellationToken cancellationToken)
    {
        var content = await blob.DownloadContentAsync(cancellationToken);
        var current = ParseWatermark(name, content.Value.Content);
        var repository = await definitions.GetAsync(cancellationToken);
        if (options.Source is { } scope && repository.FindSource(scope) is null)
        {
            // A typo in the setting would otherwise plan nothing, tick after tick, without an error.
            throw new InvalidOperationException(
                $"Brisa:Materialize:Source is '{scope}', which the live definitions do not have (sources: {string.Join(", ", repository.AllSources.Select(s => s.Name).Order(StringComparer.Ordinal))}); nothing was enqueued. Fix the setting, or unset it to plan every view.");
        }

        var views = repository.FeatureViews
            .Where(v => options.Source is null || string.Equals(v.Source, options.Source, StringComparison.Ordinal))
            .Select(v => v.Name)
            .ToArray();
        var now = time.GetUtcNow();
        var plan = IncrementalPlanner.Plan(views, current?.Watermark, now, options.Lateness, options.InitialLookback);

        // Listed before anything is enqueued: the raw files of every day listed landed before its marker, so the slices
        // read them. A marker written again after this listing stays (cleared only if its ETag is unchanged).
        var markers = await lateDays.ListAsync(options.Source, cancellationToken);
        var watermark = plan.IsUpToDate ? current?.Watermark : plan.To;
        var lateSlices = watermark is { } w && markers.Count > 0
            ? LateEvents.Plan(markers.Select(m => m.Day), views.Select(v => MaterializerFor(repository).Plan.FindView(v)!).ToArray(), w, plan.Slices)
            : [];
        if (plan.IsUpToDate && markers.Count == 0)
        {
            return new IncrementalRunResult(IncrementalRunStatus.UpToDate, name, current?.Watermark, current?.Watermark, [],
                views.Length == 0
                    ? $"No views to materialize{(options.Source is null ? "" : $" for source '{options.Source}'")}."
                    : $"Up to date: watermark {current?.Watermark:O}, target end {plan.To:O}.");
        }

        var queue = storage.Queues.GetQueueClient(StorageNames.MaterializeQueue);
        await Parallel.ForEachAsync(
            plan.Slices.Concat(lateSlices),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (slice, ct) => await queue.SendMessageAsync(MaterializationSliceMessage.Serialize(slice), ct));

        // Only now: a failure above leaves the watermark where it was and the markers in place, and the next run
        // enqueues the range and the late days again.
        if (!plan.IsUpToDate)
        {
            var advanced = new MaterializationWatermark(plan.To, now);
            await blob.UploadAsync(
                BinaryData.FromString(JsonSerializer.Serialize(advanced, WatermarkJson.Default.MaterializationWatermark)),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { LeaseId = leaseId }, HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
                cancellationToken);
        }

        var cleared = new List<LateDay>(markers.Count);
        foreach (var marker in markers)
        {
            if (await lateDays.ClearAsync(marker, cancellationToken))
            {
                cleared.Add(marker.Day);
            }
        }

        var late = markers.Count == 0 ? "" : $" Late days: {string.Join(", ", markers.Select(m => $"{m.Day.Source} {m.Day.Day:yyyy-MM-dd}"))} → {lateSlices.Count} slice(s).";
        return plan.IsUpToDate
            ? new IncrementalRunResult(IncrementalRunStatus.UpToDate, name, current?.Watermark, current?.Watermark, [],
                $"Up to date: watermark {current?.Watermark:O}, target end {plan.To:O}.{late}") { LateDays = cleared, LateSlices = lateSlices }
            : new IncrementalRunResult(IncrementalRunStatus.Enqueued, name, current?.Watermark, plan.To, plan.Slices,
                $"Enqueued {plan.Slices.Count} slice(s) for {views.Length} view(s) over [{plan.From:O}, {plan.To:O}); watermark advanced to {plan.To:O}.{late}") { LateDays = cleared, LateSlices = lateSlices };
    }

    private async Task RenewAsync(BlobLeaseClient lease, CancellationTokenSource running)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.LeaseRenewInterval, time, running.Token);
                await lease.RenewAsync(cancellationToken: running.Token);
            }
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
            // The run ended.
        }
        catch (RequestFailedException)
        {
            // The lease is lost: stop the run before it advances a watermark it no longer owns (the upload would fail too).
            await running.CancelAsync();
        }
    }

    // The watermark may be edited by hand (to replay a range): a mistake there names the blob and the expected shape.
    internal static MaterializationWatermark? ParseWatermark(string name, BinaryData content)
    {
        try
        {
            return JsonSerializer.Deserialize(content.ToString(), WatermarkJson.Default.MaterializationWatermark);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException(
                $"offline/{name} is not a watermark ({ex.Message}). Expected {{\"watermark\": \"2026-05-10T09:00:00+00:00\", \"updated_at\": \"…\"}} (watermark: ISO 8601, or null to start over from the initial lookback); fix it, or delete it to start over.",
                ex);
        }
    }

    private static async Task EnsureWatermarkBlobAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var empty = new MaterializationWatermark(null, DateTimeOffset.UnixEpoch);
            await blob.UploadAsync(
                BinaryData.FromString(JsonSerializer.Serialize(empty, WatermarkJson.Default.MaterializationWatermark)),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
                cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // It exists (possibly leased by a concurrent run).
        }
    }


    private async Task<FeatureMaterializer> MaterializerAsync(CancellationToken cancellationToken) =>
        MaterializerFor(await definitions.GetAsync(cancellationToken));

    private FeatureMaterializer MaterializerFor(FeatureRepositoryDefinition repository)
    {
        // Slices run concurrently (queue batch): swap one immutable holder, recompile only when the definitions change.
        if (Volatile.Read(ref cached) is { } c && ReferenceEquals(c.Definitions, repository))
        {
            return c.Materializer;
        }

        var materializer = new FeatureMaterializer(storage, repository, time);
        Volatile.Write(ref cached, new CachedMaterializer(repository, materializer));
        return materializer;
    }

    private sealed record CachedMaterializer(FeatureRepositoryDefinition Definitions, FeatureMaterializer Materializer);
}

[JsonSerializable(typeof(MaterializationWatermark))]
internal sealed partial class WatermarkJson : JsonSerializerContext;
