using System.Text;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;
using Brisa.Core.Tests.Definitions;
using Brisa.Core.Training;

namespace Brisa.Core.Tests.Training;

public class EntityRowsTests
{
    private static readonly FeatureRequirements Model = TrainingSetBuilder.ForModel(FraudStream.Plan, FraudStream.Definitions.FindModel("fraud")!).Requirements;
    private static readonly FeatureRequirements CustomerOnly =
        new TrainingSetBuilder(FraudStream.Plan, [FeatureReference.Parse("customer_7d:amount_mean_7d")]).Requirements;

    [Fact]
    public void ReadCsv_QuotedFieldsCrlfAndBom_KeysTimesAndTypedRequestFields()
    {
        var csv = "\uFEFFevent_timestamp,customer_id,merchant_id,amount,currency,country,channel,note\r\n"
            + "2026-05-01T12:30:00Z,\"c,1\",m1,12.5,EUR,ES,pos,\"said \"\"hi\"\"\nand left\"\r\n"
            + "2026-05-01T14:30:00+02:00,c2,,7,GBP,GB,online,\r\n";

        var rows = EntityRows.ReadCsv(csv, Model);

        Assert.Equal(2, rows.Count);
        Assert.Equal(["1", "2"], [rows.IdOf(0), rows.IdOf(1)]);
        var noon = TiledView.ToUnixTicks(new DateTimeOffset(2026, 5, 1, 12, 30, 0, TimeSpan.Zero));
        Assert.Equal([noon, noon], [rows.TicksOf(0), rows.TicksOf(1)]);
        var customer = rows.EntityKeyFields.ToList().IndexOf("customer_id");
        var merchant = rows.EntityKeyFields.ToList().IndexOf("merchant_id");
        Assert.Equal("c,1", rows.KeyOf(0, customer));
        Assert.Null(rows.KeyOf(1, merchant));
        var amount = rows.RequestFields.ToList().FindIndex(f => f.Name == "amount");
        var currency = rows.RequestFields.ToList().FindIndex(f => f.Name == "currency");
        Assert.Equal(12.5, rows.RequestValueOf(0, amount).AsNumber());
        Assert.Equal("GBP", rows.RequestValueOf(1, currency).AsText());
        Assert.True(rows.LabelOf(0).IsNull);
    }

    [Fact]
    public void ReadCsv_TimeWithSubMicrosecondDigits_ReadAsItsEventIsSoStrictlyBeforeLeavesItOut()
    {
        // The raw zone holds an event written "…00.1234567Z" at …00.123456 (microseconds); a row naming the same time
        // must be that instant too, or "strictly before" sees the very event the row was made from (count 2, not 1).
        var message = string.Join(",", new[] { ("t0", "2026-05-01T11:50:00Z"), ("t1", "2026-05-01T12:00:00.1234567Z") }.Select(e =>
            $$$"""{"specversion":"1.0","id":"{{{e.Item1}}}","source":"/s","type":"{{{FraudStream.Transactions.EventType}}}","data":{"transaction_id":"{{{e.Item1}}}","customer_id":"c1","merchant_id":"m1","amount":5,"currency":"EUR","country":"ES","channel":"pos","timestamp":"{{{e.Item2}}}"}}"""));
        var events = Assert.Single(new CloudEventDecoder([FraudStream.Transactions])
            .Decode([new IncomingMessage(Encoding.UTF8.GetBytes($"[{message}]"))], new DateTimeOffset(2026, 5, 1, 13, 0, 0, TimeSpan.Zero)).Sources);
        var builder = new TrainingSetBuilder(FraudStream.Plan, [FeatureReference.Parse("customer_1h:txn_count_1h")]);

        var rows = EntityRows.ReadCsv("event_timestamp,customer_id\n2026-05-01T12:00:00.1234567Z,c1\n2026-05-01T14:00:00.1234569+02:00,c1\n", builder.Requirements);
        var set = builder.Build(rows, [events]);

        var count = set.Column("customer_1h__txn_count_1h");
        Assert.Equal([1.0, 1.0], [count[0].AsNumber(), count[1].AsNumber()]);
        Assert.Equal([events.EventTicks(1), events.EventTicks(1)], [rows.TicksOf(0), rows.TicksOf(1)]);
    }

