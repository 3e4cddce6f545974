using System.ComponentModel;
using System.Net.Http.Headers;
using System.Text.Json;
using Brisa.Azure.EventHubs;
using Brisa.Cli.Serving;
using Brisa.Core.Ingestion;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary><c>brisa send</c>: CloudEvents JSON lines to the push endpoint or to Event Hubs.</summary>
public sealed class SendCommand(IAnsiConsole console) : AsyncCommand<SendCommand.Settings>
{
    /// <summary>Options of <c>send</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Input file.</summary>
        [CommandArgument(0, "[file]")]
        [Description("CloudEvents JSON lines (default: standard input).")]
        public string? File { get; init; }

        /// <summary>Push endpoint URL.</summary>
        [CommandOption("--url <URL>")]
        [Description("Push endpoint, e.g. http://127.0.0.1:7071/api/events.")]
        public string? Url { get; init; }

        /// <summary>Function key for the push endpoint.</summary>
        [CommandOption("--key <KEY>")]
        [Description("Function key for the push endpoint (default: $BRISA_FUNCTION_KEY).")]
        public string? Key { get; init; }

        /// <summary>Event Hubs namespace.</summary>
        [CommandOption("--namespace <FQDN>")]
        [Description("Event Hubs namespace, e.g. brisa-dev.servicebus.windows.net (identity-based, no keys).")]
        public string? Namespace { get; init; }

        /// <summary>Event hub name.</summary>
        [CommandOption("--hub <NAME>")]
        [Description("Event hub name (default: events).")]
        public string Hub { get; init; } = "events";

        /// <summary>Partition key field.</summary>
        [CommandOption("--partition-key <FIELD>")]
        [Description("Data field used as partition key (default: customer_id).")]
        public string PartitionKey { get; init; } = "customer_id";

