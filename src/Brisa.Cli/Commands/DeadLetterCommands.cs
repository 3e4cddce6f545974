using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Brisa.Azure.RawZone;
using Brisa.Cli.Serving;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary>Which dead-letter records a <c>brisa deadletter</c> command reads.</summary>
public class DeadLetterSettings : CommandSettings
{
    /// <summary>The source folder.</summary>
    [CommandOption("--source <SOURCE>")]
    [Description("Only this source (its name in the definitions, or _unrouted for events that named no known type).")]
    public string? Source { get; init; }

    /// <summary>Range start.</summary>
    [CommandOption("--from <TIME>")]
    [Description("Only records received at or after this time, ISO 8601, UTC unless an offset is given (e.g. 2026-05-01 or 2026-05-01T06:00Z).")]
    public string? From { get; init; }

    /// <summary>Range end.</summary>
    [CommandOption("--to <TIME>")]
    [Description("Only records received before this time (exclusive).")]
    public string? To { get; init; }

    /// <summary>Reason substring.</summary>
    [CommandOption("--reason <TEXT>")]
    [Description("Only records whose reason contains this text (case-insensitive), e.g. \"'JPY' is not allowed\".")]
    public string? Reason { get; init; }

    /// <summary>The filter the options describe (call after <see cref="Validate"/> succeeded).</summary>
    public DeadLetterFilter Filter() =>
        new() { Source = Source, From = CliTime.Parse(From), To = CliTime.Parse(To), Reason = string.IsNullOrEmpty(Reason) ? null : Reason };

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (Source is not null && Source != DeadLetterWriter.UnknownSource && !DefinitionNames.IsValidName(Source))
        {
            return ValidationResult.Error($"--source '{Source}' is not a source name (lowercase snake_case, as in the definitions, or {DeadLetterWriter.UnknownSource}).");
        }

        foreach (var (option, text) in new[] { ("--from", From), ("--to", To) })
        {
            if (text is not null && CliTime.Parse(text) is null)
            {
                return ValidationResult.Error($"{option} '{text}' is not an ISO 8601 time (e.g. 2026-05-01 or 2026-05-01T06:00Z).");
            }
        }

        return CliTime.Parse(From) is { } from && CliTime.Parse(To) is { } to && from >= to
            ? ValidationResult.Error($"--from ({from:u}) must be before --to ({to:u}).")
            : ValidationResult.Success();
    }

    /// <summary>The range in words, for the output.</summary>
    internal string DescribeRange() => (CliTime.Parse(From), CliTime.Parse(To)) switch
    {
        (null, null) => "at any time",
        ({ } from, null) => string.Create(CultureInfo.InvariantCulture, $"from {from:u}"),
        (null, { } to) => string.Create(CultureInfo.InvariantCulture, $"before {to:u}"),
        ({ } from, { } to) => string.Create(CultureInfo.InvariantCulture, $"in [{from:u}, {to:u})"),
    };
}

/// <summary>
/// The dead-letter container behind <c>brisa deadletter</c>: configured storage only (an emulator started here would
/// be empty). Nothing is ever deleted: the records are the audit trail of what was rejected.
/// </summary>
public abstract class DeadLetterCommand<TSettings>(IAnsiConsole console) : AsyncCommand<TSettings>
    where TSettings : DeadLetterSettings
{
    /// <summary>The console.</summary>
    protected IAnsiConsole Console { get; } = console;

    /// <summary>The console for messages (standard error with <c>--json</c>).</summary>
    protected virtual IAnsiConsole Messages(TSettings settings) => Console;

    /// <inheritdoc />
    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!LocalStorage.IsConfigured)
        {
            Messages(settings).MarkupLine("[red]error:[/] dead-lettered events live in a storage account: set AzureWebJobsStorage (a connection string, or identity-based '__blobServiceUri' settings).");
            return ExitCodes.BadInput;
        }

        await using var storage = await LocalStorage.OpenAsync(cancellationToken);
        return await RunAsync(DeadLetterReader.For(storage.Storage), settings, cancellationToken);
    }

    /// <summary>The command's work.</summary>
    protected abstract Task<int> RunAsync(DeadLetterReader reader, TSettings settings, CancellationToken cancellationToken);

    /// <summary>Says that nothing matched, naming the source folders there are (a mistyped --source shows).</summary>
    protected static async Task ReportNothingAsync(IAnsiConsole messages, DeadLetterReader reader, TSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(settings);
        var sources = await reader.ListSourcesAsync(cancellationToken);
        messages.MarkupLineInterpolated($"no dead-letter record matches (received {settings.DescribeRange()}). Source folders: {(sources.Count == 0 ? "none, nothing was ever rejected" : string.Join(", ", sources))}.");
    }

    /// <summary>A reason cut to a table cell's length.</summary>
    protected static string Shorten(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return reason.Length <= 120 ? reason : string.Concat(reason.AsSpan(0, 119), "…");
    }
}

/// <summary>Options of <c>deadletter list</c>.</summary>
public sealed class DeadLetterListSettings : DeadLetterSettings
{
    /// <summary>Print JSON.</summary>
    [CommandOption("--json")]
    [Description("Print the counts as JSON alone on standard output (each group with a full example reason).")]
    public bool Json { get; init; }
}

