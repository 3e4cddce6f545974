using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Brisa.Azure.Storage;
using Brisa.Core.Ingestion;

namespace Brisa.Azure.RawZone;

/// <summary>
/// Reads the dead-letter container for operators (<c>brisa deadletter list|replay</c>): the records of a source
/// folder and a range of receipt times, counted per hour and reason, or selected for a replay. Never deletes: the
/// records are the audit trail of what was rejected.
/// </summary>
public sealed class DeadLetterReader(BlobContainerClient container)
{
    /// <summary>Creates the reader for the account's dead-letter container.</summary>
    public static DeadLetterReader For(BrisaStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new DeadLetterReader(storage.Blobs.GetBlobContainerClient(StorageNames.DeadLetterContainer));
    }

    /// <summary>The source folders present (source names, and <see cref="DeadLetterWriter.UnknownSource"/>), sorted.</summary>
    public async Task<IReadOnlyList<string>> ListSourcesAsync(CancellationToken cancellationToken = default)
    {
        var sources = new List<string>();
        await foreach (var item in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", null, cancellationToken))
        {
            if (item.IsPrefix)
            {
                sources.Add(item.Prefix.TrimEnd('/'));
            }
        }

        sources.Sort(StringComparer.Ordinal);
        return sources;
    }

    /// <summary>The records the filter matches, source folder by source folder, in blob name order.</summary>
    public async IAsyncEnumerable<DeadLetterRecord> ReadAsync(DeadLetterFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var sources = filter.Source is { } source ? [source] : await ListSourcesAsync(cancellationToken);
        foreach (var folder in sources)
        {
            foreach (var prefix in Prefixes(folder, filter))
            {
                await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken))
                {
                    if (!filter.MayHold(HourOf(item.Name)))
                    {
                        continue;
                    }

                    foreach (var record in await ReadBlobAsync(container, item.Name, cancellationToken))
                    {
                        if (filter.Matches(record))
                        {
                            yield return record;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Counts the matching records per source folder, receipt hour and reason group (<see cref="RejectionReasons.Group"/>).</summary>
    public async Task<DeadLetterSummary> SummarizeAsync(DeadLetterFilter filter, CancellationToken cancellationToken = default)
    {
        var tallies = new Dictionary<(string Source, DateTimeOffset Hour), ReasonTally>();
        var total = 0;
        await foreach (var record in ReadAsync(filter, cancellationToken))
        {
            var key = (record.Source ?? DeadLetterWriter.UnknownSource, HourStart(record.ReceivedAt));
            if (!tallies.TryGetValue(key, out var tally))
            {
                tallies[key] = tally = new ReasonTally();
            }

            tally.Add(record.Reason);
            total++;
        }

        var rows = tallies
            .SelectMany(t => t.Value.Counts().Select(c => new DeadLetterGroup(t.Key.Source, t.Key.Hour, c.Reason, c.Example, c.Count)))
            .OrderBy(g => g.Source, StringComparer.Ordinal).ThenBy(g => g.Hour).ThenByDescending(g => g.Count).ThenBy(g => g.Reason, StringComparer.Ordinal)
            .ToArray();
        return new DeadLetterSummary(rows, total);
    }

    /// <summary>
    /// The matching records to send again, each original once: a rejection repeated (an event replayed and rejected
    /// again is dead-lettered again, with the same bytes) would otherwise be sent once per record.
    /// </summary>
    public async Task<DeadLetterReplaySet> SelectForReplayAsync(DeadLetterFilter filter, CancellationToken cancellationToken = default)
    {
        var seen = new HashSet<UInt128>();
        var events = new List<DeadLetterRecord>();
        var messages = new List<DeadLetterRecord>();
        var records = 0;
        await foreach (var record in ReadAsync(filter, cancellationToken))
        {
            records++;
            var bytes = record.OriginalBytes();
            if (seen.Add(Digest(bytes)))
            {
                (record.Original is not null && IsOneJsonObject(bytes) ? events : messages).Add(record);
            }
        }

        return new DeadLetterReplaySet(events, messages, records);
    }

    private static IEnumerable<string> Prefixes(string folder, DeadLetterFilter filter)
    {
        // Blobs are partitioned by receipt date: a bounded range lists only its days.
        if (filter.From is { } from && filter.To is { } to && to - from <= TimeSpan.FromDays(366))
        {
            for (var day = from.UtcDateTime.Date; day < to.UtcDateTime; day = day.AddDays(1))
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"{folder}/date={day:yyyy-MM-dd}/");
            }
        }
        else
        {
            yield return folder + "/";
        }
    }

    // <source>/date=YYYY-MM-DD/hour=HH/<digest>.jsonl; null for a name of another shape (read, and filtered by its records).
    private static DateTimeOffset? HourOf(string name)
    {
        var parts = name.Split('/');
        return parts.Length == 4
            && parts[1].StartsWith("date=", StringComparison.Ordinal) && parts[2].StartsWith("hour=", StringComparison.Ordinal)
            && DateTimeOffset.TryParseExact($"{parts[1][5..]} {parts[2][5..]}", "yyyy-MM-dd HH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var hour)
            ? hour
            : null;
    }

    /// <summary>The records of one dead-letter blob (one JSON line each), in order.</summary>
    internal static async Task<IReadOnlyList<DeadLetterRecord>> ReadBlobAsync(BlobContainerClient container, string name, CancellationToken cancellationToken)
    {
        var content = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken);
        return content.Value.Content.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select((line, i) => Parse(name, i + 1, line)).ToArray();
    }

    private static DeadLetterRecord Parse(string blob, int line, string text)
    {
        try
        {
            return JsonSerializer.Deserialize(text, DeadLetterJson.Default.DeadLetterRecord)
                ?? throw new JsonException("the line is null");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new InvalidDataException($"deadletter/{blob} line {line} is not a dead-letter record: {ex.Message}", ex);
        }
    }

    private static DateTimeOffset HourStart(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);

    private static UInt128 Digest(byte[] bytes)
    {
        var hash = SHA256.HashData(bytes);
        return new UInt128(BitConverter.ToUInt64(hash, 0), BitConverter.ToUInt64(hash, 8));
    }

    // One event can go into a batch with others; anything else (malformed JSON, a whole message of too many events,
    // a stray scalar) is a message the decoder could not split, sent alone exactly as it was received.
    private static bool IsOneJsonObject(byte[] bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>Which dead-letter records to read.</summary>
public sealed record DeadLetterFilter
{
    /// <summary>The source folder (a source name, or <see cref="DeadLetterWriter.UnknownSource"/>); null for all.</summary>
    public string? Source { get; init; }

    /// <summary>Received at or after this time; null for no lower bound.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Received before this time; null for no upper bound.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only reasons containing this text (case-insensitive); null for every reason.</summary>
    public string? Reason { get; init; }

    /// <summary>True when the record is in the time range and its reason contains <see cref="Reason"/>.</summary>
    public bool Matches(DeadLetterRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (From is null || record.ReceivedAt >= From)
            && (To is null || record.ReceivedAt < To)
            && (Reason is null || record.Reason.Contains(Reason, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>False when a blob of this receipt hour cannot hold a record in the range.</summary>
    internal bool MayHold(DateTimeOffset? hour) =>
        hour is not { } start || ((From is null || start.AddHours(1) > From) && (To is null || start < To));
}

/// <summary>Dead-letter records counted per source folder, receipt hour and reason group.</summary>
/// <param name="Groups">The groups: by source, then hour, then most frequent first.</param>
/// <param name="Total">Records matched.</param>
public sealed record DeadLetterSummary(IReadOnlyList<DeadLetterGroup> Groups, int Total);

/// <summary>Rejections of one source in one hour for one reason group.</summary>
/// <param name="Source">The source folder.</param>
/// <param name="Hour">The receipt hour (UTC).</param>
/// <param name="Reason">The reason when every record of the group gives the same one, else the group (<see cref="RejectionReasons.Group"/>: what varies masked).</param>
/// <param name="Example">The first full reason of the group.</param>
/// <param name="Count">Records.</param>
public sealed record DeadLetterGroup(string Source, DateTimeOffset Hour, string Reason, string Example, int Count);

/// <summary>What a replay sends: each distinct original once, in the order read.</summary>
/// <param name="Events">Single CloudEvent JSON objects: sent in batches, as <c>brisa send</c> sends lines.</param>
/// <param name="Messages">Whole messages the decoder could not split (malformed JSON, too many events): sent alone, byte for byte.</param>
/// <param name="Records">Records matched, repeats included.</param>
public sealed record DeadLetterReplaySet(IReadOnlyList<DeadLetterRecord> Events, IReadOnlyList<DeadLetterRecord> Messages, int Records)
{
    /// <summary>Records whose original bytes were already selected (an event rejected more than once).</summary>
    public int Repeats => Records - Events.Count - Messages.Count;
}