        /// <summary>Events per push request.</summary>
        [CommandOption("--batch <N>")]
        [Description("Events per push request (default 500).")]
        public int Batch { get; init; } = 500;

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            (Url is null) == (Namespace is null)
                ? ValidationResult.Error("Give exactly one target: --url <push endpoint> or --namespace <Event Hubs namespace>.")
                : Url is not null && !IsPushUrl(Url)
                    ? ValidationResult.Error($"--url '{Url}' is not an absolute http:// or https:// URL.")
                    : Batch < 1 ? ValidationResult.Error("--batch must be at least 1.") : ValidationResult.Success();
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.File is not null && !File.Exists(settings.File))
        {
            console.MarkupLineInterpolated($"[red]error:[/] file '{settings.File}' does not exist.");
            return ExitCodes.BadInput;
        }

        var lines = settings.File is null ? ReadStdin() : File.ReadLines(settings.File);
        if (settings.Namespace is not null)
        {
            var events = lines.Where(l => !string.IsNullOrWhiteSpace(l)).Select(BinaryData.FromString);
            var sent = await SendToEventHubAsync(settings.Namespace, settings.Hub, events, settings.PartitionKey, cancellationToken);
            console.MarkupLineInterpolated($"[green]sent[/] {sent.Sent} events to {settings.Namespace}/{settings.Hub}.");
            WarnWithoutPartitionKey(console, sent, settings.PartitionKey);
            return ExitCodes.Ok;
        }

        var (accepted, rejected) = await PushAsync(new Uri(settings.Url!), settings.Key ?? FunctionKeys.FromEnvironment(), lines, settings.Batch, cancellationToken);
        console.Markup(rejected == 0 ? "[green]sent[/] " : "[yellow]sent[/] ");
        console.MarkupLineInterpolated($"{accepted} accepted, {rejected} rejected (rejected events are in dead-letter with their reasons).");
        return rejected == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>Posts the lines in batches; returns accepted and rejected counts.</summary>
    /// <exception cref="HttpRequestException">
    /// A request failed: the message says which lines were sent before it and from which line on nothing was.
    /// </exception>
    public static async Task<(int Accepted, int Rejected)> PushAsync(Uri url, string? key, IEnumerable<string> lines, int batchSize, CancellationToken cancellationToken, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var http = CreatePushClient();
        int accepted = 0, rejected = 0, sentThrough = 0;
        foreach (var batch in JsonLines.Batch(lines, batchSize, MaxPushBytes))
        {
            IReadOnlyList<PushedEvent> results;
            try
            {
                results = await PostAsync(http, url, key, batch.Body, "application/cloudevents-batch+json", cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Where the input stopped, so the operator sends the rest rather than all of it again (a timeout too).
                var sent = sentThrough == 0 ? "Nothing was sent" : $"Lines 1 to {sentThrough} were sent ({accepted} accepted, {rejected} rejected)";
                throw new HttpRequestException(
                    $"{ex.Message} {sent}; nothing from line {sentThrough + 1} on was: send those lines again (e.g. tail -n +{sentThrough + 1} FILE | brisa send …); an event sent twice is not counted twice.",
                    ex);
            }

            accepted += results.Count(r => r.Accepted);
            rejected += results.Count(r => !r.Accepted);
            sentThrough = batch.LastLine;
            progress?.Report(accepted + rejected);
        }

        return (accepted, rejected);
    }

    /// <summary>Sends to Event Hubs; a partition key field that none of the first events has is bad input (nothing sent).</summary>
    /// <exception cref="BadInputException">None of the first events has the field.</exception>
    internal static async Task<EventHubSendResult> SendToEventHubAsync(string ns, string hub, IEnumerable<BinaryData> events, string partitionKeyField, CancellationToken cancellationToken)
    {
        try
        {
            return await EventHubSender.SendAsync(ns, hub, events, partitionKeyField, null, cancellationToken);
        }
        catch (PartitionKeyFieldNotFoundException ex)
        {
            throw new BadInputException($"nothing sent: {ex.Message} Check --partition-key (default customer_id: the entity's join key).", ex);
        }
    }

    /// <summary>Says how many events went without a partition key (some lacked the field), when any did.</summary>
    internal static void WarnWithoutPartitionKey(IAnsiConsole console, EventHubSendResult sent, string partitionKeyField)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(sent);
        if (sent.WithoutPartitionKey > 0)
        {
            console.MarkupLineInterpolated($"[yellow]warning:[/] {sent.WithoutPartitionKey} of {sent.Sent} events had no data.{partitionKeyField} (a string or a number) and went without a partition key: the hub spread them over its partitions, so their entities' events may be ingested out of order.");
        }
    }

    /// <summary>True for an absolute http:// or https:// URL, what a push endpoint is.</summary>
    internal static bool IsPushUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>Largest batch body <see cref="PushAsync"/> sends (the push endpoint takes 4 MiB by default).</summary>
    public const int MaxPushBytes = 1024 * 1024;

    /// <summary>
    /// The HTTP client for <see cref="PostAsync"/>. It follows no redirect: HttpClient drops only the Authorization
    /// header on one, so the <c>x-functions-key</c> header (and, on a 307, the events) would go to whatever origin the
    /// redirect names; <see cref="PostAsync"/> reports the redirect instead.
    /// </summary>
    public static HttpClient CreatePushClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>Posts one body to the push endpoint as it is; returns the endpoint's result per event, in order.</summary>
    public static async Task<IReadOnlyList<PushedEvent>> PostAsync(HttpClient http, Uri url, string? key, byte[] body, string contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (!string.IsNullOrEmpty(key))
        {
            request.Headers.Add("x-functions-key", key);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode is >= 300 and < 400)
        {
            // The target without its query, as below: a ?code= there is a key too.
            var target = response.Headers.Location is { } location
                ? new Uri(url, location).GetLeftPart(UriPartial.Path)
                : "nowhere (no Location header)";
            throw new HttpRequestException(
                $"{url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}, a redirect to {target}, which is not followed (it would take the function key along): give that URL as --url if it is the endpoint.");
        }

        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode is not (System.Net.HttpStatusCode.OK or System.Net.HttpStatusCode.BadRequest) || !answer.TrimStart().StartsWith('{'))
        {
            // The endpoint without its query: a key given as ?code= must not end up in the message, nor in a CI log.
            throw new HttpRequestException($"{url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}: {answer[..Math.Min(answer.Length, 300)]}");
        }

        using var json = JsonDocument.Parse(answer);
        if (!json.RootElement.TryGetProperty("results", out var outcomes) || outcomes.ValueKind != JsonValueKind.Array)
        {
            // Not the push endpoint's answer (a gateway's, say): its words are the clue.
            throw new HttpRequestException($"{url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}: {answer[..Math.Min(answer.Length, 300)]}");
        }

        return outcomes.EnumerateArray()
            .Select(r => new PushedEvent(
                r.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
                r.GetProperty("status").GetString() == "accepted",
                r.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null))
            .ToArray();
    }

    private static IEnumerable<string> ReadStdin()
    {
        while (Console.In.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}

/// <summary>The push endpoint's result for one event.</summary>
/// <param name="Id">Its CloudEvent id, when readable.</param>
/// <param name="Accepted">Landed in the raw zone.</param>
/// <param name="Reason">Why it was rejected (it is in dead-letter with this reason).</param>
public sealed record PushedEvent(string? Id, bool Accepted, string? Reason);
