using Azure.Core;
using Azure.Core.Pipeline;

namespace Brisa.Testing;

/// <summary>An SDK pipeline policy that records every request a client sends, for tests that assert which requests a path makes.</summary>
public sealed class RequestLog : HttpPipelineSynchronousPolicy
{
    private readonly List<(RequestMethod Method, Uri Uri)> requests = [];

    /// <summary><c>"&lt;method&gt; &lt;path&gt;"</c> of every request recorded.</summary>
    public IReadOnlyList<string> Paths => [.. Snapshot().Select(r => $"{r.Method} {r.Uri.AbsolutePath}")];

    /// <summary>The URI (query included) of every request recorded.</summary>
    public IReadOnlyList<Uri> Uris => [.. Snapshot().Select(r => r.Uri)];

    /// <summary>Forgets the requests recorded so far.</summary>
    public void Clear()
    {
        lock (requests)
        {
            requests.Clear();
        }
    }

    /// <summary>Options for a client whose every request this log records.</summary>
    public T Recording<T>(T options)
        where T : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(this, HttpPipelinePosition.PerCall);
        return options;
    }

    /// <inheritdoc />
    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (requests)
        {
            requests.Add((message.Request.Method, message.Request.Uri.ToUri()));
        }
    }

    private (RequestMethod Method, Uri Uri)[] Snapshot()
    {
        lock (requests)
        {
            return [.. requests];
        }
    }
}
