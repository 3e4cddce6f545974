using Azure.Storage.Blobs;
using Brisa.Azure.RawZone;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Monitoring;
using Brisa.Core.Training;

namespace Brisa.Azure.Monitoring;

/// <summary>
/// Reads a model's label events (e.g. chargebacks) as ingested into the raw zone: the hour files of the days from
/// <c>since</c> to <c>until</c> (<see cref="RawZoneReader.ReadRangeAsync"/>: the files of those days only are listed,
/// whatever the source's history), each event's label key (as an entity key: a <c>long</c> as its invariant integer
/// text) and time, or (<see cref="ReadIndexAsync"/>) the events indexed with their label value.
/// </summary>
public sealed class LabelArrivalReader(BlobContainerClient raw)
{
    private readonly RawZoneReader reader = new(raw);

    /// <summary>The reader over the account's raw container.</summary>
    /// <param name="storage">The account.</param>
    /// <returns>The reader.</returns>
    public static LabelArrivalReader For(BrisaStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new LabelArrivalReader(storage.Blobs.GetBlobContainerClient(StorageNames.RawContainer));
    }

    /// <summary>
    /// Label events of <paramref name="model"/> in the raw hour partitions from <paramref name="since"/>'s UTC day
    /// through <paramref name="until"/>'s hour (later events of that hour included).
    /// </summary>
    /// <param name="definitions">The definitions (the label source's schema).</param>
    /// <param name="model">The model.</param>
    /// <param name="since">The oldest day to read.</param>
    /// <param name="until">The newest instant needed (the report's time: later labels count for nothing).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Key and time of each label event, deduplicated by (event id, event time).</returns>
    public async Task<IReadOnlyList<LabelArrival>> ReadAsync(FeatureRepositoryDefinition definitions, ModelDefinition model, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        var schema = LabelSchema(definitions, model);
        var key = schema.IndexOf(model.Label.Key);
        var labels = new Dictionary<(string Id, long Ticks), LabelArrival>();
        await foreach (var batch in ReadBatchesAsync(schema, since, until, cancellationToken).ConfigureAwait(false))
        {
            for (var row = 0; row < batch.Count; row++)
            {
                if (EntityKeys.FromField(batch.Value(row, key)) is { } value)
                {
                    labels.TryAdd((batch.Id(row), batch.EventTicks(row)), new LabelArrival(value, TiledView.FromUnixTicks(batch.EventTicks(row))));
                }
            }
        }

        return [.. labels.Values];
    }

    /// <summary>
    /// Label events of <paramref name="model"/> from <paramref name="since"/>'s UTC day through <paramref name="until"/>'s hour, indexed by
    /// <see cref="LabelIndex"/> (key, time and label value, read as training reads them): what a regression's live
    /// errors are computed with.
    /// </summary>
    /// <param name="definitions">The definitions (the label source's schema).</param>
    /// <param name="model">The model.</param>
    /// <param name="since">The oldest day to read.</param>
    /// <param name="until">The newest instant needed (the report's time).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The index (deduplicated by (event id, event time)).</returns>
    public async Task<LabelIndex> ReadIndexAsync(FeatureRepositoryDefinition definitions, ModelDefinition model, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        var schema = LabelSchema(definitions, model);
        var index = new LabelIndex(model);
        await foreach (var batch in ReadBatchesAsync(schema, since, until, cancellationToken).ConfigureAwait(false))
        {
            index.Add(batch);
        }

        return index;
    }

    private static EventSchema LabelSchema(FeatureRepositoryDefinition definitions, ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(model);
        var source = definitions.FindSource(model.Label.Source)
            ?? throw new InvalidOperationException($"Model '{model.Name}' reads labels from '{model.Label.Source}', which the definitions do not declare.");
        var schema = EventSchema.FromDefinition(source);
        if (schema.IndexOf(model.Label.Key) < 0)
        {
            throw new InvalidOperationException($"Label source '{source.Name}' has no field '{model.Label.Key}' (the model's label key).");
        }

        return schema;
    }

    // The hour files of [since's day, until's hour]: one listing of the source's day prefixes, one per day in the span.
    private IAsyncEnumerable<SourceEventBatch> ReadBatchesAsync(EventSchema schema, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken) =>
        reader.ReadRangeAsync(schema, TiledView.ToUnixTicks(new DateTimeOffset(since.UtcDateTime.Date, TimeSpan.Zero)), TiledView.ToUnixTicks(until) + 1, cancellationToken);
}
