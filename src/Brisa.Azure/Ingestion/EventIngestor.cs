using System.Collections.Concurrent;
using System.Globalization;
using Brisa.Azure.Offline;
using Brisa.Azure.Online;
using Brisa.Azure.RawZone;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;

namespace Brisa.Azure.Ingestion;

/// <summary>
/// The one ingestion path (Event Hubs trigger and push endpoint): decode and validate, dead-letter the rejected
/// events, land the accepted ones in the raw zone, record the days the incremental materializer had already passed
/// (<see cref="LateDayMarkers"/>), then update the streaming views' online tiles.
/// Safe to repeat for a redelivered batch: raw files and dead-letter blobs are named by content and overwrite
/// themselves, and tiles skip event ids they already hold. Storage failures propagate so the trigger retries.
/// </summary>
public sealed class EventIngestor : IEventIngestor
{
    private readonly FeaturePlan plan;
    private readonly RawZoneWriter raw;
    private readonly DeadLetterWriter deadLetter;
    private readonly OnlineTileStore online;
    private readonly LateDayMarkers lateDays;
    private readonly HashSet<string> sourcesWithViews;
    private readonly TimeProvider time;
    private readonly DecoderOptions decoderOptions;
    private readonly ConcurrentBag<CloudEventDecoder> decoders = [];

    /// <summary>Creates the ingestor over an account.</summary>
    /// <param name="storage">The account.</param>
    /// <param name="definitions">The definitions.</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="decoderOptions">Decoding limits; defaults when null.</param>
    /// <param name="onlineOptions">Online tile writes; defaults when null.</param>
    /// <param name="lateDays">Where late days are recorded (share one per host: it caches the watermark); the default incremental options when null.</param>
    public EventIngestor(BrisaStorage storage, FeatureRepositoryDefinition definitions, TimeProvider? time = null, DecoderOptions? decoderOptions = null, OnlineStoreOptions? onlineOptions = null, LateDayMarkers? lateDays = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        plan = FeaturePlan.Compile(definitions, trackEventIds: true);
        raw = RawZoneWriter.For(storage);
        deadLetter = DeadLetterWriter.For(storage);
        online = OnlineTileStore.For(storage, onlineOptions);
        this.time = time ?? TimeProvider.System;
        this.lateDays = lateDays ?? new LateDayMarkers(storage, this.time);
        sourcesWithViews = plan.Views.Select(v => v.Definition.Source).ToHashSet(StringComparer.Ordinal);
        this.decoderOptions = decoderOptions ?? new DecoderOptions();
    }

    /// <inheritdoc />
    public async Task<IngestionResult> IngestAsync(IReadOnlyList<IncomingMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var now = time.GetUtcNow();
        var decoded = Decode(messages, now);

        // Dead-letter and raw first: once they are written, nothing received can be lost; tiles are derived data.
        var writes = new List<Task>();
        if (decoded.Rejected.Count > 0)
        {
            writes.Add(deadLetter.WriteAsync(decoded.Rejected, now, cancellationToken));
        }

        writes.AddRange(decoded.Sources.Select(batch => raw.WriteAsync(batch, cancellationToken)));
        await Task.WhenAll(writes);

        // Only after the raw files: a run that sees a marker reads them. Sources without views have nothing to redo.
        var late = (await Task.WhenAll(decoded.Sources
                .Where(batch => sourcesWithViews.Contains(batch.Schema.SourceName))
                .Select(batch => lateDays.MarkAsync(batch, cancellationToken))))
            .SelectMany(days => days)
            .ToArray();

        var nowTicks = TiledView.ToUnixTicks(now);
        int applied = 0, duplicates = 0, conflicts = 0;
        var tooLarge = new List<string>();
        var restarted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var batch in decoded.Sources)
        {
            // All the source's streaming views at once: an entity's views are read and written together.
            var views = plan.StreamingViewsOf(batch.Schema.SourceName).Select(v => (v.View, v.EntityKeyField)).ToArray();
            var summary = await online.ApplyAsync(views, batch, nowTicks, cancellationToken);
            (applied, duplicates, conflicts) = (applied + summary.Applied, duplicates + summary.DuplicateEvents, conflicts + summary.Conflicts);
            tooLarge.AddRange(summary.TooLarge.Select(r => string.Create(CultureInfo.InvariantCulture, $"view '{r.View}', entity '{r.EntityKey}' ({r.Bytes} bytes)")));
            foreach (var view in summary.Views.Where(v => v.RowsRestarted > 0))
            {
                restarted[view.View] = restarted.GetValueOrDefault(view.View) + view.RowsRestarted;
            }
        }

        return new IngestionResult(decoded.Outcomes) { Rejections = decoded.Rejected, OnlineApplied = applied, OnlineDuplicates = duplicates, OnlineConflicts = conflicts, OnlineTooLarge = tooLarge, OnlineRowsRestarted = restarted, LateDays = late };
    }

    private DecodedBatch Decode(IReadOnlyList<IncomingMessage> messages, DateTimeOffset now)
    {
        // Decoders keep a string pool, so they are reused, one per concurrent batch.
        var decoder = decoders.TryTake(out var pooled) ? pooled : new CloudEventDecoder(plan.Schemas, decoderOptions);
        try
        {
            return decoder.Decode(messages, now);
        }
        finally
        {
            decoders.Add(decoder);
        }
    }
}