    [Fact]
    public void ReadCsv_RowIdColumn_NamesTheRows()
    {
        var rows = EntityRows.ReadCsv("row_id,customer_id,event_timestamp\na-7,c1,2026-05-01\n\nb-9,c2,2026-05-02\n", CustomerOnly);

        Assert.Equal(["a-7", "b-9"], [rows.IdOf(0), rows.IdOf(1)]);
    }

    [Theory]
    [InlineData("", "line 1: no header")]
    [InlineData("customer_id\nc1\n", "line 1: no column 'event_timestamp'")]
    [InlineData("event_timestamp,customer\n2026-05-01,c1\n", "line 1: no column 'customer_id' (a join key the features need); the header has: event_timestamp, customer")]
    [InlineData("event_timestamp,customer_id\n2026-05-01,c1\nyesterday,c2\n", "line 3: 'yesterday' in column 'event_timestamp' is not a time")]
    [InlineData("event_timestamp,customer_id\n2026-05-01,c1,extra\n", "line 2: 3 field(s), but the header has 2")]
    [InlineData("event_timestamp,customer_id\n2026-05-01,\"c1\n", "line 2: a quoted field is not closed")]
    [InlineData("event_timestamp,customer_id\n2026-05-01,\"c1\"x\n", "line 2: a quoted field must end at a comma")]
    [InlineData("row_id,event_timestamp,customer_id\nr1,2026-05-01,c1\n\"two\nlines\",2026-05-01,c2\nr1,2026-05-01,c3\n", "line 5: row_id 'r1' is already used by an earlier row")]
    public void ReadCsv_BadText_FormatExceptionNamesLineAndColumn(string csv, string message)
    {
        var error = Assert.Throws<FormatException>(() => EntityRows.ReadCsv(csv, CustomerOnly));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc", "EUR", "pos", "line 2: 'abc' in column 'amount' is not a double.")]
    [InlineData("-1", "EUR", "pos", "line 2: -1 in column 'amount' is outside its range [0, 1000000].")]
    [InlineData("5", "JPY", "pos", "line 2: 'JPY' in column 'currency' is not one of its allowed values (EUR, USD, GBP).")]
    public void ReadCsv_RequestFieldNotOfItsType_FormatException(string amount, string currency, string channel, string message)
    {
        var csv = $"event_timestamp,customer_id,merchant_id,amount,currency,country,channel\n2026-05-01,c1,m1,{amount},{currency},ES,{channel}\n";

        var error = Assert.Throws<FormatException>(() => EntityRows.ReadCsv(csv, Model));

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("1005.0")]
    [InlineData(" 1005")]
    [InlineData("d1005")]
    [InlineData("9007199254740993")]
    public void ReadCsv_LongJoinKeyNotAnInteger_FormatExceptionInsteadOfRowsThatFindNothing(string driver)
    {
        // A long key read as its text matched no event: "1005.0" (pandas writes an int column with gaps as floats) is not "1005".
        var csv = $"event_timestamp,driver_id,rider_id\n2026-05-01,{driver},r1\n";

        var error = Assert.Throws<FormatException>(() => EntityRows.ReadCsv(csv, Rides));

        Assert.Equal($"line 2: '{driver}' in column 'driver_id' is not a whole number between -2^53 and 2^53: driver_id is a long join key, so each row must name an integer, e.g. 1005 (write a float column such as 1005.0 as integers).", error.Message);
    }

    [Theory]
    [InlineData("1005", "1005")]
    [InlineData("+1005", "1005")]
    [InlineData("01005", "1005")]
    [InlineData("-7", "-7")]
    public void ReadCsv_LongJoinKey_TheIntegerAsEventsKeyIt(string driver, string key)
    {
        var csv = $"event_timestamp,driver_id,rider_id\n2026-05-01,{driver},007\n";

        var rows = EntityRows.ReadCsv(csv, Rides);

        Assert.Equal(key, rows.KeyOf(0, rows.EntityKeyFields.ToList().IndexOf("driver_id")));
        Assert.Equal("007", rows.KeyOf(0, rows.EntityKeyFields.ToList().IndexOf("rider_id")));
    }

    // The rides sample: driver_id is a long join key, rider_id a string one.
    private static FeatureRequirements Rides
    {
        get
        {
            var definitions = SampleDefinitionsTests.LoadRidesSample();
            var plan = Brisa.Core.Features.FeaturePlan.Compile(definitions, trackEventIds: false);
            return new TrainingSetBuilder(plan, [FeatureReference.Parse("driver_1d:trips_1d"), FeatureReference.Parse("rider_30d:rider_trips_30d")]).Requirements;
        }
    }
}
