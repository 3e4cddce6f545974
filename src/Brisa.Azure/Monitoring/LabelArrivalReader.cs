using System.Globalization;
using System.Runtime.CompilerServices;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
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
/// Reads a model's label events (e.g. chargebacks) as ingested into the raw zone: one listing of
/// <c>raw/&lt;label source&gt;/</c>, the hour files of the days from <c>since</c> on, each event's label key (as an entity key: a <c>long</c> as its invariant integer text) and time, or (<see cref="ReadIndexAsync"/>) the events indexed with their label value.
/// </summary>
public sealed class LabelArrivalReader(BlobContainerClient raw)
{
    /// <summary>The reader over the account's raw container.</summary>
    /// <param name="storage">The account.</param>
    /// <returns>The reader.</returns>
    public static LabelArrivalReader For(BrisaStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new LabelArrivalReader(storage.Blobs.GetBlobContainerClient(StorageNames.RawContainer));
    }

    /// <summary>Label events of <paramref name="model"/> dated from <paramref name="since"/>'s UTC day on.</summary>
    /// <param name="definitions">The definitions (the label source's schema).</param>
    /// <param name="model">The model.</param>
    /// <param name="since">The oldest day to read.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Key and time of each label event, deduplicated by (event id, event time).</returns>
    public async Task<IReadOnlyList<LabelArrival>> ReadAsync(FeatureRepositoryDefinition definitions, ModelDefinition model, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var (source, schema) = LabelSchema(definitions, model);
        var key = schema.IndexOf(model.Label.Key);
        var labels = new Dictionary<(string Id, long Ticks), LabelArrival>();
        await foreach (var batch in ReadBatchesAsync(source, schema, since, cancellationToken).ConfigureAwait(false))
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
    /// Label events of <paramref name="model"/> dated from <paramref name="since"/>'s UTC day on, indexed by
    /// <see cref="LabelIndex"/> (key, time and label value, read as training reads them): what a regression's live
    /// errors are computed with.
    /// </summary>
    /// <param name="definitions">The definitions (the label source's schema).</param>
    /// <param name="model">The model.</param>
    /// <param name="since">The oldest day to read.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The index (deduplicated by (event id, event time)).</returns>
    public async Task<LabelIndex> ReadIndexAsync(FeatureRepositoryDefinition definitions, ModelDefinition model, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var (source, schema) = LabelSchema(definitions, model);
        var index = new LabelIndex(model);
        await foreach (var batch in ReadBatchesAsync(source, schema, since, cancellationToken).ConfigureAwait(false))
        {
            index.Add(batch);
        }

        return index;
    }

    private static (SourceDefinition Source, EventSchema Schema) LabelSchema(FeatureRepositoryDefinition definitions, ModelDefinition model)
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

        return (source, schema);
    }

    // One listing of the source's folder; the hour files of the days from since's on, one at a time.
    private async IAsyncEnumerable<SourceEventBatch> ReadBatchesAsync(SourceDefinition source, EventSchema schema, DateTimeOffset since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Blob names sort by date: "<source>/date=YYYY-MM-DD/…", so a string comparison with the first day's prefix selects the days.
        var first = string.Create(CultureInfo.InvariantCulture, $"{source.Name}/date={since.UtcDateTime:yyyy-MM-dd}/");
        await foreach (var blob in raw.GetBlobsAsync(BlobTraits.None, BlobStates.None, source.Name + "/", cancellationToken))
        {
            if (!blob.Name.EndsWith(".parquet", StringComparison.Ordinal) || string.CompareOrdinal(blob.Name, first) < 0)
            {
                continue;
            }

            var content = await raw.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken);
            using var stream = content.Value.Content.ToStream();
            yield return await RawEventParquet.ReadAsync(stream, schema, cancellationToken);
        }
    }
}
