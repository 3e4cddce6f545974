using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Brisa.Azure.Offline;
using Brisa.Azure.Online;
using Brisa.Azure.Registry;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary>
/// <c>brisa materialize --from --to [--views]</c>: backfill the offline store (and the online values of batch-only
/// views) for a range from the raw zone, with a live progress bar and a summary table per view.
/// <c>brisa materialize --tiles [--views]</c>: rebuild streaming views' online tiles from the raw zone (<see cref="TileRebuilder"/>).
/// </summary>
public sealed class MaterializeCommand(IAnsiConsole console) : AsyncCommand<MaterializeCommand.Settings>
{
    /// <summary>Options of <c>materialize</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Range start.</summary>
        [CommandOption("--from <TIME>")]
        [Description("Range start, ISO 8601 on a whole hour, UTC unless an offset is given (e.g. 2026-05-01 or 2026-05-01T06:00Z). Moved back to its UTC day start. Not with --tiles.")]
        public string? From { get; init; }

        /// <summary>Range end.</summary>
        [CommandOption("--to <TIME>")]
        [Description("Range end (exclusive), ISO 8601 on a whole hour, after --from and no later than the start of the current UTC hour. Not with --tiles.")]
        public string? To { get; init; }

        /// <summary>Views to materialize.</summary>
        [CommandOption("--views <A,B>")]
        [Description("Comma-separated view names (default: every view; with --tiles, every streaming view).")]
        public string? Views { get; init; }

        /// <summary>A definitions file to use instead of the registry.</summary>
        [CommandOption("--definitions <FILE>")]
        [Description("Use these definitions instead of the registry's live version.")]
        public string? Definitions { get; init; }

        /// <summary>Skip the online table.</summary>
        [CommandOption("--no-online")]
        [Description("Do not write online values (for an old range: rows holding newer values are kept anyway, this saves the reads).")]
        public bool NoOnline { get; init; }

        /// <summary>Rebuild streaming views' online tiles instead of a range.</summary>
        [CommandOption("--tiles")]
        [Description("Instead of a range: rebuild the online tiles of streaming views from the raw zone, over each view's longest window (or its TTL, if longer) up to now, through the stream's own update path; for after a change of a view's tile layout (its stored tiles no longer count). Events the tiles hold already are skipped, so it is safe to repeat and to run while ingestion writes. Run it with the definitions ingestion uses, once its instances have picked them up.")]
        public bool Tiles { get; init; }
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        (DateTimeOffset From, DateTimeOffset To) range = default;
        if (settings.Tiles)
        {
            if (!CheckTileOptions(settings))
            {
                return ExitCodes.BadInput;
            }
        }
        else if (ParseRange(settings) is { } parsed)
        {
            range = parsed;
        }
        else
        {
            return ExitCodes.BadInput;
        }

        Func<FeatureRepositoryDefinition, string[]?> checkViews = settings.Tiles ? d => CheckStreamingViews(d, settings.Views) : d => CheckViews(d, settings.Views);
        FeatureRepositoryDefinition? definitions = null;
        if (settings.Definitions is not null && (definitions = DefinitionFile.Load(console, settings.Definitions)) is null)
        {
            return ExitCodes.BadInput;
        }

        // With a file the views are checked before any storage is touched; with the registry, right after reading it.
        if (definitions is not null && checkViews(definitions) is null)
        {
            return ExitCodes.BadInput;
        }

        if (!LocalStorage.IsConfigured)
        {
            // A private Azurite's raw zone is empty: the backfill would read nothing and report success.
            console.MarkupLine("[red]error:[/] materialize reads the raw zone of a storage account: set AzureWebJobsStorage (a connection string, or identity-based '__blobServiceUri' settings; a private Azurite would be empty; 'brisa demo' materializes generated data).");
            return ExitCodes.BadInput;
        }

        await using var storage = await LocalStorage.OpenAsync(cancellationToken);
        definitions ??= await DefinitionFile.LiveAsync(console, storage.Storage, cancellationToken);
        if (definitions is null)
        {
            return ExitCodes.BadInput;
        }

