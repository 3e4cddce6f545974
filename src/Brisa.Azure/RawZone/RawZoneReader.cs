using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Ingestion;

namespace Brisa.Azure.RawZone;

/// <summary>
/// Reads the raw zone one hour partition at a time (<c>raw/&lt;source&gt;/date=…/hour=…/</c>), files in name order.
/// An event may appear in more than one file of its hour (different batch groupings of a redelivery): callers
/// deduplicate by (event id, event time) (the materializer, the training-set builder and the label reader do).
/// </summary>
public sealed class RawZoneReader(BlobContainerClient container)
{
    /// <summary>Creates the reader for the account's raw container.</summary>
    /// <param name="storage">The account.</param>
    /// <returns>The reader.</returns>
    public static RawZoneReader For(BrisaStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new RawZoneReader(storage.Blobs.GetBlobContainerClient(StorageNames.RawContainer));
    }

    /// <summary>The blob prefix of one hour partition of a source.</summary>
    /// <param name="source">The source name.</param>
    /// <param name="hourStartUnixTicks">The hour, UTC ticks since the Unix epoch.</param>
    /// <returns>The prefix, ending with a slash.</returns>
    public static string HourPrefix(string source, long hourStartUnixTicks)
    {
        var hour = TiledView.FromUnixTicks(hourStartUnixTicks).UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{source}/date={hour:yyyy-MM-dd}/hour={hour:HH}/");
    }

    /// <summary>Reads every file of one hour partition.</summary>
    /// <param name="schema">The source's schema.</param>
    /// <param name="hourStartUnixTicks">The hour, UTC ticks since the Unix epoch.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One batch per file, in file name order (empty when the hour has no file).</returns>
    public async Task<IReadOnlyList<SourceEventBatch>> ReadHourAsync(EventSchema schema, long hourStartUnixTicks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, HourPrefix(schema.SourceName, hourStartUnixTicks), cancellationToken))
        {
            if (blob.Name.EndsWith(".parquet", StringComparison.Ordinal))
            {
                names.Add(blob.Name);
            }
        }

        names.Sort(StringComparer.Ordinal);
        var batches = new List<SourceEventBatch>(names.Count);
        foreach (var name in names)
        {
            var content = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken);
            using var stream = content.Value.Content.ToStream();
            batches.Add(await RawEventParquet.ReadAsync(stream, schema, cancellationToken));
        }

        return batches;
    }

    /// <summary>Reads every hour of [from, to) of a source (e.g. for a training set).</summary>
    /// <param name="schema">The source's schema.</param>
    /// <param name="fromUnixTicks">Start, inclusive (rounded down to its hour).</param>
    /// <param name="toUnixTicks">End, exclusive.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The batches, in time order of their hours (files of an hour in name order).</returns>
    /// <remarks>
    /// One listing finds the source's date partitions and one more per date in the range lists its files, so a range
    /// costs a listing per day that holds events rather than one per hour: days without events cost nothing.
    /// </remarks>
    public async IAsyncEnumerable<SourceEventBatch> ReadRangeAsync(
        EventSchema schema, long fromUnixTicks, long toUnixTicks, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var from = TiledView.FromUnixTicks(Brisa.Core.Materialization.SourceMaterializer.FloorHour(fromUnixTicks)).UtcDateTime;
        var to = TiledView.FromUnixTicks(toUnixTicks).UtcDateTime;
        if (from >= to)
        {
            yield break;
        }

        var days = new List<string>();
        await foreach (var item in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", schema.SourceName + "/", cancellationToken))
        {
            if (item.IsPrefix && DayOf(item.Prefix) is { } day && day >= from.Date && day < to)
            {
                days.Add(item.Prefix);
            }
        }

        days.Sort(StringComparer.Ordinal);
        foreach (var day in days)
        {
            var date = DayOf(day)!.Value;
            var names = new List<string>();
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, day, cancellationToken))
            {
                if (blob.Name.EndsWith(".parquet", StringComparison.Ordinal) && HourOf(blob.Name, day.Length, date) is { } hour && hour >= from && hour < to)
                {
                    names.Add(blob.Name);
                }
            }

            names.Sort(StringComparer.Ordinal);
            foreach (var name in names)
            {
                var content = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken);
                using var stream = content.Value.Content.ToStream();
                yield return await RawEventParquet.ReadAsync(stream, schema, cancellationToken);
            }
        }
    }

    // "<source>/date=YYYY-MM-DD/" → that day (UTC), or null for anything else in the container.
    private static DateTime? DayOf(string prefix)
    {
        var at = prefix.IndexOf("/date=", StringComparison.Ordinal);
        return at >= 0 && prefix.EndsWith('/') && DateTime.TryParseExact(prefix.AsSpan(at + 6, prefix.Length - at - 7), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var day)
            ? day
            : null;
    }

    // "<day prefix>hour=HH/<file>" → that hour (UTC), or null.
    private static DateTime? HourOf(string name, int dayPrefixLength, DateTime day)
    {
        var rest = name.AsSpan(dayPrefixLength);
        return rest.StartsWith("hour=") && rest.Length > 8 && rest[7] == '/' && int.TryParse(rest.Slice(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hour) && hour < 24
            ? day.AddHours(hour)
            : null;
    }
}
