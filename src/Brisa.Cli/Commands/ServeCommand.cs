using System.ComponentModel;
using Brisa.Azure.Registry;
using Brisa.Cli.Serving;
using Brisa.Functions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Brisa.Cli.Commands;

/// <summary><c>brisa serve</c>: the HTTP API on this machine, against Azurite (started here) or configured storage.</summary>
public sealed class ServeCommand(IAnsiConsole console) : AsyncCommand<ServeCommand.Settings>
{
    /// <summary>Options of <c>serve</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Port to listen on.</summary>
        [CommandOption("--port <PORT>")]
        [Description("Port on 127.0.0.1 (default 7071, as the Functions host).")]
        public int Port { get; init; } = 7071;

        /// <summary>A definitions file to pin.</summary>
        [CommandOption("--definitions <FILE>")]
        [Description("Serve these definitions instead of the registry's live version.")]
        public string? Definitions { get; init; }
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var storage = await LocalStorage.OpenAsync(cancellationToken);
        var definitionsFile = settings.Definitions;
        if (definitionsFile is null && await DefinitionRegistry.For(storage.Storage).GetPointerAsync(cancellationToken) is null)
        {
            // A fresh emulator has an empty registry: serve the sample so the API works out of the box.
            definitionsFile = SamplePaths.FraudDefinitions();
        }

        if (definitionsFile is not null && DefinitionFile.Load(console, definitionsFile) is null)
        {
            return ExitCodes.BadInput;
        }

        var url = new Uri($"http://127.0.0.1:{settings.Port}");
        await using var app = LocalFunctionsHost.Build(url, new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage.ConnectionString,
            ["Brisa:DefinitionsFile"] = definitionsFile,
        });
        await app.StartAsync(cancellationToken);
        console.MarkupLineInterpolated($"[green]Brisa API[/] on {url} ({storage.Description}); definitions: {definitionsFile ?? "registry"}. Ctrl+C stops.");
        foreach (var function in LocalFunctionsHost.Discover(typeof(HostingExtensions).Assembly))
        {
            console.MarkupLineInterpolated($"  {string.Join(",", function.Methods),-5} {url}api/{function.Route}");
        }

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[grey]stopping...[/]");
        }

        await app.StopAsync(CancellationToken.None);
        return ExitCodes.Ok;
    }
}
