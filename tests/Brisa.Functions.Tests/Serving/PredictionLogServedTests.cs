using System.Globalization;
using Brisa.Azure.Monitoring;
using Brisa.Azure.Online;
using Brisa.Azure.Registry;
using Brisa.Azure.Serving;
using Brisa.Core.Definitions;
using Brisa.Functions.Serving;
using Brisa.Functions.Tests.Reliability;
using Brisa.Testing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brisa.Functions.Tests.Serving;

/// <summary>What predict writes to the prediction log, whatever the instance held.</summary>
[Collection(ServingCollection.Name)]
public sealed class PredictionLogServedTests(ServingFixture serving)
{
    [Fact]
    public async Task Run_RequestFieldBeyondFloatRange_LoggedAsInfinityAndTheLogKeepsWriting()
    {
        // A double field without a maximum (the default) takes 1e39, which the model reads as a float: +Infinity.
        var definitions = FraudHistory.Definitions with
        {
            Sources = [.. FraudHistory.Definitions.Sources.Select(s => s with { Fields = [.. s.Fields.Select(f => f.Name == "amount" ? f with { Max = null } : f)] })],
        };
        var log = PredictionLog.For(serving.Azurite.Storage, TimeSpan.FromMilliseconds(50));
        var function = new PredictFunction(
            new FixedDefinitionsSource(definitions),
            new ServingPlans(),
            new Predictor(serving.Models, OnlineFeatureReader.For(serving.Azurite.Storage), log, TimeProvider.System),
            NullLogger<PredictFunction>.Instance);
        var run = Guid.NewGuid().ToString("N");

        await PredictAsync(function, $"huge-{run}", 1e39);
        await Task.Delay(500); // several flushes: the one holding the huge amount among them
        await PredictAsync(function, $"after-{run}", 42.5);
        await log.DisposeAsync();

        var logged = (await log.ReadAllAsync("fraud")).Where(r => r.Id.EndsWith(run, StringComparison.Ordinal)).OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        Assert.Equal([$"after-{run}", $"huge-{run}"], logged.Select(r => r.Id));

        // Drift reads it back as the number the model scored with.
        var amounts = DriftMonitor.ToInput(["amount"], logged, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow).Columns["amount"];
        Assert.Equal(42.5, Convert.ToDouble(amounts[0], CultureInfo.InvariantCulture));
        Assert.Equal(double.PositiveInfinity, double.Parse((string)amounts[1]!, CultureInfo.InvariantCulture));
    }

    private async Task PredictAsync(PredictFunction function, string id, double amount)
    {
        var body = string.Create(CultureInfo.InvariantCulture, $$"""{"id":"{{id}}","customer_id":"{{serving.Customer}}","merchant_id":"{{serving.Merchant}}","amount":{{amount}},"currency":"EUR","country":"ES","channel":"pos"}""");
        var result = await function.Run(ServingFixture.Request(body), "fraud", CancellationToken.None);
        Assert.IsType<PredictResponse>(Assert.IsType<OkObjectResult>(result).Value);
    }
}
