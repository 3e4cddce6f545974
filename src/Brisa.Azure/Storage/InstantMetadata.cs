using System.Globalization;
using Azure;
using Azure.Storage.Blobs;

namespace Brisa.Azure.Storage;

/// <summary>
/// An instant kept in a blob's metadata (ISO 8601, UTC) for writers that must never take the blob back in time
/// (<see cref="UnlessNewer"/>): the as-of of an offline file, the window end of the latest drift report.
/// </summary>
internal static class InstantMetadata
{
    /// <summary>Metadata holding <paramref name="instant"/> under <paramref name="key"/>.</summary>
    public static Dictionary<string, string> Of(string key, DateTimeOffset instant) =>
        new(StringComparer.Ordinal) { [key] = instant.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) };

    /// <summary>The instant under <paramref name="key"/>; null when absent or unreadable (a blob written before it was recorded, or edited by hand, is older than any writer).</summary>
    public static DateTimeOffset? Read(IDictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var instant)
            ? instant
            : null;

    /// <summary>The blob's instant under <paramref name="key"/> and its ETag; absent (default) when the blob is.</summary>
    public static async Task<StoredBlob<DateTimeOffset?>> ReadStoredAsync(BlobClient blob, string key, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return new(Read(properties.Value.Metadata, key), properties.Value.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return default;
        }
    }
}
