using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Brisa.Core.Generation;

/// <summary>
/// One generated CloudEvent (structured JSON mode). <see cref="IsFraud"/> is ground truth for tests and
/// evaluation; it is never serialized.
/// </summary>
/// <param name="Id">CloudEvents <c>id</c>.</param>
/// <param name="Time">CloudEvents <c>time</c> and the data's <c>timestamp</c> (UTC, millisecond precision).</param>
/// <param name="CustomerId">The card holder, e.g. <c>c000123</c>.</param>
/// <param name="Amount">Amount in <c>currency</c> units, two decimals, in (0, 1 000 000].</param>
/// <param name="IsFraud">Ground truth: the transaction (or the charged-back transaction) is fraudulent.</param>
public abstract record GeneratedEvent(string Id, DateTimeOffset Time, string CustomerId, double Amount, bool IsFraud)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    /// <summary>CloudEvents <c>type</c>: <see cref="FraudEventTypes.Transaction"/> or <see cref="FraudEventTypes.Chargeback"/>.</summary>
    public abstract string Type { get; }

    /// <summary>The event as one line of JSON (no trailing newline).</summary>
    /// <returns>The CloudEvent JSON.</returns>
    public string ToJsonLine()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes the event as a CloudEvents 1.0 JSON object.</summary>
    /// <param name="writer">The destination.</param>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> time = stackalloc byte[32];
        var timeLength = FormatTimestamp(Time, time);

        writer.WriteStartObject();
        writer.WriteString("specversion"u8, FraudEventTypes.SpecVersion);
        writer.WriteString("id"u8, Id);
        writer.WriteString("source"u8, FraudEventTypes.Source);
        writer.WriteString("type"u8, Type);
        writer.WriteString("time"u8, time[..timeLength]);
        writer.WriteString("datacontenttype"u8, FraudEventTypes.DataContentType);
        writer.WriteStartObject("data"u8);
        WriteData(writer, time[..timeLength]);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes the fields of <c>data</c>.</summary>
    /// <param name="writer">The destination, positioned inside the data object.</param>
    /// <param name="timestamp">The event time, already formatted as UTF-8.</param>
    private protected abstract void WriteData(Utf8JsonWriter writer, ReadOnlySpan<byte> timestamp);

    /// <summary>Formats as <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>, invariant.</summary>
    internal static int FormatTimestamp(DateTimeOffset time, Span<byte> destination)
    {
        var utc = time.UtcDateTime;
        if (utc.Year > 9999 || destination.Length < 24)
        {
            utc.TryFormat(destination, out var written, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);
            return written;
        }

        // Hand-rolled for speed: this runs once per event.
        var (year, month, day) = utc;
        Digits(destination[..4], year);
        destination[4] = (byte)'-';
        Digits(destination.Slice(5, 2), month);
        destination[7] = (byte)'-';
        Digits(destination.Slice(8, 2), day);
        destination[10] = (byte)'T';
        Digits(destination.Slice(11, 2), utc.Hour);
        destination[13] = (byte)':';
        Digits(destination.Slice(14, 2), utc.Minute);
        destination[16] = (byte)':';
        Digits(destination.Slice(17, 2), utc.Second);
        destination[19] = (byte)'.';
        Digits(destination.Slice(20, 3), utc.Millisecond);
        destination[23] = (byte)'Z';
        return 24;
    }

    private static void Digits(Span<byte> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}

/// <summary>A card transaction, CloudEvents type <see cref="FraudEventTypes.Transaction"/>; <c>id</c> is the transaction id.</summary>
/// <param name="Id">The transaction id (also the CloudEvent id).</param>
/// <param name="Time">Transaction time.</param>
/// <param name="CustomerId">The card holder, e.g. <c>c000123</c>.</param>
/// <param name="MerchantId">The merchant, e.g. <c>m00042</c>.</param>
/// <param name="Amount">Amount, two decimals, in (0, 1 000 000].</param>
/// <param name="Currency">EUR, USD or GBP.</param>
/// <param name="Country">ISO 3166-1 alpha-2 country where the card was used.</param>
/// <param name="Channel">pos, online or atm.</param>
/// <param name="IsFraud">Ground truth (not serialized).</param>
public sealed record TransactionEvent(
    string Id,
    DateTimeOffset Time,
    string CustomerId,
    string MerchantId,
    double Amount,
    string Currency,
    string Country,
    string Channel,
    bool IsFraud) : GeneratedEvent(Id, Time, CustomerId, Amount, IsFraud)
{
    /// <inheritdoc />
    public override string Type => FraudEventTypes.Transaction;

    /// <summary>The transaction id (same as <see cref="GeneratedEvent.Id"/>).</summary>
    public string TransactionId => Id;

    private protected override void WriteData(Utf8JsonWriter writer, ReadOnlySpan<byte> timestamp)
    {
        writer.WriteString("transaction_id"u8, Id);
        writer.WriteString("customer_id"u8, CustomerId);
        writer.WriteString("merchant_id"u8, MerchantId);
        writer.WriteNumber("amount"u8, Amount);
        writer.WriteString("currency"u8, Currency);
        writer.WriteString("country"u8, Country);
        writer.WriteString("channel"u8, Channel);
        writer.WriteString("timestamp"u8, timestamp);
    }
}

/// <summary>
/// A chargeback, CloudEvents type <see cref="FraudEventTypes.Chargeback"/>: the delayed label of a transaction,
/// 2 to 30 days after it. <c>id</c> is the chargeback id.
/// </summary>
/// <param name="Id">The chargeback id (also the CloudEvent id).</param>
/// <param name="Time">When the chargeback arrives.</param>
/// <param name="TransactionId">The disputed transaction.</param>
/// <param name="CustomerId">The card holder.</param>
/// <param name="Amount">The disputed amount (the full transaction amount).</param>
/// <param name="Reason">Issuer reason code, e.g. <c>fraud_card_not_present</c> or <c>product_not_received</c>.</param>
/// <param name="IsFraud">Ground truth: false for a friendly-fraud chargeback on a legitimate transaction (not serialized).</param>
public sealed record ChargebackEvent(
    string Id,
    DateTimeOffset Time,
    string TransactionId,
    string CustomerId,
    double Amount,
    string Reason,
    bool IsFraud) : GeneratedEvent(Id, Time, CustomerId, Amount, IsFraud)
{
    /// <inheritdoc />
    public override string Type => FraudEventTypes.Chargeback;

    /// <summary>The chargeback id (same as <see cref="GeneratedEvent.Id"/>).</summary>
    public string ChargebackId => Id;

    private protected override void WriteData(Utf8JsonWriter writer, ReadOnlySpan<byte> timestamp)
    {
        writer.WriteString("chargeback_id"u8, Id);
        writer.WriteString("transaction_id"u8, TransactionId);
        writer.WriteString("customer_id"u8, CustomerId);
        writer.WriteNumber("amount"u8, Amount);
        writer.WriteString("reason"u8, Reason);
        writer.WriteString("timestamp"u8, timestamp);
    }
}
