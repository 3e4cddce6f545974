using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;

namespace Brisa.Core.Ingestion;

/// <summary>
/// The decoder's fast path: a validating scanner of UTF-8 bytes specialised for the shape producers send (a CloudEvent
/// object, or an array of them, with scalar attributes and a <c>data</c> object of scalar fields), writing typed rows
/// straight into the batch. It only ever accepts: a message is taken by the scanner only when it is well-formed JSON
/// of that shape, every string is printable ASCII without escapes, and every event passes validation. Anything else
/// (an escape, non-ASCII text, a nested value, a repeated attribute, an unusual number, any event that would be
/// rejected) makes it undo the message and return false, and <see cref="CloudEventDecoder"/> decodes the message with
/// <c>Utf8JsonReader</c>, which gives the reasons. So for every input the result is the same as the general path's.
/// </summary>
internal sealed class CloudEventScanner
{
    private const long MaxExactInteger = 1L << 53;

    // Printable ASCII except the quote and the backslash: a string made only of these needs no unescaping, is valid
    // JSON (no control characters) and valid UTF-8, and its UTF-16 form has one char per byte.
    private static readonly SearchValues<byte> PlainStringBytes = SearchValues.Create(
        Enumerable.Range(0x20, 0x80 - 0x20).Where(b => b is not ('"' or '\\')).Select(b => (byte)b).ToArray());

    // The attributes in the order producers (and Utf8JsonWriter-based SDKs) write them: a member name is first compared
    // with the expected one, quotes included, which settles it without scanning the name.
    private static readonly (Utf8Prefix Quoted, CloudEventAttribute Attribute)[] UsualOrder =
    [
        (new Utf8Prefix("\"specversion\""u8), CloudEventAttribute.SpecVersion),
        (new Utf8Prefix("\"id\""u8), CloudEventAttribute.Id),
        (new Utf8Prefix("\"source\""u8), CloudEventAttribute.Source),
        (new Utf8Prefix("\"type\""u8), CloudEventAttribute.Type),
        (new Utf8Prefix("\"time\""u8), CloudEventAttribute.None),
        (new Utf8Prefix("\"datacontenttype\""u8), CloudEventAttribute.None),
        (new Utf8Prefix("\"data\""u8), CloudEventAttribute.Data),
    ];

    // Compact JSON (what SDK writers send) puts the next member right after a value: comma, quoted name, colon. One
    // comparison with these bytes replaces the separator, name and colon steps; anything else takes those steps.
    private static readonly Utf8Prefix[] UsualFollowing = UsualOrder.Select(u => new Utf8Prefix([(byte)',', .. u.Quoted.Bytes, (byte)':'])).ToArray();

    private readonly EventSchema[] schemas;
    private readonly byte[][] schemaTypes;
    private readonly FieldDecoder[][] fieldDecoders;
    private readonly DecoderOptions options;
    private readonly DeliveryIds seenIds;
    private readonly List<(int Source, string Id, long Ticks)> addedIds = [];

    // Strings of cached fields (entity keys, countries) are looked up once the whole message is accepted, a chunk at a
    // time: the cache slots of a chunk are read first, so their misses overlap instead of stalling the scan one by one.
    private const int LookupChunk = 16;
    // A deferred string's placeholder (non-null, so required-field checks pass): TryValue writes it and records the
    // bytes' place, and ResolvePending replaces it before the message is taken.
    private static readonly string PendingText = new('\0', 1);
    // Pending strings hold no references (their rows and cache are a target, by index), so recording one is a plain
    // copy and the list needs no clearing.
    private PendingString[] pending = new PendingString[256];
    private int pendingCount;
    private readonly List<(SourceEventBatch Rows, StringCache Cache)> targets = [];
    private readonly int[] targetOfField = new int[64];
    private SourceEventBatch? targetRows;
    private long touchSink;

    // The rows of the previous event's schema, valid during one TryDecode (saves a dictionary lookup per event).
    private EventSchema? lastSchema;
    private SourceEventBatch? lastRows;

