using Brisa.Azure.Offline;
using Brisa.Azure.Online;
using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;

namespace Brisa.Azure.Ingestion;

/// <summary>
/// The ingestor a host registers: it follows the live definitions and rebuilds the <see cref="EventIngestor"/>
/// when they change, so a new source or view applies to the next batch.
/// </summary>
/// <param name="storage">The account.</param>
/// <param name="definitions">The live definitions.</param>
/// <param name="time">The clock.</param>
/// <param name="decoderOptions">Decoding limits; defaults when null.</param>
/// <param name="onlineOptions">Online tile writes; defaults when null.</param>
/// <param name="materializeOptions">The incremental runs' options (lateness, source scope), which decide the late days to record; defaults when null.</param>
public sealed class LiveEventIngestor(BrisaStorage storage, IDefinitionsSource definitions, TimeProvider time, DecoderOptions? decoderOptions = null, OnlineStoreOptions? onlineOptions = null, IncrementalMaterializeOptions? materializeOptions = null) : IEventIngestor
{
    // One for every definitions version: it keeps the watermark it read.
    private readonly LateDayMarkers lateDays = new(storage, time, materializeOptions);
    private (FeatureRepositoryDefinition Definitions, EventIngestor Ingestor)? current;

    /// <inheritdoc />
    public async Task<IngestionResult> IngestAsync(IReadOnlyList<IncomingMessage> messages, CancellationToken cancellationToken)
    {
        var live = await definitions.GetAsync(cancellationToken);
        var snapshot = current;
        if (snapshot is null || !ReferenceEquals(snapshot.Value.Definitions, live))
        {
            snapshot = (live, new EventIngestor(storage, live, time, decoderOptions, onlineOptions, lateDays));
            current = snapshot;
        }

        return await snapshot.Value.Ingestor.IngestAsync(messages, cancellationToken);
    }
}
