using System.Text;
using System.Text.Json;
using Brisa.Core.Ingestion;

namespace Brisa.Core.Tests.Ingestion;

public sealed class JsonLinesTests
{
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
