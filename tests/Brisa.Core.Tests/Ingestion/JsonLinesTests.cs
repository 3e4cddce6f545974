using System.Text;
using System.Text.Json;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;

namespace Brisa.Core.Tests.Ingestion;

public sealed class JsonLinesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static string Event(int i) => $$$"""{"specversion":"1.0","id":"e{{{i}}}","source":"/t","type":"t","data":{"n":{{{i}}}}}""";

    private static string[] Bodies(IEnumerable<string> lines, int maxEvents = 100) =>
        [.. JsonLines.Batch(lines, maxEvents, 1024 * 1024).Select(b => Encoding.UTF8.GetString(b.Body))];

    [Fact]
    public void Batch_GoodLines_OneArrayPerMaxEvents()
    {
        var bodies = Bodies(Enumerable.Range(0, 5).Select(Event), maxEvents: 2);

        Assert.Equal([$"[{Event(0)},{Event(1)}]", $"[{Event(2)},{Event(3)}]", $"[{Event(4)}]"], bodies);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"specversion\":\"1.0\",")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    [InlineData("{\"a\":1}]")]
    public void Batch_LineNotOneJsonValue_SentAloneAsItIsAndTheOthersStillBatched(string bad)
    {
        var bodies = Bodies([Event(0), Event(1), bad, Event(2), "", Event(3)]);

        // Each body the receiver gets is valid JSON but the bad line's own, so only that line is dead-lettered.
        Assert.Equal([$"[{Event(0)},{Event(1)}]", bad, $"[{Event(2)},{Event(3)}]"], bodies);
        Assert.All(bodies.Where(b => b != bad), b => Assert.True(IsJson(b)));
        Assert.Equal(new[] { 2, 1, 2 }, JsonLines.Batch([Event(0), Event(1), bad, Event(2), Event(3)], 100, 1024 * 1024).Select(b => b.Count));
    }

    [Theory]
    [InlineData(62)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(200)]
    public void Batch_LineNestedAsDeepAsTheReceiverReads_EveryOtherEventAccepted(int depth)
    {
        // The receiver reads a message at most 64 levels deep; in a batch's array an event is one level deeper than
        // alone. A line that fits alone but not in an array took its whole batch with it, dead-lettered as one
        // malformed message that a replay cannot split either.
        var schema = new EventSchema("thing", "t", "at", [new SchemaField("n", FieldType.Long, Required: true), new SchemaField("at", FieldType.Timestamp, Required: true)]);
        static string Thing(int i, string extra = "") =>
            $$$"""{"specversion":"1.0","id":"e{{{i}}}","source":"/t","type":"t"{{{extra}}},"data":{"n":{{{i}}},"at":"2026-11-29T11:00:00Z"}}""";
        var deep = Thing(99, ",\"x\":" + string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth));
        var decoder = new CloudEventDecoder([schema]);
        var aloneAccepted = decoder.Decode([new IncomingMessage(Encoding.UTF8.GetBytes(deep))], Now).AcceptedCount == 1;

        var batches = JsonLines.Batch([Thing(0), Thing(1), deep, Thing(2), Thing(3)], 100, 1024 * 1024).ToArray();
        var decoded = decoder.Decode([.. batches.Select(b => new IncomingMessage(b.Body))], Now);

        Assert.Equal(4 + (aloneAccepted ? 1 : 0), decoded.AcceptedCount);
        Assert.Equal(aloneAccepted ? 0 : 1, decoded.Rejected.Count);
        Assert.Equal(5, batches.Sum(b => b.Count));
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
