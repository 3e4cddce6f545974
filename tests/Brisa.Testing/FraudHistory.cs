using System.Text;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Generation;
using Brisa.Core.Ingestion;

namespace Brisa.Testing;

/// <summary>A seeded fraud history ingested into an account: enough labelled transactions to train and promote a model.</summary>
public static class FraudHistory
{
    /// <summary>The sample's definitions.</summary>
    public static FeatureRepositoryDefinition Definitions { get; } = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;

    /// <summary>Generates <paramref name="customers"/> customers over <paramref name="days"/> days before <paramref name="now"/> and ingests what has arrived.</summary>
    /// <returns>The arrived events.</returns>
    public static async Task<IReadOnlyList<GeneratedEvent>> IngestAsync(BrisaStorage storage, DateTimeOffset now, int customers = 120, int days = 45, int seed = 3)
    {
        var stream = FraudStreamGenerator.Generate(new FraudStreamOptions { Customers = customers, Days = days, Seed = seed, Start = now.AddDays(-days) });
        var arrived = stream.Events.Where(e => e.Time <= now).ToList();
        var messages = arrived.Chunk(2000).Select(chunk =>
        {
            using var buffer = new MemoryStream();
            FraudStreamJson.WriteJsonLines(chunk, buffer);
            var lines = Encoding.UTF8.GetString(buffer.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(",", lines) + "]"));
        }).ToArray();
        await new EventIngestor(storage, Definitions).IngestAsync(messages, CancellationToken.None);
        return arrived;
    }
}
