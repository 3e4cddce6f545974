using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Brisa.Core.Tests.Reliability;

/// <summary>Valid CloudEvents of the fraud sample and random mutations of them (byte flips, truncation, deleted, duplicated and retyped fields).</summary>
internal static class EventMutator
{
    private static readonly string[] DataFields = ["transaction_id", "customer_id", "merchant_id", "amount", "currency", "country", "channel", "timestamp"];
    private static readonly string[] Envelope = ["specversion", "id", "source", "type", "data"];

    /// <summary>One event, or a batch of two to four, all valid.</summary>
    public static byte[] ValidMessage(Random random, int n, DateTimeOffset time)
    {
        var count = random.Next(3) == 0 ? random.Next(2, 5) : 1;
        var events = Enumerable.Range(0, count).Select(k => Event($"fz-{n}-{k}", $"c{random.Next(50)}", random.NextDouble() * 300, time)).ToArray();
        return Encoding.UTF8.GetBytes(count == 1 && random.Next(2) == 0 ? events[0] : "[" + string.Join(",", events) + "]");
    }

    public static string Event(string id, string customer, double amount, DateTimeOffset time) =>
        $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"/fuzz","type":"com.brisa.fraud.transaction","data":{"transaction_id":"{{{id}}}","customer_id":"{{{customer}}}","merchant_id":"m1","amount":{{{amount.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}},"currency":"EUR","country":"ES","channel":"pos","timestamp":"{{{time:yyyy-MM-ddTHH:mm:ssZ}}}"}}""";

    /// <summary>One to three random mutations.</summary>
    public static byte[] Mutate(Random random, byte[] message)
    {
        var times = random.Next(1, 4);
        for (var i = 0; i < times; i++)
        {
            message = random.Next(6) switch
            {
                0 => FlipBytes(random, message),
                1 => message[..random.Next(message.Length)],
                2 => EditTree(random, message, Delete),
                3 => Duplicate(random, message),
                4 => EditTree(random, message, Retype),
                _ => Nest(random, message),
            };
        }

        return message;
    }

    /// <summary>How many events a message holds when it is valid JSON (array elements, or one), else null.</summary>
    public static int? EventsIn(byte[] message)
    {
        try
        {
            using var document = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = 256 });
            return document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.GetArrayLength() : 1;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[] FlipBytes(Random random, byte[] message)
    {
        var copy = (byte[])message.Clone();
        for (var i = random.Next(1, 4); i > 0 && copy.Length > 0; i--)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }

        return copy;
    }

    private static byte[] Nest(Random random, byte[] message)
    {
        var depth = random.Next(10, 300);
        var inner = string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
        var text = Encoding.UTF8.GetString(message);
        var at = text.IndexOf("\"data\":{", StringComparison.Ordinal);
        return at < 0 ? message : Encoding.UTF8.GetBytes(text.Insert(at + 8, $"\"deep\":{inner},"));
    }

    private static byte[] EditTree(Random random, byte[] message, Action<Random, JsonObject> edit)
    {
        try
        {
            var root = JsonNode.Parse(message, documentOptions: new JsonDocumentOptions { MaxDepth = 512 });
            var events = root is JsonArray array ? array.OfType<JsonObject>().ToArray() : root is JsonObject one ? [one] : [];
            if (events.Length == 0)
            {
                return message;
            }

            var target = events[random.Next(events.Length)];
            edit(random, random.Next(2) == 0 && target["data"] is JsonObject data ? data : target);
            return Encoding.UTF8.GetBytes(root!.ToJsonString());
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            // Not a tree JsonNode can edit (a repeated key, a broken string): leave it to the other mutations.
            return message;
        }
    }

    private static void Delete(Random random, JsonObject node)
    {
        var names = node.Select(p => p.Key).ToArray();
        if (names.Length > 0)
        {
            node.Remove(names[random.Next(names.Length)]);
        }
    }

    // A repeated key, with another value, written before the original (JsonObject cannot hold one).
    private static byte[] Duplicate(Random random, byte[] message)
    {
        var text = Encoding.UTF8.GetString(message);
        var names = DataFields.Concat(Envelope).ToArray();
        var name = names[random.Next(names.Length)];
        var at = text.IndexOf($"\"{name}\":", StringComparison.Ordinal);
        var value = random.Next(2) == 0 ? "\"dup\"" : "7";
        return at < 0 ? message : Encoding.UTF8.GetBytes(text.Insert(at, $"\"{name}\":{value},"));
    }

    private static void Retype(Random random, JsonObject node)
    {
        var names = node.Select(p => p.Key).Where(k => DataFields.Contains(k) || Envelope.Contains(k)).ToArray();
        if (names.Length == 0)
        {
            return;
        }

        node[names[random.Next(names.Length)]] = random.Next(8) switch
        {
            0 => JsonValue.Create(42),
            1 => JsonValue.Create("NaN"),
            2 => null,
            3 => new JsonArray(1, "x"),
            4 => new JsonObject { ["x"] = 1 },
            5 => JsonValue.Create(true),
            6 => JsonValue.Create(new string('x', 5000)),
            _ => JsonValue.Create("\u0001/\\#?'\u00e9\ud83d\ude00"),
        };
    }
}
