using System.Collections.Concurrent;
using Azure.Data.Tables;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Features;
using Brisa.Core.Serving;
using Microsoft.Extensions.Logging;

namespace Brisa.Azure.Online;

/// <summary>
/// Reads online features: one Table partition query per distinct entity key (it returns every view's row for the
/// key), keys fetched concurrently; streaming views are evaluated from their tiles at read time, so windows slide
/// even when no event arrives; batch views are read from their value rows. With an <see cref="OnlineRowCache"/>,
/// partitions read within its time to live are reused (opt-in; off by default).
/// </summary>
/// <remarks>
/// A row of another layout (written by an older build, or before a change of the view) reads as missing, as it must:
/// its state does not count for the view as defined now. When its newest event is still within the view's window, the
/// reader notes the view (<see cref="OtherLayoutViews"/>) and logs a Warning naming the repair, at most once per view
/// every <see cref="OtherLayoutWarningInterval"/>, since the answers alone (<c>NOT_FOUND</c>) do not tell it from an
/// entity never seen.
/// </remarks>
public sealed partial class OnlineFeatureReader(TableClient table, int maxParallelism = 32, OnlineRowCache? cache = null, ILogger? logger = null)
{
    /// <summary>How often, at most, the Warning about rows of another layout is logged per view.</summary>
    public static readonly TimeSpan OtherLayoutWarningInterval = TimeSpan.FromMinutes(10);

    // View name -> Environment.TickCount64 of the last Warning about its rows of another layout.
    private readonly ConcurrentDictionary<string, long> otherLayout = new(StringComparer.Ordinal);

    /// <summary>Creates the reader over the account's online table.</summary>
    /// <param name="storage">The account.</param>
    /// <param name="cache">Reuses recently read partitions; null reads every partition per request.</param>
    /// <param name="logger">Where rows of another layout are reported; null: only <see cref="OtherLayoutViews"/>.</param>
    public static OnlineFeatureReader For(BrisaStorage storage, OnlineRowCache? cache = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new OnlineFeatureReader(storage.Tables.GetTableClient(StorageNames.OnlineTable), cache: cache, logger: logger);
    }

    /// <summary>The row cache, when one is used.</summary>
    public OnlineRowCache? Cache => cache;

    /// <summary>
    /// The views of which this reader has read a row of another layout with events still in the view's window (served
    /// as missing), in name order: the repair is <c>brisa materialize --tiles</c> for a streaming view, the next
    /// materialization for a batch view.
    /// </summary>
    public IReadOnlyList<string> OtherLayoutViews => [.. otherLayout.Keys.Order(StringComparer.Ordinal)];

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
                    if (views.FirstOrDefault(v => v.Name == row.RowKey) is not { } view)
                    {
                        continue;
                    }

                    if (Evaluate(row, view, key, nowTicks) is { } values)
                    {
                        found[(key, view.Name)] = values;
                    }
                    else if (OnlineTileStore.IsOtherLayoutInWindow(row, view.View, key, nowTicks))
                    {
                        NoteOtherLayout(view);
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

    private void NoteOtherLayout(ViewPlan view)
    {
        var now = Environment.TickCount64;
        var interval = (long)OtherLayoutWarningInterval.TotalMilliseconds;
        var first = otherLayout.TryAdd(view.Name, now);
        if (!first && !(otherLayout.TryGetValue(view.Name, out var last) && now - last >= interval && otherLayout.TryUpdate(view.Name, now, last)))
        {
            return;
        }

        if (logger is not null)
        {
            LogOtherLayout(logger, OtherLayoutMessage(view));
        }
    }

    /// <summary>What rows of another layout of the view mean and how to repair them, as the Warning and <c>brisa features get</c> say it.</summary>
    /// <param name="view">The view.</param>
    /// <returns>One sentence.</returns>
    public static string OtherLayoutMessage(ViewPlan view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var repair = view.Definition.Streaming
            ? $"run 'brisa materialize --tiles --views {view.Name}' to replay the raw zone into them"
            : "the next materialization writes them again ('brisa materialize --from <the last whole hour> --to <the current hour>' does it at once)";
        return $"Online rows of view {view.Name} were written for another layout (by an older Brisa build, or before a change of the view) and read as NOT_FOUND: {repair} (docs/deploy.md, 'Rolling back').";
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Message} Logged at most every 10 minutes per view.")]
    private static partial void LogOtherLayout(ILogger logger, string message);

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
