using System.Globalization;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;

namespace Brisa.Core.Ingestion;

/// <summary>
/// Reads a stored field value written with one type as another: a source field whose type changed after events were
/// stored keeps its old values readable. A conversion is made only where it loses nothing; a value that cannot be
/// converted reads as null, as a field the events did not have does.
/// </summary>
/// <remarks>
/// To <c>string</c>: the value's invariant text (<c>2.5</c>, <c>42</c>, <c>true</c>, <c>2026-11-29T14:55:00.000000Z</c>).
/// <c>long</c> to <c>double</c> always; <c>double</c> to <c>long</c> for an integer within ±2^53 (the bound ingestion
/// puts on long fields); <c>bool</c> to a number as 1 or 0, and a number 1 or 0 to <c>bool</c>. From <c>string</c>: an
/// invariant number (for <c>long</c>, an integer within ±2^53), <c>true</c> or <c>false</c>, or a timestamp in any
/// form ingestion accepts in an event (ISO 8601 with <c>Z</c> or <c>±hh:mm</c>, cut to the microsecond), read by the
/// decoder's own parser, so text an event would be dead-lettered for reads as null. Timestamps and numbers do not
/// convert into each other.
/// </remarks>
public static class FieldConversion
{
    // 2^53: the largest integer a double holds exactly, the bound ingestion puts on long fields.
    private const long MaxExactInteger = 1L << 53;

    /// <summary>The value, written as <paramref name="from"/>, read as <paramref name="to"/>; null where it cannot be converted.</summary>
    /// <param name="value">The stored value (number for double, long, bool as 1/0 and timestamp as Unix microseconds; text for string).</param>
    /// <param name="from">The type it was written with.</param>
    /// <param name="to">The type the field has now.</param>
    /// <returns>The converted value, or null.</returns>
    public static FieldValue Convert(FieldValue value, FieldType from, FieldType to)
    {
        if (from == to || value.IsNull)
        {
            return value;
        }

        return (from, to) switch
        {
            (_, FieldType.String) => FieldValue.FromText(TextOf(value.Number, from)),
            (FieldType.String, _) => Parse(value.Text, to),
            (FieldType.Long or FieldType.Bool, FieldType.Double) => value,
            (FieldType.Double or FieldType.Bool, FieldType.Long) => IsExactInteger(value.Number) ? value : FieldValue.Null,
            (FieldType.Double or FieldType.Long, FieldType.Bool) => value.Number is 0 or 1 ? value : FieldValue.Null,
            _ => FieldValue.Null,
        };
    }

    private static string TextOf(double number, FieldType type) => type switch
    {
        FieldType.Bool => number != 0 ? "true" : "false",
        FieldType.Timestamp => new DateTime(TiledView.UnixEpochTicks + ((long)number * 10), DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        _ => number.ToString("R", CultureInfo.InvariantCulture),
    };

    private static FieldValue Parse(string text, FieldType type) => type switch
    {
        FieldType.Double when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) => FieldValue.FromNumber(number),
        FieldType.Long when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) && integer is >= -MaxExactInteger and <= MaxExactInteger => FieldValue.FromNumber(integer),
        FieldType.Bool when text is "true" or "false" => FieldValue.FromNumber(text == "true" ? 1 : 0),
        FieldType.Timestamp when CloudEventDecoder.TryParseTimestamp(text, out var utcTicks) => FieldValue.FromNumber(CloudEventDecoder.UnixMicros(utcTicks)),
        _ => FieldValue.Null,
    };

    private static bool IsExactInteger(double number) => Math.Abs(number) <= MaxExactInteger && number == Math.Floor(number);
}
