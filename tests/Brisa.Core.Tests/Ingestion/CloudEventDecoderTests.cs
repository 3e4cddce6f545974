using System.Text;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;

namespace Brisa.Core.Tests.Ingestion;

public sealed class CloudEventDecoderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static readonly EventSchema Transaction = new(
        "transaction",
        "com.brisa.fraud.transaction",
        "timestamp",
        [
            new SchemaField("transaction_id", FieldType.String, Required: true),
            new SchemaField("customer_id", FieldType.String, Required: true, EntityKey: true),
            new SchemaField("amount", FieldType.Double, Required: true, Min: 0, Max: 1_000_000),
            new SchemaField("currency", FieldType.String, Required: true, Allowed: ["EUR", "USD", "GBP"]),
            new SchemaField("items", FieldType.Long, Required: false),
            new SchemaField("card_present", FieldType.Bool, Required: false),
            new SchemaField("timestamp", FieldType.Timestamp, Required: true),
            new SchemaField("note", FieldType.String, Required: false),
        ]);

    private static string Event(string id = "t1", string data = """{"transaction_id":"t1","customer_id":"c1","amount":12.5,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""", string type = "com.brisa.fraud.transaction") =>
        $$"""{"specversion":"1.0","id":"{{id}}","source":"/test","type":"{{type}}","data":{{data}}}""";

    private static DecodedBatch Decode(params string[] messages) =>
        new CloudEventDecoder([Transaction]).Decode(messages.Select(m => new IncomingMessage(Encoding.UTF8.GetBytes(m))).ToArray(), Now);

    private static (DecodedBatch Batch, CloudEventDecoder Decoder) DecodeOn(bool scanner, string message)
    {
        var decoder = new CloudEventDecoder([Transaction]) { UseScanner = scanner };
        return (decoder.Decode([new IncomingMessage(Encoding.UTF8.GetBytes(message))], Now), decoder);
    }

    private static string SingleReason(string message)
    {
        var batch = Decode(message);
        Assert.Equal(0, batch.AcceptedCount);
        return Assert.Single(batch.Rejected).Reason;
    }

    [Theory]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":12.5,"currency":"EUR","items":3,"card_present":true,"timestamp":"2026-11-29T11:00:00.123Z","extra":{"a":[1,2]}}""")]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":"12.5","currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""")]
    [InlineData("""{"transaction_id":"t1","customer_id":["c1",{"x":1}],"amount":1,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""")]
    [InlineData("""{"transaction_id":"t1","transaction_id":"t2","customer_id":"c1","amount":1,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""")]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"JPY","timestamp":"2026-11-29T11:00:00Z"}""")]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"EUR","timestamp":"2026-12-29T11:00:00Z"}""")]
    [InlineData("""{"transaction_id":"t\uD800","customer_id":"c1","amount":1,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""")]
    public void Decode_DataBeforeOrAfterType_SameResult(string data)
    {
        // 'type' before 'data' is decoded in one pass; 'data' first is decoded from its span afterwards: both must agree.
        var typeFirst = Decode($$"""[{"specversion":"1.0","id":"a","source":"/test","type":"com.brisa.fraud.transaction","data":{{data}}},{{Event("b")}}]""");
        var dataFirst = Decode($$"""[{"data":{{data}},"specversion":"1.0","id":"a","source":"/test","type":"com.brisa.fraud.transaction"},{{Event("b")}}]""");

        Assert.Equal(dataFirst.Outcomes, typeFirst.Outcomes);
        Assert.Equal(dataFirst.Rejected.Select(r => r.Reason), typeFirst.Rejected.Select(r => r.Reason));
        Assert.Equal(dataFirst.Sources.Select(b => b.Count), typeFirst.Sources.Select(b => b.Count));
        foreach (var (x, y) in dataFirst.Sources.Zip(typeFirst.Sources))
        {
            for (var i = 0; i < x.Count; i++)
            {
                Assert.Equal(x.Id(i), y.Id(i));
                Assert.Equal(x.EventTicks(i), y.EventTicks(i));
                Assert.True(x.Row(i).SequenceEqual(y.Row(i)));
            }
        }
    }

    [Fact]
    public void Decode_EnvelopeErrorAndBadData_EnvelopeReasonWins()
    {
        var reason = SingleReason("""{"specversion":"0.3","id":"a","source":"/test","type":"com.brisa.fraud.transaction","data":{"amount":"x","customer_id":"c\uD800"}}""");

        Assert.Equal("unsupported specversion '0.3' (expected \"1.0\")", reason);
    }

    [Fact]
    public void Decode_ValidEvent_TypedRow()
    {
        var batch = Decode(Event(data: """{"transaction_id":"t1","customer_id":"c1","amount":12.5,"currency":"EUR","items":3,"card_present":true,"timestamp":"2026-11-29T11:00:00.123Z"}"""));

        var rows = Assert.Single(batch.Sources);
        Assert.Equal(1, rows.Count);
        Assert.Equal("t1", rows.Id(0));
        Assert.Equal(TiledView.ToUnixTicks(new DateTimeOffset(2026, 11, 29, 11, 0, 0, 123, TimeSpan.Zero)), rows.EventTicks(0));
        Assert.Equal("c1", rows.Value(0, 1).AsText());
        Assert.Equal(12.5, rows.Value(0, 2).AsNumber());
        Assert.Equal(3, rows.Value(0, 4).AsNumber());
        Assert.Equal(1, rows.Value(0, 5).AsNumber());
        Assert.Equal(new EventOutcome("t1", true, null), Assert.Single(batch.Outcomes));
    }

    [Fact]
    public void Decode_BatchArray_AcceptsEachAndKeepsOrder()
    {
        var batch = Decode($"[{Event("a")},{Event("b")},{Event("c")}]");

        Assert.Equal(["a", "b", "c"], batch.Outcomes.Select(o => o.EventId));
        Assert.Equal(3, batch.AcceptedCount);
    }

    [Fact]
    public void Decode_DataBeforeType_StillRoutes()
    {
        var message = """{"data":{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"USD","timestamp":"2026-11-29T11:00:00Z"},"id":"x","type":"com.brisa.fraud.transaction","source":"/s","specversion":"1.0"}""";

        Assert.Equal(1, Decode(message).AcceptedCount);
    }

    [Fact]
    public void Decode_UnknownDataField_Ignored()
    {
        var batch = Decode(Event(data: """{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"USD","new_field":{"a":[1,2]},"timestamp":"2026-11-29T11:00:00Z"}"""));

        Assert.Equal(1, batch.AcceptedCount);
    }

    [Theory]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":"12","currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""", "field 'amount': expected a number, got a string")]
    [InlineData("""{"transaction_id":"t1","customer_id":7,"amount":12,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""", "field 'customer_id': expected a string, got a number")]
    [InlineData("""{"transaction_id":"t1","amount":12,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""", "missing required field 'customer_id'")]
    [InlineData("""{"transaction_id":"t1","customer_id":null,"amount":12,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""", "missing required field 'customer_id'")]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":-1,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""", "field 'amount': -1 is below the minimum 0")]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":1000001,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""", "field 'amount': 1000001 is above the maximum 1000000")]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":1e400,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""", "field 'amount': the number is out of the range of a double")]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"JPY","timestamp":"2026-11-29T11:00:00Z"}""", "field 'currency': 'JPY' is not allowed; allowed: EUR, USD, GBP")]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"EUR","items":1.5,"timestamp":"2026-11-29T11:00:00Z"}""", "field 'items': expected an integer between -2^53 and 2^53, got 1.5")]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"EUR","card_present":"yes","timestamp":"2026-11-29T11:00:00Z"}""", "field 'card_present': expected true or false, got a string")]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"EUR","timestamp":"yesterday"}""", "field 'timestamp': expected an ISO 8601 timestamp such as \"2026-11-29T14:55:00Z\", got 'yesterday'")]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"EUR","timestamp":"2026-11-29T14:00:00Z"}""", "field 'timestamp': 2026-11-29T14:00:00Z is 2h in the future (the message arrived at 2026-11-29T12:00:00Z); at most 5m of clock skew is allowed")]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"EUR","timestamp":"1999-12-31T23:59:59Z"}""", "field 'timestamp': 1999-12-31T23:59:59Z is before 2000-01-01T00:00:00Z, the earliest event time accepted")]
    [InlineData("""{"transaction_id":"t1","customer_id":"c1","amount":1,"amount":2,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""", "field 'amount' appears twice")]
    [InlineData("""[1,2]""", "'data' must be a JSON object, got an array")]
    public void Decode_InvalidData_RejectedWithReason(string data, string reason)
    {
        Assert.Equal(reason, SingleReason(Event(data: data)));
    }

    [Theory]
    [InlineData("""{"id":"t1","source":"/s","type":"com.brisa.fraud.transaction","data":{}}""", "missing CloudEvents attribute 'specversion' (expected \"1.0\")")]
    [InlineData("""{"specversion":"0.3","id":"t1","source":"/s","type":"com.brisa.fraud.transaction","data":{}}""", "unsupported specversion '0.3' (expected \"1.0\")")]
    [InlineData("""{"specversion":"1.0","source":"/s","type":"com.brisa.fraud.transaction","data":{}}""", "missing CloudEvents attribute 'id'")]
    [InlineData("""{"specversion":"1.0","id":42,"source":"/s","type":"com.brisa.fraud.transaction","data":{}}""", "CloudEvents attribute 'id' must be a string, got a number")]
    [InlineData("""{"specversion":"1.0","id":"a\u0001b","source":"/s","type":"com.brisa.fraud.transaction","data":{}}""", "id contains the control character U+0001")]
    [InlineData("""{"specversion":"1.0","id":"t1","type":"com.brisa.fraud.transaction","data":{}}""", "missing CloudEvents attribute 'source'")]
    [InlineData("""{"specversion":"1.0","id":"t1","source":"/s","data":{}}""", "missing CloudEvents attribute 'type'")]
    [InlineData("""{"specversion":"1.0","id":"t1","source":"/s","type":"com.other","data":{}}""", "unknown event type 'com.other'; known types: com.brisa.fraud.transaction")]
    [InlineData("""{"specversion":"1.0","id":"t1","source":"/s","type":"com.brisa.fraud.transaction"}""", "missing 'data'")]
    [InlineData("""{"specversion":"1.0","id":"t1","source":"/s","type":"com.brisa.fraud.transaction","data_base64":"AAAA"}""", "'data_base64' is not supported: send the data as a JSON object in 'data'")]
    public void Decode_InvalidEnvelope_RejectedWithReason(string message, string reason)
    {
        Assert.Equal(reason, SingleReason(message));
    }

    [Theory]
    [InlineData("{\"specversion\":\"1.0\",")]
    [InlineData("{} {}")]
    [InlineData("[{\"a\":1}")]
    [InlineData("not json")]
    public void Decode_MalformedJson_WholeMessageDeadLettered(string message)
    {
        var batch = Decode(message);

        var rejected = Assert.Single(batch.Rejected);
        Assert.StartsWith("malformed JSON: ", rejected.Reason);
        Assert.Equal(message, Encoding.UTF8.GetString(rejected.OriginalBytes.Span));
    }

    [Fact]
    public void Decode_MalformedAfterValidEventsInArray_RollsBackTheMessageOnly()
    {
        var batch = Decode(Event("ok1"), $"[{Event("lost?")},{{\"broken\":");

        Assert.Equal(1, batch.AcceptedCount);
        Assert.Equal(["ok1", null], batch.Outcomes.Select(o => o.EventId));
        Assert.Equal(2, batch.Outcomes.Count);
        Assert.Single(batch.Rejected);
    }

    [Fact]
    public void Decode_EmptyBody_Rejected()
    {
        Assert.StartsWith("malformed JSON", SingleReason(""));
    }

    [Fact]
    public void Decode_NonObjectInBatch_RejectsOnlyThatElement()
    {
        var batch = Decode($"[{Event("a")},42,\"x\"]");

        Assert.Equal(1, batch.AcceptedCount);
        Assert.Equal(["batch element is a number, not a CloudEvent JSON object", "batch element is a string, not a CloudEvent JSON object"], batch.Rejected.Select(r => r.Reason));
        Assert.Equal("42", Encoding.UTF8.GetString(batch.Rejected[0].OriginalBytes.Span));
    }

    [Fact]
    public void Decode_DuplicateIdInBatch_SecondDeadLettered()
    {
        var batch = Decode(Event("same"), Event("same"));

        Assert.Equal(1, batch.AcceptedCount);
        Assert.Equal("duplicate event id 'same' at 2026-11-29T11:00:00Z within the batch (the first one was taken)", Assert.Single(batch.Rejected).Reason);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decode_SameIdAtAnotherTimeInBatch_BothAccepted(bool scanner)
    {
        // An event is (id, time), as the stream, the materializer and training count it: in one delivery as across two.
        var later = Event("same", """{"transaction_id":"t1","customer_id":"c1","amount":3,"currency":"EUR","timestamp":"2026-11-29T11:00:00.000001Z"}""");
        var decoder = new CloudEventDecoder([Transaction]) { UseScanner = scanner };
        var batch = decoder.Decode([new IncomingMessage(Encoding.UTF8.GetBytes($"[{Event("same")},{later}]")), new IncomingMessage(Encoding.UTF8.GetBytes(later))], Now);

        var rows = Assert.Single(batch.Sources);
        Assert.Equal(["same", "same"], Enumerable.Range(0, rows.Count).Select(rows.Id));
        Assert.Equal(10, rows.EventTicks(1) - rows.EventTicks(0));
        Assert.Equal("duplicate event id 'same' at 2026-11-29T11:00:00.000001Z within the batch (the first one was taken)", Assert.Single(batch.Rejected).Reason);
        Assert.Equal(scanner ? 1 : 0, decoder.ScannedMessages);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decode_SameIdInTwoSourcesOfOneBatch_BothAcceptedAndAFalseDuplicateStillCaught(bool scanner)
    {
        // Ids are unique per source (CloudEvents: per producer; the raw zone's readers deduplicate per source): a
        // chargeback numbered like a transaction is another event, accepted as it is in a batch of its own.
        var chargeback = new EventSchema("chargeback", "com.brisa.fraud.chargeback", "timestamp",
            [new SchemaField("customer_id", FieldType.String, Required: true, EntityKey: true), new SchemaField("timestamp", FieldType.Timestamp, Required: true)]);
        var label = Event("1001", """{"customer_id":"c1","timestamp":"2026-11-29T11:00:00Z"}""", "com.brisa.fraud.chargeback");
        var message = $"[{Event("1001", """{"transaction_id":"1001","customer_id":"c1","amount":1,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""")},{label},{label}]";

        var batch = new CloudEventDecoder([Transaction, chargeback]) { UseScanner = scanner }.Decode([new IncomingMessage(Encoding.UTF8.GetBytes(message))], Now);

        Assert.Equal(["transaction:1001", "chargeback:1001"], batch.Sources.SelectMany(s => Enumerable.Range(0, s.Count).Select(r => $"{s.Schema.SourceName}:{s.Id(r)}")));
        var duplicate = Assert.Single(batch.Rejected);
        Assert.Equal(("chargeback", "duplicate event id '1001' at 2026-11-29T11:00:00Z within the batch (the first one was taken)"), (duplicate.Source, duplicate.Reason));
    }

    [Fact]
    public void Decode_OversizedEvent_Rejected()
    {
        var big = new string('x', 1024 * 1024);
        var message = Event(data: $$"""{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"EUR","note":"{{big}}","timestamp":"2026-11-29T11:00:00Z"}""");

        var reason = SingleReason(message);

        Assert.Equal($"event is {message.Length} bytes; at most 65536 are allowed", reason);
    }

    [Fact]
    public void Decode_RejectedEvent_KeepsItsOwnBytesOnly()
    {
        var bad = Event("bad", data: """{"transaction_id":"t1"}""");

        var batch = Decode($"[{Event("good")},{bad}]");

        Assert.Equal(bad, Encoding.UTF8.GetString(Assert.Single(batch.Rejected).OriginalBytes.Span));
    }

    [Theory]
    [InlineData("a/b\\c#d?e")]
    [InlineData("quote\"and'apostrophe")]
    [InlineData("ключ-日本-🙂")]
    [InlineData("tab\there")]
    public void Decode_AwkwardEntityKeys_RoundTripExactly(string key)
    {
        var escaped = System.Text.Json.JsonSerializer.Serialize(key);
        var batch = Decode(Event(data: $$"""{"transaction_id":"t1","customer_id":{{escaped}},"amount":1,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}"""));

        Assert.Equal(key, Assert.Single(batch.Sources).Value(0, 1).AsText());
    }

    [Theory]
    [InlineData(true, "[{},{},{},{}]")]
    [InlineData(false, "[{},{},{},{}]")]
    [InlineData(true, "[E1,E2,E3,E4]")]
    [InlineData(false, "[E1,E2,E3,E4]")]
    public void Decode_MoreEventsThanAMessageMayHold_DeadLetteredWholeAsOneRecord(bool scanner, string shape)
    {
        // '[{},{},…]' would otherwise cost a rejection, an outcome and a dead-letter record per three bytes.
        var decoder = new CloudEventDecoder([Transaction], new DecoderOptions { MaxEventsPerMessage = 3 }) { UseScanner = scanner };
        var body = Encoding.UTF8.GetBytes(shape.Replace("E1", Event("e1"), StringComparison.Ordinal).Replace("E2", Event("e2"), StringComparison.Ordinal)
            .Replace("E3", Event("e3"), StringComparison.Ordinal).Replace("E4", Event("e4"), StringComparison.Ordinal));

        var batch = decoder.Decode([new IncomingMessage(body)], Now);

        var rejected = Assert.Single(batch.Rejected);
        Assert.Equal(body, rejected.OriginalBytes.ToArray());
        Assert.Equal("the message holds more than 3 events; send at most 3 per message", rejected.Reason);
        Assert.DoesNotContain(batch.Outcomes, o => o.Accepted);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decode_AsManyEventsAsAMessageMayHold_AllAccepted(bool scanner)
    {
        var decoder = new CloudEventDecoder([Transaction], new DecoderOptions { MaxEventsPerMessage = 3 }) { UseScanner = scanner };

        var batch = decoder.Decode([new IncomingMessage(Encoding.UTF8.GetBytes($"[{Event("e1")},{Event("e2")},{Event("e3")}]"))], Now);

        Assert.Equal(["e1", "e2", "e3"], batch.Outcomes.Where(o => o.Accepted).Select(o => o.EventId));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decode_EnqueuedMessage_FutureSkewCheckedAgainstEnqueuedTimeNotNow(bool scanner)
    {
        // Event Hubs retries a failed batch minutes later: the verdict must not change with the attempt's clock.
        var decoder = new CloudEventDecoder([Transaction]) { UseScanner = scanner };
        var ahead = Event("ahead", data: """{"transaction_id":"ahead","customer_id":"c1","amount":1,"currency":"EUR","timestamp":"2026-11-29T12:06:00Z"}""");
        var enqueued = new IncomingMessage(Encoding.UTF8.GetBytes($"[{Event("ok")},{ahead}]"), "0", 1, EnqueuedTime: Now);

        var first = decoder.Decode([enqueued], Now);
        var retried = decoder.Decode([enqueued], Now.AddMinutes(10));
        var pushedLater = decoder.Decode([enqueued with { EnqueuedTime = null }], Now.AddMinutes(10));

        Assert.Equal("field 'timestamp': 2026-11-29T12:06:00Z is 6m in the future (the message arrived at 2026-11-29T12:00:00Z); at most 5m of clock skew is allowed", Assert.Single(first.Rejected).Reason);
        Assert.Equal(Assert.Single(first.Rejected).Reason, Assert.Single(retried.Rejected).Reason);
        Assert.Equal(["ok"], retried.Outcomes.Where(o => o.Accepted).Select(o => o.EventId));
        Assert.Empty(pushedLater.Rejected);
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    [InlineData("9999-12-31T23:59:59.9999999+00:00")]
    [InlineData("9999-12-31T23:59:59.9999990Z")]
    public void Decode_EventTimeAtEndOfCalendar_RejectedAsFutureAndBatchKept(string time)
    {
        // DateTimeOffset.MaxValue, as .NET producers serialize it: its microseconds round up past the last tick as a double.
        var late = Event("late", data: $$"""{"transaction_id":"late","customer_id":"c1","amount":1,"currency":"EUR","timestamp":"{{time}}"}""");

        var batch = Decode($"[{Event("ok")},{late}]");

        Assert.Equal(["ok"], batch.Outcomes.Where(o => o.Accepted).Select(o => o.EventId));
        Assert.Contains("in the future", Assert.Single(batch.Rejected).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    [InlineData("9999-12-31T23:59:59.9999999+00:00")]
    public void Decode_OtherTimestampAtEndOfCalendar_AcceptedAsAValidTime(string time)
    {
        var schema = new EventSchema("s", "t", "ts", [new SchemaField("expires", FieldType.Timestamp, Required: true), new SchemaField("ts", FieldType.Timestamp, Required: true)]);
        var message = $$$"""{"specversion":"1.0","id":"e","source":"/s","type":"t","data":{"expires":"{{{time}}}","ts":"2026-11-29T11:00:00Z"}}""";

        var rows = Assert.Single(new CloudEventDecoder([schema]).Decode([new IncomingMessage(Encoding.UTF8.GetBytes(message))], Now).Sources);

        // Unix microseconds that still name a time (the raw zone writes them as one), within a double's step there.
        var micros = (long)rows.Value(0, 0).AsNumber()!.Value;
        Assert.InRange(TiledView.FromUnixTicks(micros * 10), DateTimeOffset.MaxValue.AddTicks(-320), DateTimeOffset.MaxValue);
    }

    [Theory]
    [InlineData("2026-11-29T11:00:00")]
    [InlineData("2026-11-29T11:00:00.123")]
    [InlineData("2026-11-29")]
    [InlineData("2026-11-29T11:00:00\\u002E5")]
    public void Decode_TimestampWithoutOffset_RejectedNotReadAsServerLocalTime(string time)
    {
        // Without 'Z' or an offset the instant depends on a time zone the event does not name (the reader would take the
        // server's): definitions.md asks for ISO 8601 with an offset.
        var reason = SingleReason(Event(data: $$"""{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"EUR","timestamp":"{{time}}"}"""));

        Assert.StartsWith("field 'timestamp': ", reason, StringComparison.Ordinal);
        Assert.Contains("has no UTC offset", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-11-29T12:00:00+01:00")]
    [InlineData("2026-11-29T06:00:00-05:00")]
    [InlineData("2026-11-29T11:00:00.0000000+00:00")]
    [InlineData("2026-11-29T11:00:00\\u005A")]
    public void Decode_TimestampWithOffset_ReadAsThatInstant(string time)
    {
        var batch = Decode(Event(data: $$"""{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"EUR","timestamp":"{{time}}"}"""));

        Assert.Equal(TiledView.ToUnixTicks(new DateTimeOffset(2026, 11, 29, 11, 0, 0, TimeSpan.Zero)), Assert.Single(batch.Sources).EventTicks(0));
    }

    [Theory]
    [InlineData("2024-02-29T23:59:59.9999999Z", "2024-02-29T23:59:59.999999Z")]           // cut to the microsecond, not rounded into the next day
    [InlineData("2024-03-01T09:59:59.99999999+10:00", "2024-02-29T23:59:59.999999Z")]     // more than 7 digits too
    [InlineData("2026-11-29T11:00:00.123456789012Z", "2026-11-29T11:00:00.123456Z")]
    [InlineData("2026-11-30T01:00:00+14:00", "2026-11-29T11:00:00Z")]
    [InlineData("2026-11-29T05:30:00.5-05:30", "2026-11-29T11:00:00.5Z")]
    [InlineData("2026-11-29T11:00:00z", null)]                                              // RFC 3339 allows it, ISO 8601 (the documented form) does not
    [InlineData("2026-11-29t11:00:00Z", null)]
    [InlineData("2026-11-29T23:59:60Z", null)]
    [InlineData("2026-11-29T24:00:00Z", null)]
    [InlineData("2027-02-29T11:00:00Z", null)]
    public void Decode_AwkwardTimestamp_ItsUtcMicrosecondOnBothPathsOrRejected(string time, string? utc)
    {
        var message = Event(data: $$"""{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"EUR","timestamp":"{{time}}"}""");
        foreach (var scanner in new[] { true, false })
        {
            var (batch, _) = DecodeOn(scanner, message);

            if (utc is null)
            {
                Assert.StartsWith("field 'timestamp': expected an ISO 8601 timestamp", Assert.Single(batch.Rejected).Reason, StringComparison.Ordinal);
            }
            else
            {
                var expected = TiledView.ToUnixTicks(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(1, batch.AcceptedCount);
                Assert.Equal(expected, Assert.Single(batch.Sources).EventTicks(0));
            }
        }
    }

    [Theory]
    [InlineData("2026-11-29T12:05:00Z", true)]
    [InlineData("2026-11-29T12:05:00.0000009Z", true)]    // the same microsecond: the stored instant is what is checked
    [InlineData("2026-11-29T12:05:00.000001Z", false)]
    [InlineData("2026-11-29T13:05:00+01:00", true)]
    [InlineData("2026-11-29T13:05:00.000001+01:00", false)]
    public void Decode_EventTimeAtTheFutureSkewLimit_AcceptedAndAMicrosecondLaterRejected(string time, bool accepted)
    {
        var message = Event(data: $$"""{"transaction_id":"t1","customer_id":"c1","amount":1,"currency":"EUR","timestamp":"{{time}}"}""");
        foreach (var scanner in new[] { true, false })
        {
            var (batch, _) = DecodeOn(scanner, message);

            Assert.Equal(accepted ? 1 : 0, batch.AcceptedCount);
        }
    }

    [Fact]
    public void Decode_InvalidUtf8_RejectedNotReplaced()
    {
        var prefix = Encoding.UTF8.GetBytes(Event(data: """{"transaction_id":"t1","customer_id":"c"""));
        var suffix = Encoding.UTF8.GetBytes("\",\"amount\":1,\"currency\":\"EUR\",\"timestamp\":\"2026-11-29T11:00:00Z\"}}");
        var body = prefix[..^1].Concat(new byte[] { 0xC3, 0x28 }).Concat(suffix).ToArray();

        var batch = new CloudEventDecoder([Transaction]).Decode([new IncomingMessage(body)], Now);

        Assert.Equal(0, batch.AcceptedCount);
        Assert.Equal(body, Assert.Single(batch.Rejected).OriginalBytes.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Decode_EmptyEntityKey_RejectedWithReasonOnEitherPath(bool scanner)
    {
        // Serving rejects an empty entity key, so online tiles written for one could never be read.
        var message = "[" + Event("t1", """{"transaction_id":"t1","customer_id":"","amount":1,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""") + "," + Event("t2", """{"transaction_id":"t2","customer_id":"c2","amount":1,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""") + "]";

        var (batch, decoder) = DecodeOn(scanner, message);

        Assert.Equal(0, decoder.ScannedMessages);
        Assert.Equal(1, batch.AcceptedCount);
        var rejected = Assert.Single(batch.Rejected);
        Assert.Equal("t1", rejected.EventId);
        Assert.Equal("field 'customer_id': an entity key cannot be empty (the field is the join key of a feature view)", rejected.Reason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Decode_BlankEntityKeyOrEmptyOtherString_AcceptedOnEitherPath(bool scanner)
    {
        // Serving accepts a key of spaces (1 to 4096 characters), and only join keys have the rule.
        var (batch, decoder) = DecodeOn(scanner, Event(data: """{"transaction_id":"t1","customer_id":" ","amount":1,"currency":"EUR","note":"","timestamp":"2026-11-29T11:00:00Z"}"""));

        Assert.Equal(scanner ? 1 : 0, decoder.ScannedMessages);
        Assert.Empty(batch.Rejected);
        Assert.Equal(" ", Assert.Single(batch.Sources).Value(0, 1).AsText());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Decode_LeadingUtf8Bom_SkippedOnEitherPath(bool scanner, bool array)
    {
        // RFC 8259 lets a parser ignore a byte order mark, and producers on Windows often write one.
        var json = array ? "[" + Event("t1") + "," + Event("t2") + "]" : Event("t1");
        var decoder = new CloudEventDecoder([Transaction]) { UseScanner = scanner };

        var batch = decoder.Decode([new IncomingMessage(new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(json)).ToArray())], Now);

        Assert.Empty(batch.Rejected);
        Assert.Equal(array ? 2 : 1, batch.AcceptedCount);
        Assert.Equal(scanner ? 1 : 0, decoder.ScannedMessages);
    }

    [Theory]
    [InlineData(false, "\"t1\"", "t1", null)]
    [InlineData(true, "\"t1\"", "t1", null)]
    [InlineData(false, "null", "t1", null)]
    [InlineData(true, "null", "t1", null)]
    [InlineData(false, "\"tx-7\"", "t1", "field 'transaction_id' is 'tx-7', not the CloudEvent id 't1': the id field must repeat the event id, by which events are deduplicated")]
    [InlineData(true, "\"tx-7\"", "t1", "field 'transaction_id' is 'tx-7', not the CloudEvent id 't1': the id field must repeat the event id, by which events are deduplicated")]
    [InlineData(false, "\"T1\"", "t1", "field 'transaction_id' is 'T1', not the CloudEvent id 't1': the id field must repeat the event id, by which events are deduplicated")]
    [InlineData(true, "\"T1\"", "t1", "field 'transaction_id' is 'T1', not the CloudEvent id 't1': the id field must repeat the event id, by which events are deduplicated")]
    public void Decode_StringIdFieldAgainstCloudEventId_RejectedWhenItDiffers(bool scanner, string idJson, string cloudEventId, string? reason)
    {
        // A producer whose SDK makes a fresh CloudEvent id per send (the transaction id staying the same) would be
        // counted twice, since deduplication uses the CloudEvent id.
        // Declared optional here, so that an event without it (null) shows the rule only applies to a present id field.
        var fields = Transaction.Fields.Select(f => f.Name == "transaction_id" ? f with { Required = false } : f).ToArray();
        var schema = new EventSchema("transaction", "com.brisa.fraud.transaction", "timestamp", fields, idField: "transaction_id");
        var decoder = new CloudEventDecoder([schema]) { UseScanner = scanner };

        var batch = decoder.Decode([new IncomingMessage(Encoding.UTF8.GetBytes(Event(cloudEventId, $$"""{"transaction_id":{{idJson}},"customer_id":"c1","amount":1,"currency":"EUR","timestamp":"2026-11-29T11:00:00Z"}""")))], Now);

        Assert.Equal(reason, batch.Rejected.SingleOrDefault()?.Reason);
        Assert.Equal(reason is null ? 1 : 0, batch.AcceptedCount);
        Assert.Equal(scanner && reason is null ? 1 : 0, decoder.ScannedMessages);
    }

    [Theory]
    [InlineData(false, "42", "42", true)]
    [InlineData(true, "42", "42", true)]
    [InlineData(false, "-9007199254740992", "-9007199254740992", true)]
    [InlineData(true, "-9007199254740992", "-9007199254740992", true)]
    [InlineData(false, "42", "042", false)]
    [InlineData(true, "42", "042", false)]
    [InlineData(false, "42", "43", false)]
    [InlineData(true, "42", "43", false)]
    [InlineData(false, "-0", "-0", false)]
    [InlineData(true, "-0", "-0", false)]
    public void Decode_LongIdFieldAgainstCloudEventId_ComparedAsInvariantText(bool scanner, string idJson, string cloudEventId, bool accepted)
    {
        var schema = new EventSchema("order", "com.shop.order", "ts", [new SchemaField("order_id", FieldType.Long, Required: true), new SchemaField("ts", FieldType.Timestamp, Required: true)], idField: "order_id");
        var decoder = new CloudEventDecoder([schema]) { UseScanner = scanner };

        var batch = decoder.Decode([new IncomingMessage(Encoding.UTF8.GetBytes(Event(cloudEventId, $$"""{"order_id":{{idJson}},"ts":"2026-11-29T11:00:00Z"}""", "com.shop.order")))], Now);

        Assert.Equal(accepted ? 1 : 0, batch.AcceptedCount);
        if (!accepted)
        {
            var text = long.Parse(idJson, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal($"field 'order_id' is '{text}', not the CloudEvent id '{cloudEventId}': the id field must repeat the event id, by which events are deduplicated", Assert.Single(batch.Rejected).Reason);
        }
    }
}
