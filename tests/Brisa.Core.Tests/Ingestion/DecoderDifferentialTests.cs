using System.Globalization;
using System.Text;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;
using Brisa.Core.Tests.Reliability;

namespace Brisa.Core.Tests.Ingestion;

/// <summary>
/// Differential property test of the decoder's fast path (<c>CloudEventScanner</c>): for generated deliveries (valid
/// streams in every shape producers might send, events that break each rule, and randomly mutated bytes), decoding with
/// the scanner gives exactly what the general <c>Utf8JsonReader</c> path gives: outcomes, ids, reasons, rejected bytes,
/// sources in order, rows, event times and values (numbers compared bit for bit).
/// </summary>
public sealed class DecoderDifferentialTests
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
            new SchemaField("currency", FieldType.String, Required: true, Allowed: ["EUR", "USD", "GBP", "é"]),
            new SchemaField("items", FieldType.Long, Required: false, Min: -5, Max: 1e16),
            new SchemaField("card_present", FieldType.Bool, Required: false),
            new SchemaField("note", FieldType.String, Required: false),
            new SchemaField("timestamp", FieldType.Timestamp, Required: true),
        ],
        idField: "transaction_id");

    private static readonly EventSchema Chargeback = new(
        "chargeback",
        "com.brisa.fraud.chargeback",
        "timestamp",
        [
            new SchemaField("chargeback_id", FieldType.String, Required: true),
            new SchemaField("amount", FieldType.Double, Required: false),
            new SchemaField("timestamp", FieldType.Timestamp, Required: true),
        ],
        idField: "chargeback_id");

    // Field names repeat: the scanner leaves such a schema to the general path.
    private static readonly EventSchema Repeated = new(
        "repeated",
        "com.brisa.repeated",
        "ts",
        [new SchemaField("k", FieldType.String, Required: true), new SchemaField("k", FieldType.String, Required: false), new SchemaField("ts", FieldType.Timestamp, Required: true)]);

    private static readonly EventSchema[] Schemas = [Transaction, Chargeback, Repeated];

    private static readonly DecoderOptions Options = new() { MaxEventBytes = 2048, MaxIdLength = 40, MaxStringLength = 200 };

    [Fact]
    public void Scanner_equals_general_path_on_generated_deliveries()
    {
        var (fast, general) = (new CloudEventDecoder(Schemas, Options), new CloudEventDecoder(Schemas, Options) { UseScanner = false });
        var (fastBatch, generalBatch) = (new DecodedBatch(), new DecodedBatch());
        var random = new Random(20261129);
        long messages = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var generator = new Generator(random, i, rare: i % 2 == 0 ? 0.04 : 0.004);
            var delivery = Enumerable.Range(0, random.Next(1, 5)).Select(_ => generator.Message()).ToArray();
            messages += delivery.Length;
            AssertSame(delivery, fast.Decode(Wrap(delivery), Now, fastBatch), general.Decode(Wrap(delivery), Now, generalBatch));
        }

        // The generator must mostly produce messages the scanner takes, or the comparison proves little.
        Assert.InRange(fast.ScannedMessages, messages / 3, messages);
        Assert.Equal(0, general.ScannedMessages);
    }

    [Fact]
    public void Scanner_equals_general_path_on_mutated_bytes()
    {
        var (fast, general) = (new CloudEventDecoder(Schemas, Options), new CloudEventDecoder(Schemas, Options) { UseScanner = false });
        var random = new Random(7);
        for (var i = 0; i < 6000; i++)
        {
            var generator = new Generator(random, i, rare: 0.02);
            var delivery = Enumerable.Range(0, random.Next(1, 4)).Select(_ => generator.Message()).ToArray();
            var k = random.Next(delivery.Length);
            delivery[k] = random.Next(3) == 0 ? EventMutator.Mutate(random, delivery[k]) : EditBytes(random, delivery[k]);
            AssertSame(delivery, fast.Decode(Wrap(delivery), Now), general.Decode(Wrap(delivery), Now));
        }

        Assert.True(fast.ScannedMessages > 1000, $"only {fast.ScannedMessages} messages took the fast path");
    }

    [Fact]
    public void Scanner_equals_general_path_on_the_fraud_sample_shape()
    {
        // The benchmark's shape: compact arrays as Utf8JsonWriter writes them, with the id repeated as the id field.
        var random = new Random(5);
        var delivery = Enumerable.Range(0, 5).Select(m => Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(0, 200).Select(e =>
            EventMutator.Event($"t{m}-{e:x8}", $"c{random.Next(300):000000}", Math.Round(random.NextDouble() * 900, 2), Now.AddMinutes(-random.Next(600))))) + "]")).ToArray();
        var fast = new CloudEventDecoder(Schemas);

        AssertSame(delivery, fast.Decode(Wrap(delivery), Now), new CloudEventDecoder(Schemas) { UseScanner = false }.Decode(Wrap(delivery), Now));
        Assert.Equal(5, fast.ScannedMessages);
    }

    private static IncomingMessage[] Wrap(byte[][] delivery) => delivery.Select(m => new IncomingMessage(m)).ToArray();

    private static void AssertSame(byte[][] delivery, DecodedBatch fast, DecodedBatch general)
    {
        var context = string.Join("\n", delivery.Select(m => Encoding.UTF8.GetString(m)));
        Assert.True(fast.Outcomes.SequenceEqual(general.Outcomes), context);
        Assert.Equal(general.Rejected.Count, fast.Rejected.Count);
        foreach (var (f, g) in fast.Rejected.Zip(general.Rejected))
        {
            Assert.Equal(g.Reason, f.Reason);
            Assert.Equal(g.EventId, f.EventId);
            Assert.Equal(g.Source, f.Source);
            Assert.True(g.OriginalBytes.Span.SequenceEqual(f.OriginalBytes.Span), context);
        }

        Assert.Equal(general.Sources.Select(s => (s.Schema.SourceName, s.Count)), fast.Sources.Select(s => (s.Schema.SourceName, s.Count)));
        foreach (var (f, g) in fast.Sources.Zip(general.Sources))
        {
            for (var row = 0; row < f.Count; row++)
            {
                Assert.Equal(g.Id(row), f.Id(row));
                Assert.Equal(g.EventTicks(row), f.EventTicks(row));
                for (var field = 0; field < f.Schema.Fields.Count; field++)
                {
                    var (a, b) = (f.Value(row, field), g.Value(row, field));
                    Assert.Equal(b, a);
                    if (a.IsNumber)
                    {
                        Assert.Equal(BitConverter.DoubleToInt64Bits(b.Number), BitConverter.DoubleToInt64Bits(a.Number));
                    }
                }
            }
        }
    }

    /// <summary>Deletes, inserts or replaces a few bytes, with JSON's structural characters over-represented.</summary>
    private static byte[] EditBytes(Random random, byte[] message)
    {
        var bytes = message.ToList();
        const string alphabet = "{}[]\",:\\ \t\n0123456789.eE+-tfnul\u007f";
        for (var n = random.Next(1, 3); n > 0; n--)
        {
            var at = random.Next(bytes.Count + 1);
            byte pick = random.Next(8) == 0 ? (byte)random.Next(256) : (byte)alphabet[random.Next(alphabet.Length)];
            switch (random.Next(3))
            {
                case 0 when at < bytes.Count:
                    bytes.RemoveAt(at);
                    break;
                case 1 when at < bytes.Count:
                    bytes[at] = pick;
                    break;
                default:
                    bytes.Insert(at, pick);
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>Random CloudEvents: mostly valid and in the usual shape; with probability <c>rare</c> per choice, something unusual or wrong.</summary>
    private sealed class Generator(Random random, int delivery, double rare)
    {
        private int next;

        public byte[] Message()
        {
            // With unusual choices frequent, short messages: one unusual value per message is what tests the scanner's edges.
            var count = rare > 0.01 ? random.Next(1, 3) : random.Next(1, 8);
            var events = Enumerable.Range(0, count).Select(_ => Event()).ToList();
            if (Rare())
            {
                events.Insert(random.Next(events.Count + 1), Pick("1", "\"x\"", "null", "[]", "{}"));
            }

            var text = count == 1 && random.Next(3) == 0 && events.Count == 1 ? events[0]
                : Rare() && Rare() ? "[]"
                : "[" + string.Join("," + Ws(), events) + "]";
            if (Rare())
            {
                text = Pick(" ", "\n", "\r\n\t") + text + Pick(" ", "\n", "", "x", ",", "]", "{}");
            }

            return Encoding.UTF8.GetBytes(text);
        }

        private string Event()
        {
            var n = next++;
            var schema = Rare() ? Pick(Chargeback, Repeated) : Transaction;
            var id = Rare() ? Pick("", "a\\u0041", "é", "x\u007fy", new string('i', 41), new string('i', 40), $"dup{random.Next(3)}") : $"e{delivery}-{n}";
            var attributes = new List<(string Name, string Json)>
            {
                ("specversion", Rare() ? Pick("\"0.3\"", "1.0", "\"1.0 \"", "\"1\\u002e0\"") : "\"1.0\""),
                ("id", Rare() ? Pick("5", "null", "true") : Quote(id)),
                ("source", Rare() ? Pick("\"\"", "null", "\"\\/x\"", "\"/é\"") : "\"/gen\""),
                ("type", Rare() ? Pick("\"com.unknown\"", "7", "\"com.brisa.fraud.transactio\\u006e\"") : Quote(schema.EventType)),
                ("time", "\"2026-11-29T11:00:00Z\""),
                ("datacontenttype", "\"application/json\""),
                ("data", Rare() ? Pick("\"{}\"", "null", "[1]", "7") : Data(schema, id)),
            };
            if (Rare())
            {
                attributes.Add((Pick("traceparent", "ext", "data_base64", "id", "type", "data", "specversion", "source"), Pick("12", "-1.5e3", "true", "false", "null", "\"v\"", "{\"a\":[1]}", "[]", "\"\\n\"")));
            }

            if (Rare())
            {
                attributes.RemoveAt(random.Next(attributes.Count));
            }

            if (Rare())
            {
                Shuffle(attributes);
            }

            return "{" + Ws() + string.Join("," + Ws(), attributes.Select(a => $"\"{a.Name}\"{Ws()}:{Ws()}{a.Json}{Ws()}")) + "}";
        }

        private string Data(EventSchema schema, string id)
        {
            var members = schema.Fields.Select(f => (f.Name, Json: Value(f, id))).Where(m => m.Json is not null).Select(m => (m.Name, Json: m.Json!)).ToList();
            if (Rare())
            {
                members.Add((Pick("extra", "amount", "timestamp", "transaction_id", "currency"), Pick("1", "\"x\"", "null", "{\"a\":[1,{\"b\":2}]}", "[]", "true", "2.5e1")));
            }

            if (Rare())
            {
                Shuffle(members);
            }

            return "{" + Ws() + string.Join("," + Ws(), members.Select(m => $"\"{m.Name}\"{Ws()}:{Ws()}{m.Json}{Ws()}")) + "}";
        }

        private string? Value(SchemaField field, string id)
        {
            if (Rare())
            {
                return Pick<string?>(null, "null", "\"s\"", "12", "true", "[]", "{}");
            }

            return field.Type switch
            {
                FieldType.String when field.Allowed is { } allowed => Rare() ? Pick("\"JPY\"", "\"eur\"", "\"E\\u0055R\"", "\"é\"", "\"\\u00e9\"") : Quote(allowed[random.Next(3)]),
                FieldType.String when field.Name.EndsWith("_id", StringComparison.Ordinal) && field.Name != "customer_id" => Rare() ? Pick("\"\"", "\"a\\\"b\"", "\"ü\"", Quote(new string('s', 201)), Quote(new string('s', 200)), Quote(new string('s', 150))) : Quote(id),
                FieldType.String => Rare() ? Pick("\"\"", "\"c\\u0031\"", "\"ñ\"", "\"x\u007fy\"", Quote(new string('k', 129))) : Quote($"c{random.Next(40)}"),
                FieldType.Double => Rare()
                    ? Pick("0", "-0", "-0.0", "-1", "1e3", "1.5E-2", "123456789012345678", "0.1234567890123456", "1000000", "1000000.0001", "01", "1.", ".5", "-", "1e400", "99999999999999.9", "1E+2")
                    : (random.Next(100_000) / 100.0).ToString(CultureInfo.InvariantCulture),
                FieldType.Long => Rare()
                    ? Pick("-5", "-6", "9007199254740992", "9007199254740993", "-9007199254740992", "1.0", "1e2", "12345678901234567890", "0", "-0", "1000000000000000", "1000000000000001")
                    : random.Next(1000).ToString(CultureInfo.InvariantCulture),
                FieldType.Bool => Rare() ? Pick("\"true\"", "1", "tru") : Pick("true", "false"),
                FieldType.Timestamp => Rare()
                    ? Pick("\"2026-11-29T11:00:00+01:00\"", "\"2026-11-29T11:00:00\"", "\"2026-11-29T12:05:00Z\"", "\"2026-11-29T12:05:00.0000001Z\"", "\"2026-11-29T12:06:00Z\"",
                        "\"1999-12-31T23:59:59.9999999Z\"", "\"2000-01-01T00:00:00Z\"", "\"2026-13-01T00:00:00Z\"", "\"2026-11-29T11:00:00\\u005A\"", "1732878000", "\"2026-11-29T11:00:00.12345678Z\"")
                    : Quote(Now.AddSeconds(-random.Next(86_400)).AddTicks(random.Next(3) switch { 0 => 0, 1 => random.Next(1000) * 10_000L, _ => random.Next(10_000_000) })
                        .UtcDateTime.ToString(Pick("yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.fffZ", "yyyy-MM-ddTHH:mm:ss.FFFFFFFZ"), CultureInfo.InvariantCulture)),
                _ => "null",
            };
        }

        private bool Rare() => random.NextDouble() < rare;

        private string Ws() => random.Next(8) == 0 ? Pick(" ", "\n", "\t", "\r\n  ") : "";

        private T Pick<T>(params T[] options) => options[random.Next(options.Length)];

        private void Shuffle<T>(List<T> items)
        {
            for (var i = items.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (items[i], items[j]) = (items[j], items[i]);
            }
        }

        private static string Quote(string text) => "\"" + text + "\"";
    }
}