    /// <summary>Creates a scanner sharing the decoder's schemas, field decoders, options and per-delivery id set.</summary>
    public CloudEventScanner(EventSchema[] schemas, byte[][] schemaTypes, FieldDecoder[][] fieldDecoders, DecoderOptions options, DeliveryIds seenIds)
    {
        this.schemas = schemas;
        this.schemaTypes = schemaTypes;
        this.fieldDecoders = fieldDecoders;
        this.options = options;
        this.seenIds = seenIds;
    }

    /// <summary>
    /// Decodes a whole message into <paramref name="batch"/> when every event in it is accepted; otherwise leaves the
    /// batch and the delivery's seen ids exactly as they were and returns false.
    /// </summary>
    public bool TryDecode(ReadOnlySpan<byte> json, DateTimeOffset now, DecodedBatch batch)
    {
        batch.Checkpoint();
        addedIds.Clear();
        ForgetPending();
        (lastSchema, lastRows) = (null, null);
        var taken = TryMessage(json, now, batch);
        (lastSchema, lastRows) = (null, null);
        if (taken)
        {
            ResolvePending(json);
            return true;
        }

        batch.RollbackToCheckpoint();
        ForgetPending();
        foreach (var (source, id, ticks) in addedIds)
        {
            seenIds.Remove(source, id, ticks);
        }

        return false;
    }

    private bool TryMessage(ReadOnlySpan<byte> s, DateTimeOffset now, DecodedBatch batch)
    {
        var p = SkipWhitespace(s, 0);
        if (p >= s.Length)
        {
            return false;
        }

        if (s[p] == (byte)'{')
        {
            if (!TryEvent(s, ref p, now, batch))
            {
                return false;
            }
        }
        else if (s[p] == (byte)'[')
        {
            p = SkipWhitespace(s, p + 1);
            for (var events = 1; ; events++)
            {
                // An empty array, a non-object element or too many events is left to the general path.
                if (p >= s.Length || s[p] != (byte)'{' || events > options.MaxEventsPerMessage || !TryEvent(s, ref p, now, batch))
                {
                    return false;
                }

                p = SkipWhitespace(s, p);
                if (p >= s.Length)
                {
                    return false;
                }

                if (s[p] == (byte)']')
                {
                    p++;
                    break;
                }

                if (s[p] != (byte)',')
                {
                    return false;
                }

                p = SkipWhitespace(s, p + 1);
            }
        }
        else
        {
            return false;
        }

        return SkipWhitespace(s, p) == s.Length;
    }

