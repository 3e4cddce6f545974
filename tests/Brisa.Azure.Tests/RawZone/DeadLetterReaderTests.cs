using System.Text;
using Azure.Storage.Blobs;
using Brisa.Azure.RawZone;
using Brisa.Core.Ingestion;
using Brisa.Testing;

namespace Brisa.Azure.Tests.RawZone;

/// <summary>The reading side of dead-letter (what <c>brisa deadletter list|replay</c> use), each test on its own container.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DeadLetterReaderTests(AzuriteFixture azurite)
{
    private const string Jpy = "field 'currency': 'JPY' is not allowed; allowed: EUR, USD, GBP";
    private static readonly DateTimeOffset Ten = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ReadAsync_SourceRangeAndReason_OnlyMatchingRecords()
    {
        var container = await NewContainerAsync();
        var writer = new DeadLetterWriter(container);
        await writer.WriteAsync([Rejected("t1", "transaction", Jpy)], Ten.AddMinutes(15));
        await writer.WriteAsync([Rejected("t2", "transaction", "field 'amount': -3 is below the minimum 0")], Ten.AddMinutes(65));
        await writer.WriteAsync([Rejected("c1", "chargeback", "missing 'data'")], Ten.AddMinutes(30));
        await writer.WriteAsync([Rejected("u1", null, "unknown event type 'x'")], Ten.AddMinutes(45));
        var reader = new DeadLetterReader(container);

        Assert.Equal(["t1"], await IdsAsync(reader, new DeadLetterFilter { Source = "transaction", From = Ten, To = Ten.AddHours(1) }));
        Assert.Equal(["t2"], await IdsAsync(reader, new DeadLetterFilter { Reason = "BELOW THE MINIMUM" }));
        Assert.Equal(["c1", "u1"], await IdsAsync(reader, new DeadLetterFilter { From = Ten.AddMinutes(30), To = Ten.AddMinutes(46) }));
        Assert.Equal(["_unrouted", "chargeback", "transaction"], await reader.ListSourcesAsync());
        Assert.Empty(await IdsAsync(reader, new DeadLetterFilter { Source = "transactions" }));
    }

    [Fact]
    public async Task SummarizeAsync_Records_CountedPerSourceHourAndReasonGroup()
    {
        var container = await NewContainerAsync();
        var writer = new DeadLetterWriter(container);
        await writer.WriteAsync(
            [
                Rejected("a", "transaction", Jpy),
                Rejected("b", "transaction", Jpy),
                Rejected("c", "transaction", "field 'currency': 'XYZ' is not allowed; allowed: EUR, USD, GBP"),
                Rejected("d", "transaction", "field 'amount': -3 is below the minimum 0"),
                Rejected("e", "transaction", "field 'amount': -7 is below the minimum 0"),
            ],
            Ten.AddMinutes(5));
        await writer.WriteAsync([Rejected("f", "transaction", Jpy)], Ten.AddMinutes(70));

        var summary = await new DeadLetterReader(container).SummarizeAsync(new DeadLetterFilter());

        Assert.Equal(6, summary.Total);
        Assert.Equal(
            [
                ("transaction", Ten, "field 'amount': # is below the minimum #", 2),
                ("transaction", Ten, Jpy, 2),
                ("transaction", Ten, "field 'currency': 'XYZ' is not allowed; allowed: EUR, USD, GBP", 1),
                ("transaction", Ten.AddHours(1), Jpy, 1),
            ],
            summary.Groups.Select(g => (g.Source, g.Hour, g.Reason, g.Count)));
        Assert.Equal("field 'amount': -3 is below the minimum 0", summary.Groups[0].Example);
    }

    [Fact]
    public async Task SelectForReplayAsync_RepeatedAndUnsplittable_EachOriginalOnceWholeMessagesApart()
    {
        var container = await NewContainerAsync();
        var writer = new DeadLetterWriter(container);
        var malformed = Encoding.UTF8.GetBytes("[{\"id\":\"m1\",");
        var notUtf8 = new byte[] { 0x7b, 0xff, 0xfe, 0x7d };
        var tooMany = Encoding.UTF8.GetBytes("[{\"id\":\"x1\"},{\"id\":\"x2\"}]");
        await writer.WriteAsync(
            [Rejected("e1", "transaction", Jpy), new RejectedEvent(malformed, null, null, "malformed JSON"), new RejectedEvent(notUtf8, null, null, "malformed JSON"), new RejectedEvent(tooMany, null, null, "too many events")],
            Ten);
        // The same event rejected again by a replay an hour later: same bytes, another record.
        await writer.WriteAsync([Rejected("e1", "transaction", Jpy)], Ten.AddHours(1));

        var selection = await new DeadLetterReader(container).SelectForReplayAsync(new DeadLetterFilter());

        Assert.Equal(5, selection.Records);
        Assert.Equal(1, selection.Repeats);
        Assert.Equal("e1", Assert.Single(selection.Events).EventId);
        Assert.Equal(
            new[] { malformed, notUtf8, tooMany }.Select(Convert.ToBase64String).Order(),
            selection.Messages.Select(m => Convert.ToBase64String(m.OriginalBytes())).Order());
    }

    private static RejectedEvent Rejected(string id, string? source, string reason) =>
        new(Encoding.UTF8.GetBytes($$$"""{"specversion":"1.0","id":"{{{id}}}","type":"com.brisa.fraud.transaction","source":"test","data":{"currency":"JPY"}}"""), id, source, reason);

    private static async Task<List<string?>> IdsAsync(DeadLetterReader reader, DeadLetterFilter filter)
    {
        var ids = new List<string?>();
        await foreach (var record in reader.ReadAsync(filter))
        {
            ids.Add(record.EventId);
        }

        return [.. ids.Order(StringComparer.Ordinal)];
    }

    private async Task<BlobContainerClient> NewContainerAsync()
    {
        var container = azurite.Storage.Blobs.GetBlobContainerClient($"deadletter-{Guid.NewGuid():N}");
        await container.CreateAsync();
        return container;
    }
}
