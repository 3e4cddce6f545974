using Brisa.Core.Ingestion;

namespace Brisa.Functions.Tests.Ingestion;

/// <summary>An ingestor that answers every batch with one result, for what a function does with it.</summary>
internal sealed class FixedIngestor(IngestionResult result) : IEventIngestor
{
    public Task<IngestionResult> IngestAsync(IReadOnlyList<IncomingMessage> messages, CancellationToken cancellationToken) => Task.FromResult(result);
}