    /// <summary>One event object, from its '{' (at <paramref name="p"/>) to past its '}'.</summary>
    private bool TryEvent(ReadOnlySpan<byte> s, scoped ref int p, DateTimeOffset now, DecodedBatch batch)
    {
        var start = p;
        p = SkipWhitespace(s, p + 1);
        string? id = null;
        ReadOnlySpan<byte> idBytes = default;
        EventSchema? schema = null;
        var schemaIndex = -1;
        SourceEventBatch? rows = null;
        long ticks = 0;
        var seen = CloudEventAttribute.None;
        var followed = false;
        for (var usual = 0; ; usual++)
        {
            CloudEventAttribute attribute;
            if (followed)
            {
                attribute = UsualOrder[usual].Attribute;
                followed = false;
            }
            else if (usual < UsualOrder.Length && UsualOrder[usual].Quoted.IsPrefixOf(s[p..]))
            {
                attribute = UsualOrder[usual].Attribute;
                p += UsualOrder[usual].Quoted.Length;
                if (!TryColon(s, ref p))
                {
                    return false;
                }
            }
            else if (TryKey(s, ref p, out var name))
            {
                attribute = CloudEventAttributes.Of(name);
            }
            else
            {
                return false;
            }

            if ((seen & attribute) != 0)
            {
                // A repeated attribute (the last one wins in the general path): not the usual shape.
                return false;
            }

            seen |= attribute;
            ReadOnlySpan<byte> value;
            switch (attribute)
            {
                case CloudEventAttribute.Id:
                    // CheckEnvelope's rules for an accepted id; printable ASCII has no control character but DEL.
                    if (!TryString(s, ref p, out idBytes) || idBytes.Length == 0 || idBytes.Length > options.MaxIdLength || idBytes.Contains((byte)0x7F))
                    {
                        return false;
                    }

                    id = Encoding.ASCII.GetString(idBytes);
                    break;

                case CloudEventAttribute.SpecVersion:
                    if (!TryString(s, ref p, out value) || !value.SequenceEqual("1.0"u8))
                    {
                        return false;
                    }

                    break;

                case CloudEventAttribute.Source:
                    if (!TryString(s, ref p, out value) || value.Length == 0)
                    {
                        return false;
                    }

                    break;

                case CloudEventAttribute.Type:
                    if (!TryString(s, ref p, out value) || (schemaIndex = FindSchema(value)) < 0 || !schemas[schemaIndex].HasUniqueNames)
                    {
                        return false;
                    }

                    schema = schemas[schemaIndex];
                    break;

                case CloudEventAttribute.Data:
                    // Decoded where it stands, straight into a new row: it needs the type first (as producers write it).
                    if (schema is null || p >= s.Length || s[p] != (byte)'{')
                    {
                        return false;
                    }

                    rows = ReferenceEquals(schema, lastSchema) ? lastRows! : batch.For(schema);
                    (lastSchema, lastRows) = (schema, rows);
                    if (!TryData(s, ref p, schema, fieldDecoders[schemaIndex], rows, rows.Append(id ?? "", 0), idBytes, id, now, out ticks))
                    {
                        return false;
                    }

                    break;

                case CloudEventAttribute.DataBase64:
                    return false;

                default:
                    // time, datacontenttype, subject, extensions: not needed, but must be valid JSON.
                    if (!TrySkipScalar(s, ref p))
                    {
                        return false;
                    }

                    break;
            }

            if (usual + 1 < UsualFollowing.Length && UsualFollowing[usual + 1].IsPrefixOf(s[p..]))
            {
                p = SkipWhitespace(s, p + UsualFollowing[usual + 1].Length);
                followed = true;
                continue;
            }

            if (!TryNext(s, ref p, out var more))
            {
                return false;
            }

            if (!more)
            {
                break;
            }
        }

        if (seen != CloudEventAttribute.Required || p - start > options.MaxEventBytes || !seenIds.Add(schemaIndex, id!, ticks))
        {
            return false;
        }

        addedIds.Add((schemaIndex, id!, ticks));
        rows!.SetLast(id!, ticks);
        batch.Accept(id!);
        return true;
    }

    /// <summary>The data object, from its '{' to past its '}', into <paramref name="row"/> (cleared); false unless every field is accepted.</summary>
    private bool TryData(ReadOnlySpan<byte> s, scoped ref int p, EventSchema schema, FieldDecoder[] decoders, SourceEventBatch rows, Span<FieldValue> row, ReadOnlySpan<byte> idBytes, string? id,
        DateTimeOffset now, out long ticks)
    {
        ticks = 0;
        var fields = schema.Fields;
        var names = schema.Utf8Names;
        if (fields.Count > 64)
        {
            return false;
        }

        p = SkipWhitespace(s, p + 1);
        if (p < s.Length && s[p] == (byte)'}')
        {
            p++;
        }
        else
        {
            ulong seen = 0;
            var guess = 0;
            var followed = false;
            while (true)
            {
                // Producers write the fields in one order: try the one after the previous field first.
                int index;
                if (followed)
                {
                    index = guess;
                    followed = false;
                }
                else if ((uint)guess < (uint)decoders.Length && decoders[guess].QuotedName is { } quoted && quoted.IsPrefixOf(s[p..]))
                {
                    index = guess;
                    p += quoted.Length;
                    if (!TryColon(s, ref p))
                    {
                        return false;
                    }
                }
                else if (TryKey(s, ref p, out var name))
                {
                    index = IndexOf(names, name);
                }
                else
                {
                    return false;
                }

                guess = index + 1;
                if (index < 0)
                {
                    // Unknown fields are ignored so producers can add fields before the definitions do.
                    if (!TrySkipScalar(s, ref p))
                    {
                        return false;
                    }
                }
                else
                {
                    var bit = 1UL << index;
                    if ((seen & bit) != 0)
                    {
                        return false;
                    }

                    seen |= bit;
                    if (!TryLiteral(s, ref p, "null"u8) && !TryValue(s, ref p, decoders[index], rows, index, idBytes, id, out row[index]))
                    {
                        return false;
                    }
                }

                if ((uint)guess < (uint)decoders.Length && decoders[guess].FollowingName is { } following && following.IsPrefixOf(s[p..]))
                {
                    p = SkipWhitespace(s, p + following.Length);
                    followed = true;
                    continue;
                }

                if (!TryNext(s, ref p, out var more))
                {
                    return false;
                }

                if (!more)
                {
                    break;
                }
            }
        }

        for (var i = 0; i < fields.Count; i++)
        {
            if (row[i].IsNull && (fields[i].Required || i == schema.TimestampIndex))
            {
                return false;
            }
        }

        // The same arithmetic and comparisons as the general path, so the boundaries agree to the tick.
        ticks = (long)row[schema.TimestampIndex].Number * 10;
        var time = TiledView.FromUnixTicks(ticks);
        return time <= now + options.MaxFutureSkew && time >= options.MinEventTime;
    }

