using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;

namespace Brisa.Core.Ingestion;

/// <summary>
/// Decodes CloudEvents 1.0 in structured JSON mode (one event, or a batch as a JSON array) straight from
/// the delivered bytes into typed rows, validating every event against its source schema.
/// Each rejected event keeps its original bytes and a reason; nothing is dropped silently.
/// Not thread-safe (it keeps a string pool): use one decoder per concurrent caller.
/// </summary>
public sealed class CloudEventDecoder
{
    private const long MaxExactInteger = 1L << 53;

    /// <summary>Stands for a present, non-empty 'source' (its value is not kept).</summary>
    private const string NonEmpty = "(present)";
    /// <summary>How deep a message may nest (an event alone: its own levels; in a batch: one more, the array's).</summary>
    public const int MaxDepth = 64;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow };

    private readonly EventSchema[] schemas;
    private readonly byte[][] schemaTypes;
    private readonly FieldDecoder[][] fieldDecoders;
    private readonly DecoderOptions options;
    private readonly DeliveryIds seenIds;
    private readonly List<(int Source, string Id, long Ticks)> addedIds = [];
    private readonly CloudEventScanner scanner;
    private FieldValue[] scratch = [];

    /// <summary>Creates a decoder for the given sources.</summary>
    public CloudEventDecoder(IEnumerable<EventSchema> schemas, DecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schemas);
        this.schemas = schemas.ToArray();
        schemaTypes = this.schemas.Select(s => Encoding.UTF8.GetBytes(s.EventType)).ToArray();
        fieldDecoders = this.schemas.Select(s => s.Fields.Select((f, i) => new FieldDecoder(f, i == s.IdIndex)).ToArray()).ToArray();
        this.options = options ?? new DecoderOptions();
        seenIds = new DeliveryIds(this.schemas.Length);
        scanner = new CloudEventScanner(this.schemas, schemaTypes, fieldDecoders, this.options, seenIds);
    }

    /// <summary>False to decode every message with the general <c>Utf8JsonReader</c> path (the reference the fast path is tested against).</summary>
    internal bool UseScanner { get; init; } = true;

    /// <summary>How many messages the fast path decoded (so tests can tell it was exercised).</summary>
    internal long ScannedMessages { get; private set; }

    /// <summary>
    /// Decodes a delivered batch of messages. Event times are checked for future skew against each message's
    /// <see cref="IncomingMessage.EnqueuedTime"/>, or <paramref name="now"/> for a message without one (pushed).
    /// </summary>
    public DecodedBatch Decode(IReadOnlyList<IncomingMessage> messages, DateTimeOffset now) => Decode(messages, now, new DecodedBatch());

    /// <summary>
    /// Decodes a delivered batch into <paramref name="into"/>, which is <see cref="DecodedBatch.Reset"/> first and reuses its arrays
    /// (for a caller that is done with the previous delivery's rows before decoding the next one).
    /// </summary>
    public DecodedBatch Decode(IReadOnlyList<IncomingMessage> messages, DateTimeOffset now, DecodedBatch into)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(into);
        into.Reset();
        long bytes = 0;
        foreach (var message in messages)
        {
            bytes += message.Body.Length;
        }

        // About 200 bytes or more per CloudEvent: size the row arrays once instead of doubling them (large arrays
        // live on the large object heap, whose churn brings full collections over the engine's long-lived state).
        var batch = into;
        batch.CapacityHint = (int)Math.Clamp(bytes / 200, 64, 1 << 16);
        seenIds.Clear();
        foreach (var message in messages)
        {
            var rejectedBefore = batch.Rejected.Count;
            DecodeMessage(message.Body, message.EnqueuedTime ?? now, batch);
            if (message.EnqueuedTime is { } enqueued)
            {
                // Dead-letter blobs are filed under the hour of receipt: the enqueued time keeps a batch retried in a later
                // hour in the same blob rather than adding a copy per hour of retries.
                for (var i = rejectedBefore; i < batch.Rejected.Count; i++)
                {
                    batch.Rejected[i] = batch.Rejected[i] with { ReceivedAt = enqueued };
                }
            }
        }

        seenIds.Clear();
        return batch;
    }

    private void DecodeMessage(ReadOnlyMemory<byte> body, DateTimeOffset now, DecodedBatch batch)
    {
        // A leading UTF-8 byte order mark, which RFC 8259 lets a parser ignore (producers on Windows often write one).
        if (body.Span.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        if (UseScanner && scanner.TryDecode(body.Span, now, batch))
        {
            ScannedMessages++;
            return;
        }

        // Anything the scanner does not take (including every message with a rejected event) is decoded here, which
        // gives the same rows and the reasons.
        var mark = new Mark(batch);
        var idsBefore = addedIds;
        idsBefore.Clear();
        try
        {
            var reader = new Utf8JsonReader(body.Span, ReaderOptions);
            reader.Read(); // throws on an empty body: dead-lettered as malformed below

            if (reader.TokenType == JsonTokenType.StartObject)
            {
                DecodeEvent(ref reader, body, now, batch, idsBefore);
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                for (var events = 1; reader.Read() && reader.TokenType != JsonTokenType.EndArray; events++)
                {
                    if (events > options.MaxEventsPerMessage)
                    {
                        throw new TooManyEventsException();
                    }

                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        DecodeEvent(ref reader, body, now, batch, idsBefore);
                    }
                    else
                    {
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        batch.Reject(body[start..(int)reader.BytesConsumed], null, null, $"batch element is {Describe(reader.TokenType)}, not a CloudEvent JSON object");
                    }
                }
            }
            else
            {
                batch.Reject(body, null, null, $"expected a CloudEvent JSON object or an array of them, got {Describe(reader.TokenType)}");
                return;
            }

            if (reader.Read())
            {
                throw new JsonException($"unexpected content after the end of the JSON value at byte {reader.TokenStartIndex}");
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or TooManyEventsException)
        {
            // A message that is not valid JSON cannot be split into events, nor one holding more events than a message
            // may (each would cost a rejection, an outcome and a record): dead-letter it whole.
            mark.Rollback(batch);
            foreach (var (source, id, ticks) in idsBefore)
            {
                seenIds.Remove(source, id, ticks);
            }

            batch.Reject(body, null, null, ex is TooManyEventsException
                ? $"the message holds more than {options.MaxEventsPerMessage} events; send at most {options.MaxEventsPerMessage} per message"
                : $"malformed JSON: {ex.Message}");
        }
    }

    private void DecodeEvent(ref Utf8JsonReader reader, ReadOnlyMemory<byte> body, DateTimeOffset now, DecodedBatch batch, List<(int Source, string Id, long Ticks)> added)
    {
        var start = (int)reader.TokenStartIndex;
        string? specVersion = null, id = null, type = null, source = null, envelopeError = null;
        EventSchema? schema = null;
        var schemaIndex = -1;
        int dataStart = -1, dataEnd = -1, dataCount = 0;
        var dataToken = JsonTokenType.None;

        // Single pass: when 'type' comes before 'data' (as producers write it), the data object is decoded where it
        // stands into a scratch row; otherwise (or when a key repeats) it is decoded afterwards from its span.
        EventSchema? inlineSchema = null;
        string? inlineError = null;
        long inlineTicks = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var attribute = AttributeOf(ref reader);
            if (attribute == CloudEventAttribute.Data)
            {
                reader.Read();
                dataToken = reader.TokenType;
                dataStart = (int)reader.TokenStartIndex;
                dataCount++;
                if (dataCount == 1 && schema is not null && dataToken == JsonTokenType.StartObject)
                {
                    inlineSchema = schema;
                    var atData = reader;
                    try
                    {
                        inlineError = DecodeFields(ref reader, schema, Scratch(schema.Fields.Count), now, out inlineTicks);
                    }
                    catch (InvalidOperationException)
                    {
                        // A string that cannot be read (e.g. an invalid escaped surrogate): decide after the envelope, as a
                        // two-pass decode would (an event rejected by its envelope keeps its own reason).
                        reader = atData;
                        reader.Skip();
                        inlineSchema = null;
                    }
                }
                else
                {
                    reader.Skip();
                }

                dataEnd = (int)reader.BytesConsumed;
            }
            else if (attribute == CloudEventAttribute.Id)
            {
                id = ReadAttribute(ref reader, "id", ref envelopeError);
            }
            else if (attribute == CloudEventAttribute.Type)
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    schemaIndex = FindSchema(ref reader);
                    schema = schemaIndex >= 0 ? schemas[schemaIndex] : null;
                    type = schema?.EventType ?? reader.GetString();
                }
                else
                {
                    envelopeError ??= $"CloudEvents attribute 'type' must be a string, got {Describe(reader.TokenType)}";
                    reader.Skip();
                    type = null;
                    schema = null;
                    schemaIndex = -1;
                }
            }
            else if (attribute == CloudEventAttribute.SpecVersion)
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    specVersion = reader.ValueTextEquals("1.0"u8) ? "1.0" : reader.GetString();
                }
                else
                {
                    envelopeError ??= $"CloudEvents attribute 'specversion' must be a string, got {Describe(reader.TokenType)}";
                    reader.Skip();
                    specVersion = null;
                }
            }
            else if (attribute == CloudEventAttribute.Source)
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    // Only its presence matters: no string unless it must be unescaped (or fails as invalid UTF-8, as GetString does).
                    source = !reader.ValueIsEscaped && Utf8.IsValid(reader.ValueSpan) ? (reader.ValueSpan.Length == 0 ? "" : NonEmpty) : reader.GetString();
                }
                else
                {
                    envelopeError ??= $"CloudEvents attribute 'source' must be a string, got {Describe(reader.TokenType)}";
                    reader.Skip();
                    source = null;
                }
            }
            else if (attribute == CloudEventAttribute.DataBase64)
            {
                envelopeError ??= "'data_base64' is not supported: send the data as a JSON object in 'data'";
                reader.Read();
                reader.Skip();
            }
            else
            {
                // time, datacontenttype, subject and extension attributes are not needed: the event time is the source's timestamp field.
                reader.Read();
                reader.Skip();
            }
        }

        var bytes = body[start..(int)reader.BytesConsumed];
        var reason = envelopeError
            ?? CheckEnvelope(bytes.Length, specVersion, id, type, source, schema)
            ?? (dataStart < 0 ? "missing 'data'" : dataToken != JsonTokenType.StartObject ? $"'data' must be a JSON object, got {Describe(dataToken)}" : null);
        if (reason is not null)
        {
            batch.Reject(bytes, id, schema?.SourceName, reason);
            return;
        }

        var rows = batch.For(schema!);
        long ticks;
        if (dataCount == 1 && ReferenceEquals(inlineSchema, schema))
        {
            reason = inlineError ?? CheckIdField(schema!, scratch, id!);
            ticks = inlineTicks;
            if (reason is null)
            {
                scratch.AsSpan(0, schema!.Fields.Count).CopyTo(rows.Append(id!, ticks));
            }
        }
        else
        {
            var row = rows.Append(id!, 0);
            reason = DecodeData(body.Span[dataStart..dataEnd], schema!, row, now, out ticks) ?? CheckIdField(schema!, row, id!);
            if (reason is not null)
            {
                rows.Truncate(rows.Count - 1);
            }
        }

        // An event is (id, time) as every reader of the raw zone counts it, so only a repeat of both is a duplicate (the
        // time is known once the data is decoded: an event rejected for its data keeps that reason).
        if (reason is null && !seenIds.Add(schemaIndex, id!, ticks))
        {
            rows.Truncate(rows.Count - 1);
            reason = $"duplicate event id '{id}' at {Format(TiledView.FromUnixTicks(ticks))} within the batch (the first one was taken)";
        }

        if (reason is not null)
        {
            batch.Reject(bytes, id, schema!.SourceName, reason);
            return;
        }

        added.Add((schemaIndex, id!, ticks));
        rows.SetLastTicks(ticks);
        batch.Accept(id!);
    }

    /// <summary>
    /// Null when the event's id field is absent or equals its CloudEvent id (a <c>long</c> compared as its invariant
    /// text); otherwise the reason: deduplication uses the CloudEvent id, so a producer sending a fresh one for the
    /// same event (same id field) would have it counted twice.
    /// </summary>
    private static string? CheckIdField(EventSchema schema, ReadOnlySpan<FieldValue> row, string id)
    {
        if (schema.IdIndex < 0)
        {
            return null;
        }

        var value = row[schema.IdIndex];
        if (value.AsText() is { } text)
        {
            if (string.Equals(text, id, StringComparison.Ordinal))
            {
                return null;
            }
        }
        else if (value.AsNumber() is not { } number || IsIdText((long)number, id))
        {
            return null;
        }
        else
        {
            text = ((long)number).ToString(CultureInfo.InvariantCulture);
        }

        return $"field '{schema.Fields[schema.IdIndex].Name}' is '{Shorten(text)}', not the CloudEvent id '{id}': the id field must repeat the event id, by which events are deduplicated";
    }

    /// <summary>True when <paramref name="id"/> is the invariant text of <paramref name="number"/>.</summary>
    internal static bool IsIdText(long number, ReadOnlySpan<char> id)
    {
        Span<char> digits = stackalloc char[20];
        return number.TryFormat(digits, out var length, default, CultureInfo.InvariantCulture) && id.SequenceEqual(digits[..length]);
    }

    /// <summary>A cleared row of scratch values for inline decoding.</summary>
    private Span<FieldValue> Scratch(int count)
    {
        if (scratch.Length < count)
        {
            scratch = new FieldValue[count];
        }

        var row = scratch.AsSpan(0, count);
        row.Clear();
        return row;
    }

    private string? CheckEnvelope(int size, string? specVersion, string? id, string? type, string? source, EventSchema? schema)
    {
        if (size > options.MaxEventBytes)
        {
            return $"event is {size} bytes; at most {options.MaxEventBytes} are allowed";
        }

        if (specVersion is null)
        {
            return "missing CloudEvents attribute 'specversion' (expected \"1.0\")";
        }

        if (specVersion != "1.0")
        {
            return $"unsupported specversion '{specVersion}' (expected \"1.0\")";
        }

        if (string.IsNullOrEmpty(id))
        {
            return "missing CloudEvents attribute 'id'";
        }

        if (id.Length > options.MaxIdLength)
        {
            return $"id is {id.Length} characters; at most {options.MaxIdLength} are allowed";
        }

        foreach (var c in id)
        {
            if (char.IsControl(c))
            {
                return $"id contains the control character U+{(int)c:X4}";
            }
        }

        if (string.IsNullOrEmpty(source))
        {
            return "missing CloudEvents attribute 'source'";
        }

        if (type is null)
        {
            return "missing CloudEvents attribute 'type'";
        }

        return schema is null
            ? $"unknown event type '{type}'; known types: {string.Join(", ", schemas.Select(s => s.EventType))}"
            : null;
    }

    private string? DecodeData(ReadOnlySpan<byte> json, EventSchema schema, Span<FieldValue> row, DateTimeOffset now, out long ticks)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        reader.Read();
        return DecodeFields(ref reader, schema, row, now, out ticks);
    }

    /// <summary>Decodes the data object the reader stands on (its StartObject); leaves the reader on its EndObject, whatever the outcome.</summary>
    private string? DecodeFields(ref Utf8JsonReader reader, EventSchema schema, Span<FieldValue> row, DateTimeOffset now, out long ticks)
    {
        var depth = reader.CurrentDepth;
        var error = DecodeFieldsCore(ref reader, schema, row, now, out ticks);
        while (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != depth)
        {
            // An early error: step over the rest of the object (the message was already well-formed up to here or throws).
            reader.Read();
        }

        return error;
    }

    private string? DecodeFieldsCore(ref Utf8JsonReader reader, EventSchema schema, Span<FieldValue> row, DateTimeOffset now, out long ticks)
    {
        ticks = 0;
        var fields = schema.Fields;
        var decoders = DecodersOf(schema);
        Span<bool> seen = fields.Count <= 256 ? stackalloc bool[fields.Count] : new bool[fields.Count];
        var guess = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var index = FindField(ref reader, schema, guess);
            guess = index + 1;
            reader.Read();
            if (index < 0)
            {
                // Unknown fields are ignored so producers can add fields before the definitions do.
                reader.Skip();
                continue;
            }

            var field = fields[index];
            if (seen[index])
            {
                return $"field '{field.Name}' appears twice";
            }

            seen[index] = true;
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            var error = ReadValue(ref reader, decoders[index], out row[index]);
            if (error is not null)
            {
                return $"field '{field.Name}': {error}";
            }
        }

        for (var i = 0; i < fields.Count; i++)
        {
            if (row[i].IsNull && (fields[i].Required || i == schema.TimestampIndex))
            {
                return $"missing required field '{fields[i].Name}'";
            }
        }

        var micros = (long)row[schema.TimestampIndex].Number;
        ticks = micros * 10;
        var time = TiledView.FromUnixTicks(ticks);
        if (time > now + options.MaxFutureSkew)
        {
            return $"field '{fields[schema.TimestampIndex].Name}': {Format(time)} is {Format(time - now)} in the future (the message arrived at {Format(now)}); at most {Format(options.MaxFutureSkew)} of clock skew is allowed";
        }

        if (time < options.MinEventTime)
        {
            return $"field '{fields[schema.TimestampIndex].Name}': {Format(time)} is before {Format(options.MinEventTime)}, the earliest event time accepted";
        }

        return null;
    }

    private string? ReadValue(ref Utf8JsonReader reader, FieldDecoder decoder, out FieldValue value)
    {
        value = default;
        var field = decoder.Field;
        switch (field.Type)
        {
            case FieldType.String:
                if (reader.TokenType != JsonTokenType.String)
                {
                    return $"expected a string, got {Describe(reader.TokenType)}";
                }

                if (reader.ValueSpan.Length == 0 && field.EntityKey)
                {
                    // Serving rejects an empty entity key: tiles written for one could never be read.
                    return "an entity key cannot be empty (the field is the join key of a feature view)";
                }

                if (decoder.AllowedUtf8 is { } allowedUtf8 && !reader.ValueIsEscaped)
                {
                    // Fast path: compare the raw bytes with the allowed values (no string made).
                    var raw = reader.ValueSpan;
                    for (var k = 0; k < allowedUtf8.Length; k++)
                    {
                        if (allowedUtf8[k] is { } candidate && raw.SequenceEqual(candidate) && field.Allowed![k].Length <= options.MaxStringLength)
                        {
                            value = FieldValue.FromText(field.Allowed[k]);
                            return null;
                        }
                    }
                }

                var text = ReadString(ref reader, decoder.Cache);
                if (text is null)
                {
                    return "invalid UTF-8 in string";
                }

                if (text.Length > options.MaxStringLength)
                {
                    return $"string of {text.Length} characters; at most {options.MaxStringLength} are allowed";
                }

                if (field.Allowed is { } allowed)
                {
                    var match = FindAllowed(allowed, text);
                    if (match is null)
                    {
                        return $"'{Shorten(text)}' is not allowed; allowed: {string.Join(", ", allowed)}";
                    }

                    text = match;
                }

                value = FieldValue.FromText(text);
                return null;

            case FieldType.Double:
                if (reader.TokenType != JsonTokenType.Number)
                {
                    return $"expected a number, got {Describe(reader.TokenType)}";
                }

                if (!((!reader.ValueIsEscaped && TryParseShortDecimal(reader.ValueSpan, out var number)) || reader.TryGetDouble(out number)) || !double.IsFinite(number))
                {
                    return "the number is out of the range of a double";
                }

                value = FieldValue.FromNumber(number);
                return CheckRange(field, number);

            case FieldType.Long:
                if (reader.TokenType != JsonTokenType.Number)
                {
                    return $"expected an integer, got {Describe(reader.TokenType)}";
                }

                if (!reader.TryGetInt64(out var integer) || integer is > MaxExactInteger or < -MaxExactInteger)
                {
                    return $"expected an integer between -2^53 and 2^53, got {Encoding.UTF8.GetString(reader.ValueSpan)}";
                }

                value = FieldValue.FromNumber(integer);
                return CheckRange(field, integer);

            case FieldType.Bool:
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    return $"expected true or false, got {Describe(reader.TokenType)}";
                }

                value = FieldValue.FromNumber(reader.TokenType == JsonTokenType.True ? 1 : 0);
                return null;

            case FieldType.Timestamp:
                if (ReadTimestamp(ref reader, out var utcTicks) is { } error)
                {
                    return error;
                }

                value = FieldValue.FromNumber(UnixMicros(utcTicks));
                return null;

            default:
                return $"unsupported field type {field.Type}";
        }
    }

    /// <summary>
    /// Reads the reader's token as an event time in UTC ticks: null when it is one, else why not. The one rule for what a
    /// timestamp is (<see cref="TryParseTimestamp(string, out long)"/> applies it to stored text).
    /// </summary>
    private static string? ReadTimestamp(ref Utf8JsonReader reader, out long utcTicks)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && TryParseUtcTimestamp(reader.ValueSpan, out utcTicks))
        {
            return null;
        }

        utcTicks = 0;
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out var time))
        {
            return $"expected an ISO 8601 timestamp such as \"2026-11-29T14:55:00Z\", got {Describe(ref reader)}";
        }

        if (!HasUtcOffset(ref reader))
        {
            return $"{Describe(ref reader)} has no UTC offset, so the instant it names depends on a time zone; add 'Z' or an offset, e.g. \"2026-11-29T14:55:00Z\"";
        }

        utcTicks = time.UtcTicks;
        return null;
    }

    /// <summary>
    /// Parses text as ingestion parses an event time: the forms an event's JSON string is accepted in, and none other, to
    /// the same UTC ticks. Lets a stored string read as a timestamp by the same rule as the events that bring one.
    /// </summary>
    /// <param name="text">The text, unescaped (as a stored string holds it).</param>
    /// <param name="utcTicks">The UTC ticks, or 0.</param>
    /// <returns>True when ingestion would accept the text as a timestamp.</returns>
    internal static bool TryParseTimestamp(string text, out long utcTicks)
    {
        // Text that is not valid Unicode never arrives in an event (invalid UTF-8 is rejected), so is no timestamp.
        var utf8 = new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        utcTicks = 0;
        if (Utf8.FromUtf16(text, utf8, out _, out var length, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            return false;
        }

        // The text as a JSON string, read by the decoder's own code: no second parser to drift from it.
        var encoded = JsonEncodedText.Encode(utf8.AsSpan(0, length), JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes;
        var json = new byte[encoded.Length + 2];
        json[0] = json[^1] = (byte)'"';
        encoded.CopyTo(json.AsSpan(1));
        var reader = new Utf8JsonReader(json);
        return reader.Read() && ReadTimestamp(ref reader, out utcTicks) is null;
    }

    /// <summary>
    /// True when a timestamp the reader parsed names its offset ('Z' or ±hh:mm after the time). Without one,
    /// <see cref="Utf8JsonReader.TryGetDateTimeOffset(out DateTimeOffset)"/> takes the server's local time zone.
    /// </summary>
    private static bool HasUtcOffset(ref Utf8JsonReader reader)
    {
        // A timestamp the reader parsed is at most 42 bytes once unescaped.
        Span<byte> text = stackalloc byte[64];
        text = text[..reader.CopyString(text)];
        var t = text.IndexOf((byte)'T');
        return t >= 0 && (text[^1] == (byte)'Z' || text[t..].IndexOfAny((byte)'+', (byte)'-') >= 0);
    }

    private static string? CheckRange(SchemaField field, double number) =>
        number < field.Min ? $"{number.ToString(CultureInfo.InvariantCulture)} is below the minimum {field.Min.Value.ToString(CultureInfo.InvariantCulture)}"
        : number > field.Max ? $"{number.ToString(CultureInfo.InvariantCulture)} is above the maximum {field.Max.Value.ToString(CultureInfo.InvariantCulture)}"
        : null;

    private static string? FindAllowed(IReadOnlyList<string> allowed, string text)
    {
        foreach (var candidate in allowed)
        {
            if (string.Equals(candidate, text, StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? ReadString(ref Utf8JsonReader reader, StringCache? cache)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > StringCache.MaxLength)
        {
            return reader.GetString();
        }

        return cache is null ? StringCache.Transcode(reader.ValueSpan) : cache.Get(reader.ValueSpan);
    }

    private FieldDecoder[] DecodersOf(EventSchema schema)
    {
        for (var i = 0; i < schemas.Length; i++)
        {
            if (ReferenceEquals(schemas[i], schema))
            {
                return fieldDecoders[i];
            }
        }

        throw new InvalidOperationException($"Unknown schema '{schema.SourceName}'.");
    }

    /// <summary>Which CloudEvents attribute the property name the reader stands on is (raw bytes compared by length first).</summary>
    private static CloudEventAttribute AttributeOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return reader.ValueTextEquals("data"u8) ? CloudEventAttribute.Data
                : reader.ValueTextEquals("id"u8) ? CloudEventAttribute.Id
                : reader.ValueTextEquals("type"u8) ? CloudEventAttribute.Type
                : reader.ValueTextEquals("specversion"u8) ? CloudEventAttribute.SpecVersion
                : reader.ValueTextEquals("source"u8) ? CloudEventAttribute.Source
                : reader.ValueTextEquals("data_base64"u8) ? CloudEventAttribute.DataBase64
                : CloudEventAttribute.None;
        }

        return CloudEventAttributes.Of(reader.ValueSpan);
    }

    /// <summary>
    /// Parses a plain decimal (optional minus, digits, optional fraction, no exponent) of at most 15 significant digits
    /// exactly: the digits form an integer below 2^53 and the power of ten is exact, so one division rounds correctly,
    /// as the general parser does. Anything else returns false (the caller uses the general parser).
    /// </summary>
    internal static bool TryParseShortDecimal(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        if (text.Length is 0 or > 24)
        {
            return false;
        }

        var i = 0;
        var negative = text[0] == (byte)'-';
        if (negative)
        {
            i = 1;
        }

        ulong mantissa = 0;
        int digits = 0, scale = 0;
        var dot = false;
        for (; i < text.Length; i++)
        {
            var c = (uint)(text[i] - '0');
            if (c <= 9)
            {
                mantissa = (mantissa * 10) + c;
                digits++;
                if (dot)
                {
                    scale++;
                }
            }
            else if (text[i] == (byte)'.' && !dot)
            {
                dot = true;
            }
            else
            {
                return false;
            }
        }

        if (digits is 0 or > 15)
        {
            return false;
        }

        value = scale == 0 ? mantissa : mantissa / PowersOf10[scale];
        if (negative)
        {
            value = -value;
        }

        return true;
    }

    /// <summary>
    /// The Unix microseconds of a UTC time, as a row holds them (a double). Past 2^53 µs (year 2255) a double steps by
    /// several microseconds, and rounding to nearest would carry the last instants of 9999-12-31 (DateTimeOffset.MaxValue,
    /// a common "never" sentinel) past the last tick, a value no reader can turn back into a time: those round down.
    /// </summary>
    internal static double UnixMicros(long utcTicks)
    {
        double micros = (utcTicks - TiledView.UnixEpochTicks) / 10;
        return (long)micros > MaxUnixMicros ? Math.BitDecrement(micros) : micros;
    }

    private static readonly long MaxUnixMicros = (DateTimeOffset.MaxValue.UtcTicks - TiledView.UnixEpochTicks) / 10;

    private static readonly double[] PowersOf10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>
    /// Parses <c>yyyy-MM-ddTHH:mm:ss[.f{1,7}]Z</c> (UTC, the form producers write) into UTC ticks; any other form, or an
    /// out-of-range part, returns false and the caller falls back to <see cref="Utf8JsonReader.TryGetDateTimeOffset(out DateTimeOffset)"/>.
    /// </summary>
    internal static bool TryParseUtcTimestamp(ReadOnlySpan<byte> text, out long utcTicks)
    {
        utcTicks = 0;
        if (text.Length is < 20 or > 28 || text[^1] != (byte)'Z' || text[4] != (byte)'-' || text[7] != (byte)'-' || text[10] != (byte)'T'
            || text[13] != (byte)':' || text[16] != (byte)':')
        {
            return false;
        }

        if (!TryDigits(text[..4], out var year) || !TryDigits(text.Slice(5, 2), out var month) || !TryDigits(text.Slice(8, 2), out var day)
            || !TryDigits(text.Slice(11, 2), out var hour) || !TryDigits(text.Slice(14, 2), out var minute) || !TryDigits(text.Slice(17, 2), out var second))
        {
            return false;
        }

        long fraction = 0;
        if (text.Length > 20)
        {
            var digits = text.Length - 21;
            if (text[19] != (byte)'.' || digits < 1 || !TryDigits(text.Slice(20, digits), out var f))
            {
                return false;
            }

            fraction = f;
            for (var k = digits; k < 7; k++)
            {
                fraction *= 10;
            }
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        utcTicks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction;
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            var c = (uint)(b - '0');
            if (c > 9)
            {
                return false;
            }

            value = (value * 10) + (int)c;
        }

        return true;
    }

    /// <summary>The index of the source whose event type the reader's string is, or −1.</summary>
    private int FindSchema(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < schemas.Length; i++)
        {
            if (reader.ValueTextEquals(schemaTypes[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static int FindField(ref Utf8JsonReader reader, EventSchema schema, int guess)
    {
        var names = schema.Utf8Names;
        if (!reader.ValueIsEscaped && !reader.HasValueSequence && schema.HasUniqueNames)
        {
            // Producers write the fields in one order: try the one after the previous field first.
            var name = reader.ValueSpan;
            if ((uint)guess < (uint)names.Length && name.SequenceEqual(names[guess]))
            {
                return guess;
            }

            for (var i = 0; i < names.Length; i++)
            {
                if (name.SequenceEqual(names[i]))
                {
                    return i;
                }
            }

            return -1;
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (reader.ValueTextEquals(names[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static string? ReadAttribute(ref Utf8JsonReader reader, string name, ref string? error)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        error ??= $"CloudEvents attribute '{name}' must be a string, got {Describe(reader.TokenType)}";
        reader.Skip();
        return null;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string Describe(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? $"'{Shorten(reader.GetString() ?? "")}'" : Describe(reader.TokenType);

    private static string Shorten(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 61), "...");

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture);

    private static string Format(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0.#}d" : span.TotalHours >= 1 ? $"{span.TotalHours:0.#}h" : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#}m" : $"{span.TotalSeconds:0.#}s";

    /// <summary>Where the batch stood before a message, to undo a message that turns out malformed.</summary>
    private readonly struct Mark(DecodedBatch batch)
    {
        private readonly Dictionary<string, int> counts = batch.Sources.ToDictionary(s => s.Schema.SourceName, s => s.Count);
        private readonly int rejected = batch.Rejected.Count;
        private readonly int outcomes = batch.OutcomeCount;

        public void Rollback(DecodedBatch batch)
        {
            foreach (var source in batch.Sources)
            {
                source.Truncate(counts.GetValueOrDefault(source.Schema.SourceName));
            }

            batch.Rejected.RemoveRange(rejected, batch.Rejected.Count - rejected);
            batch.TruncateOutcomes(outcomes);
        }
    }

    private sealed class TooManyEventsException : Exception;
}
