using System.ComponentModel;
using System.Diagnostics;
using Brisa.Azure.Registry;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary><c>brisa apply &lt;file&gt;</c>: publish the definitions to the registry, recording the git commit.</summary>
public sealed class ApplyCommand(IAnsiConsole console) : AsyncCommand<ApplyCommand.Settings>
{
    /// <summary>Arguments of <c>apply</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The definitions file.</summary>
        [CommandArgument(0, "<file>")]
        [Description("The feature definition file (YAML).")]
        public string File { get; init; } = "";

        /// <summary>The git commit to record.</summary>
        [CommandOption("--commit <SHA>")]
        [Description("Git commit to record (default: $GITHUB_SHA, else the commit checked out where the file is, with '-dirty' when the file has uncommitted changes).")]
        public string? Commit { get; init; }

        /// <summary>Apply even when the plan has breaking changes.</summary>
        [CommandOption("--allow-breaking")]
        [Description("Apply even when the plan has breaking changes (a model or view depends on what is removed or redefined).")]
        public bool AllowBreaking { get; init; }
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (DefinitionFile.Load(console, settings.File) is not { } definitions)
        {
            return ExitCodes.BadInput;
        }

        if (!LocalStorage.IsConfigured)
        {
            console.MarkupLine("[red]error:[/] apply needs a registry to write to: set AzureWebJobsStorage (a connection string, or identity-based '__blobServiceUri' settings).");
            return ExitCodes.BadInput;
        }

        await using var storage = await LocalStorage.OpenAsync(cancellationToken);
        var registry = DefinitionRegistry.For(storage.Storage);
        var plan = await registry.PlanChangesAsync(definitions, cancellationToken);
        PlanCommand.Render(console, plan.Changes);
        PlanCommand.RenderDeployedWarnings(console, plan);
        if (plan.Changes.Any(c => c.IsBreaking) && !settings.AllowBreaking)
        {
            console.MarkupLineInterpolated($"[red]error:[/] the plan has {plan.Changes.Count(c => c.IsBreaking)} breaking change(s); nothing was applied. Retrain or update the dependent models first, or pass --allow-breaking to apply anyway.");
            return ExitCodes.BadInput;
        }

        var commit = settings.Commit ?? (Environment.GetEnvironmentVariable("GITHUB_SHA") is { Length: > 0 } sha ? sha : FileCommit(settings.File));
        if (settings.Commit is null && commit?.EndsWith(DirtySuffix, StringComparison.Ordinal) == true)
        {
            console.MarkupLineInterpolated($"[yellow]warning:[/] {settings.File} has uncommitted changes: the registry records commit {commit}, which does not hold what is applied.");
        }

        // Applied only over the version the plan above was computed against: fails if another apply moved it since.
        var pointer = await registry.ApplyAsync(definitions, plan, commit, DateTimeOffset.UtcNow, cancellationToken);
        console.MarkupLineInterpolated($"[green]Applied[/] version {pointer.Version[..12]} (commit {pointer.GitCommit ?? "unknown"}).");
        return ExitCodes.Ok;
    }

    private const string DirtySuffix = "-dirty";

    // The commit checked out in the file's own folder (git run where brisa runs may be another repository, or none),
    // "-dirty" when the file differs from it (edited, untracked or ignored); null outside a repository or without git.
    private static string? FileCommit(string file)
    {
        var path = Path.GetFullPath(file);
        var folder = Path.GetDirectoryName(path)!;
        if (Git(folder, "rev-parse", "HEAD") is not { Length: > 0 } head)
        {
            return null;
        }

        return Git(folder, "status", "--porcelain", "--ignored", "--", Path.GetFileName(path)) is "" ? head : head + DirtySuffix;
    }

    private static string? Git(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var git = Process.Start(start);
            if (git is null)
            {
                return null;
            }

            // Both pipes are drained, so git never blocks on a full one ("not a git repository" is expected).
            var errors = git.StandardError.ReadToEndAsync();
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            errors.Wait();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
