using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Brisa.Core.Generation;

/// <summary>
/// A generated stream: transactions in [<see cref="Start"/>, <see cref="End"/>) and their chargebacks, all
/// sorted by event time. Chargebacks of late transactions fall after <see cref="End"/> (they would arrive
/// later); they are kept so every label exists, and consumers that replay "up to now" filter by time.
/// </summary>
/// <param name="Start">First instant of the transaction stream (UTC).</param>
/// <param name="End">End of the transaction stream, exclusive (UTC).</param>
/// <param name="Events">Transactions and chargebacks sorted by time, then transactions first, then generation order.</param>
public sealed record FraudStreamResult(DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<GeneratedEvent> Events)
{
    /// <summary>Writes <see cref="Events"/> as JSON lines (one CloudEvent per line, <c>\n</c> endings).</summary>
    /// <param name="writer">The destination.</param>
    public void WriteJsonLines(TextWriter writer) => FraudStreamJson.WriteJsonLines(Events, writer);

    /// <summary>Writes <see cref="Events"/> as UTF-8 JSON lines (one CloudEvent per line, <c>\n</c> endings).</summary>
    /// <param name="stream">The destination.</param>
    public void WriteJsonLines(Stream stream) => FraudStreamJson.WriteJsonLines(Events, stream);
}

/// <summary>JSON lines serialization of generated events (any subset, e.g. filtered by time).</summary>
public static class FraudStreamJson
{
    private const int FlushThreshold = 64 * 1024;

    /// <summary>Writes the events as JSON lines to a text writer.</summary>
    /// <param name="events">The events, in the order to write.</param>
    /// <param name="writer">The destination.</param>
    public static void WriteJsonLines(IEnumerable<GeneratedEvent> events, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var chars = ArrayPool<char>.Shared.Rent(FlushThreshold + 4096);
        try
        {
            Write(events, bytes =>
            {
                if (chars.Length < bytes.Length)
                {
                    ArrayPool<char>.Shared.Return(chars);
                    chars = ArrayPool<char>.Shared.Rent(bytes.Length);
                }

                var count = Encoding.UTF8.GetChars(bytes, chars);
                writer.Write(chars, 0, count);
            });
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Writes the events as UTF-8 JSON lines to a stream.</summary>
    /// <param name="events">The events, in the order to write.</param>
    /// <param name="stream">The destination.</param>
    public static void WriteJsonLines(IEnumerable<GeneratedEvent> events, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Write(events, stream.Write);
    }

    /// <summary>The events as one JSON array: a CloudEvents batch, as a producer posts it or an Event Hubs message carries it.</summary>
    /// <param name="events">The events, in order.</param>
    /// <returns>The UTF-8 JSON.</returns>
    public static byte[] ToJsonArray(IEnumerable<GeneratedEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var buffer = new ArrayBufferWriter<byte>(FlushThreshold);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var e in events)
            {
                e.WriteTo(json);
            }

            json.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(IEnumerable<GeneratedEvent> events, ReadOnlySpanAction sink)
    {
        ArgumentNullException.ThrowIfNull(events);
        var buffer = new ArrayBufferWriter<byte>(FlushThreshold + 4096);
        using var json = new Utf8JsonWriter(buffer);
        foreach (var e in events)
        {
            e.WriteTo(json);
            json.Flush();
            json.Reset();
            buffer.GetSpan(1)[0] = (byte)'\n';
            buffer.Advance(1);
            if (buffer.WrittenCount >= FlushThreshold)
            {
                sink(buffer.WrittenSpan);
                buffer.ResetWrittenCount();
            }
        }

        if (buffer.WrittenCount > 0)
        {
            sink(buffer.WrittenSpan);
        }
    }

    private delegate void ReadOnlySpanAction(ReadOnlySpan<byte> bytes);
}
