using Brisa.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Tests;

/// <summary>
/// Brisa's services as the Function App registers them (<c>AddBrisa</c>) over a storage account, with every log entry
/// kept; function classes are made from them as the host makes them (constructor injection).
/// </summary>
internal sealed class FunctionServices : IDisposable
{
    private readonly IHost host;

    public FunctionServices(string connectionString, Action<IServiceCollection>? configureServices = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = connectionString });
        builder.AddBrisa();
        builder.Services.AddLogging();
        builder.Services.AddSingleton<ILoggerProvider>(Logs);
        configureServices?.Invoke(builder.Services);
        host = builder.Build();
    }

    /// <summary>What the functions logged.</summary>
    public ListLoggerProvider Logs { get; } = new();

    /// <summary>A function class with its dependencies.</summary>
    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(host.Services);

    public void Dispose() => host.Dispose();
}