    // Fields, not a constructor: written field by field in place in the array (a whole struct built on the stack and
    // then copied stalled on store forwarding, once per string).
    private struct PendingString
    {
        public int Target;
        public int Row;
        public int Field;
        public int Start;
        public int Length;
        public StringCache.Key Key;
    }

    /// <summary>Records a cached field's string of the last row, to be looked up by <see cref="ResolvePending"/>.</summary>
    private void Defer(ReadOnlySpan<byte> s, ReadOnlySpan<byte> text, SourceEventBatch rows, int field, StringCache cache)
    {
        if (pendingCount == pending.Length)
        {
            Array.Resize(ref pending, pending.Length * 2);
        }

        if (!ReferenceEquals(rows, targetRows))
        {
            targetRows = rows;
            Array.Fill(targetOfField, -1);
        }

        // Fields are at most 64 (TryData).
        ref var target = ref targetOfField[field];
        if (target < 0)
        {
            target = targets.Count;
            targets.Add((rows, cache));
        }

        var start = (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(s), ref MemoryMarshal.GetReference(text));
        ref var item = ref pending[pendingCount++];
        item.Target = target;
        item.Row = rows.Count - 1;
        item.Field = field;
        item.Start = start;
        item.Length = text.Length;
        item.Key = new StringCache.Key(s[start..], text.Length);
    }

    private void ForgetPending()
    {
        pendingCount = 0;
        targets.Clear();
        targetRows = null;
    }

    /// <summary>Looks up the deferred strings of an accepted message and writes them into their rows.</summary>
    private void ResolvePending(ReadOnlySpan<byte> json)
    {
        var items = pending.AsSpan(0, pendingCount);
        var to = CollectionsMarshal.AsSpan(targets);
        long touched = 0;
        for (var start = 0; start < items.Length; start += LookupChunk)
        {
            var chunk = items.Slice(start, Math.Min(LookupChunk, items.Length - start));
            foreach (ref readonly var item in chunk)
            {
                touched += to[item.Target].Cache.Touch(item.Key);
            }

            foreach (ref readonly var item in chunk)
            {
                var (rows, cache) = to[item.Target];
                var text = cache.Get(item.Key, json.Slice(item.Start, item.Length));
                rows.SetValue(item.Row, item.Field, FieldValue.FromText(text!));
            }
        }

        // Kept so the reads above are not optimized away.
        Volatile.Write(ref touchSink, touched);
        ForgetPending();
    }

