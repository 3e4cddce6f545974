using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Tests.Definitions;

namespace Brisa.Core.Tests.Reliability;

/// <summary>
/// Random mutations of valid CloudEvents (fixed seed, bounded count) through the decoder: no exception escapes, and
/// every event sent is either accepted or rejected with a reason, exactly once.
/// </summary>
public sealed class DecoderFuzzTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Decode_5000MutatedMessages_NoExceptionAndEveryEventAcceptedOrRejectedOnce()
    {
        var decoder = new CloudEventDecoder(FeaturePlan.Compile(SampleDefinitionsTests.LoadSample(), trackEventIds: true).Schemas);
        var random = new Random(20261129);
        var accepted = 0;
        var rejected = 0;
        for (var i = 0; i < 5000; i++)
        {
            var message = EventMutator.Mutate(random, EventMutator.ValidMessage(random, i, Now.AddMinutes(-1)));

            var batch = decoder.Decode([new IncomingMessage(message)], Now);

            AssertConserved(message, batch);
            accepted += batch.AcceptedCount;
            rejected += batch.Rejected.Count;
        }

        // The mutations must leave some events valid and break others, or the test proves nothing.
        Assert.InRange(accepted, 500, 20_000);
        Assert.InRange(rejected, 2000, 20_000);
    }

    /// <summary>What the decoder must answer for a message: one outcome per event it could delimit.</summary>
    internal static void AssertConserved(byte[] message, DecodedBatch batch)
    {
        Assert.Equal(batch.Outcomes.Count, batch.AcceptedCount + batch.Rejected.Count);
        Assert.All(batch.Rejected, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        var ids = batch.Sources.SelectMany(s => Enumerable.Range(0, s.Count).Select(s.Id)).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        var expected = EventMutator.EventsIn(message);
        if (expected is { } count)
        {
            // A JSON value the reader accepts: one outcome per batch element (or the whole message, when too deep).
            Assert.True(batch.Outcomes.Count == count || (batch.Outcomes.Count == 1 && batch.Rejected.Count == 1), $"{batch.Outcomes.Count} outcomes for {count} events");
        }
        else
        {
            var whole = Assert.Single(batch.Rejected);
            Assert.StartsWith("malformed JSON", whole.Reason, StringComparison.Ordinal);
            Assert.Equal(0, batch.AcceptedCount);
        }
    }
}
