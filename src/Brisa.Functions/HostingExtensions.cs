using Brisa.Azure.Ingestion;
using Brisa.Azure.Models;
using Brisa.Azure.Monitoring;
using Brisa.Azure.Offline;
using Brisa.Azure.Serving;
using Brisa.Azure.Online;
using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Azure.Training;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;
using Brisa.Functions.Ingestion;
using Brisa.Functions.Serving;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Brisa.Functions;

/// <summary>Wires Brisa's services into the Functions host.</summary>
public static class HostingExtensions
{
    /// <summary>Adds storage clients, the live definitions and the ingestion path.</summary>
    public static IHostApplicationBuilder AddBrisa(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => BrisaStorage.FromConfiguration(builder.Configuration));
        services.AddSingleton(sp => CreateDefinitionsSource(builder.Configuration, sp));
        // Brisa:Online:MaxParallelism, :CachedRows, :MaxConflictRetries tune the stream's online tile writes.
        services.AddSingleton(OnlineOptions(builder.Configuration));
        // Incremental materialization (MaterializeFeatures timer, MaterializeSlice queue): Brisa:Materialize:Lateness,
        // :InitialLookback, :Source (optional); the schedule is the binding's Brisa:MaterializeSchedule. Ingestion reads
        // the same options to record late days for the runs to re-materialize.
        var materializeOptions = builder.Configuration.GetSection("Brisa:Materialize").Get<IncrementalMaterializeOptions>() ?? new IncrementalMaterializeOptions();
        services.AddSingleton<IEventIngestor>(sp => new LiveEventIngestor(
            sp.GetRequiredService<BrisaStorage>(),
            sp.GetRequiredService<IDefinitionsSource>(),
            sp.GetRequiredService<TimeProvider>(),
            onlineOptions: sp.GetRequiredService<OnlineStoreOptions>(),
            materializeOptions: materializeOptions));
        services.AddSingleton<ServingPlans>();
        // Brisa:Serving:OnlineCacheTtl (e.g. 00:00:01) reuses entity partitions read that recently; unset, every
        // request reads its partitions (freshest features, one Table query per entity).
        services.AddSingleton(sp => OnlineFeatureReader.For(
            sp.GetRequiredService<BrisaStorage>(),
            builder.Configuration.GetValue<TimeSpan?>("Brisa:Serving:OnlineCacheTtl") is { } ttl && ttl > TimeSpan.Zero ? new OnlineRowCache(ttl, sp.GetRequiredService<TimeProvider>()) : null));
        services.AddSingleton(sp => new ModelRegistry(sp.GetRequiredService<BrisaStorage>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ModelCache(sp.GetRequiredService<ModelRegistry>(), sp.GetRequiredService<TimeProvider>(), TimeSpan.FromSeconds(30), sp.GetRequiredService<ILogger<ModelCache>>()));
        services.AddSingleton(sp => PredictionLog.For(sp.GetRequiredService<BrisaStorage>()));
        services.AddSingleton(sp => FeatureStatisticsStore.For(sp.GetRequiredService<BrisaStorage>()));
        services.AddSingleton<Predictor>();
        services.AddSingleton<ServiceHealth>();
        services.AddHostedService<ServingWarmUp>();
        services.AddSingleton(sp => new DriftMonitor(sp.GetRequiredService<BrisaStorage>(), sp.GetRequiredService<PredictionLog>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ModelTrainingPipeline(sp.GetRequiredService<BrisaStorage>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(Options.Create(PushEndpointOptions(builder.Configuration)));

        services.AddSingleton(sp => new IncrementalMaterializer(
            sp.GetRequiredService<BrisaStorage>(),
            sp.GetRequiredService<IDefinitionsSource>(),
            sp.GetRequiredService<TimeProvider>(),
            materializeOptions));
        return builder;
    }

    // Checked at startup: a bad value stops the app with the setting's name instead of failing every batch later.
    private static OnlineStoreOptions OnlineOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection("Brisa:Online").Get<OnlineStoreOptions>() ?? new OnlineStoreOptions();
        if (options.MaxParallelism < 1 || options.MaxConflictRetries < 1 || options.CachedRows < 0)
        {
            throw new InvalidOperationException(
                $"Brisa:Online is not valid: MaxParallelism ({options.MaxParallelism}) and MaxConflictRetries ({options.MaxConflictRetries}) must be at least 1, CachedRows ({options.CachedRows}) at least 0.");
        }

        return options;
    }

    // Checked at startup, as Brisa:Online is: a limit below one byte would answer every push with 413.
    private static PushOptions PushEndpointOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection("Brisa:Push").Get<PushOptions>() ?? new PushOptions();
        if (options.MaxBodyBytes < 1)
        {
            throw new InvalidOperationException($"Brisa:Push is not valid: MaxBodyBytes ({options.MaxBodyBytes}) must be at least 1.");
        }

        return options;
    }

    // Brisa:DefinitionsFile pins a YAML file (local runs); otherwise the registry's live version is followed.
    private static IDefinitionsSource CreateDefinitionsSource(IConfiguration configuration, IServiceProvider services)
    {
        if (configuration["Brisa:DefinitionsFile"] is { Length: > 0 } path)
        {
            var loaded = DefinitionLoader.Load(path);
            return new FixedDefinitionsSource(loaded.Definitions
                ?? throw new InvalidOperationException($"Brisa:DefinitionsFile '{path}' is not valid:\n{string.Join('\n', loaded.Diagnostics)}"));
        }

        return new RegistryDefinitionsSource(
            DefinitionRegistry.For(services.GetRequiredService<BrisaStorage>()),
            services.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(30),
            services.GetRequiredService<ILogger<RegistryDefinitionsSource>>());
    }
}
