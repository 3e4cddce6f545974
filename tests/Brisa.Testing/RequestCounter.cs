using Azure.Core;
using Azure.Core.Pipeline;

namespace Brisa.Testing;

/// <summary>An SDK pipeline policy that counts the requests a client sends (retries included), for tests that assert round trips.</summary>
public sealed class RequestCounter : HttpPipelineSynchronousPolicy
{
    private int count;

    /// <summary>Requests sent since creation or the last <see cref="Reset"/>.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>Starts counting from zero.</summary>
    public void Reset() => Volatile.Write(ref count, 0);

    /// <inheritdoc />
    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref count);

    /// <summary>Options for a client whose every request this counter sees.</summary>
    public T Counting<T>(T options)
        where T : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(this, HttpPipelinePosition.PerCall);
        return options;
    }
}