    private bool TryValue(ReadOnlySpan<byte> s, scoped ref int p, FieldDecoder decoder, SourceEventBatch rows, int fieldIndex, ReadOnlySpan<byte> idBytes, string? id, out FieldValue value)
    {
        value = default;
        var field = decoder.Field;
        ReadOnlySpan<byte> text;
        switch (field.Type)
        {
            case FieldType.String:
                // An empty entity key is rejected: left to the general path for the reason.
                if (!TryString(s, ref p, out text) || text.Length > options.MaxStringLength || (text.Length == 0 && field.EntityKey))
                {
                    return false;
                }

                if (decoder.AllowedUtf8 is { } allowedUtf8)
                {
                    for (var k = 0; k < allowedUtf8.Length; k++)
                    {
                        if (allowedUtf8[k] is { } candidate && text.SequenceEqual(candidate) && field.Allowed![k].Length <= options.MaxStringLength)
                        {
                            value = FieldValue.FromText(field.Allowed[k]);

                            // An id field restricted to a list of values: left to the general path.
                            return !decoder.IsEventId;
                        }
                    }

                    return false;
                }

                // A field that repeats the event id (the source's id field, as producers usually send it) shares its string;
                // a cached field's string is looked up later (ResolvePending), text here being plain ASCII, so valid. The
                // id field must repeat it (or the id comes after the data): left to the general path for the reason.
                if (id is not null && text.SequenceEqual(idBytes))
                {
                    value = FieldValue.FromText(id);
                }
                else if (decoder.IsEventId)
                {
                    return false;
                }
                else if (decoder.Cache is { } cache && text.Length <= StringCache.MaxLength)
                {
                    Defer(s, text, rows, fieldIndex, cache);
                    value = FieldValue.FromText(PendingText);
                }
                else
                {
                    value = FieldValue.FromText(Encoding.ASCII.GetString(text));
                }

                return true;

            case FieldType.Double:
                if (!TryNumber(s, ref p, out text, out _) || !CloudEventDecoder.TryParseShortDecimal(text, out var number))
                {
                    return false;
                }

                value = FieldValue.FromNumber(number);
                return InRange(field, number);

            case FieldType.Long:
                if (!TryNumber(s, ref p, out text, out var integral) || !integral || !TryParseInteger(text, out var integer)
                    || (decoder.IsEventId && (id is null || !CloudEventDecoder.IsIdText(integer, id))))
                {
                    return false;
                }

                value = FieldValue.FromNumber(integer);
                return InRange(field, integer);

            case FieldType.Bool:
                if (TryLiteral(s, ref p, "true"u8))
                {
                    value = FieldValue.FromNumber(1);
                    return true;
                }

                if (TryLiteral(s, ref p, "false"u8))
                {
                    value = FieldValue.FromNumber(0);
                    return true;
                }

                return false;

            case FieldType.Timestamp:
                if (!TryString(s, ref p, out text) || !CloudEventDecoder.TryParseUtcTimestamp(text, out var utcTicks))
                {
                    return false;
                }

                value = FieldValue.FromNumber(CloudEventDecoder.UnixMicros(utcTicks));
                return true;

            default:
                return false;
        }
    }

    private static bool InRange(SchemaField field, double number) => !(number < field.Min) && !(number > field.Max);

    /// <summary>A JSON integer (grammar already checked) of at most 16 digits within ±2^53, as TryGetInt64 reads it.</summary>
    private static bool TryParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        var negative = text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        if (digits.Length > 16)
        {
            return false;
        }

        foreach (var b in digits)
        {
            value = (value * 10) + (b - '0');
        }

        if (value > MaxExactInteger)
        {
            return false;
        }

