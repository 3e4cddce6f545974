using System.Globalization;
using System.Text;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;

namespace Brisa.Core.Training;

/// <summary>
/// Reads the rows of a historical feature request (Feast's entity data frame) from CSV: one row per entity and time,
/// with an <c>event_timestamp</c> column, a column per join key the features need, and a column per request field
/// their on-demand features read. An optional <c>row_id</c> column names the rows (else their 1-based number), so
/// the answer joins back to the request. Other columns are ignored. RFC 4180: a header line, commas, fields in double
/// quotes where they hold commas, quotes or line breaks (a quote doubled inside), LF or CRLF.
/// </summary>
public static class EntityRows
{
    /// <summary>The time column's name (as in Feast).</summary>
    public const string TimestampColumn = "event_timestamp";

    /// <summary>The optional row id column's name.</summary>
    public const string RowIdColumn = "row_id";

    /// <summary>Reads the rows for <paramref name="requirements"/>.</summary>
    /// <param name="csv">The CSV text.</param>
    /// <param name="requirements">What the features need: join keys and request fields (typed).</param>
    /// <returns>Unlabelled observations, in file order.</returns>
    /// <exception cref="FormatException">The text is not such a CSV; the message names the line and the column.</exception>
    public static ObservationSet ReadCsv(string csv, FeatureRequirements requirements)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(requirements);
        var records = Records(csv).GetEnumerator();
        if (!records.MoveNext() || records.Current.Fields is [""])
        {
            throw new FormatException($"line 1: no header; the first line names the columns: {TimestampColumn}, {string.Join(", ", requirements.EntityKeyFields)}.");
        }

        var header = records.Current.Fields;
        var time = ColumnOf(header, TimestampColumn, "the time of each row (ISO 8601, UTC unless it has an offset)");
        var id = header.IndexOf(RowIdColumn);
        var keys = requirements.EntityKeyFields.Select(k => ColumnOf(header, k, "a join key the features need")).ToArray();
        var requests = requirements.RequestFields.Select(f => ColumnOf(header, f.Name, $"a request field ({f.Type.ToString().ToLowerInvariant()}) an on-demand feature reads")).ToArray();
        var rows = new ObservationSet(requirements.EntityKeyFields, requirements.RequestFields, labelType: null);
        var keyValues = new string?[keys.Length];
        var requestValues = new FieldValue[requests.Length];
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        while (records.MoveNext())
        {
            var (line, fields) = records.Current;
            if (fields is [""])
            {
                continue;
            }

            if (fields.Count != header.Count)
            {
                throw new FormatException($"line {line}: {fields.Count} field(s), but the header has {header.Count}.");
            }

            var rowId = id >= 0 ? fields[id] : (rows.Count + 1).ToString(CultureInfo.InvariantCulture);
            if (rowId.Length == 0 || !seenIds.Add(rowId))
            {
                throw new FormatException($"line {line}: {RowIdColumn} '{rowId}' is {(rowId.Length == 0 ? "empty" : "already used by an earlier row")}; each row needs its own.");
            }

            for (var k = 0; k < keys.Length; k++)
            {
                keyValues[k] = fields[keys[k]] is { Length: > 0 } key ? KeyOf(key, requirements.EntityKeyFields[k], requirements, line) : null;
            }

            for (var r = 0; r < requests.Length; r++)
            {
                requestValues[r] = Typed(fields[requests[r]], requirements.RequestFields[r], line);
            }

            // Cut to the microsecond, as ingestion cuts an event's time: finer digits kept would put the row after the
            // event it names, which "strictly before" would then count.
            var at = TiledView.ToUnixTicks(ParseTime(fields[time], line, TimestampColumn));
            rows.Add(rowId, at - (at % 10), keyValues, requestValues, FieldValue.Null);
        }

