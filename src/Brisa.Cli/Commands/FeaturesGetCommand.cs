using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Brisa.Azure.Online;
using Brisa.Core.Features;
using Brisa.Core.Serving;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary>
/// <c>brisa features get</c>: online feature values for some entities, read from the online store as
/// <c>POST /api/features/online</c> reads them (same request rules, statuses, TTL and event times).
/// </summary>
public sealed class FeaturesGetCommand(IAnsiConsole console) : AsyncCommand<FeaturesGetCommand.Settings>
{
    private static readonly JsonSerializerOptions JsonOutput = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Options of <c>features get</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The features.</summary>
        [CommandArgument(0, "[features]")]
        [Description("Features as view:feature (e.g. customer_1h:txn_count_1h); or use --service.")]
        public string[] Features { get; init; } = [];

        /// <summary>The entity keys.</summary>
        [CommandOption("-e|--entity <KEY=VALUE>")]
        [Description("An entity key, e.g. customer_id=c000014; repeat for more rows (and for the other entity of a row).")]
        public string[] Entities { get; init; } = [];

        /// <summary>A model whose features to read.</summary>
        [CommandOption("--service <MODEL>")]
        [Description("Read every view feature a model uses (its feature service) instead of listing features.")]
        public string? Service { get; init; }

        /// <summary>Print the HTTP API's JSON.</summary>
        [CommandOption("--json")]
        [Description("Print the answer as POST /api/features/online returns it.")]
        public bool Json { get; init; }

        /// <summary>Definitions file instead of the registry.</summary>
        [CommandOption("--definitions <FILE>")]
        [Description("Use this definitions file instead of the registry's live version.")]
        public string? Definitions { get; init; }

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            (Features.Length == 0) == (Service is null) ? ValidationResult.Error("Give the features to read (view:feature ...) or --service <model>, not both.")
            : Entities.Length == 0 ? ValidationResult.Error("Give at least one entity key: --entity <key>=<value>, e.g. --entity customer_id=c000014.")
            : Entities.FirstOrDefault(e => e.IndexOf('=', StringComparison.Ordinal) <= 0) is { } bad ? ValidationResult.Error($"--entity '{bad}' is not <key>=<value>, e.g. customer_id=c000014.")
            : ValidationResult.Success();

        /// <summary>The entity options as request columns: values of one key in the order given.</summary>
        public Dictionary<string, List<string>> EntityColumns()
        {
            var columns = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var entity in Entities)
            {
                // Split at the first '=': keys have no '=', values may.
                var at = entity.IndexOf('=', StringComparison.Ordinal);
                var key = entity[..at];
                if (!columns.TryGetValue(key, out var values))
                {
                    columns[key] = values = [];
                }

                values.Add(entity[(at + 1)..]);
            }

            return columns;
        }
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // With --json standard output carries the answer alone (for jq and scripts): warnings and errors go to stderr.
        var messages = settings.Json ? ErrorConsole.Create() : console;
        if (!LocalStorage.IsConfigured)
        {
            messages.MarkupLine("[red]error:[/] features get reads the online store of a storage account: set AzureWebJobsStorage (or run 'brisa demo --serve' and use the HTTP API).");
            return ExitCodes.BadInput;
        }

        await using var storage = await LocalStorage.OpenAsync(cancellationToken);
        var definitions = settings.Definitions is { } file
            ? DefinitionFile.Load(messages, file)
            : await DefinitionFile.LiveAsync(messages, storage.Storage, cancellationToken);
        if (definitions is null)
        {
            return ExitCodes.BadInput;
        }

        // The HTTP API's request, so the CLI and the API accept and refuse the same things with the same messages.
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            [settings.Service is null ? "features" : "feature_service"] = settings.Service ?? (object)settings.Features,
            ["entities"] = settings.EntityColumns(),
        });
        var plan = FeaturePlan.Compile(definitions, trackEventIds: true);
        OnlineFeatureRequest request;
        try
        {
            request = OnlineFeatureRequest.Parse(body, plan);
        }
        catch (ServingException ex)
        {
            messages.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return ExitCodes.BadInput;
        }

        var reader = OnlineFeatureReader.For(storage.Storage);
        var response = await reader.GetAsync(request, DateTimeOffset.UtcNow, cancellationToken);
        foreach (var view in reader.OtherLayoutViews)
        {
            // NOT_FOUND alone reads as an entity never seen: say the row is there, for the layout of an older build or definitions.
            messages.MarkupLineInterpolated($"[yellow]warning:[/] {OnlineFeatureReader.OtherLayoutMessage(plan.FindView(view)!)}");
        }

        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(response, JsonOutput));
            return ExitCodes.Ok;
        }

        console.Write(ToTable(request, response));
        return ExitCodes.Ok;
    }

    /// <summary>One line per entity row and feature: the row's keys, the feature, its value, status and event time.</summary>
    internal static Table ToTable(OnlineFeatureRequest request, OnlineFeatureResponse response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        var table = new Table().AddColumns("entity", "feature", "value", "status", "event time");
        var keyColumns = request.Entities.Count;
        for (var row = 0; row < request.RowCount; row++)
        {
            var entity = string.Join(", ", request.Entities.Select(e => $"{e.Key}={e.Value[row]}"));
            for (var f = keyColumns; f < response.Results.Count; f++)
            {
                var column = response.Results[f];
                var status = column.Statuses[row];
                table.AddRow(
                    Markup.Escape(entity),
                    Markup.Escape(response.Metadata.FeatureNames[f]),
                    Markup.Escape(Format(column.Values[row])),
                    status == "PRESENT" ? status : $"[yellow]{status}[/]",
                    column.EventTimestamps[row]?.ToString("u", CultureInfo.InvariantCulture) ?? "");
            }
        }

        return table;
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        double d => d.ToString("G10", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("u", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
