using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;

namespace Brisa.Core.Tests.Ingestion;

public sealed class SourceEventBatchTests
{
    private static readonly EventSchema Schema = new("s", "com.brisa.test", "at", [new SchemaField("at", FieldType.Timestamp, Required: true), new SchemaField("n", FieldType.Long, Required: false)]);

    public static TheoryData<string> Accessors => ["EventTicks", "Id", "Row", "Value"];

    [Theory]
    [MemberData(nameof(Accessors))]
    public void Accessor_EmptyBatch_Throws(string accessor)
    {
        var batch = new SourceEventBatch(Schema);

        Assert.Throws<ArgumentOutOfRangeException>(() => Read(batch, accessor, 0));
    }

    [Theory]
    [MemberData(nameof(Accessors))]
    public void Accessor_RowPastCountOrNegative_Throws(string accessor)
    {
        var batch = new SourceEventBatch(Schema, capacity: 8);
        batch.Add("e1", 42, [FieldValue.FromNumber(4.2), FieldValue.FromNumber(7)]);

        Assert.Throws<ArgumentOutOfRangeException>(() => Read(batch, accessor, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Read(batch, accessor, -1));
    }

    [Fact]
    public void Accessors_RowInRange_ReadIt()
    {
        var batch = new SourceEventBatch(Schema);
        batch.Add("e1", 42, [FieldValue.FromNumber(4.2), FieldValue.FromNumber(7)]);

        Assert.Equal(42, batch.EventTicks(0));
        Assert.Equal("e1", batch.Id(0));
        Assert.Equal(FieldValue.FromNumber(7), batch.Row(0)[1]);
        Assert.Equal(FieldValue.FromNumber(7), batch.Value(0, 1));
    }

    [Fact]
    public void Value_FieldPastSchema_Throws()
    {
        var batch = new SourceEventBatch(Schema, capacity: 8);
        batch.Add("e1", 42, [FieldValue.FromNumber(4.2), FieldValue.FromNumber(7)]);
        batch.Add("e2", 43, [FieldValue.FromNumber(4.3), FieldValue.FromNumber(8)]);

        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Value(0, 2));
    }

    private static object Read(SourceEventBatch batch, string accessor, int row) => accessor switch
    {
        "EventTicks" => batch.EventTicks(row),
        "Id" => batch.Id(row),
        "Row" => batch.Row(row).Length,
        _ => batch.Value(row, 0),
    };
}
