using System.Globalization;
using System.Text;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;

namespace Brisa.Core.Tests.Ingestion;

public sealed class FieldConversionTests
{
    // 2026-11-29T14:55:00.123456Z in Unix microseconds.
    private const double Micros = 1_795_964_100_123_456;

    public static TheoryData<FieldType, double, FieldType, double?> NumberToNumber => new()
    {
        { FieldType.Long, 42, FieldType.Double, 42 },
        { FieldType.Long, -9007199254740992, FieldType.Double, -9007199254740992 },
        { FieldType.Double, 3, FieldType.Long, 3 },
        { FieldType.Double, 2.5, FieldType.Long, null },
        { FieldType.Double, 1e300, FieldType.Long, null },
        { FieldType.Bool, 1, FieldType.Double, 1 },
        { FieldType.Bool, 0, FieldType.Long, 0 },
        { FieldType.Long, 1, FieldType.Bool, 1 },
        { FieldType.Double, 2, FieldType.Bool, null },
        { FieldType.Timestamp, Micros, FieldType.Long, null },
        { FieldType.Long, 5, FieldType.Timestamp, null },
    };

    [Theory]
    [MemberData(nameof(NumberToNumber))]
    public void Convert_NumberToNumber_ExactOrNull(FieldType from, double value, FieldType to, double? expected)
    {
        Assert.Equal(FieldValue.FromNumber(expected), FieldConversion.Convert(FieldValue.FromNumber(value), from, to));
    }

    [Theory]
    [InlineData(FieldType.Double, 2.5, "2.5")]
    [InlineData(FieldType.Double, 0.1, "0.1")]
    [InlineData(FieldType.Double, 5, "5")]
    [InlineData(FieldType.Long, -42, "-42")]
    [InlineData(FieldType.Bool, 1, "true")]
    [InlineData(FieldType.Bool, 0, "false")]
    [InlineData(FieldType.Timestamp, Micros, "2026-11-29T14:55:00.123456Z")]
    public void Convert_AnythingToString_InvariantText(FieldType from, double value, string expected)
    {
        Assert.Equal(FieldValue.FromText(expected), FieldConversion.Convert(FieldValue.FromNumber(value), from, FieldType.String));
    }

    [Theory]
    [InlineData("2.5", FieldType.Double, 2.5)]
    [InlineData("1e3", FieldType.Double, 1000.0)]
    [InlineData("-42", FieldType.Long, -42.0)]
    [InlineData("true", FieldType.Bool, 1.0)]
    [InlineData("false", FieldType.Bool, 0.0)]
    [InlineData("2026-11-29T14:55:00.123456Z", FieldType.Timestamp, Micros)]
    [InlineData("2026-11-29T15:55:00.123456+01:00", FieldType.Timestamp, Micros)]
    [InlineData("ten", FieldType.Double, null)]
    [InlineData("NaN", FieldType.Double, null)]
    [InlineData("2.5", FieldType.Long, null)]
    [InlineData("9007199254740993", FieldType.Long, null)]
    [InlineData("yes", FieldType.Bool, null)]
    [InlineData("2026-11-29T14:55:00", FieldType.Timestamp, null)]
    public void Convert_FromString_ParsedOrNull(string text, FieldType to, double? expected)
    {
        Assert.Equal(FieldValue.FromNumber(expected), FieldConversion.Convert(FieldValue.FromText(text), FieldType.String, to));
    }

    // The stored string next to what an event carrying it decodes to (UTC, to the microsecond), or null when ingestion
    // rejects it: the conversion must read each the same way.
    [Theory]
    [InlineData("2026-11-29T14:55:00Z", "2026-11-29T14:55:00Z")]
    [InlineData("2026-11-29T14:55:00.1234567Z", "2026-11-29T14:55:00.123456Z")]              // cut to the microsecond
    [InlineData("2026-11-29T14:55:00.123456789Z", "2026-11-29T14:55:00.123456Z")]            // more than 7 digits too
    [InlineData("2026-11-29T16:55:00.123456789+02:00", "2026-11-29T14:55:00.123456Z")]
    [InlineData("2026-11-29T09:25:00-05:30", "2026-11-29T14:55:00Z")]
    [InlineData("2026-11-29T14:55Z", "2026-11-29T14:55:00Z")]                                 // no seconds
    [InlineData("2026-11-29T16:55+02:00", "2026-11-29T14:55:00Z")]
    [InlineData("2026-11-29T16:55:00+0200", null)]                                           // offset without its colon
    [InlineData("2026-11-29T14:55:00", null)]                                                // no offset
    [InlineData("2026-11-29", null)]
    [InlineData("2026-11-29T14:55:00z", null)]
    [InlineData("2026-11-29 14:55:00Z", null)]
    [InlineData(" 2026-11-29T14:55:00Z", null)]
    [InlineData("2026-11-29T24:00:00Z", null)]
    [InlineData("2026-11-29T23:59:60Z", null)]
    [InlineData("2027-02-29T14:55:00Z", null)]
    [InlineData("0001-01-01T00:30:00+01:00", null)]                                          // before year 1 in UTC
    [InlineData("", null)]
    public void Convert_StringToTimestamp_AgreesWithTheDecoder(string text, string? utc)
    {
        var expected = utc is null ? FieldValue.Null
            : FieldValue.FromNumber(CloudEventDecoder.UnixMicros(DateTimeOffset.ParseExact(utc, "yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcTicks));

        foreach (var scanner in new[] { true, false })
        {
            Assert.Equal(expected, Decoded(text, scanner));
        }

        Assert.Equal(expected, FieldConversion.Convert(FieldValue.FromText(text), FieldType.String, FieldType.Timestamp));
    }

    [Fact]
    public void Convert_StringToTimestampInvalidUtf16_Null()
    {
        Assert.True(FieldConversion.Convert(FieldValue.FromText("2026-11-29T14:55:00Z\uD800"), FieldType.String, FieldType.Timestamp).IsNull);
    }

    [Fact]
    public void Convert_TimestampThroughString_RoundTrips()
    {
        var text = FieldConversion.Convert(FieldValue.FromNumber(Micros), FieldType.Timestamp, FieldType.String);

        Assert.Equal(FieldValue.FromNumber(Micros), FieldConversion.Convert(text, FieldType.String, FieldType.Timestamp));
    }

    [Fact]
    public void Convert_NullOrSameType_Unchanged()
    {
        Assert.True(FieldConversion.Convert(FieldValue.Null, FieldType.Long, FieldType.String).IsNull);
        Assert.Equal(FieldValue.FromText("x"), FieldConversion.Convert(FieldValue.FromText("x"), FieldType.String, FieldType.String));
    }

    // The value an event whose optional timestamp field carries the text decodes to; null when the event is rejected.
    private static FieldValue Decoded(string text, bool scanner)
    {
        var schema = new EventSchema("s", "com.brisa.test", "at", [new SchemaField("id", FieldType.String, Required: true), new SchemaField("at", FieldType.Timestamp, Required: true), new SchemaField("when", FieldType.Timestamp, Required: false)]);
        var message = $$$"""{"specversion":"1.0","id":"e1","source":"/test","type":"com.brisa.test","data":{"id":"e1","at":"2026-11-29T11:00:00Z","when":"{{{text}}}"}}""";
        var batch = new CloudEventDecoder([schema]) { UseScanner = scanner }.Decode([new IncomingMessage(Encoding.UTF8.GetBytes(message))], new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        return batch.AcceptedCount == 0 ? FieldValue.Null : Assert.Single(batch.Sources).Value(0, 2);
    }
}
