using Brisa.Azure.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Brisa.Functions;

/// <summary>Wires Brisa's services into the Functions host.</summary>
public static class HostingExtensions
{
    /// <summary>Adds storage clients and the Brisa core services.</summary>
    public static IHostApplicationBuilder AddBrisa(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(_ => BrisaStorage.FromConfiguration(builder.Configuration));
        // IEventIngestor (used by IngestEvents and the push endpoint) is registered here once it is implemented.
        return builder;
    }
}