        return rows;
    }

    private static int ColumnOf(List<string> header, string name, string what)
    {
        var index = header.IndexOf(name);
        return index >= 0
            ? index
            : throw new FormatException($"line 1: no column '{name}' ({what}); the header has: {string.Join(", ", header)}.");
    }

    // A long key's events are keyed by the integer's plain digits (EntityKeys.FromField); read as text, "1005.0" (a
    // pandas int column with gaps is written as floats) or "01005" would silently find none of them.
    private static string KeyOf(string text, string name, FeatureRequirements requirements, int line)
    {
        if (!requirements.LongEntityKeyFields.Contains(name))
        {
            return text;
        }

        return EntityKeys.TryFromLongText(text, out var key)
            ? key
            : throw new FormatException($"line {line}: '{Shorten(text)}' in column '{name}' is not a whole number between -2^53 and 2^53: {name} is a long join key, so each row must name an integer, e.g. 1005 (write a float column such as 1005.0 as integers).");
    }

    private static FieldValue Typed(string text, FieldDefinition field, int line)
    {
        if (text.Length == 0)
        {
            return FieldValue.Null;
        }

        FieldValue value = field.Type switch
        {
            FieldType.String => FieldValue.FromText(text),
            FieldType.Double when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => FieldValue.FromNumber(d),
            FieldType.Long when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => FieldValue.FromNumber(l),
            FieldType.Bool when bool.TryParse(text, out var b) => FieldValue.FromNumber(b ? 1 : 0),
            FieldType.Timestamp => FieldValue.FromNumber(CloudEventDecoder.UnixMicros(ParseTime(text, line, field.Name).UtcTicks)),
            _ => throw new FormatException($"line {line}: '{Shorten(text)}' in column '{field.Name}' is not a {field.Type.ToString().ToLowerInvariant()}."),
        };
        if (value.AsNumber() is { } number && (number < field.Min || number > field.Max))
        {
            throw new FormatException($"line {line}: {number.ToString(CultureInfo.InvariantCulture)} in column '{field.Name}' is outside its range [{field.Min?.ToString(CultureInfo.InvariantCulture) ?? "-∞"}, {field.Max?.ToString(CultureInfo.InvariantCulture) ?? "∞"}].");
        }

        if (field.Allowed is { } allowed && value.AsText() is { } textValue && !allowed.Contains(textValue, StringComparer.Ordinal))
        {
            throw new FormatException($"line {line}: '{Shorten(textValue)}' in column '{field.Name}' is not one of its allowed values ({string.Join(", ", allowed)}).");
        }

        return value;
    }

    private static DateTimeOffset ParseTime(string text, int line, string column) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw new FormatException($"line {line}: '{Shorten(text)}' in column '{column}' is not a time; write ISO 8601, e.g. 2026-05-01T12:30:00Z.");

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>The records of an RFC 4180 text, each with the line it starts on.</summary>
    private static IEnumerable<(int Line, List<string> Fields)> Records(string csv)
    {
        var p = csv.StartsWith('\uFEFF') ? 1 : 0;
        var line = 1;
        var field = new StringBuilder();
        while (p < csv.Length)
        {
            var start = line;
            var fields = new List<string>();
            while (true)
            {
                field.Clear();
                if (p < csv.Length && csv[p] == '"')
                {
                    p++;
                    while (true)
                    {
                        if (p >= csv.Length)
                        {
                            throw new FormatException($"line {start}: a quoted field is not closed.");
                        }

                        var c = csv[p++];
                        if (c == '"')
                        {
                            if (p < csv.Length && csv[p] == '"')
                            {
                                field.Append('"');
                                p++;
                                continue;
                            }

                            break;
                        }

                        line += c == '\n' ? 1 : 0;
                        field.Append(c);
                    }

                    if (p < csv.Length && csv[p] is not (',' or '\r' or '\n'))
                    {
                        throw new FormatException($"line {line}: a quoted field must end at a comma or the end of the line.");
                    }
                }
                else
                {
                    while (p < csv.Length && csv[p] is not (',' or '\r' or '\n'))
                    {
                        field.Append(csv[p++]);
                    }
                }

                fields.Add(field.ToString());
                if (p < csv.Length && csv[p] == ',')
                {
                    p++;
                    continue;
                }

                p += p + 1 < csv.Length && csv[p] == '\r' && csv[p + 1] == '\n' ? 2 : 1;
                line++;
                break;
            }

            yield return (start, fields);
        }
    }
}
