using System.Text;
using System.Text.Json;

namespace Brisa.Core.Ingestion;

/// <summary>Groups JSON lines (one CloudEvent each) into JSON-array batches within an event count and a byte size.</summary>
public static class JsonLines
{
    /// <summary>
    /// Yields batches as UTF-8 JSON arrays (<c>application/cloudevents-batch+json</c>) holding at most
    /// <paramref name="maxEvents"/> events and <paramref name="maxBytes"/> bytes; a single line larger than the
    /// limit still goes alone (the receiver dead-letters it with its reason). A line that is not one JSON value goes
    /// alone too, as it is: spliced into an array it would make the whole batch malformed JSON, dead-lettered as one
    /// message with every good event in it. So does a line nested too deep to be read inside an array (the receiver
    /// reads <see cref="CloudEventDecoder.MaxDepth"/> levels, the array's included). Blank lines are skipped.
    /// </summary>
    public static IEnumerable<JsonLinesBatch> Batch(IEnumerable<string> lines, int maxEvents, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 2);
        var buffer = new MemoryStream();
        int count = 0, number = 0, last = 0;
        foreach (var line in lines)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var bytes = Encoding.UTF8.GetBytes(line.Trim());
            var alone = !IsOneJsonValue(bytes);
            if (count > 0 && (alone || count == maxEvents || buffer.Length + bytes.Length + 2 > maxBytes))
            {
                yield return Close(buffer, count, last);
                buffer = new MemoryStream();
                count = 0;
            }

            if (alone)
            {
                yield return new JsonLinesBatch(bytes, 1, number);
                continue;
            }

            buffer.WriteByte(count == 0 ? (byte)'[' : (byte)',');
            buffer.Write(bytes);
            count++;
            last = number;
        }

        if (count > 0)
        {
            yield return Close(buffer, count, last);
        }
    }

    private static bool IsOneJsonValue(byte[] line)
    {
        // One level less than the receiver reads: in the batch's array the line is one level deeper than alone.
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = CloudEventDecoder.MaxDepth - 1 });
        try
        {
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static JsonLinesBatch Close(MemoryStream buffer, int count, int lastLine)
    {
        buffer.WriteByte((byte)']');
        return new JsonLinesBatch(buffer.ToArray(), count, lastLine);
    }
}

/// <summary>A JSON array of CloudEvents ready to send.</summary>
/// <param name="Body">The UTF-8 JSON array.</param>
/// <param name="Count">Events in it.</param>
/// <param name="LastLine">
/// The number (from 1, blank lines counted) of the last input line it holds: once it and the batches before it are
/// sent, every line up to this one is.
/// </param>
public sealed record JsonLinesBatch(byte[] Body, int Count, int LastLine);
