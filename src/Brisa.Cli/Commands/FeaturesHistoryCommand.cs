using System.ComponentModel;
using System.Globalization;
using Brisa.Azure.Training;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Rendering;

namespace Brisa.Cli.Commands;

/// <summary>
/// <c>brisa features history</c>: point-in-time feature values from the raw zone, as Parquet (Feast's historical
/// retrieval) — for rows of entity keys and times read from CSV, or the labelled set a model trains on.
/// </summary>
public sealed class FeaturesHistoryCommand(IAnsiConsole console) : AsyncCommand<FeaturesHistoryCommand.Settings>
{
    /// <summary>Options of <c>features history</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The features.</summary>
        [CommandArgument(0, "[features]")]
        [Description("Features as view:feature, or on-demand features by name; or use --service.")]
        public string[] Features { get; init; } = [];

        /// <summary>A model whose features to read.</summary>
        [CommandOption("--service <MODEL>")]
        [Description("Every feature and request field of a model; without --entities, the labelled set 'brisa train' would train it on now.")]
        public string? Service { get; init; }

        /// <summary>The rows.</summary>
        [CommandOption("--entities <FILE>")]
        [Description("CSV with a header: event_timestamp, the join keys the features need, their request fields, optionally row_id.")]
        public string? Entities { get; init; }

        /// <summary>Where to write.</summary>
        [CommandOption("-o|--out <FILE>")]
        [Description("The Parquet file to write: row_id, observation_time, keys, request fields, features (view__feature), label.")]
        public string? Out { get; init; }

        /// <summary>Rows see only events before their time.</summary>
        [CommandOption("--strictly-before")]
        [Description("A row sees events strictly before its time (as training does: rows that are events themselves do not see themselves); default: at or before.")]
        public bool StrictlyBefore { get; init; }

        /// <summary>How far back the model's observations go.</summary>
        [CommandOption("--history-days <D>")]
        [Description("With --service and no --entities: days of observations (default 90, as train).")]
        public int HistoryDays { get; init; } = 90;

        /// <summary>Definitions file instead of the registry.</summary>
        [CommandOption("--definitions <FILE>")]
        [Description("Use this definitions file instead of the registry's live version.")]
        public string? Definitions { get; init; }

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            (Features.Length == 0) == (Service is null) ? ValidationResult.Error("Give the features (view:feature ...) or --service <model>, not both.")
            : Entities is null && Service is null ? ValidationResult.Error("Give the rows: --entities <file.csv> (event_timestamp and join key columns), or --service <model> for its training set.")
            : Entities is null && StrictlyBefore ? ValidationResult.Error("--strictly-before applies to --entities rows; a model's training set always uses events strictly before each observation.")
            : Out is null ? ValidationResult.Error("Give the file to write: -o <file.parquet>.")
            : HistoryDays < 1 ? ValidationResult.Error($"--history-days must be at least 1 (got {HistoryDays}).")
            : ValidationResult.Success();
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        FeatureRepositoryDefinition? fromFile = null;
        if (settings.Definitions is { } file && (fromFile = DefinitionFile.Load(console, file)) is null)
        {
            return ExitCodes.BadInput;
        }

        // Checked before a minute of reading, not after it.
        if (Path.GetDirectoryName(Path.GetFullPath(settings.Out!)) is { } folder && !Directory.Exists(folder))
        {
            console.MarkupLineInterpolated($"[red]error:[/] cannot write {settings.Out}: no folder {folder}.");
            return ExitCodes.BadInput;
        }

        string? csv = null;
        if (settings.Entities is { } entities)
        {
            if (!File.Exists(entities))
            {
                console.MarkupLineInterpolated($"[red]error:[/] no such file: {entities}");
                return ExitCodes.BadInput;
            }

            csv = await File.ReadAllTextAsync(entities, cancellationToken);
        }

        if (!LocalStorage.IsConfigured)
        {
            console.MarkupLine("[red]error:[/] features history reads the raw zone of a storage account: set AzureWebJobsStorage (a connection string, or identity-based '__blobServiceUri' settings).");
            return ExitCodes.BadInput;
        }