        value = negative ? -value : value;
        return true;
    }

    private int FindSchema(ReadOnlySpan<byte> type)
    {
        for (var i = 0; i < schemaTypes.Length; i++)
        {
            if (type.SequenceEqual(schemaTypes[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static int IndexOf(byte[][] names, ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (name.SequenceEqual(names[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A member name and its colon: from the opening quote (at <paramref name="p"/>) to the start of the value.</summary>
    private static bool TryKey(ReadOnlySpan<byte> s, scoped ref int p, out ReadOnlySpan<byte> name)
    {
        return TryString(s, ref p, out name) && TryColon(s, ref p);
    }

    /// <summary>The colon after a member name (at <paramref name="p"/> or after whitespace), and <paramref name="p"/> to the start of the value.</summary>
    private static bool TryColon(ReadOnlySpan<byte> s, ref int p)
    {
        p = SkipWhitespace(s, p);
        if (p >= s.Length || s[p] != (byte)':')
        {
            return false;
        }

        p = SkipWhitespace(s, p + 1);
        return true;
    }

    /// <summary>After a member's value: a comma (more members follow) or the closing brace.</summary>
    private static bool TryNext(ReadOnlySpan<byte> s, scoped ref int p, out bool more)
    {
        p = SkipWhitespace(s, p);
        more = false;
        if (p >= s.Length)
        {
            return false;
        }

        if (s[p] == (byte)'}')
        {
            p++;
            return true;
        }

        if (s[p] != (byte)',')
        {
            return false;
        }

        more = true;
        p = SkipWhitespace(s, p + 1);
        return true;
    }

    /// <summary>True when every byte is plain (see <see cref="PlainStringBytes"/>): such a name can be matched on raw bytes, quotes included.</summary>
    internal static bool IsPlain(ReadOnlySpan<byte> utf8) => !utf8.ContainsAnyExcept(PlainStringBytes);

    /// <summary>A string of plain bytes (see <see cref="PlainStringBytes"/>): its content, and <paramref name="p"/> past the closing quote.</summary>
    private static bool TryString(ReadOnlySpan<byte> s, scoped ref int p, out ReadOnlySpan<byte> content)
    {
        content = default;
        if (p >= s.Length || s[p] != (byte)'"')
        {
            return false;
        }

        var rest = s[(p + 1)..];
        var length = rest.IndexOfAnyExcept(PlainStringBytes);
        if (length < 0 || rest[length] != (byte)'"')
        {
            return false;
        }

        content = rest[..length];
        p += length + 2;
        return true;
    }

    /// <summary>
    /// A number in JSON's grammar (<c>-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?</c>); what follows it is checked by the caller
    /// (a delimiter must come next, as for the reader).
    /// </summary>
    private static bool TryNumber(ReadOnlySpan<byte> s, scoped ref int p, out ReadOnlySpan<byte> text, out bool integral)
    {
        var start = p;
        text = default;
        integral = true;
        if (p < s.Length && s[p] == (byte)'-')
        {
            p++;
        }

        if (p >= s.Length || !char.IsAsciiDigit((char)s[p]))
        {
            return false;
        }

        if (s[p++] != (byte)'0')
        {
            p = SkipDigits(s, p);
        }

        if (p < s.Length && s[p] == (byte)'.')
        {
            integral = false;
            var digits = ++p;
            if ((p = SkipDigits(s, p)) == digits)
            {
                return false;
            }
        }

        if (p < s.Length && (s[p] | 0x20) == (byte)'e')
        {
            integral = false;
            p++;
            if (p < s.Length && s[p] is (byte)'+' or (byte)'-')
            {
                p++;
            }

            var digits = p;
            if ((p = SkipDigits(s, p)) == digits)
            {
                return false;
            }
        }

        text = s[start..p];
        return true;
    }

    private static int SkipDigits(ReadOnlySpan<byte> s, int p)
    {
        while (p < s.Length && char.IsAsciiDigit((char)s[p]))
        {
            p++;
        }

        return p;
    }

    /// <summary>A value not kept: a plain string, a number or a literal (objects and arrays go to the general path).</summary>
    private static bool TrySkipScalar(ReadOnlySpan<byte> s, scoped ref int p)
    {
        if (p >= s.Length)
        {
            return false;
        }

        return s[p] switch
        {
            (byte)'"' => TryString(s, ref p, out _),
            (byte)'t' => TryLiteral(s, ref p, "true"u8),
            (byte)'f' => TryLiteral(s, ref p, "false"u8),
            (byte)'n' => TryLiteral(s, ref p, "null"u8),
            _ => TryNumber(s, ref p, out _, out _),
        };
    }

    private static bool TryLiteral(ReadOnlySpan<byte> s, scoped ref int p, ReadOnlySpan<byte> literal)
    {
        // The first byte settles it for every value but the literal itself (a field is rarely null).
        if (p >= s.Length || s[p] != literal[0] || !s[p..].StartsWith(literal))
        {
            return false;
        }

        p += literal.Length;
        return true;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> s, int p)
    {
        while (p < s.Length && s[p] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            p++;
        }

        return p;
    }
}
