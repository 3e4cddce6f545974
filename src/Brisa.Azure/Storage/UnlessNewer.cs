using Azure;
using Azure.Storage.Blobs.Models;

namespace Brisa.Azure.Storage;

/// <summary>What a blob holds (as far as a writer compares it) and its ETag; a null ETag means the blob is absent.</summary>
/// <typeparam name="T">What the writer compares.</typeparam>
/// <param name="Value">The compared state; null when absent or unknown.</param>
/// <param name="ETag">The ETag read with it; null when the blob is absent.</param>
internal readonly record struct StoredBlob<T>(T? Value, ETag? ETag)
{
    /// <summary>True when the blob exists.</summary>
    public bool Exists => ETag is not null;

    /// <summary>The condition that the blob is still what was read: <c>If-Match</c> its ETag, or <c>If-None-Match: *</c> when absent.</summary>
    public BlobRequestConditions Unchanged => ETag is { } e ? new BlobRequestConditions { IfMatch = e } : new BlobRequestConditions { IfNoneMatch = global::Azure.ETag.All };
}

/// <summary>
/// Optimistic concurrency for blobs that must never go back in time (<c>latest.json</c> statistics, offline files):
/// compare what is stored with what the writer holds, keep it when it is newer, else write on the condition that it
/// is still what was compared (<see cref="StoredBlob{T}.Unchanged"/>). A 409 or 412 means another writer got there in
/// between: read and compare again. So of concurrent writers, or a retry that finishes after a newer one, the newest
/// wins whatever the order of their writes.
/// </summary>
internal static class UnlessNewer
{
    /// <summary>Writes unless the stored blob is newer.</summary>
    /// <typeparam name="T">What is compared.</typeparam>
    /// <param name="stored">What is stored, when already known (e.g. from a listing); read first when null.</param>
    /// <param name="read">Reads what is stored.</param>
    /// <param name="keep">True when the stored blob must stay (it is newer, or there is nothing to replace).</param>
    /// <param name="write">Writes (uploads or deletes) on the given conditions.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>True when written; false when the stored blob was kept.</returns>
    public static async Task<bool> WriteAsync<T>(
        StoredBlob<T>? stored,
        Func<CancellationToken, Task<StoredBlob<T>>> read,
        Func<StoredBlob<T>, bool> keep,
        Func<BlobRequestConditions, CancellationToken, Task> write,
        CancellationToken cancellationToken)
    {
        var current = stored ?? await read(cancellationToken);
        while (!keep(current))
        {
            try
            {
                await write(current.Unchanged, cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another writer replaced it meanwhile: compare again.
            }

            current = await read(cancellationToken);
        }

        return false;
    }
}