        await using var storage = await LocalStorage.OpenAsync(cancellationToken);
        if ((fromFile ?? await DefinitionFile.LiveAsync(console, storage.Storage, cancellationToken)) is not { } definitions)
        {
            return ExitCodes.BadInput;
        }

        if (settings.Service is { } service && definitions.FindModel(service) is null)
        {
            console.MarkupLineInterpolated($"[red]error:[/] unknown model '{service}'. {definitions.ModelNameHint(service)}.");
            return ExitCodes.BadInput;
        }

        TrainingSet set;
        ObservationSet? labelled = null;
        try
        {
            if (csv is null)
            {
                (labelled, set) = await console.Status().StartAsync("reading the raw zone", status => new ModelTrainingPipeline(storage.Storage).BuildDatasetAsync(
                    definitions, settings.Service!, TimeSpan.FromDays(settings.HistoryDays), new Progress<string>(stage => status.Status(stage)), cancellationToken));
            }
            else
            {
                set = await ForRowsAsync(definitions, settings, csv, storage, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            var where = ex is FormatException ? $"{settings.Entities}: " : "";
            console.MarkupLineInterpolated($"[red]error:[/] {where}{ex.Message}");
            return ExitCodes.BadInput;
        }

        await using (var output = File.Create(settings.Out!))
        {
            await TrainingSetParquet.WriteAsync(set, output, cancellationToken);
        }

        console.Write(Summary(set, settings.Out!));
        if (labelled is { ImmatureDropped: > 0 } observations)
        {
            // Why a young stream gives few rows (or none): what train would leave out too.
            console.MarkupLineInterpolated($"{observations.ImmatureDropped:N0} more observation(s) of the last {settings.HistoryDays} days are left out: their label window (label.within) is still open, so their labels are not final.");
        }

        return ExitCodes.Ok;
    }

    private static async Task<TrainingSet> ForRowsAsync(FeatureRepositoryDefinition definitions, Settings settings, string csv, LocalStorage storage, CancellationToken cancellationToken)
    {
        var plan = FeaturePlan.Compile(definitions, trackEventIds: false);
        var options = new TrainingSetOptions { PointInTime = settings.StrictlyBefore ? PointInTimeMode.BeforeObservation : PointInTimeMode.AtObservation };
        var builder = settings.Service is { } service
            ? TrainingSetBuilder.ForModel(plan, definitions.FindModel(service)!, options)
            : new TrainingSetBuilder(plan, settings.Features.Select(FeatureReference.Parse).ToArray(), options: options);
        var rows = EntityRows.ReadCsv(csv, builder.Requirements);
        return await new HistoricalFeatures(storage.Storage).BuildAsync(plan, builder, rows, cancellationToken);
    }

    /// <summary>What was written: rows, time range, columns, and how each view found the rows' entities.</summary>
    internal static Rows Summary(TrainingSet set, string path)
    {
        ArgumentNullException.ThrowIfNull(set);
        var ticks = set.ObservationTicks;
        var range = ticks.IsEmpty ? "no rows" : $"{Time(ticks[0])} to {Time(ticks[^1])}";
        var label = set.Label is null ? "" : ", with the label";
        var lines = new List<IRenderable>
        {
            new Markup(Markup.Escape($"{set.RowCount:N0} row(s), {range}: {set.Features.Count()} feature(s){label} written to {path} (Parquet)")),
        };
        if (set.ViewCounts.Count > 0)
        {
            var table = new Table().AddColumns("view").AddColumns(
                new TableColumn("found").RightAligned(), new TableColumn("not found").RightAligned(), new TableColumn("outside max age (TTL)").RightAligned());
            foreach (var (view, counts) in set.ViewCounts)
            {
                table.AddRow(Markup.Escape(view), Count(counts.Present), Count(counts.NotFound), Count(counts.OutsideMaxAge));
            }

            lines.Add(table);
        }

        return new Rows(lines);
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Time(long unixTicks) => TiledView.FromUnixTicks(unixTicks).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
