using System.ComponentModel;
using System.Globalization;
using Brisa.Azure.Models;
using Brisa.Azure.Registry;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary>Arguments shared by the <c>brisa models</c> commands.</summary>
public class ModelSettings : CommandSettings
{
    /// <summary>The model.</summary>
    [CommandArgument(0, "<model>")]
    [Description("The model, as named in the definitions.")]
    public string Model { get; init; } = "";

    /// <inheritdoc />
    public override ValidationResult Validate() =>
        DefinitionNames.IsValidName(Model) ? ValidationResult.Success() : ValidationResult.Error($"'{Model}' is not a model name (lowercase snake_case, as in the definitions).");
}

/// <summary>The registry behind <c>brisa models</c>: configured storage only (an emulator started here would be empty).</summary>
public abstract class ModelsCommand<TSettings>(IAnsiConsole console) : AsyncCommand<TSettings>
    where TSettings : ModelSettings
{
    /// <summary>The console.</summary>
    protected IAnsiConsole Console { get; } = console;

    /// <inheritdoc />
    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!LocalStorage.IsConfigured)
        {
            Console.MarkupLine("[red]error:[/] the model registry lives in a storage account: set AzureWebJobsStorage (a connection string, or identity-based '__blobServiceUri' settings).");
            return ExitCodes.BadInput;
        }

        await using var storage = await LocalStorage.OpenAsync(cancellationToken);
        var registry = new ModelRegistry(storage.Storage);
        var versions = await registry.ListVersionsAsync(settings.Model, cancellationToken);
        if (versions.Count == 0)
        {
            // A typo and a model not trained yet look alike in the registry; the live definitions tell them apart.
            var live = await DefinitionRegistry.For(storage.Storage).LoadCurrentAsync(cancellationToken);
            if (live is not null && live.FindModel(settings.Model) is null)
            {
                Console.MarkupLineInterpolated($"[red]error:[/] unknown model '{settings.Model}'. {live.ModelNameHint(settings.Model)}.");
            }
            else
            {
                Console.MarkupLineInterpolated($"[red]error:[/] model '{settings.Model}' has no trained version yet: 'brisa train {settings.Model}' trains one.");
            }

            return ExitCodes.BadInput;
        }

        // A named version must be a complete one: a typo is bad input, answered with the versions there are.
        if (settings is ModelVersionSettings { Version: { } version } && !versions.Contains(version, StringComparer.Ordinal))
        {
            Console.MarkupLineInterpolated($"[red]error:[/] model '{settings.Model}' has no version '{version}'. Versions: {string.Join(", ", versions)}.");
            return ExitCodes.BadInput;
        }

        return await RunAsync(registry, versions, settings, cancellationToken);
    }

    /// <summary>The command's work, given the model's complete versions (oldest first).</summary>
    protected abstract Task<int> RunAsync(ModelRegistry registry, IReadOnlyList<string> versions, TSettings settings, CancellationToken cancellationToken);

    /// <summary>
    /// Changes the champion (promote, rollback) under <c>--expect-champion</c>: when the registry refuses because the
    /// champion is another version, says which one and returns null; a concurrent update that left the expected
    /// champion in place is rethrown (nothing to look at again, just a race).
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <param name="settings">The command's arguments.</param>
    /// <param name="notDone">What did not happen, for the message ("promoted", "rolled back").</param>
    /// <param name="change">The registry call, checking <see cref="ModelVersionSettings.ExpectChampion"/> with the alias update.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The new aliases, or null when the champion was not the expected one.</returns>
    protected async Task<ModelAliases?> ChangeChampionAsync(ModelRegistry registry, ModelVersionSettings settings, string notDone, Func<Task<ModelAliases>> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(change);
        try
        {
            return await change();
        }
        catch (ModelConcurrencyException) when (settings.ExpectChampion is not null)
        {
            // Refused or raced: only a champion other than the expected one is the operator's to look at again.
            var champion = (await registry.GetAliasesAsync(settings.Model, cancellationToken)).Aliases.Champion;
            if (champion == settings.ExpectChampion)
            {
                throw;
            }

            Console.MarkupLineInterpolated($"[red]error:[/] the champion of {settings.Model} is {champion ?? "none"}, not {settings.ExpectChampion} (--expect-champion): nothing was {notDone}. Check it with 'brisa models list {settings.Model}'.");
            return null;
        }
    }
}

