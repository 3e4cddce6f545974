using System.Globalization;
using System.Text.Json;
using Brisa.Core.Generation;

namespace Brisa.Core.Tests.Generation;

[Collection(FraudStreamCollection.Name)]
public sealed class CloudEventJsonTests(FraudStreamFixture fixture)
{
    private static readonly string[] TransactionFields =
        ["transaction_id", "customer_id", "merchant_id", "amount", "currency", "country", "channel", "timestamp"];

    private static readonly string[] ChargebackFields =
        ["chargeback_id", "transaction_id", "customer_id", "amount", "reason", "timestamp"];

    private List<string> Lines()
    {
        using var writer = new StringWriter();
        fixture.Stream.WriteJsonLines(writer);
        var text = writer.ToString();
        Assert.EndsWith("\n", text);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    [Fact]
    public void WriteJsonLines_EveryLine_IsCloudEvent10WithRequiredAttributes()
    {
        var lines = Lines();
        Assert.Equal(fixture.Stream.Events.Count, lines.Count);

        for (var i = 0; i < lines.Count; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            var root = doc.RootElement;
            var source = fixture.Stream.Events[i];

            Assert.Equal("1.0", root.GetProperty("specversion").GetString());
            Assert.Equal(source.Id, root.GetProperty("id").GetString());
            Assert.Equal("/brisa/generator", root.GetProperty("source").GetString());
            Assert.Equal(source.Type, root.GetProperty("type").GetString());
            Assert.Equal("application/json", root.GetProperty("datacontenttype").GetString());
            Assert.False(string.IsNullOrEmpty(root.GetProperty("id").GetString()));
            Assert.False(root.TryGetProperty("isfraud", out _));

            var time = root.GetProperty("time").GetString()!;
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", time);
            Assert.Equal(source.Time, DateTimeOffset.Parse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));

            var data = root.GetProperty("data");
            Assert.Equal(JsonValueKind.Object, data.ValueKind);
            Assert.Equal(time, data.GetProperty("timestamp").GetString());
            Assert.Equal(JsonValueKind.Number, data.GetProperty("amount").ValueKind);
            Assert.Equal(source.Amount, data.GetProperty("amount").GetDouble());

            var expected = source.Type switch
            {
                FraudEventTypes.Transaction => TransactionFields,
                FraudEventTypes.Chargeback => ChargebackFields,
                _ => throw new InvalidOperationException(source.Type),
            };
            Assert.Equal(expected, data.EnumerateObject().Select(p => p.Name));
            Assert.All(expected.Where(f => f != "amount"), f => Assert.Equal(JsonValueKind.String, data.GetProperty(f).ValueKind));
            var idField = source.Type == FraudEventTypes.Transaction ? "transaction_id" : "chargeback_id";
            Assert.Equal(source.Id, data.GetProperty(idField).GetString());
        }
    }

    [Fact]
    public void ToJsonLine_Transaction_HasExpectedShape()
    {
        var tx = new TransactionEvent(
            "t1", new DateTimeOffset(2026, 11, 2, 10, 15, 30, 123, TimeSpan.Zero), "c000123", "m00042", 12.5, "EUR", "ES", "pos", IsFraud: true);

        Assert.Equal(
            """{"specversion":"1.0","id":"t1","source":"/brisa/generator","type":"com.brisa.fraud.transaction","time":"2026-11-02T10:15:30.123Z","datacontenttype":"application/json","data":{"transaction_id":"t1","customer_id":"c000123","merchant_id":"m00042","amount":12.5,"currency":"EUR","country":"ES","channel":"pos","timestamp":"2026-11-02T10:15:30.123Z"}}""",
            tx.ToJsonLine());
    }

    [Fact]
    public void ToJsonLine_Chargeback_HasExpectedShape()
    {
        var cb = new ChargebackEvent(
            "cb1", new DateTimeOffset(2026, 11, 12, 0, 0, 0, TimeSpan.Zero), "t1", "c000123", 99.99, "fraud_card_not_present", IsFraud: true);

        Assert.Equal(
            """{"specversion":"1.0","id":"cb1","source":"/brisa/generator","type":"com.brisa.fraud.chargeback","time":"2026-11-12T00:00:00.000Z","datacontenttype":"application/json","data":{"chargeback_id":"cb1","transaction_id":"t1","customer_id":"c000123","amount":99.99,"reason":"fraud_card_not_present","timestamp":"2026-11-12T00:00:00.000Z"}}""",
            cb.ToJsonLine());
    }
}