/// <summary><c>brisa deadletter list</c>: rejected events counted per source, receipt hour and reason.</summary>
public sealed class DeadLetterListCommand(IAnsiConsole console) : DeadLetterCommand<DeadLetterListSettings>(console)
{
    private static readonly JsonSerializerOptions JsonOutput = new(JsonSerializerDefaults.Web) { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <inheritdoc />
    protected override IAnsiConsole Messages(DeadLetterListSettings settings) => settings.Json ? ErrorConsole.Create() : Console;

    /// <inheritdoc />
    protected override async Task<int> RunAsync(DeadLetterReader reader, DeadLetterListSettings settings, CancellationToken cancellationToken)
    {
        var summary = await reader.SummarizeAsync(settings.Filter(), cancellationToken);
        if (settings.Json)
        {
            Console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(summary, JsonOutput));
            return ExitCodes.Ok;
        }

        if (summary.Total == 0)
        {
            await ReportNothingAsync(Console, reader, settings, cancellationToken);
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("source", "hour (UTC)", "reason").AddColumn(new TableColumn("events").RightAligned());
        foreach (var group in summary.Groups)
        {
            table.AddRow(
                Markup.Escape(group.Source),
                group.Hour.ToString("yyyy-MM-dd HH:00", CultureInfo.InvariantCulture),
                Markup.Escape(Shorten(group.Reason)),
                group.Count.ToString("N0", CultureInfo.InvariantCulture));
        }

        Console.Write(table);
        Console.MarkupLineInterpolated($"total: {summary.Total:N0} rejected event(s) received {settings.DescribeRange()}, in {summary.Groups.Count:N0} group(s) (where a group's reasons differ, what varies is masked: ids, numbers, times; --json shows a full reason per group).");
        Console.MarkupLine("Once the producer or the definitions are fixed, 'brisa deadletter replay' sends them again.");
        return ExitCodes.Ok;
    }
}

/// <summary>Options of <c>deadletter replay</c>.</summary>
public sealed class DeadLetterReplaySettings : DeadLetterSettings
{
    /// <summary>Count only.</summary>
    [CommandOption("--dry-run")]
    [Description("Only count what would be sent; send nothing.")]
    public bool DryRun { get; init; }

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
    [Description("Data field used as the Event Hubs partition key (default: customer_id).")]
    public string PartitionKey { get; init; } = "customer_id";

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var filter = base.Validate();
        return !filter.Successful ? filter
            : Url is not null && Namespace is not null ? ValidationResult.Error("Give one target: --url <push endpoint> or --namespace <Event Hubs namespace>, not both.")
            : !DryRun && Url is null && Namespace is null ? ValidationResult.Error("Give a target: --url <push endpoint> or --namespace <Event Hubs namespace> (or --dry-run to count only).")
            : Url is not null && !SendCommand.IsPushUrl(Url) ? ValidationResult.Error($"--url '{Url}' is not an absolute http:// or https:// URL.")
            : ValidationResult.Success();
    }
}

/// <summary>
/// <c>brisa deadletter replay</c>: sends the original bytes of matching dead-lettered events again, through the push
/// endpoint or Event Hubs as <c>brisa send</c> does, and reports what was accepted and what was rejected again.
/// </summary>
public sealed class DeadLetterReplayCommand(IAnsiConsole console) : DeadLetterCommand<DeadLetterReplaySettings>(console)
{
    private const string KeptNote = "Dead-letter records are kept (they are the audit trail); replaying them again does not double count: ingestion deduplicates by event id.";

