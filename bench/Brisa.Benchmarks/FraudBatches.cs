using Brisa.Core.Aggregation;
using Brisa.Core.Generation;
using Brisa.Core.Ingestion;

namespace Brisa.Benchmarks;

/// <summary>
/// The generated fraud stream as the engine's input: accepted events laid out typed, exactly as the decoder or the raw
/// zone reader hands them over (timestamps as Unix microseconds, event time as Unix ticks).
/// </summary>
internal static class FraudBatches
{
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static FraudStreamResult Generate(int customers, int merchants, int days) => FraudStreamGenerator.Generate(new FraudStreamOptions
    {
        Customers = customers,
        Merchants = merchants,
        Days = days,
        Seed = 42,
        Start = Start,
    });

    /// <summary>The transactions of a stream (in its time order) as one batch of the <c>transaction</c> schema.</summary>
    public static SourceEventBatch Transactions(IEnumerable<GeneratedEvent> events, EventSchema schema)
    {
        var transactions = events.OfType<TransactionEvent>().ToList();
        var batch = new SourceEventBatch(schema, transactions.Count);
        var row = new FieldValue[schema.Fields.Count];
        int id = schema.IndexOf("transaction_id"), customer = schema.IndexOf("customer_id"), merchant = schema.IndexOf("merchant_id"),
            amount = schema.IndexOf("amount"), currency = schema.IndexOf("currency"), country = schema.IndexOf("country"),
            channel = schema.IndexOf("channel"), timestamp = schema.IndexOf("timestamp");
        foreach (var t in transactions)
        {
            var ticks = TiledView.ToUnixTicks(t.Time);
            row[id] = FieldValue.FromText(t.Id);
            row[customer] = FieldValue.FromText(t.CustomerId);
            row[merchant] = FieldValue.FromText(t.MerchantId);
            row[amount] = FieldValue.FromNumber(t.Amount);
            row[currency] = FieldValue.FromText(t.Currency);
            row[country] = FieldValue.FromText(t.Country);
            row[channel] = FieldValue.FromText(t.Channel);
            row[timestamp] = FieldValue.FromNumber(ticks / 10);
            batch.Add(t.Id, ticks, row);
        }

        return batch;
    }

    /// <summary>The chargebacks of a stream as one batch of the <c>chargeback</c> schema.</summary>
    public static SourceEventBatch Chargebacks(IEnumerable<GeneratedEvent> events, EventSchema schema)
    {
        var chargebacks = events.OfType<ChargebackEvent>().ToList();
        var batch = new SourceEventBatch(schema, Math.Max(1, chargebacks.Count));
        var row = new FieldValue[schema.Fields.Count];
        int id = schema.IndexOf("chargeback_id"), transaction = schema.IndexOf("transaction_id"), customer = schema.IndexOf("customer_id"),
            amount = schema.IndexOf("amount"), reason = schema.IndexOf("reason"), timestamp = schema.IndexOf("timestamp");
        foreach (var c in chargebacks)
        {
            var ticks = TiledView.ToUnixTicks(c.Time);
            Array.Clear(row);
            row[id] = FieldValue.FromText(c.Id);
            row[transaction] = FieldValue.FromText(c.TransactionId);
            row[customer] = FieldValue.FromText(c.CustomerId);
            row[amount] = FieldValue.FromNumber(c.Amount);
            row[reason] = FieldValue.FromText(c.Reason);
            row[timestamp] = FieldValue.FromNumber(ticks / 10);
            batch.Add(c.Id, ticks, row);
        }

        return batch;
    }
}
