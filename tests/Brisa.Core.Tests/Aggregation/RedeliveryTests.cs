using Brisa.Core.Aggregation;

namespace Brisa.Core.Tests.Aggregation;

public class RedeliveryTests
{
    [Fact]
    public void Apply_SameEventsTwice_EqualsOnce()
    {
        for (int seed = 0; seed < 100; seed++)
        {
            var scenario = Scenario.Generate(seed + 60_000, trackIds: true);
            var once = new ViewAggregator(scenario.View);
            var twice = new ViewAggregator(scenario.View);
            var rng = new Random(seed);
            var batch = new EventBatch(3);
            foreach (RawEvent e in scenario.Events)
            {
                batch.Add(e.Entity, e.Ticks, e.Id, e.Fields);
            }

            BatchApplySummary first = once.Apply(batch);
            twice.Apply(batch);

            // Redeliver the whole batch, then a random sample interleaved with persist/reload.
            BatchApplySummary again = twice.Apply(batch);
            Assert.Equal(0, again.Applied);
            // Redelivered events whose tile already left the longest window come back as TooOld instead of Duplicate.
            Assert.Equal(first.Applied + first.TooOld, again.Duplicates + again.TooOld);
            foreach (RawEvent e in scenario.Events.Where(_ => rng.NextDouble() < 0.3))
            {
                if (twice.TryGet(e.Entity, out EntityTiles? s))
                {
                    twice.Load(e.Entity, s.Encode());
                }

                Assert.NotEqual(ApplyResult.Applied, twice.Apply(e.Entity, e.Ticks, e.Id, e.Fields));
            }

            AggregatorAssert.SameStates(once, twice, scenario.Entities);
        }
    }

    [Fact]
    public void Apply_DuplicateId_ReturnsDuplicateAndLeavesStateUnchanged()
    {
        var view = new TiledView(new TiledViewSpec("v", TimeSpan.FromMinutes(1), [new("n", AggregationKind.Count, -1, 5), new("s", AggregationKind.Sum, 0, 5)], TrackEventIds: true));
        EntityTiles state = view.CreateState();
        Assert.Equal(ApplyResult.Applied, state.Apply(100, "a", [FieldValue.FromNumber(2)]));
        byte[] before = state.Encode();
        Assert.Equal(ApplyResult.Duplicate, state.Apply(100, "a", [FieldValue.FromNumber(2)]));
        Assert.Equal(ApplyResult.Duplicate, view.Decode(before).Apply(100, "a", [FieldValue.FromNumber(2)])); // kept in the encoding
        Assert.Equal(before, state.Encode());
        Assert.Equal(ApplyResult.Applied, state.Apply(100, "b", [FieldValue.FromNumber(3)]));
        Assert.Equal(FieldValue.FromNumber(5), state.Evaluate(100).Values[1]);
    }

    [Fact]
    public void Apply_SameIdAtAnotherTime_IsAnotherEvent()
    {
        // An event is (id, time) on every path: the same id at another time counts, in its own tile or another.
        var view = new TiledView(new TiledViewSpec("v", TimeSpan.FromMinutes(1), [new("n", AggregationKind.Count, -1, 5), new("s", AggregationKind.Sum, 0, 5)], TrackEventIds: true));
        EntityTiles state = view.CreateState();
        Assert.Equal(ApplyResult.Applied, state.Apply(100, "a", [FieldValue.FromNumber(2)]));
        Assert.Equal(ApplyResult.Applied, state.Apply(200, "a", [FieldValue.FromNumber(5)])); // same tile
        Assert.Equal(ApplyResult.Applied, state.Apply(TimeSpan.TicksPerMinute + 100, "a", [FieldValue.FromNumber(7)])); // next tile
        state = view.Decode(state.Encode());
        Assert.Equal(ApplyResult.Duplicate, state.Apply(200, "a", [FieldValue.FromNumber(5)]));
        Assert.Equal([FieldValue.FromNumber(3), FieldValue.FromNumber(14)], state.Evaluate(TimeSpan.TicksPerMinute + 100).Values);
    }

    [Fact]
    public void LayoutFingerprint_TrackedIds_NotTheLayoutOfIdOnlyHashes()
    {
        // Tiles tracked before held hashes of the id alone (tracking "1" in the fingerprint), which (id, time) hashes
        // never match: such rows are another layout (ignored, rebuilt from the raw zone), not mixed with new hashes.
        // Untracked layouts keep their fingerprint, so their state still decodes.
        var spec = new TiledViewSpec("v", TimeSpan.FromMinutes(5), [new("n", AggregationKind.Count, -1, 12)], TrackEventIds: true);
        string Layout(int track) => $"brisa-tiles|{TimeSpan.FromMinutes(5).Ticks}|{track}|{(int)AggregationKind.Count}:-1:12";
        Assert.Equal(StableHash.Fnv1a64(Layout(0)), new TiledView(spec with { TrackEventIds = false }).LayoutFingerprint);
        Assert.NotEqual(StableHash.Fnv1a64(Layout(1)), new TiledView(spec).LayoutFingerprint);
        Assert.Equal(StableHash.Fnv1a64(Layout(2)), new TiledView(spec).LayoutFingerprint);
    }

    [Fact]
    public void Apply_TrackingWithoutId_Throws()
    {
        var view = new TiledView(new TiledViewSpec("v", TimeSpan.FromMinutes(1), [new("n", AggregationKind.Count, -1, 5)], TrackEventIds: true));
        Assert.Throws<ArgumentNullException>(() => view.CreateState().Apply(100, null, []));
    }

    [Fact]
    public void Apply_WithoutTracking_CountsRedeliveredEventsAgain()
    {
        var view = new TiledView(new TiledViewSpec("v", TimeSpan.FromMinutes(1), [new("n", AggregationKind.Count, -1, 5)]));
        EntityTiles state = view.CreateState();
        Assert.Equal(ApplyResult.Applied, state.Apply(100, "a", []));
        Assert.Equal(ApplyResult.Applied, state.Apply(100, "a", []));
        Assert.Equal(FieldValue.FromNumber(2), state.Evaluate(100).Values[0]);
    }

    [Fact]
    public void ViewAggregator_AfterBatch_ReportsDirtyKeysOnce()
    {
        var view = new TiledView(new TiledViewSpec("v", TimeSpan.FromMinutes(1), [new("n", AggregationKind.Count, -1, 5)], TrackEventIds: true));
        var aggregator = new ViewAggregator(view);
        var batch = new EventBatch(0);
        batch.Add("x", 1, "1", []);
        batch.Add("y", 2, "2", []);
        batch.Add("x", 3, "3", []);
        aggregator.Apply(batch);
        Assert.Equal(["x", "y"], aggregator.DirtyKeys);
        aggregator.ClearDirty();
        aggregator.Apply(batch);
        Assert.Empty(aggregator.DirtyKeys);
        batch.Clear();
        batch.Add("y", 4, "4", []);
        aggregator.Apply(batch);
        Assert.Equal(["y"], aggregator.DirtyKeys);
    }
}
