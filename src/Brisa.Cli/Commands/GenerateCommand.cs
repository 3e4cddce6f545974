using System.ComponentModel;
using System.Globalization;
using Brisa.Core.Generation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary><c>brisa generate</c>: a seeded, realistic fraud stream as CloudEvents JSON lines.</summary>
public sealed class GenerateCommand(IAnsiConsole console) : Command<GenerateCommand.Settings>
{
    /// <summary>Options of <c>generate</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Number of card holders.</summary>
        [CommandOption("--customers <N>")]
        [Description("Card holders (default 500).")]
        public int Customers { get; init; } = 500;

        /// <summary>Number of merchants.</summary>
        [CommandOption("--merchants <N>")]
        [Description("Merchants (default 100).")]
        public int Merchants { get; init; } = 100;

        /// <summary>Days of history.</summary>
        [CommandOption("--days <D>")]
        [Description("Days of history, ending now (default 14).")]
        public int Days { get; init; } = 14;

        /// <summary>Random seed.</summary>
        [CommandOption("--seed <S>")]
        [Description("Seed (default 42); the same seed and options give the same bytes when --start is given and --include-future is set (otherwise both depend on the clock).")]
        public long Seed { get; init; } = 42;

        /// <summary>Fraud share.</summary>
        [CommandOption("--fraud-rate <R>")]
        [Description("Share of fraudulent transactions (default 0.01).")]
        public double FraudRate { get; init; } = 0.01;

        /// <summary>First event time, as typed (parsed by <see cref="StartTime"/>).</summary>
        [CommandOption("--start <TIME>")]
        [Description("First event time, ISO 8601, UTC unless an offset is given (e.g. 2026-05-01 or 2026-05-01T06:00Z; default: now minus --days, on the hour).")]
        public string? Start { get; init; }

        /// <summary>The first event time, or null for the default.</summary>
        public DateTimeOffset? StartTime => Start is null ? null : CliTime.Parse(Start);

        /// <summary>Shift the amounts and channel mix half-way, for drift demos.</summary>
        [CommandOption("--shift")]
        [Description("Shift amounts and channel mix half-way through (for drift demos).")]
        public bool Shift { get; init; }

        /// <summary>Keep events later than now.</summary>
        [CommandOption("--include-future")]
        [Description("Keep events dated after now (by default they are held back: ingestion rejects events from the future). Without --start only chargebacks can be; with it, transactions too.")]
        public bool IncludeFuture { get; init; }

        /// <summary>Output file.</summary>
        [CommandOption("-o|--out <FILE>")]
        [Description("Write to this file instead of standard output.")]
        public string? Out { get; init; }

        /// <inheritdoc />
        /// <remarks>Checks the ranges <see cref="FraudStreamOptions.Validate"/> guards, in terms of the options a user typed.</remarks>
        public override ValidationResult Validate() =>
            Customers < 1 ? ValidationResult.Error($"--customers must be at least 1 (got {Customers}).")
            : Merchants < 1 ? ValidationResult.Error($"--merchants must be at least 1 (got {Merchants}).")
            : Days < 1 ? ValidationResult.Error($"--days must be at least 1 (got {Days}).")
            : FraudRate is not (>= 0 and <= 0.5) ? ValidationResult.Error($"--fraud-rate must be between 0 and 0.5 (got {FraudRate.ToString(CultureInfo.InvariantCulture)}).")
            : Start is not null && StartTime is null ? ValidationResult.Error($"--start '{Start}' is not an ISO 8601 time (e.g. 2026-05-01 or 2026-05-01T06:00Z).")

            // Every event would be held back: an empty stream and exit 0 would look like one was written.
            : !IncludeFuture && StartTime > DateTimeOffset.UtcNow ? ValidationResult.Error(string.Create(CultureInfo.InvariantCulture, $"--start ({StartTime:u}) is after now: every event would be held back (ingestion rejects events from the future). Give an earlier --start, or --include-future to write them anyway."))
            : ValidationResult.Success();

        /// <summary>The generator options these settings describe.</summary>
        public FraudStreamOptions ToOptions() => new()
        {
            Customers = Customers,
            Merchants = Merchants,
            Days = Days,
            Seed = Seed,
            FraudRate = FraudRate,
            Start = StartTime,
            Shift = Shift ? new FraudStreamShift() : null,
        };
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Out is not null && OutputProblem(settings.Out) is { } problem)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {problem}");
            return ExitCodes.BadInput;
        }

        var stream = FraudStreamGenerator.Generate(settings.ToOptions());
        var now = DateTimeOffset.UtcNow;
        var events = settings.IncludeFuture ? stream.Events : stream.Events.Where(e => e.Time <= now).ToList();
        if (settings.Out is null)
        {
            using var stdout = Console.OpenStandardOutput();
            FraudStreamJson.WriteJsonLines(events, stdout);
            return ExitCodes.Ok;
        }

        using (var file = File.Create(settings.Out))
        {
            FraudStreamJson.WriteJsonLines(events, file);
        }

        var transactions = events.OfType<TransactionEvent>().ToList();
        var heldTransactions = stream.Events.OfType<TransactionEvent>().Count() - transactions.Count;
        var heldChargebacks = stream.Events.Count - events.Count - heldTransactions;
        console.MarkupLineInterpolated(
            $"[green]wrote[/] {settings.Out}: {transactions.Count} transactions ({transactions.Count(t => t.IsFraud)} fraudulent), {events.Count - transactions.Count} chargebacks, {stream.Start:u} to {stream.End:u}; held back, dated after now (--include-future keeps them): {heldTransactions} transactions, {heldChargebacks} chargebacks.");
        return ExitCodes.Ok;
    }

    // Checked before generating, so a mistyped path is bad input named as such, not an I/O failure after the work.
    private static string? OutputProblem(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        return Directory.Exists(path) ? $"-o '{path}' is a folder; give a file name."
            : folder is not null && !Directory.Exists(folder) ? $"-o '{path}': the folder '{folder}' does not exist."
            : null;
    }
}
