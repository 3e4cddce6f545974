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
        var materializeOptions = Read<IncrementalMaterializeOptions>(builder.Configuration.GetSection("Brisa:Materialize")) ?? new IncrementalMaterializeOptions();
        services.AddSingleton<IEventIngestor>(sp => new LiveEventIngestor(
            sp.GetRequiredService<BrisaStorage>(),
            sp.GetRequiredService<IDefinitionsSource>(),
            sp.GetRequiredService<TimeProvider>(),
            onlineOptions: sp.GetRequiredService<OnlineStoreOptions>(),
            materializeOptions: materializeOptions));
        services.AddSingleton<ServingPlans>();
        // Brisa:Serving:OnlineCacheTtl (e.g. 00:00:01) reuses entity partitions read that recently; unset, every
        // request reads its partitions (freshest features, one Table query per entity).
        var onlineCacheTtl = Read<TimeSpan?>(builder.Configuration.GetSection("Brisa:Serving:OnlineCacheTtl"));
        services.AddSingleton(sp => OnlineFeatureReader.For(
            sp.GetRequiredService<BrisaStorage>(),
            onlineCacheTtl is { } ttl && ttl > TimeSpan.Zero ? new OnlineRowCache(ttl, sp.GetRequiredService<TimeProvider>()) : null,
            sp.GetRequiredService<ILogger<OnlineFeatureReader>>()));
        // Brisa:Models:MaxZipBytes: the largest model.zip (and the most it unpacks to) serving and retraining read.
        var maxModelZipBytes = ModelZipLimit(builder.Configuration);
        services.AddSingleton(sp => new ModelRegistry(sp.GetRequiredService<BrisaStorage>(), sp.GetRequiredService<TimeProvider>(), maxModelZipBytes));
        services.AddSingleton(sp => new ModelCache(sp.GetRequiredService<ModelRegistry>(), sp.GetRequiredService<TimeProvider>(), TimeSpan.FromSeconds(30), sp.GetRequiredService<ILogger<ModelCache>>()));
        services.AddSingleton(sp => PredictionLog.For(sp.GetRequiredService<BrisaStorage>()));
        services.AddSingleton(sp => FeatureStatisticsStore.For(sp.GetRequiredService<BrisaStorage>()));
        services.AddSingleton<Predictor>();
        services.AddSingleton<ServiceHealth>();
        services.AddHostedService<ServingWarmUp>();
        services.AddSingleton(sp => new DriftMonitor(sp.GetRequiredService<BrisaStorage>(), sp.GetRequiredService<PredictionLog>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ModelTrainingPipeline(sp.GetRequiredService<BrisaStorage>(), sp.GetRequiredService<TimeProvider>(), maxModelZipBytes));
        services.AddSingleton(Options.Create(PushEndpointOptions(builder.Configuration)));

        services.AddSingleton(sp => new IncrementalMaterializer(
            sp.GetRequiredService<BrisaStorage>(),
            sp.GetRequiredService<IDefinitionsSource>(),
            sp.GetRequiredService<TimeProvider>(),
            materializeOptions));
        return builder;
    }

    // Brisa:* settings are checked while the app is built: a bad value stops it with an OptionsValidationException
    // naming the setting (brisa serve: exit 2) instead of failing every batch or request later.
    private static OnlineStoreOptions OnlineOptions(IConfiguration configuration)
    {
        var options = Read<OnlineStoreOptions>(configuration.GetSection("Brisa:Online")) ?? new OnlineStoreOptions();
        if (options.MaxParallelism < 1 || options.MaxConflictRetries < 1 || options.CachedRows < 0)
        {
            throw Invalid<OnlineStoreOptions>(
                "Brisa:Online",
                $"Brisa:Online is not valid: MaxParallelism ({options.MaxParallelism}) and MaxConflictRetries ({options.MaxConflictRetries}) must be at least 1, CachedRows ({options.CachedRows}) at least 0.");
        }

        return options;
    }

    // A limit below one byte would answer every push with 413.
    private static PushOptions PushEndpointOptions(IConfiguration configuration)
    {
        var options = Read<PushOptions>(configuration.GetSection("Brisa:Push")) ?? new PushOptions();
        if (options.MaxBodyBytes < 1)
        {
            throw Invalid<PushOptions>("Brisa:Push", $"Brisa:Push is not valid: MaxBodyBytes ({options.MaxBodyBytes}) must be at least 1.");
        }

        return options;
    }

    // Below one byte no model loads; above Array.MaxLength it cannot be read into one array.
    private static long ModelZipLimit(IConfiguration configuration)
    {
        var limit = Read<long?>(configuration.GetSection("Brisa:Models:MaxZipBytes")) ?? ModelRegistry.DefaultMaxModelZipBytes;
        if (limit < 1 || limit > Array.MaxLength)
        {
            throw Invalid<long>("Brisa:Models:MaxZipBytes", $"Brisa:Models:MaxZipBytes ({limit}) must be between 1 and {Array.MaxLength}.");
        }

        return limit;
    }

    // A value that does not parse (a time span, a number): the binder's own message names the setting and the value.
    private static T? Read<T>(IConfigurationSection section)
    {
        try
        {
            return section.Get<T>();
        }
        catch (InvalidOperationException ex)
        {
            throw Invalid<T>(section.Path, ex.Message);
        }
    }

    private static OptionsValidationException Invalid<T>(string setting, string message) => new(setting, typeof(T), [message]);

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
