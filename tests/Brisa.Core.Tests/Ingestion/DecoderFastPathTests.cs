using System.Globalization;
using System.Text;
using System.Text.Json;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;

namespace Brisa.Core.Tests.Ingestion;

/// <summary>The decoder's hand-rolled fast paths agree exactly with System.Text.Json's general parsers, and reuse is clean.</summary>
public sealed class DecoderFastPathTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static readonly EventSchema Schema = new(
        "s",
        "t",
        "ts",
        [
            new SchemaField("key", FieldType.String, Required: true),
            new SchemaField("x", FieldType.Double, Required: true),
            new SchemaField("c", FieldType.String, Required: true, Allowed: ["EUR", "USD"]),
            new SchemaField("ts", FieldType.Timestamp, Required: true),
        ]);

    [Theory]
    [InlineData("2026-11-29T11:00:00Z")]
    [InlineData("2026-11-29T11:00:00.1Z")]
    [InlineData("2026-11-29T11:00:00.123Z")]
    [InlineData("2026-11-29T11:00:00.1234567Z")]
    [InlineData("2024-02-29T23:59:59.9999999Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    public void Timestamp_fast_path_equals_TryGetDateTimeOffset(string text)
    {
        Assert.True(CloudEventDecoder.TryParseUtcTimestamp(Encoding.UTF8.GetBytes(text), out var ticks));
        Assert.Equal(Reference(text)!.Value.UtcTicks, ticks);
    }

    [Theory]
    [InlineData("2023-02-29T11:00:00Z")]
    [InlineData("2026-13-01T11:00:00Z")]
    [InlineData("2026-11-31T11:00:00Z")]
    [InlineData("2026-11-29T24:00:00Z")]
    [InlineData("2026-11-29T11:60:00Z")]
    [InlineData("2026-11-29T11:00:60Z")]
    [InlineData("2026-11-29T11:00:00.Z")]
    [InlineData("2026-11-29T11:00:00.12345678Z")]
    [InlineData("2026-11-29T11:00:00+00:00")]
    [InlineData("2026-11-29T11:00:00")]
    [InlineData("2026-11-29 11:00:00Z")]
    [InlineData("2026-11-29T11:00:0aZ")]
    [InlineData("0000-01-01T00:00:00Z")]
    public void Timestamp_fast_path_declines_anything_else(string text) =>
        Assert.False(CloudEventDecoder.TryParseUtcTimestamp(Encoding.UTF8.GetBytes(text), out _));

    [Fact]
    public void Timestamp_fast_path_equals_TryGetDateTimeOffset_on_random_values()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var time = new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
            var format = random.Next(4) switch { 0 => "yyyy-MM-ddTHH:mm:ssZ", 1 => "yyyy-MM-ddTHH:mm:ss.fffZ", 2 => "yyyy-MM-ddTHH:mm:ss.fffffffZ", _ => "yyyy-MM-ddTHH:mm:ss.FFFFFFFZ" };
            var text = time.ToString(format, CultureInfo.InvariantCulture);
            var expected = Reference(text);
            var ok = CloudEventDecoder.TryParseUtcTimestamp(Encoding.UTF8.GetBytes(text), out var ticks);
            if (ok)
            {
                Assert.Equal(expected!.Value.UtcTicks, ticks);
            }
        }
    }

    [Fact]
    public void Decimal_fast_path_equals_the_general_parser()
    {
        var random = new Random(11);
        string[] fixedCases = ["0", "-0", "1", "0.1", "0.3", "123.45", "999999999999999", "0.000000000000001", "-12.5", "100000000000000.5", "9007199254740993", "1e3", "1.5E-2", "0.1234567890123456"];
        var cases = fixedCases.Concat(Enumerable.Range(0, 50_000).Select(_ =>
        {
            var digits = random.Next(1, 18);
            var mantissa = random.NextInt64(0, (long)Math.Min(long.MaxValue / 10, Math.Pow(10, digits)));
            var text = mantissa.ToString(CultureInfo.InvariantCulture);
            var scale = random.Next(0, text.Length + 2);
            if (scale > 0)
            {
                text = text.PadLeft(scale + 1, '0');
                text = text[..^scale] + "." + text[^scale..];
            }

            return random.Next(3) == 0 ? "-" + text : text;
        }));
        foreach (var text in cases)
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
            Assert.True(reader.Read());
            Assert.True(reader.TryGetDouble(out var expected));
            if (CloudEventDecoder.TryParseShortDecimal(reader.ValueSpan, out var actual))
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual));
            }
        }
    }

    [Fact]
    public void Reused_batch_and_string_cache_give_the_same_rows_as_fresh_decoding()
    {
        var decoder = new CloudEventDecoder([Schema]);
        var reused = new DecodedBatch();
        var random = new Random(3);
        for (var delivery = 0; delivery < 30; delivery++)
        {
            var events = Enumerable.Range(0, 700).Select(i =>
            {
                // Mostly unique keys at first, then a few repeating ones (the cache pauses, then resumes).
                var key = delivery < 15 ? $"k-{delivery}-{i}" : $"k-{random.Next(50)}é";
                var c = random.Next(10) == 0 ? "GBP" : random.Next(2) == 0 ? "EUR" : "USD";
                return $$$"""{"specversion":"1.0","id":"e{{{delivery}}}-{{{i % 650}}}","source":"/x","type":"t","data":{"key":"{{{key}}}","x":{{{random.Next(100000) / 100.0}}},"c":"{{{c}}}","ts":"2026-11-29T11:00:{{{random.Next(60):00}}}.{{{random.Next(1000):000}}}Z"}}""";
            }).ToArray();
            var messages = new[] { new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(",", events) + "]")) };
            var fresh = new CloudEventDecoder([Schema]).Decode(messages, Now);
            decoder.Decode(messages, Now, reused);
            Assert.Equal(fresh.Outcomes, reused.Outcomes);
            Assert.Equal(fresh.Rejected.Select(r => r.Reason), reused.Rejected.Select(r => r.Reason));
            var a = Assert.Single(fresh.Sources);
            var b = Assert.Single(reused.Sources);
            Assert.Equal(a.Count, b.Count);
            for (var row = 0; row < a.Count; row++)
            {
                Assert.Equal(a.Id(row), b.Id(row));
                Assert.Equal(a.EventTicks(row), b.EventTicks(row));
                Assert.Equal(a.Row(row).ToArray(), b.Row(row).ToArray());
            }
        }
    }

    [Fact]
    public void Decode_MessageRolledBackAfterDeferredLookups_EveryRowKeepsItsOwnKey()
    {
        // The scanner defers the cached "key" strings of a message until the message is accepted; the second message
        // is rolled back at its last event (a text "x"), so its deferred lookups must vanish, not land in later rows.
        var decoder = new CloudEventDecoder([Schema]);
        var expected = new Dictionary<string, string>();
        string Event(string id, string key, string x)
        {
            expected[id] = key;
            return $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"/x","type":"t","data":{"key":"{{{key}}}","x":{{{x}}},"c":"EUR","ts":"2026-11-29T11:00:00Z"}}""";
        }

        IncomingMessage Message(params string[] events) => new(Encoding.UTF8.GetBytes("[" + string.Join(",", events) + "]"));
        var messages = new[]
        {
            Message([.. Enumerable.Range(0, 40).Select(i => Event($"a{i}", $"key-a{i % 7}", "1"))]),
            Message([.. Enumerable.Range(0, 40).Select(i => Event($"b{i}", $"key-b{i % 5}", "2")), Event("bad", "key-bad", "\"x\"")]),
            Message([.. Enumerable.Range(0, 40).Select(i => Event($"c{i}", $"key-c{i % 3}", "3"))]),
        };

        var decoded = decoder.Decode(messages, Now);

        var rows = Assert.Single(decoded.Sources);
        Assert.Equal(120, rows.Count);
        Assert.Equal("bad", Assert.Single(decoded.Rejected).EventId);
        for (var row = 0; row < rows.Count; row++)
        {
            Assert.Equal(expected[rows.Id(row)], rows.Value(row, 0).Text);
        }
    }

    [Fact]
    public void Decode_TwoSourcesInterleavedInOneMessage_EveryRowGetsItsOwnStrings()
    {
        // Deferred strings name their rows and cache by index: events of two sources alternating within one message
        // (one with two cached fields, one with one) must each get back exactly their own strings.
        var other = new EventSchema("o", "u", "ts",
        [
            new SchemaField("who", FieldType.String, Required: true),
            new SchemaField("ts", FieldType.Timestamp, Required: true),
        ]);
        var twoKeys = new EventSchema("s2", "t2", "ts",
        [
            new SchemaField("key", FieldType.String, Required: true),
            new SchemaField("place", FieldType.String, Required: true),
            new SchemaField("ts", FieldType.Timestamp, Required: true),
        ]);
        var decoder = new CloudEventDecoder([twoKeys, other]);
        var events = Enumerable.Range(0, 60).Select(i => i % 3 == 2
            ? $$$"""{"specversion":"1.0","id":"o{{{i}}}","source":"/x","type":"u","data":{"who":"who-{{{i % 4}}}","ts":"2026-11-29T11:00:00Z"}}"""
            : $$$"""{"specversion":"1.0","id":"s{{{i}}}","source":"/x","type":"t2","data":{"key":"key-{{{i % 5}}}","place":"place-{{{i % 7}}}","ts":"2026-11-29T11:00:00Z"}}""");

        var decoded = decoder.Decode([new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(",", events) + "]"))], Now);

        Assert.Equal(1, decoder.ScannedMessages);
        Assert.Empty(decoded.Rejected);
        var (keyed, whos) = (decoded.Sources.Single(b => b.Schema == twoKeys), decoded.Sources.Single(b => b.Schema == other));
        Assert.Equal(40, keyed.Count);
        Assert.Equal(20, whos.Count);
        for (var row = 0; row < keyed.Count; row++)
        {
            var i = int.Parse(keyed.Id(row)[1..], CultureInfo.InvariantCulture);
            Assert.Equal($"key-{i % 5}", keyed.Value(row, 0).Text);
            Assert.Equal($"place-{i % 7}", keyed.Value(row, 1).Text);
        }

        for (var row = 0; row < whos.Count; row++)
        {
            var i = int.Parse(whos.Id(row)[1..], CultureInfo.InvariantCulture);
            Assert.Equal($"who-{i % 4}", whos.Value(row, 0).Text);
        }
    }

    [Fact]
    public void String_cache_returns_the_string_of_the_bytes_through_growth_and_pauses()
    {
        // Phases of repeating keys, unique keys (the cache pauses and clears) and repeats again, with lengths on both
        // sides of the 16 bytes held in a slot and non-ASCII text.
        var random = new Random(9);
        var cache = new StringCache();
        for (var i = 0; i < 200_000; i++)
        {
            var phase = i / 50_000;
            var text = phase % 2 == 1 ? $"unique-{i}" : Key(random, 100);
            Assert.Equal(text, cache.Get(Encoding.UTF8.GetBytes(text)));
        }

        // About half the lookups hit in a table too small for the keys: it grows at a window's end, often right on a hit.
        for (var round = 0; round < 12; round++)
        {
            cache = new StringCache();
            for (var i = 0; i < 20_000; i++)
            {
                var text = Key(random, 8000);
                Assert.Equal(text, cache.Get(Encoding.UTF8.GetBytes(text)));
            }
        }

        static string Key(Random random, int distinct) => $"k{random.Next(distinct)}" + (random.Next(4) == 0 ? "-é-long-enough-to-pass-16" : "");
    }

    [Fact]
    public void String_cache_many_repeating_keys_grows_and_keeps_handing_out_one_instance_per_key()
    {
        // 20,000 keys that differ in their last characters, in random order: the table grows, and keeps what it holds
        // when it grows; once grown, a key comes back as the same instance (a dictionary keyed by it then matches by
        // reference, without reading the string). With a weak slot hash, such keys share sets and evict each other.
        var cache = new StringCache();
        var keys = Enumerable.Range(0, 20_000).Select(i => Encoding.UTF8.GetBytes($"customer-{i:D6}")).ToArray();
        var held = new string?[keys.Length];
        var random = new Random(5);
        int repeats = 0, same = 0;
        for (var i = 0; i < 400_000; i++)
        {
            var k = random.Next(keys.Length);
            var text = cache.Get(keys[k]);
            Assert.Equal($"customer-{k:D6}", text);
            if (i >= 200_000 && held[k] is { } earlier)
            {
                repeats++;
                same += ReferenceEquals(earlier, text) ? 1 : 0;
            }

            held[k] = i < 200_000 ? text : held[k] ?? text;
        }

        Assert.True(same > repeats * 0.95, $"{same} of {repeats} repeated lookups returned the instance");
    }

    [Fact]
    public void StringCacheKey_BytesFollowInTheBuffer_SameKeyAsTheBytesAlone()
    {
        // The scanner builds keys from the message, reading 16 bytes past short strings; what follows must not matter.
        var random = new Random(11);
        for (var length = 0; length <= 40; length++)
        {
            for (var trial = 0; trial < 50; trial++)
            {
                var buffer = new byte[length + random.Next(0, 40)];
                random.NextBytes(buffer);
                var alone = new StringCache.Key(buffer.AsSpan(0, length).ToArray());
                var inBuffer = new StringCache.Key(buffer, length);
                Assert.Equal((alone.Head0, alone.Head1, alone.Length, alone.Hash), (inBuffer.Head0, inBuffer.Head1, inBuffer.Length, inBuffer.Hash));
            }
        }
    }

    [Fact]
    public void Utf8Prefix_IsPrefixOf_AgreesWithStartsWith()
    {
        // Prefixes up to and past the 32-byte vector, spans shorter and longer than it, matches with one byte changed.
        var random = new Random(13);
        for (var trial = 0; trial < 20_000; trial++)
        {
            var prefix = new byte[random.Next(1, 40)];
            random.NextBytes(prefix);
            var span = new byte[random.Next(0, 72)];
            random.NextBytes(span);
            if (random.Next(2) == 0)
            {
                prefix.AsSpan(0, Math.Min(prefix.Length, span.Length)).CopyTo(span);
                if (span.Length > 0 && random.Next(3) == 0)
                {
                    span[random.Next(Math.Min(prefix.Length, span.Length))] ^= (byte)(1 << random.Next(8));
                }
            }

            Assert.Equal(span.AsSpan().StartsWith(prefix), new Utf8Prefix(prefix).IsPrefixOf(span));
        }
    }

    private static DateTimeOffset? Reference(string text)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes($"\"{text}\""));
        reader.Read();
        return reader.TryGetDateTimeOffset(out var time) ? time : null;
    }
}