/// <summary><c>brisa models list &lt;model&gt;</c>: versions, aliases and headline metrics.</summary>
public sealed class ModelsListCommand(IAnsiConsole console) : ModelsCommand<ModelSettings>(console)
{
    /// <inheritdoc />
    protected override async Task<int> RunAsync(ModelRegistry registry, IReadOnlyList<string> versions, ModelSettings settings, CancellationToken cancellationToken)
    {
        var aliases = (await registry.GetAliasesAsync(settings.Model, cancellationToken)).Aliases;
        var reports = new List<(string Version, TrainingReport? Report)>();
        foreach (var version in versions)
        {
            reports.Add((version, await registry.GetMetadataAsync(settings.Model, version, cancellationToken)));
        }

        // A classifier's headline is its ranking and savings, a regression's its errors; a model whose task changed
        // between versions shows both.
        var regression = reports.Any(r => r.Report?.Task == ModelTask.Regression);
        var binary = !regression || reports.Any(r => r.Report is { Task: not ModelTask.Regression });
        var table = new Table().AddColumns("version", "alias", "trained");
        if (binary)
        {
            table.AddColumns("AUC", "saved (out-of-sample)", "threshold");
        }

        if (regression)
        {
            table.AddColumns("RMSE", "MAE", "R²");
        }

        foreach (var (version, report) in reports)
        {
            var alias = version == aliases.Champion ? "[green]champion[/]" : version == aliases.Challenger ? "challenger" : "";
            var cells = new List<string> { version, alias, report?.TrainedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "" };
            if (binary)
            {
                cells.Add(report?.Evaluation.Binary?.Auc.ToString("0.000", CultureInfo.InvariantCulture) ?? "");
                // Out-of-sample; a version whose report has only the in-sample saving says so.
                cells.Add(report?.Evaluation.Business is { } b
                    ? Markup.Escape(TrainingReportView.FormatMoney(b.ReportedSaved, b.Currency) + string.Create(CultureInfo.InvariantCulture, $" ({b.ReportedSavedFraction:P1})") + (b.OutOfSample is null ? " in-sample" : ""))
                    : "");
                cells.Add(report?.Threshold?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "");
            }

            if (regression)
            {
                var errors = report?.Evaluation.Regression;
                cells.Add(errors?.Rmse.ToString("#,0.000", CultureInfo.InvariantCulture) ?? "");
                cells.Add(errors?.Mae.ToString("#,0.000", CultureInfo.InvariantCulture) ?? "");
                cells.Add(errors?.RSquared.ToString("0.000", CultureInfo.InvariantCulture) ?? "");
            }

            table.AddRow([.. cells]);
        }

        Console.Write(table);
        return ExitCodes.Ok;
    }
}

/// <summary>Arguments of <c>promote</c> and <c>rollback</c>.</summary>
public class ModelVersionSettings : ModelSettings
{
    /// <summary>The version.</summary>
    [CommandArgument(1, "[version]")]
    [Description("The version (rollback: default the previous champion).")]
    public string? Version { get; init; }

    /// <summary>Why.</summary>
    [CommandOption("--reason <TEXT>")]
    [Description("Why, recorded in the model's history.")]
    public string Reason { get; init; } = "manual";

    /// <summary>The champion the operator decided to replace.</summary>
    [CommandOption("--expect-champion <VERSION>")]
    [Description("Change the champion only if this version is still the champion (checked with the alias update): a version promoted since is not replaced.")]
    public string? ExpectChampion { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate() =>
        base.Validate() is { Successful: false } invalid ? invalid
        : Version is not null && !ModelVersionId.IsValid(Version) ? ValidationResult.Error($"'{Version}' is not a model version (v<yyyyMMddHHmmssfff>-<hash8>, as 'brisa models list {Model}' shows them).")
        : ExpectChampion is not null && !ModelVersionId.IsValid(ExpectChampion) ? ValidationResult.Error($"--expect-champion '{ExpectChampion}' is not a model version (v<yyyyMMddHHmmssfff>-<hash8>, as 'brisa models list {Model}' shows them).")
        : ValidationResult.Success();
}

/// <summary><c>brisa models promote &lt;model&gt; &lt;version&gt;</c>: make a version champion by hand (recorded; skips the policy).</summary>
public sealed class ModelsPromoteCommand(IAnsiConsole console) : ModelsCommand<ModelVersionSettings>(console)
{
    /// <inheritdoc />
    protected override async Task<int> RunAsync(ModelRegistry registry, IReadOnlyList<string> versions, ModelVersionSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Version is not { } version)
        {
            Console.MarkupLine("[red]error:[/] name the version to promote ('brisa models list <model>' shows them).");
            return ExitCodes.BadInput;
        }

        // The registry promotes only if the champion is still this one (checked against the aliases' ETag).
        var expected = settings.ExpectChampion ?? (await registry.GetAliasesAsync(settings.Model, cancellationToken)).Aliases.Champion;
        if (await ChangeChampionAsync(
                registry,
                settings,
                "promoted",
                () => registry.PromoteAsync(settings.Model, version, expected, settings.Reason, Environment.UserName, cancellationToken),
                cancellationToken) is not { } aliases)
        {
            return ExitCodes.BadInput;
        }

        Console.MarkupLineInterpolated($"[green]champion[/] of {settings.Model} is now {aliases.Champion} (was {expected ?? "none"}).");
        return ExitCodes.Ok;
    }
}

/// <summary><c>brisa models rollback &lt;model&gt; [version]</c>: restore the previous champion (or a named version).</summary>
public sealed class ModelsRollbackCommand(IAnsiConsole console) : ModelsCommand<ModelVersionSettings>(console)
{
    /// <inheritdoc />
    protected override async Task<int> RunAsync(ModelRegistry registry, IReadOnlyList<string> versions, ModelVersionSettings settings, CancellationToken cancellationToken)
    {
        ModelAliases? aliases;
        try
        {
            aliases = await ChangeChampionAsync(
                registry,
                settings,
                "rolled back",
                () => registry.RollbackAsync(settings.Model, settings.Version, settings.Reason, Environment.UserName, settings.ExpectChampion, cancellationToken),
                cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            // Nothing to go back to, or the version named is the champion already: the operator's call to make again.
            Console.MarkupLineInterpolated($"[red]error:[/] {ex.Message} Versions: 'brisa models list {settings.Model}'.");
            return ExitCodes.BadInput;
        }

        if (aliases is null)
        {
            return ExitCodes.BadInput;
        }

        Console.MarkupLineInterpolated($"[green]rolled back[/]: champion of {settings.Model} is now {aliases.Champion}.");
        return ExitCodes.Ok;
    }
}