        if (checkViews(definitions) is not { } views)
        {
            return ExitCodes.BadInput;
        }

        var live = settings.Definitions is null ? null : await DefinitionRegistry.For(storage.Storage).LoadCurrentAsync(cancellationToken);
        if (settings.Tiles)
        {
            if (live is not null && TileConflictsWithLive(definitions, live, views) is { Length: > 0 } changed)
            {
                console.MarkupLineInterpolated($"[red]error:[/] --definitions defines streaming view(s) {string.Join(", ", changed)} otherwise than the registry's live version (features, tile or streaming): tiles rebuilt in that layout would be ignored by serving and replaced by ingestion. Apply the file first ('brisa apply'), then rebuild with the live definitions.");
                return ExitCodes.BadInput;
            }

            return await RebuildTilesAsync(storage, definitions, views, cancellationToken);
        }

        if (live is not null && !settings.NoOnline && ConflictsWithLive(definitions, live, views) is { Length: > 0 } conflicts)
        {
            console.MarkupLineInterpolated($"[red]error:[/] --definitions defines view(s) {string.Join(", ", conflicts)} otherwise than the registry's live version (features, tile or streaming): their online values would replace the served ones in a layout serving does not read (missing until the next incremental run), or a streaming view's tiles. Apply the file first ('brisa apply'), or add --no-online to backfill the offline store only.");
            return ExitCodes.BadInput;
        }

        console.MarkupLineInterpolated($"Materializing {views.Length} view(s) over [[{range.From:u}, {range.To:u}) against {storage.Description}.");
        if (range.From.UtcTicks % TimeSpan.TicksPerDay != 0)
        {
            console.MarkupLineInterpolated($"[grey]note: the range start is moved back to its UTC day start ({range.From.UtcDateTime.Date:yyyy-MM-dd} 00:00) so each date partition is complete.[/]");
        }

        var materializer = new FeatureMaterializer(storage.Storage, definitions);
        var clock = Stopwatch.StartNew();
        MaterializationSummary? summary = null;
        var sourceTimes = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var lastReport = TimeSpan.Zero;
        await WithRawHoursProgressAsync(async task =>
        {
            var progress = new SynchronousProgress<MaterializationProgress>(p =>
            {
                var now = clock.Elapsed;
                sourceTimes[p.Source] = sourceTimes.GetValueOrDefault(p.Source) + (now - lastReport);
                lastReport = now;
                ShowHour(task, p.Source, p.HourStart, p.HoursDone, p.HoursTotal, string.Create(CultureInfo.InvariantCulture, $"{p.Events:N0} events · {p.Rows:N0} rows"));
            });
            summary = await materializer.MaterializeAsync(range.From, range.To, views, new MaterializeOptions { WriteOnline = !settings.NoOnline }, progress, cancellationToken);
        });

        var elapsed = clock.Elapsed;
        var table = new Table().Title(string.Create(CultureInfo.InvariantCulture, $"Materialized [[{summary!.From:u}, {summary.To:u})"))
            .AddColumn("view").AddColumn(new TableColumn("rows written").RightAligned()).AddColumn(new TableColumn("files").RightAligned())
            .AddColumn(new TableColumn("online rows").RightAligned()).AddColumn(new TableColumn("time (source pass)").RightAligned());
        foreach (var view in summary.Views)
        {
            // Views of one source share one pass over its raw hours: the time shown is that pass's.
            var source = definitions.FeatureViews.First(v => v.Name == view.View).Source;
            table.AddRow(
                Markup.Escape(view.View),
                view.Rows.ToString("N0", CultureInfo.InvariantCulture),
                view.Files.ToString("N0", CultureInfo.InvariantCulture),
                view.OnlineRows.ToString("N0", CultureInfo.InvariantCulture),
                FormatTime(sourceTimes.GetValueOrDefault(source)));
        }