    /// <inheritdoc />
    protected override async Task<int> RunAsync(DeadLetterReader reader, DeadLetterReplaySettings settings, CancellationToken cancellationToken)
    {
        var selection = await reader.SelectForReplayAsync(settings.Filter(), cancellationToken);
        if (selection.Records == 0)
        {
            await ReportNothingAsync(Console, reader, settings, cancellationToken);
            return ExitCodes.Ok;
        }

        Console.MarkupLineInterpolated($"{selection.Records:N0} dead-letter record(s) received {settings.DescribeRange()} match: {selection.Events.Count:N0} event(s) and {selection.Messages.Count:N0} whole message(s){(selection.Repeats > 0 ? $"; {selection.Repeats:N0} record(s) repeat bytes already selected (rejected more than once) and are sent once" : "")}.");
        if (selection.Messages.Count > 0)
        {
            Console.MarkupLineInterpolated($"[yellow]note:[/] {selection.Messages.Count:N0} whole message(s) could not be split into events when received (malformed JSON, or too many events in one message): each is sent alone exactly as received and will most likely be rejected again; fix those by hand.");
        }

        if (settings.DryRun)
        {
            Console.MarkupLineInterpolated($"dry run: would send {selection.Events.Count + selection.Messages.Count:N0} message(s); nothing sent.");
            return ExitCodes.Ok;
        }

        if (settings.Namespace is { } ns)
        {
            var bodies = selection.Events.Concat(selection.Messages).Select(r => BinaryData.FromBytes(r.OriginalBytes()));
            var sent = await SendCommand.SendToEventHubAsync(ns, settings.Hub, bodies, settings.PartitionKey, cancellationToken);
            Console.MarkupLineInterpolated($"[green]sent[/] {sent.Sent:N0} to {ns}/{settings.Hub}. Ingestion validates them as they arrive: any rejected again are dead-lettered again ('brisa deadletter list --from {DateTimeOffset.UtcNow:yyyy-MM-ddTHH:00Z}').");
            SendCommand.WarnWithoutPartitionKey(Console, sent, settings.PartitionKey);
            Console.MarkupLine(KeptNote);
            return ExitCodes.Ok;
        }

        var replay = await PushAsync(new Uri(settings.Url!), settings.Key ?? FunctionKeys.FromEnvironment(), selection, cancellationToken);
        var rejected = replay.Results.Where(r => !r.Accepted).ToArray();
        var accepted = replay.Results.Count - rejected.Length;
        if (replay.Error is null)
        {
            Console.Markup(rejected.Length == 0 ? "[green]replayed:[/] " : "[yellow]replayed:[/] ");
            Console.MarkupLineInterpolated($"{accepted:N0} accepted, {rejected.Length:N0} rejected again.");
        }
        else if (replay.Sent > 0)
        {
            Console.MarkupLineInterpolated($"[yellow]replayed before a request failed:[/] {replay.Sent:N0} of {replay.Selected:N0} record(s): {accepted:N0} accepted, {rejected.Length:N0} rejected again.");
        }

        if (rejected.Length > 0)
        {
            Console.MarkupLine("Rejected again (and dead-lettered again, under this hour) with these reasons:");
            var table = new Table().AddColumn("reason").AddColumn(new TableColumn("events").RightAligned());
            foreach (var group in RejectionReasons.Count(rejected.Select(r => r.Reason ?? "")))
            {
                table.AddRow(Markup.Escape(Shorten(group.Reason)), group.Count.ToString("N0", CultureInfo.InvariantCulture));
            }

            Console.Write(table);
        }

        if (replay.Error is { } error)
        {
            throw new HttpRequestException($"{error.Message} {DescribeStop(replay, selection, accepted, rejected.Length)}", error);
        }

        Console.MarkupLine(KeptNote);
        return rejected.Length == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    // How far a replay got, for the operator to judge the rerun (the records are not lines: there is nothing to tail).
    private static string DescribeStop(ReplayProgress replay, DeadLetterReplaySet selection, int accepted, int rejected)
    {
        var first = replay.Sent < selection.Events.Count ? selection.Events[replay.Sent] : selection.Messages[replay.Sent - selection.Events.Count];
        var what = first.EventId is { } id ? $"event '{id}'" : "a whole message";
        var done = replay.Sent == 0
            ? string.Create(CultureInfo.InvariantCulture, $"Nothing was replayed (none of the {replay.Selected:N0} selected record(s)).")
            : string.Create(CultureInfo.InvariantCulture, $"Replayed before it: {replay.Sent:N0} of {replay.Selected:N0} selected record(s) ({accepted:N0} accepted, {rejected:N0} rejected again); not replayed: the other {replay.Selected - replay.Sent:N0}, from {what} ({first.Source ?? DeadLetterWriter.UnknownSource}, received {first.ReceivedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}) on.");
        return $"{done} Run the same command again to replay them: it sends every selected record again, which is safe (ingestion deduplicates by event id: an event accepted before is not counted twice).";
    }

    // Events in batches, as 'brisa send' posts lines; each whole message alone and byte for byte, since putting it in
    // a batch would change the bytes that are dead-lettered again. Stops at the first request that fails, saying how
    // many records (events first, then messages: the order they go in) were sent before it.
    private static async Task<ReplayProgress> PushAsync(Uri url, string? key, DeadLetterReplaySet selection, CancellationToken cancellationToken)
    {
        using var http = SendCommand.CreatePushClient();
        var requests = JsonLines.Batch(selection.Events.Select(e => e.Original!), 500, SendCommand.MaxPushBytes)
            .Select(batch => (batch.Body, ContentType: "application/cloudevents-batch+json", Through: batch.LastLine))
            .Concat(selection.Messages.Select((message, i) => (Body: message.OriginalBytes(), ContentType: "application/json", Through: selection.Events.Count + i + 1)));
        var results = new List<PushedEvent>();
        var selected = selection.Events.Count + selection.Messages.Count;
        var sent = 0;
        foreach (var (body, contentType, through) in requests)
        {
            try
            {
                results.AddRange(await SendCommand.PostAsync(http, url, key, body, contentType, cancellationToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return new ReplayProgress(results, selected, sent, ex);
            }

            sent = through;
        }

        return new ReplayProgress(results, selected, sent, null);
    }

    // The endpoint's results so far, the records selected and sent (in order), and the failure that stopped it, if any.
    private sealed record ReplayProgress(IReadOnlyList<PushedEvent> Results, int Selected, int Sent, Exception? Error);
}
