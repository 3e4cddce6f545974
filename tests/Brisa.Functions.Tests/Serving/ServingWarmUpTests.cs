using Brisa.Azure.Models;
using Brisa.Azure.Online;
using Brisa.Azure.Registry;
using Brisa.Azure.Serving;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Functions.Serving;
using Brisa.Functions.Tests.Reliability;
using Brisa.Testing;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Tests.Serving;

[Collection(AzuriteCollection.Name)]
public sealed class ServingWarmUpTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Start_ModelWithoutChampion_CompletesAndSaysSo()
    {
        var logger = new ListLogger();
        using var warmUp = WarmUp(new FixedDefinitionsSource(FraudHistory.Definitions), azurite.Storage, logger);

        await warmUp.StartAsync(CancellationToken.None);
        await warmUp.ExecuteTask!;

        Assert.Contains(logger.Messages, m => m.Level == LogLevel.Information && m.Text.Contains("fraud has no champion yet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_DefinitionsUnreadable_CompletesWithAWarningInsteadOfStoppingTheHost()
    {
        var logger = new ListLogger();
        using var warmUp = WarmUp(new UnreadableDefinitions(), azurite.Storage, logger);

        await warmUp.StartAsync(CancellationToken.None);
        await warmUp.ExecuteTask!;

        Assert.True(warmUp.ExecuteTask!.IsCompletedSuccessfully);
        Assert.Contains(logger.Messages, m => m.Level == LogLevel.Warning && m.Text.Contains("definitions could not be read", StringComparison.Ordinal));
    }

    internal static ServingWarmUp WarmUp(IDefinitionsSource definitions, BrisaStorage storage, ILogger<ServingWarmUp> logger)
    {
        var predictor = new Predictor(
            new ModelCache(new ModelRegistry(storage), TimeProvider.System, TimeSpan.FromMinutes(1)),
            OnlineFeatureReader.For(storage),
            PredictionLog.For(storage),
            TimeProvider.System);
        return new ServingWarmUp(definitions, new ServingPlans(), predictor, logger);
    }

    private sealed class UnreadableDefinitions : IDefinitionsSource
    {
        public ValueTask<FeatureRepositoryDefinition> GetAsync(CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The registry has no live version.");
    }

    internal sealed class ListLogger : ILogger<ServingWarmUp>
    {
        public List<(LogLevel Level, string Text)> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add((logLevel, formatter(state, exception)));
    }
}

/// <summary>With a trained champion (the serving fixture's), the warm-up loads and scores it.</summary>
[Collection(ServingCollection.Name)]
public sealed class ServingWarmUpWithChampionTests(ServingFixture serving)
{
    [Fact]
    public async Task Start_ModelWithChampion_LoadsAndScoresIt()
    {
        var logger = new ServingWarmUpTests.ListLogger();
        using var warmUp = ServingWarmUpTests.WarmUp(new FixedDefinitionsSource(FraudHistory.Definitions), serving.Azurite.Storage, logger);

        await warmUp.StartAsync(CancellationToken.None);
        await warmUp.ExecuteTask!;

        Assert.Contains(logger.Messages, m => m.Level == LogLevel.Information && m.Text.StartsWith("Warm-up: model fraud v", StringComparison.Ordinal) && m.Text.Contains("loaded and scored once", StringComparison.Ordinal));
    }
}
