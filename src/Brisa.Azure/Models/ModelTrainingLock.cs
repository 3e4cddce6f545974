using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Brisa.Azure.Models;

/// <summary>
/// A held training lock: a 60 s blob lease on <c>models/&lt;model&gt;/.lock</c>, renewed every 20 s until disposed, so
/// two runs never train the same model at once, and a crashed run frees the model within a minute.
/// </summary>
public sealed class ModelTrainingLock : IAsyncDisposable
{
    /// <summary>The lease duration.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);

    private readonly BlobLeaseClient lease;
    private readonly CancellationTokenSource stop = new();
    private readonly Task renewal;

    private ModelTrainingLock(BlobLeaseClient lease, TimeProvider time)
    {
        this.lease = lease;
        renewal = RenewAsync(time);
    }

    /// <summary>The lease id.</summary>
    public string LeaseId => lease.LeaseId;

    /// <summary>Set when a renewal failed (the lease may have been lost).</summary>
    public Exception? RenewalError { get; private set; }

    internal static async Task<ModelTrainingLock?> TryAcquireAsync(BlobClient blob, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // The lock blob exists already (possibly leased).
        }

        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            var lease = blob.GetBlobLeaseClient();
            try
            {
                await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new ModelTrainingLock(lease, time);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                if (time.GetUtcNow() >= deadline)
                {
                    return null;
                }

                await Task.Delay(RetryEvery, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops renewing and releases the lease.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await renewal.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        try
        {
            await lease.ReleaseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException)
        {
            // Expired or taken over, or storage unreachable (the SDK gives up with an AggregateException): the lease
            // lapses by itself, and the run's own error must not be replaced by this one.
        }

        stop.Dispose();
    }

    private async Task RenewAsync(TimeProvider time)
    {
        using var timer = new PeriodicTimer(RenewEvery, time);
        while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
        {
            try
            {
                await lease.RenewAsync(cancellationToken: stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RequestFailedException or AggregateException)
            {
                RenewalError = ex;
            }
        }
    }
}
