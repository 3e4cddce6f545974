using System.Globalization;
using System.Net.Sockets;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Brisa.Azure.Storage;

/// <summary>One storage service endpoint and the setting that named it.</summary>
/// <param name="Service">Blob, Queue or Table.</param>
/// <param name="Uri">The service endpoint.</param>
/// <param name="Setting">The setting it was read from (<c>AzureWebJobsStorage</c>, <c>AzureWebJobsStorage__blobServiceUri</c>, …).</param>
public sealed record StorageEndpoint(string Service, Uri Uri, string Setting)
{
    /// <summary>The endpoint without its query: a SAS token is a secret and never goes into a message.</summary>
    public string Display => Uri.GetLeftPart(UriPartial.Path);
}

/// <summary>
/// A quick check that storage endpoints answer at all, for commands run by a person: the SDK retries a refused
/// connection or an unknown host for about 30 s before it fails with a message that names neither endpoint nor setting.
/// </summary>
public static class StorageReachability
{
    /// <summary>How long an endpoint has to answer the check.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Sends one request, without retries, to every endpoint at once. Any HTTP answer counts (401, 403, 404, even 5xx:
    /// the service is there, and the SDK's retries are for it), so no credential is needed.
    /// </summary>
    /// <param name="endpoints">The endpoints to check.</param>
    /// <param name="timeout">How long each has to answer.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    /// <exception cref="StorageUnreachableException">An endpoint refused the connection, did not resolve or did not answer in time (the first, in the given order).</exception>
    public static async Task EnsureReachableAsync(IReadOnlyList<StorageEndpoint> endpoints, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var pipeline = HttpPipelineBuilder.Build(new ProbeOptions(timeout));
        var failures = await Task.WhenAll(endpoints.Select(e => ProbeAsync(pipeline, e, timeout, cancellationToken))).ConfigureAwait(false);
        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// The reason, when <paramref name="exception"/> says the endpoint could not be reached at all: the name did not
    /// resolve, the connection was refused or failed, TLS or a proxy tunnel could not be set up. Null for anything
    /// else, an HTTP answer or a connection that broke mid-response included (those are worth retrying).
    /// </summary>
    /// <param name="exception">What the SDK threw: a <see cref="RequestFailedException"/> with status 0, or an <see cref="AggregateException"/> of them after retries.</param>
    /// <returns>The reason (e.g. "Connection refused"), or null.</returns>
    public static string? UnreachableReason(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            AggregateException { InnerExceptions.Count: > 0 } aggregate =>
                aggregate.InnerExceptions.Select(UnreachableReason).ToList() is var reasons && reasons.All(r => r is not null) ? reasons[0] : null,
            RequestFailedException { Status: 0, InnerException: { } inner } => UnreachableReason(inner),
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError } http =>
                Innermost<SocketException>(http)?.Message ?? http.Message,
            SocketException socket => socket.Message,
            _ => null,
        };
    }

    private static async Task<StorageUnreachableException?> ProbeAsync(HttpPipeline pipeline, StorageEndpoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(endpoint.Uri);
        try
        {
            await pipeline.SendAsync(message, deadline.Token).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new StorageUnreachableException(endpoint, string.Create(CultureInfo.InvariantCulture, $"no answer within {timeout.TotalSeconds:0.#} s"), ex);
        }
        catch (Exception ex) when (UnreachableReason(ex) is { } reason)
        {
            return new StorageUnreachableException(endpoint, reason, ex);
        }
    }

    private static T? Innermost<T>(Exception exception)
        where T : Exception
    {
        T? found = null;
        for (var current = exception; current is not null; current = current.InnerException)
        {
            found = current as T ?? found;
        }

        return found;
    }

    // One try with a short network timeout: the check is there to fail fast, not to wait out an outage.
    private sealed class ProbeOptions : ClientOptions
    {
        public ProbeOptions(TimeSpan timeout)
        {
            Retry.MaxRetries = 0;
            Retry.NetworkTimeout = timeout;
        }
    }
}

/// <summary>A storage endpoint cannot be reached: its name does not resolve, it refuses connections, or it does not answer.</summary>
public sealed class StorageUnreachableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageUnreachableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StorageUnreachableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public StorageUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an endpoint, naming it and the setting it came from.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="reason">Why it cannot be reached (e.g. "Connection refused").</param>
    /// <param name="innerException">The cause.</param>
    public StorageUnreachableException(StorageEndpoint endpoint, string reason, Exception? innerException)
        : base($"cannot reach {endpoint?.Service} storage at {endpoint?.Display} (from {endpoint?.Setting}): {reason}", innerException)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
    }

    /// <summary>The endpoint, when known.</summary>
    public StorageEndpoint? Endpoint { get; }
}