        table.AddEmptyRow();
        table.AddRow(
            "[bold]total[/]",
            summary.Views.Sum(v => v.Rows).ToString("N0", CultureInfo.InvariantCulture),
            summary.Views.Sum(v => v.Files).ToString("N0", CultureInfo.InvariantCulture),
            summary.Views.Sum(v => v.OnlineRows).ToString("N0", CultureInfo.InvariantCulture),
            FormatTime(elapsed));
        console.Write(table);
        console.MarkupLineInterpolated($"{summary.Events:N0} raw events read ({summary.Duplicates:N0} duplicates ignored), peak {summary.PeakEntities:N0} entities held.");
        console.MarkupLineInterpolated($"Feature statistics of this run: offline/_stats/<view>/runs/{(summary.Views.Count > 0 ? summary.Views[0].Statistics.RunId : "-")}.json (latest: offline/_stats/<view>/latest.json; shown by GET /api/catalog).");
        return ExitCodes.Ok;
    }

    /// <summary>Replays the raw zone into the views' online tiles, with a progress bar over the raw hours, and prints what it did.</summary>
    private async Task<int> RebuildTilesAsync(LocalStorage storage, FeatureRepositoryDefinition definitions, string[] views, CancellationToken cancellationToken)
    {
        var rebuilder = new TileRebuilder(storage.Storage, definitions);
        console.MarkupLineInterpolated($"Rebuilding the online tiles of {views.Length} streaming view(s) ({string.Join(", ", views)}) from the raw zone against {storage.Description}.");
        var clock = Stopwatch.StartNew();
        TileRebuildSummary? summary = null;
        await WithRawHoursProgressAsync(async task =>
        {
            var progress = new SynchronousProgress<TileRebuildProgress>(p =>
                ShowHour(task, p.Source, p.HourStart, p.HoursDone, p.HoursTotal, string.Create(CultureInfo.InvariantCulture, $"{p.Events:N0} events")));
            summary = await rebuilder.RebuildAsync(views, progress, cancellationToken);
        });

        // One row per view: what it was given (its source's raw hours and events) and what that did to its rows.
        var sources = summary!.Sources.ToDictionary(s => s.Source, StringComparer.Ordinal);
        var table = new Table().Title(string.Create(CultureInfo.InvariantCulture, $"Online tiles rebuilt for {summary.Now:u}"))
            .AddColumn("view").AddColumn("source").AddColumn("raw hours read").AddColumn(new TableColumn("events read").RightAligned())
            .AddColumn(new TableColumn("events applied").RightAligned()).AddColumn(new TableColumn("already in the tiles").RightAligned())
            .AddColumn(new TableColumn("rows written").RightAligned());
        foreach (var view in summary.Views)
        {
            var source = sources[view.Source];
            table.AddRow(
                Markup.Escape(view.View),
                Markup.Escape(view.Source),
                string.Create(CultureInfo.InvariantCulture, $"[[{source.From:u}, {source.To:u})"),
                source.Events.ToString("N0", CultureInfo.InvariantCulture),
                view.Applied.ToString("N0", CultureInfo.InvariantCulture),
                view.Duplicates.ToString("N0", CultureInfo.InvariantCulture),
                view.RowsWritten.ToString("N0", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        console.MarkupLineInterpolated($"{summary.Events:N0} raw events read in {FormatTime(clock.Elapsed)}; {summary.Views.Sum(v => v.RowsWritten):N0} rows written; {summary.Conflicts:N0} writes retried after another writer (the stream). Already in the tiles: applied by the stream or an earlier rebuild.");
        if (summary.Views.Where(v => v.RowsRestarted > 0).ToArray() is { Length: > 0 } restarted)
        {
            // What an operator runs this for after a deploy or an apply that changed the tiles: say those rows are repaired.
            console.MarkupLineInterpolated($"Of the rows written, {restarted.Sum(v => v.RowsRestarted):N0} held tiles of another layout (an older build's, or the view's before a change of its tiles) and now count their whole window again: {string.Join(", ", restarted.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.View} {v.RowsRestarted:N0}")))}.");
        }

        if (summary.TooLarge.Count > 0)
        {
            console.MarkupLineInterpolated($"[yellow]warning:[/] {summary.TooLarge.Count} row(s) left as they were: their tiles would pass Table storage's 1 MiB entity limit (docs/operations.md, 'An online row too large'): {string.Join(", ", summary.TooLarge.Take(10).Select(r => string.Create(CultureInfo.InvariantCulture, $"view '{r.View}', entity '{r.EntityKey}' ({r.Bytes} bytes)")))}{(summary.TooLarge.Count > 10 ? ", …" : "")}.");
        }

        return ExitCodes.Ok;
    }

    /// <summary>--tiles takes no range (each view's window fixes it) and writes online: says so and returns false when other options are given.</summary>
    private bool CheckTileOptions(Settings settings)
    {
        if (settings.From is not null || settings.To is not null)
        {
            console.MarkupLine("[red]error:[/] --tiles rebuilds each streaming view's tiles over its longest window (or its TTL, if longer) up to now: drop --from and --to.");
            return false;
        }

        if (settings.NoOnline)
        {
            console.MarkupLine("[red]error:[/] --tiles writes the online tiles: drop --no-online.");
            return false;
        }

        return true;
    }

    /// <summary>The requested streaming views (every streaming view when none is named), or null after printing what is wrong.</summary>
    private string[]? CheckStreamingViews(FeatureRepositoryDefinition definitions, string? requested)
    {
        if (CheckViews(definitions, requested) is not { } names)
        {
            return null;
        }

        var streaming = definitions.FeatureViews.Where(v => v.Streaming).Select(v => v.Name).ToArray();
        if (string.IsNullOrWhiteSpace(requested))
        {
            if (streaming.Length == 0)
            {
                console.MarkupLine("[red]error:[/] these definitions have no streaming view: --tiles has nothing to rebuild.");
                return null;
            }

            return streaming;
        }

        var batch = names.Where(n => !streaming.Contains(n, StringComparer.Ordinal)).ToArray();
        if (batch.Length > 0)
        {
            console.MarkupLineInterpolated($"[red]error:[/] --tiles rebuilds the tiles of streaming views; not streaming: {string.Join(", ", batch)} (the online values of a view with 'streaming: false' come from 'brisa materialize --from --to'). Streaming views: {(streaming.Length == 0 ? "none" : string.Join(", ", streaming))}.");
            return null;
        }

        return names;
    }

    /// <summary>Parses and checks --from and --to; prints what is wrong and returns null when they are not valid.</summary>
    private (DateTimeOffset From, DateTimeOffset To)? ParseRange(Settings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.From) || string.IsNullOrWhiteSpace(settings.To))
        {
            return Fail("--from and --to are required, e.g. 'brisa materialize --from 2026-05-01 --to 2026-05-08'.");
        }

        if (CliTime.Parse(settings.From) is not { } from)
        {
            return Fail($"--from '{settings.From}' is not an ISO 8601 time (e.g. 2026-05-01 or 2026-05-01T06:00Z).");
        }

        if (CliTime.Parse(settings.To) is not { } to)
        {
            return Fail($"--to '{settings.To}' is not an ISO 8601 time (e.g. 2026-05-08 or 2026-05-08T06:00Z).");
        }

        if (from.UtcTicks % TimeSpan.TicksPerHour != 0 || to.UtcTicks % TimeSpan.TicksPerHour != 0)
        {
            return Fail($"--from ({from:u}) and --to ({to:u}) must be whole hours.");
        }

        if (from >= to)
        {
            return Fail($"--from ({from:u}) must be before --to ({to:u}).");
        }

        // Nothing older can be in the raw zone; a mistyped year would otherwise list every hour since then (0026: 17 million).
        var earliest = new DecoderOptions().MinEventTime;
        if (from < earliest)
        {
            return Fail($"--from ({from:u}) is before {earliest:u}, the earliest event time ingestion accepts: the raw zone holds nothing older.");
        }

        // Batch views' online values are evaluated at --to: later than now (the end of the current hour too), their
        // windows slide past the present and drop events still inside them, and the online store keeps those values
        // over the incremental runs' until one of them reaches --to. The latest whole hour not after now is the start
        // of the current one.
        var now = DateTimeOffset.UtcNow;
        var latest = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);
        if (to > latest)
        {
            return Fail($"--to ({to:u}) is in the future: batch views' online values would be computed at that time, with windows slid past the present. The latest allowed --to is {latest:u} (the start of the current UTC hour).");
        }

        return (from, to);
    }

    private (DateTimeOffset, DateTimeOffset)? Fail(string message)
    {
        console.MarkupLineInterpolated($"[red]error:[/] {message}");
        return null;
    }

    /// <summary>The requested view names (null for every view), or null after printing the unknown ones.</summary>
    private string[]? CheckViews(FeatureRepositoryDefinition definitions, string? requested)
    {
        var known = definitions.FeatureViews.Select(v => v.Name).ToArray();
        if (string.IsNullOrWhiteSpace(requested))
        {
            return known;
        }

        var names = requested.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
        var unknown = names.Where(n => !known.Contains(n, StringComparer.Ordinal)).ToArray();
        if (names.Length == 0 || unknown.Length > 0)
        {
            console.MarkupLineInterpolated($"[red]error:[/] unknown view(s): {string.Join(", ", unknown.Length > 0 ? unknown : [requested])}. Known views: {string.Join(", ", known)}.");
            return null;
        }

        return names;
    }

    /// <summary>The views this run would write online whose live definition serving reads differently (another layout, or streaming tiles).</summary>
    private static string[] ConflictsWithLive(FeatureRepositoryDefinition definitions, FeatureRepositoryDefinition live, string[] views)
    {
        // Compiled as the materializer and the incremental slices compile them, so the layouts compare as they are written.
        var proposed = FeaturePlan.Compile(definitions, trackEventIds: false);
        var served = FeaturePlan.Compile(live, trackEventIds: false);
        return [.. views.Where(name =>
            proposed.FindView(name) is { Definition.Online: true, Definition.Streaming: false } view
            && served.FindView(name) is { Definition.Online: true } current
            && (current.Definition.Streaming || current.View.LayoutFingerprint != view.View.LayoutFingerprint))];
    }

    private static string[] TileConflictsWithLive(FeatureRepositoryDefinition definitions, FeatureRepositoryDefinition live, string[] views)
    {
        // Compiled as ingestion compiles them (event ids tracked): the layouts the stream writes and serving reads.
        var proposed = FeaturePlan.Compile(definitions, trackEventIds: true);
        var served = FeaturePlan.Compile(live, trackEventIds: true);
        return [.. views.Where(name =>
            served.FindView(name) is not { Definition.Streaming: true } current
            || current.View.LayoutFingerprint != proposed.FindView(name)!.View.LayoutFingerprint)];
    }

    /// <summary>Runs a pass over raw hours under one progress bar, completed when the pass ends.</summary>
    private Task WithRawHoursProgressAsync(Func<ProgressTask, Task> pass) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async progressContext =>
            {
                var task = progressContext.AddTask("raw hours", maxValue: 1);
                await pass(task);
                task.Value = task.MaxValue;
            });

    private static void ShowHour(ProgressTask task, string source, DateTimeOffset hourStart, int hoursDone, int hoursTotal, string counts)
    {
        task.MaxValue = Math.Max(1, hoursTotal);
        task.Value = hoursDone;
        task.Description = string.Create(CultureInfo.InvariantCulture, $"{Markup.Escape(source)} {hourStart.UtcDateTime:yyyy-MM-dd HH}:00 · {counts}");
    }

    private static string FormatTime(TimeSpan elapsed) =>
        elapsed.TotalMinutes >= 1 ? elapsed.ToString(@"m\:ss", CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.0} s");

    /// <summary>Reports on the calling thread (the materializer reports between hours), so the bar never lags behind.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
