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
public sealed class LiveEventIngestor(BrisaStorage storage, IDefinitionsSource definitions, TimeProvider time, DecoderOptions? decoderOptions = null, OnlineStoreOptions? onlineOptions = null) : IEventIngestor
{
    private (FeatureRepositoryDefinition Definitions, EventIngestor Ingestor)? current;

    /// <inheritdoc />
    public async Task<IngestionResult> IngestAsync(IReadOnlyList<IncomingMessage> messages, CancellationToken cancellationToken)
    {
        var live = await definitions.GetAsync(cancellationToken);
        var snapshot = current;
        if (snapshot is null || !ReferenceEquals(snapshot.Value.Definitions, live))
        {
            snapshot = (live, new EventIngestor(storage, live, time, decoderOptions, onlineOptions));
            current = snapshot;
        }

        return await snapshot.Value.Ingestor.IngestAsync(messages, cancellationToken);
    }
}
