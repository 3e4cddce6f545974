using System.Globalization;
using System.Text;
using System.Text.Json;
using Brisa.Core.Aggregation;
using Brisa.Core.Ingestion;

namespace Brisa.Testing;

/// <summary>A transaction of the fraud sample with its country and exact event time, for tests that compare paths.</summary>
/// <param name="Id">Event and transaction id.</param>
/// <param name="Customer">Customer key.</param>
/// <param name="Merchant">Merchant key.</param>
/// <param name="Amount">Amount (EUR).</param>
/// <param name="Country">Country.</param>
/// <param name="Ticks">Event time, UTC ticks since the Unix epoch (sent to the microsecond).</param>
public sealed record SampleTransaction(string Id, string Customer, string Merchant, double Amount, string Country, long Ticks)
{
    /// <summary>One message (a JSON batch of CloudEvents) holding the transactions, as Event Hubs or a push would carry them.</summary>
    public static IncomingMessage Message(IEnumerable<SampleTransaction> events) =>
        new(Encoding.UTF8.GetBytes("[" + string.Join(",", events.Select(e => Envelope(e.Id, JsonSerializer.Serialize(new
        {
            transaction_id = e.Id,
            customer_id = e.Customer,
            merchant_id = e.Merchant,
            amount = e.Amount,
            currency = "EUR",
            country = e.Country,
            channel = "online",
            timestamp = TiledView.FromUnixTicks(e.Ticks).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
        })))) + "]"));

    private static string Envelope(string id, string data) =>
        $$"""{"specversion":"1.0","id":{{JsonSerializer.Serialize(id)}},"source":"/tests","type":"com.brisa.fraud.transaction","data":{{data}}}""";
}
