using System.Globalization;
using System.Text;
using System.Text.Json;
using Brisa.Core.Ingestion;

namespace Brisa.Testing;

/// <summary>One generated transaction of the fraud sample, and its CloudEvent JSON.</summary>
/// <param name="Id">Event and transaction id.</param>
/// <param name="Customer">Customer key (any string: it is JSON-escaped).</param>
/// <param name="Merchant">Merchant key.</param>
/// <param name="Amount">Amount.</param>
/// <param name="Time">Event time.</param>
public sealed record TestTransaction(string Id, string Customer, string Merchant, double Amount, DateTimeOffset Time)
{
    /// <summary>The CloudEvent (structured JSON) of the sample's transaction source.</summary>
    public string ToJson() =>
        $$$"""{"specversion":"1.0","id":{{{JsonSerializer.Serialize(Id)}}},"source":"/tests","type":"com.brisa.fraud.transaction","data":{"transaction_id":{{{JsonSerializer.Serialize(Id)}}},"customer_id":{{{JsonSerializer.Serialize(Customer)}}},"merchant_id":{{{JsonSerializer.Serialize(Merchant)}}},"amount":{{{Amount.ToString("R", CultureInfo.InvariantCulture)}}},"currency":"EUR","country":"ES","channel":"pos","timestamp":"{{{Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}}}"}}""";

    /// <summary>
    /// A seeded stream: <paramref name="count"/> transactions of <paramref name="customers"/> customers, spread over
    /// the <paramref name="span"/> before <paramref name="now"/>, amounts with cents.
    /// </summary>
    public static IReadOnlyList<TestTransaction> Generate(int count, int customers, TimeSpan span, DateTimeOffset now, int seed, string prefix)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new TestTransaction(
            $"{prefix}-t{i:D5}",
            $"{prefix}-c{random.Next(customers):D3}",
            $"{prefix}-m{random.Next(5)}",
            Math.Round(random.NextDouble() * 500, 2),
            now - TimeSpan.FromTicks((long)(random.NextDouble() * span.Ticks))))];
    }

    /// <summary>One message (a JSON batch) per chunk, as an Event Hubs batch or a push request would carry them.</summary>
    public static IncomingMessage[] Batch(IEnumerable<TestTransaction> events) =>
        [new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(",", events.Select(e => e.ToJson())) + "]"))];
}
