using System.Text;
using Brisa.Azure.RawZone;
using Brisa.Core.Aggregation;
using Brisa.Core.Features;
using Brisa.Core.Tests.Reliability;
using Brisa.Functions.Ingestion;
using Brisa.Testing;
using Microsoft.AspNetCore.Mvc;

namespace Brisa.Functions.Tests.Reliability;

/// <summary>
/// Mutated CloudEvents (fixed seed, bounded count) through the push endpoint on Azurite: every answer is 200 or a
/// 400 problem, and every event is either in the raw zone (accepted) or in dead-letter (rejected): the counts add up.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class PushFuzzTests(ServingFixture serving)
{
    [Fact]
    public async Task Push_300MutatedMessages_EveryEventAcceptedIntoRawOrDeadLettered()
    {
        var random = new Random(29112026);
        var now = DateTimeOffset.UtcNow;
        var deadLetter = DeadLetterWriter.For(serving.Azurite.Storage);
        var before = (await deadLetter.ReadAllAsync()).Count;
        var function = serving.Push();
        var sent = new HashSet<string>(StringComparer.Ordinal);
        var acceptedIds = new List<string>();
        var rejected = 0;
        for (var i = 0; sent.Count < 300; i++)
        {
            var message = EventMutator.Mutate(random, EventMutator.ValidMessage(random, i, now.AddMinutes(-1)));
            // Identical rejected bytes share one dead-letter blob (redelivery-safe naming): send each message once.
            if (!sent.Add(Convert.ToBase64String(message)))
            {
                continue;
            }

            var result = await function.Run(ServingFixture.Request(message, "application/cloudevents-batch+json"), CancellationToken.None);

            var results = result switch
            {
                OkObjectResult { Value: PushResponse ok } => ok.Results,
                ObjectResult { StatusCode: 400, Value: ProblemDetails problem } => (IReadOnlyList<PushEventResult>)problem.Extensions["results"]!,
                _ => throw new Xunit.Sdk.XunitException($"Unexpected answer {result} to message {i}"),
            };
            acceptedIds.AddRange(results.Where(r => r.Status == "accepted").Select(r => r.Id!));
            rejected += results.Count(r => r.Status == "rejected");
            Assert.All(results.Where(r => r.Status == "rejected"), r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        }

        Assert.InRange(acceptedIds.Count, 30, 2000);
        Assert.InRange(rejected, 100, 2000);
        Assert.Equal(before + rejected, (await deadLetter.ReadAllAsync()).Count);
        var schema = FeaturePlan.Compile(FraudHistory.Definitions, trackEventIds: false).Schemas.Single(s => s.SourceName == "transaction");
        var raw = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var batch in RawZoneReader.For(serving.Azurite.Storage).ReadRangeAsync(schema, TiledView.ToUnixTicks(now.AddHours(-3)), TiledView.ToUnixTicks(now.AddHours(1))))
        {
            raw.UnionWith(Enumerable.Range(0, batch.Count).Select(batch.Id));
        }

        Assert.Subset(raw, acceptedIds.ToHashSet(StringComparer.Ordinal));
    }
}
