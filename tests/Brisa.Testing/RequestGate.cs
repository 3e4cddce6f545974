using Azure.Core;
using Azure.Core.Pipeline;

namespace Brisa.Testing;

/// <summary>
/// An SDK pipeline policy that holds the first request matching a predicate until <see cref="Open"/>, so a test can
/// run another writer at that exact point (a barrier, not a sleep). Later requests pass freely.
/// </summary>
public sealed class RequestGate(Func<Request, bool> predicate) : HttpPipelinePolicy
{
    private readonly TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int held;

    /// <summary>Completes when the matching request has reached the gate (it has not been sent).</summary>
    public Task Reached => reached.Task;

    /// <summary>Lets the held request (and every later one) go.</summary>
    public void Open() => opened.TrySetResult();

    /// <summary>Options for a client whose requests pass this gate.</summary>
    public T Gating<T>(T options)
        where T : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(this, HttpPipelinePosition.PerCall);
        return options;
    }

    /// <inheritdoc />
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("The gate holds asynchronous requests only.");

    /// <inheritdoc />
    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (predicate(message.Request) && Interlocked.Exchange(ref held, 1) == 0)
        {
            reached.TrySetResult();
            await opened.Task.WaitAsync(TimeSpan.FromSeconds(30), message.CancellationToken);
        }

        await ProcessNextAsync(message, pipeline);
    }
}
