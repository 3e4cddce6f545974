using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;

namespace Brisa.Core.Tests.Aggregation;

public class ViewAggregatorTests
{
    private static readonly EventSchema Schema = new("s", "t", "ts",
    [
        new SchemaField("amount", FieldType.Double, Required: false),
        new SchemaField("country", FieldType.String, Required: false),
        new SchemaField("level", FieldType.Double, Required: false),
        new SchemaField("entity", FieldType.String, Required: false),
        new SchemaField("ts", FieldType.Timestamp, Required: true),
    ]);

    [Fact]
    public void Apply_SourceBatch_EqualsApplyingRowByRow()
    {
        for (int seed = 0; seed < 120; seed++)
        {
            // Up to 400 events spread over chunks, with rows lacking a key, delivered twice (second time: duplicates).
            var scenario = Scenario.Generate(seed + 90_000, trackIds: seed % 2 == 0, maxEvents: 400);
            var rng = new Random(seed);
            var batch = new SourceEventBatch(Schema);
            foreach (RawEvent e in scenario.Events.Concat(scenario.Events))
            {
                FieldValue key = rng.NextDouble() < 0.05 ? FieldValue.Null : FieldValue.FromText(e.Entity);
                batch.Add(e.Id, e.Ticks, [.. e.Fields, key, FieldValue.FromNumber(e.Ticks)]);
            }

            ulong[] hashes = Enumerable.Range(0, batch.Count).Select(r => StableHash.EventIdentity(batch.Id(r), batch.EventTicks(r))).ToArray();
            var chunked = new ViewAggregator(scenario.View);
            var rowByRow = new ViewAggregator(scenario.View);
            int applied = 0, duplicates = 0, tooOld = 0;
            for (int row = 0; row < batch.Count; row++)
            {
                if (batch.Value(row, 3).AsText() is not { } key)
                {
                    continue;
                }

                switch (rowByRow.Apply(key, batch.EventTicks(row), batch.Id(row), batch.Row(row)))
                {
                    case ApplyResult.Applied: applied++; break;
                    case ApplyResult.Duplicate: duplicates++; break;
                    default: tooOld++; break;
                }
            }

            BatchApplySummary summary = chunked.Apply(batch, entityKeyField: 3, hashes);

            Assert.Equal(new BatchApplySummary(applied, duplicates, tooOld), summary);
            Assert.Equal(rowByRow.DirtyKeys, chunked.DirtyKeys);
            AggregatorAssert.SameStates(rowByRow, chunked, scenario.Entities);
        }
    }

    [Fact]
    public void Apply_SourceBatchWithTooFewHashes_Throws()
    {
        var batch = new SourceEventBatch(Schema);
        batch.Add("e1", 10, [FieldValue.FromNumber(1), FieldValue.Null, FieldValue.Null, FieldValue.FromText("c1"), FieldValue.FromNumber(10)]);
        var aggregator = new ViewAggregator(Scenario.Generate(1).View);

        Assert.Throws<ArgumentException>(() => aggregator.Apply(batch, entityKeyField: 3, idHashes: []));
    }
}
