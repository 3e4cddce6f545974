using System.Collections.Concurrent;
using Azure.Data.Tables;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Features;
using Brisa.Core.Serving;

namespace Brisa.Azure.Online;

/// <summary>
/// Reads online features: one Table partition query per distinct entity key (it returns every view's row for the
/// key), keys fetched concurrently; streaming views are evaluated from their tiles at read time, so windows slide
/// even when no event arrives; batch views are read from their value rows. With an <see cref="OnlineRowCache"/>,
/// partitions read within its time to live are reused (opt-in; off by default).
/// </summary>
public sealed class OnlineFeatureReader(TableClient table, int maxParallelism = 32, OnlineRowCache? cache = null)
{
    /// <summary>Creates the reader over the account's online table.</summary>
    /// <param name="storage">The account.</param>
    /// <param name="cache">Reuses recently read partitions; null reads every partition per request.</param>
    public static OnlineFeatureReader For(BrisaStorage storage, OnlineRowCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new OnlineFeatureReader(storage.Tables.GetTableClient(StorageNames.OnlineTable), cache: cache);
    }

    /// <summary>The row cache, when one is used.</summary>
    public OnlineRowCache? Cache => cache;

    /// <summary>Answers a request as of <paramref name="now"/>.</summary>
    public async Task<OnlineFeatureResponse> GetAsync(OnlineFeatureRequest request, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var keys = request.Features.SelectMany(f => request.Entities[f.JoinKey]).Distinct(StringComparer.Ordinal);
        var views = request.Features.Select(f => f.View).Distinct().ToArray();
        var rows = await ReadAsync(keys, views, TiledView.ToUnixTicks(now), cancellationToken);
        return OnlineFeatureResponse.Build(request, (key, view) => rows.GetValueOrDefault((key, view.Name)), now);
    }

    /// <summary>The values of the given views for each key, as of <paramref name="nowTicks"/>; absent when the key has no row for a view.</summary>
    public async Task<IReadOnlyDictionary<(string Key, string View), ViewValues>> ReadAsync(IEnumerable<string> keys, IReadOnlyCollection<ViewPlan> views, long nowTicks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(views);
        var found = new ConcurrentDictionary<(string, string), ViewValues>();
        await Parallel.ForEachAsync(
            keys,
            new ParallelOptions { MaxDegreeOfParallelism = maxParallelism, CancellationToken = cancellationToken },
            async (key, ct) =>
            {
                var rows = cache is null ? await ReadPartitionAsync(key, ct) : await cache.GetAsync(key, k => ReadPartitionAsync(k, CancellationToken.None), ct);
                foreach (var row in rows)
                {
                    if (views.FirstOrDefault(v => v.Name == row.RowKey) is { } view && Evaluate(row, view, key, nowTicks) is { } values)
                    {
                        found[(key, view.Name)] = values;
                    }
                }
            });
        return found;
    }

    private async Task<IReadOnlyList<TableEntity>> ReadPartitionAsync(string key, CancellationToken cancellationToken)
    {
        // A string filter: the expression-tree overload translates a lambda to OData on every call.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Encode(key)}");
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    private static ViewValues? Evaluate(TableEntity row, ViewPlan view, string key, long nowTicks)
    {
        if (view.Definition.Streaming)
        {
            if (OnlineTileStore.FromRow(row, view.View, key) is not { } tiles)
            {
                return null;
            }

            var values = new FieldValue[view.View.FeatureCount];
            var newest = tiles.State.EvaluateLatest(nowTicks, values);
            return new ViewValues(values, newest);
        }

        return OnlineValueStore.FromRow(row, view, key) is { } stored
            ? new ViewValues(stored.Values.ToArray(), stored.EventTime is { } t ? TiledView.ToUnixTicks(t) : null)
            : null;
    }
}
