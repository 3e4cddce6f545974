using System.Globalization;
using System.Text.Json;

namespace Brisa.Cli.Serving;

/// <summary>
/// How <c>brisa serve</c> runs queue triggers: the numbers of <c>host.json</c>'s <c>extensions.queues</c> (read from
/// the copy embedded in the CLI, so the local host and the Function App use the same values), with the local cap on the
/// polling interval.
/// </summary>
public sealed record QueueTriggerOptions
{
    /// <summary>Locally a message should not wait the extension's default minute of back-off: polls are at most this far apart.</summary>
    public static readonly TimeSpan LocalPollingCap = TimeSpan.FromSeconds(2);

    /// <summary>Attempts before a failing message moves to <c>&lt;queue&gt;-poison</c> (<c>maxDequeueCount</c>; extension default 5).</summary>
    public int MaxDequeueCount { get; init; } = 5;

    /// <summary>How long a failed message stays invisible before its next attempt (<c>visibilityTimeout</c>; extension default 0).</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>Messages received, and processed in parallel, per poll (<c>batchSize</c>; extension default 16).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>The longest wait between polls of an empty queue (<c>maxPollingInterval</c>, capped at <see cref="LocalPollingCap"/>).</summary>
    public TimeSpan MaxPollingInterval { get; init; } = LocalPollingCap;

    /// <summary>True when messages are base64 text (<c>messageEncoding</c>: <c>base64</c>, the default, as Brisa's producers write them).</summary>
    public bool Base64 { get; init; } = true;

    /// <summary>
    /// How long a received message stays invisible while its function runs: <c>functionTimeout</c>, the longest an
    /// invocation may take (the host renews its lease instead; a local run longer than this may see the message twice).
    /// </summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The options of the <c>host.json</c> embedded in the CLI.</summary>
    public static QueueTriggerOptions FromHostJson() => Parse(EmbeddedFiles.Read(EmbeddedFiles.HostJson));

    /// <summary>The options of a <c>host.json</c> text; what it does not set keeps the extension's default.</summary>
    public static QueueTriggerOptions Parse(string hostJson)
    {
        using var document = JsonDocument.Parse(hostJson, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = document.RootElement;
        var options = new QueueTriggerOptions();
        if (root.TryGetProperty("functionTimeout", out var timeout) && Span(timeout) is { } lease && lease > TimeSpan.Zero)
        {
            options = options with { Lease = lease };
        }

        if (!root.TryGetProperty("extensions", out var extensions) || !extensions.TryGetProperty("queues", out var queues))
        {
            return options;
        }

        foreach (var property in queues.EnumerateObject())
        {
            options = property.Name.ToUpperInvariant() switch
            {
                "MAXDEQUEUECOUNT" => options with { MaxDequeueCount = property.Value.GetInt32() },
                "VISIBILITYTIMEOUT" => options with { VisibilityTimeout = Span(property.Value) ?? options.VisibilityTimeout },
                "BATCHSIZE" => options with { BatchSize = property.Value.GetInt32() },
                "MAXPOLLINGINTERVAL" when Span(property.Value) is { } interval && interval < LocalPollingCap => options with { MaxPollingInterval = interval },
                "MESSAGEENCODING" => options with { Base64 = !string.Equals(property.Value.GetString(), "none", StringComparison.OrdinalIgnoreCase) },
                _ => options,
            };
        }

        return options;
    }

    // host.json writes intervals as "hh:mm:ss" strings (maxPollingInterval may also be milliseconds).
    private static TimeSpan? Span(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => TimeSpan.Parse(value.GetString()!, CultureInfo.InvariantCulture),
        JsonValueKind.Number => TimeSpan.FromMilliseconds(value.GetDouble()),
        _ => null,
    };
}
