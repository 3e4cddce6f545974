using Azure.Storage.Blobs;
using Brisa.Azure.RawZone;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Testing;

namespace Brisa.Azure.Tests.RawZone;

/// <summary>Reading ranges of the raw zone, each test on its own container.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RawZoneReaderTests(AzuriteFixture azurite)
{
    private const string Yaml = """
        project: visits
        entities:
          - { name: shop, join_key: shop_id }
        sources:
          - name: visit
            event_type: com.example.visit
            id_field: visit_id
            timestamp_field: timestamp
            fields:
              - { name: visit_id, type: string, required: true }
              - { name: shop_id, type: string, required: true }
              - { name: timestamp, type: timestamp, required: true }
        """;

    private static readonly EventSchema Schema = FeaturePlan.Compile(DefinitionLoader.Parse(Yaml, "visits.yaml").Definitions!, trackEventIds: false).Schemas.Single();
    private static readonly DateTimeOffset Day = new(2026, 3, 30, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ReadRangeAsync_EventsOverDaysWithGaps_ExactlyTheHoursOfTheRangeInTimeOrder()
    {
        var container = azurite.Storage.Blobs.GetBlobContainerClient($"raw-{Guid.NewGuid():N}");
        await container.CreateAsync();
        // Hours on three days with an empty day between (and a month boundary), two files in one hour.
        DateTimeOffset[] times =
        [
            Day.AddHours(22).AddMinutes(59), Day.AddHours(23).AddMinutes(10), Day.AddDays(1).AddMinutes(5),
            Day.AddDays(3).AddHours(1), Day.AddDays(3).AddHours(1).AddMinutes(30), Day.AddDays(3).AddHours(7),
        ];
        var writer = new RawZoneWriter(container);
        for (var i = 0; i < times.Length; i++)
        {
            await writer.WriteAsync(Batch(($"v{i}", times[i])));
        }

        // From inside an hour (rounded down to it) to an exclusive end inside another hour.
        var read = await IdsAsync(new RawZoneReader(container), Day.AddHours(23).AddMinutes(30), Day.AddDays(3).AddHours(1).AddMinutes(1));
        Assert.Equal(["v1", "v2", "v3", "v4"], read);

        Assert.Equal(["v0", "v1", "v2", "v3", "v4", "v5"], await IdsAsync(new RawZoneReader(container), Day, Day.AddDays(4)));
        Assert.Empty(await IdsAsync(new RawZoneReader(container), Day.AddDays(1).AddHours(1), Day.AddDays(3).AddHours(1)));
        Assert.Empty(await IdsAsync(new RawZoneReader(container), Day.AddDays(4), Day.AddDays(400)));
    }

    private static SourceEventBatch Batch(params (string Id, DateTimeOffset Time)[] events)
    {
        var batch = new SourceEventBatch(Schema);
        foreach (var (id, time) in events)
        {
            batch.Add(id, TiledView.ToUnixTicks(time), [FieldValue.FromText(id), FieldValue.FromText("s1"), FieldValue.FromNumber(TiledView.ToUnixTicks(time) / 10)]);
        }

        return batch;
    }

    private static async Task<List<string>> IdsAsync(RawZoneReader reader, DateTimeOffset from, DateTimeOffset to)
    {
        var ids = new List<string>();
        await foreach (var batch in reader.ReadRangeAsync(Schema, TiledView.ToUnixTicks(from), TiledView.ToUnixTicks(to)))
        {
            for (var row = 0; row < batch.Count; row++)
            {
                ids.Add(batch.Id(row));
            }
        }

        return ids;
    }
}
