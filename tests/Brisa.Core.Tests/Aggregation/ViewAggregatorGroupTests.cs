using Brisa.Core.Aggregation;

namespace Brisa.Core.Tests.Aggregation;

public class ViewAggregatorGroupTests
{
    private static readonly TiledView Minutes = new(new TiledViewSpec("minutes", TimeSpan.FromMinutes(1),
    [
        new("n", AggregationKind.Count, -1, 10),
        new("s", AggregationKind.Sum, 0, 5),
        new("d", AggregationKind.DistinctCount, 1, 10),
        new("l", AggregationKind.Last, 1, 10),
    ], TrackEventIds: true));

    private static readonly TiledView Hours = new(new TiledViewSpec("hours", TimeSpan.FromHours(1),
    [
        new("mean", AggregationKind.Mean, 0, 3),
        new("sd", AggregationKind.StdDev, 0, 3),
        new("lo", AggregationKind.Min, 0, 2),
        new("hi", AggregationKind.Max, 0, 3),
    ], TrackEventIds: true));

    [Fact]
    public void Apply_RandomEvents_SameResultsAndStatesAsEachAggregator()
    {
        var rng = new Random(7);
        var separate = new[] { new ViewAggregator(Minutes), new ViewAggregator(Hours) };
        var grouped = new[] { new ViewAggregator(Minutes), new ViewAggregator(Hours) };
        var group = new ViewAggregatorGroup(grouped);
        var results = new ApplyResult[2];
        for (int i = 0; i < 5_000; i++)
        {
            // Mostly increasing times with late events and redelivered ids, over a few entities.
            string key = "e" + rng.Next(8);
            long ticks = (i * TimeSpan.TicksPerSecond * 20) - (rng.Next(4) == 0 ? rng.Next(3) * TimeSpan.TicksPerHour : 0);
            string id = "id" + (rng.Next(10) == 0 ? rng.Next(i + 1) : i);
            FieldValue[] fields = [rng.Next(6) == 0 ? FieldValue.Null : FieldValue.FromNumber(rng.Next(100) / 4.0), FieldValue.FromText("c" + rng.Next(5))];
            ulong hash = StableHash.Fnv1a64(id);

            int applied = group.Apply(key, ticks, id, hash, fields, results);

            ApplyResult[] expected = [.. separate.Select(a => a.Apply(key, ticks, id, hash, fields))];
            Assert.Equal(expected, results);
            Assert.Equal(expected.Count(r => r == ApplyResult.Applied), applied);
        }

        for (int v = 0; v < 2; v++)
        {
            Assert.Equal(separate[v].DirtyKeys, grouped[v].DirtyKeys);
            foreach (string key in separate[v].Entities.Keys)
            {
                Assert.Equal(separate[v].Entities[key].Encode(), grouped[v].Entities[key].Encode());
            }
        }
    }

    [Fact]
    public void Apply_AfterMemberLoadsOrRemovesState_AppliesToTheMembersCurrentState()
    {
        var members = new[] { new ViewAggregator(Minutes), new ViewAggregator(Hours) };
        var group = new ViewAggregatorGroup(members);
        var results = new ApplyResult[2];
        FieldValue[] fields = [FieldValue.FromNumber(1), FieldValue.FromText("PT")];
        group.Apply("k", 100, "a", StableHash.Fnv1a64("a"), fields, results);

        // Replace the minutes state with an empty one: the group must not keep applying to the old object.
        EntityTiles loaded = members[0].Load("k", Minutes.CreateState().Encode());
        group.Apply("k", 200, "b", StableHash.Fnv1a64("b"), fields, results);
        Assert.Same(loaded, members[0].Entities["k"]);
        Assert.Equal(1, loaded.EventCount);
        Assert.Equal(2, members[1].Entities["k"].EventCount);

        members[1].Remove("k");
        group.Apply("k", 300, "c", StableHash.Fnv1a64("c"), fields, results);
        Assert.Equal(1, members[1].Entities["k"].EventCount);
        Assert.Equal(2, loaded.EventCount);
    }

    [Fact]
    public void Constructor_SameAggregatorTwice_Throws()
    {
        var aggregator = new ViewAggregator(Minutes);
        Assert.Throws<ArgumentException>(() => new ViewAggregatorGroup([aggregator, aggregator]));
        Assert.Throws<ArgumentException>(() => new ViewAggregatorGroup([]));
    }

    [Fact]
    public void Apply_ResultsShorterThanMembers_Throws()
    {
        var group = new ViewAggregatorGroup([new ViewAggregator(Minutes), new ViewAggregator(Hours)]);
        Assert.Throws<ArgumentException>(() => group.Apply("k", 1, "a", StableHash.Fnv1a64("a"), [FieldValue.FromNumber(1), FieldValue.FromText("x")], new ApplyResult[1]));
    }
}
