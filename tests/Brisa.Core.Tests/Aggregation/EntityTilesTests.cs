using System.Text;
using Brisa.Core.Aggregation;

namespace Brisa.Core.Tests.Aggregation;

public class EntityTilesTests
{
    private static readonly long Hour = TimeSpan.TicksPerHour;

    private static TiledView View(bool track = false) => new(new TiledViewSpec(
        "v",
        TimeSpan.FromHours(1),
        [
            new("count_3h", AggregationKind.Count, -1, 3),
            new("sum_3h", AggregationKind.Sum, 0, 3),
            new("mean_3h", AggregationKind.Mean, 0, 3),
            new("min_3h", AggregationKind.Min, 0, 3),
            new("max_1h", AggregationKind.Max, 0, 1),
            new("std_3h", AggregationKind.StdDev, 0, 3),
            new("last_country_3h", AggregationKind.Last, 1, 3),
            new("distinct_country_3h", AggregationKind.DistinctCount, 1, 3),
        ],
        track));

    [Theory]
    [InlineData(0, 10, 0)]
    [InlineData(9, 10, 0)]
    [InlineData(10, 10, 1)]
    [InlineData(-1, 10, -1)]
    [InlineData(-10, 10, -1)]
    [InlineData(-11, 10, -2)]
    [InlineData(long.MaxValue, 10, long.MaxValue / 10)]
    [InlineData(long.MinValue + 1, 1, long.MinValue + 1)]
    public void TileOf_PositiveAndNegative_Floors(long ticks, long g, long expected)
    {
        var view = new TiledView(new TiledViewSpec("v", TimeSpan.FromTicks(g), [new("n", AggregationKind.Count, -1, 1)]));
        Assert.Equal(expected, view.TileOf(ticks));
    }

    [Fact]
    public void Evaluate_EmptyState_CountAndSumZeroOthersNull()
    {
        FeatureVector v = View().CreateState().Evaluate(5 * Hour);
        Assert.Equal(FieldValue.FromNumber(0), v.Values[0]);
        Assert.Equal(FieldValue.FromNumber(0), v.Values[1]);
        Assert.True(v.Values[2].IsNull && v.Values[3].IsNull && v.Values[4].IsNull && v.Values[5].IsNull && v.Values[6].IsNull);
        Assert.Equal(FieldValue.FromNumber(0), v.Values[7]);
        Assert.Null(v.NewestEventTicks);
    }

    [Fact]
    public void Evaluate_WindowSlidesWithoutEvents_DropsOldTiles()
    {
        EntityTiles s = View().CreateState();
        s.Apply((10 * Hour) + 5, "a", [FieldValue.FromNumber(4), FieldValue.FromText("PT")]);
        s.Apply((11 * Hour) + 5, "b", [FieldValue.FromNumber(6), FieldValue.FromText("ES")]);
        Assert.Equal(FieldValue.FromNumber(2), s.Evaluate(12 * Hour).Values[0]);
        Assert.Equal(FieldValue.FromNumber(2), s.Evaluate((13 * Hour) - 1).Values[0]);
        Assert.Equal(FieldValue.FromNumber(1), s.Evaluate(13 * Hour).Values[0]); // tile 10 left the 3 h window
        Assert.Equal(FieldValue.FromNumber(0), s.Evaluate(14 * Hour).Values[0]);
        Assert.Equal((11 * Hour) + 5, s.Evaluate(14 * Hour).NewestEventTicks);
    }

    [Fact]
    public void Evaluate_KnownValues_MatchHandComputed()
    {
        EntityTiles s = View().CreateState();
        s.Apply((10 * Hour) + 1, "a", [FieldValue.FromNumber(1), FieldValue.FromText("PT")]);
        s.Apply((11 * Hour) + 1, "c", [FieldValue.FromNumber(3), FieldValue.FromText("ES")]);
        s.Apply((11 * Hour) + 1, "b", [FieldValue.FromNumber(8), FieldValue.FromText("FR")]); // tie: "c" > "b" wins last
        s.Apply((11 * Hour) + 2, "d", [FieldValue.Null, FieldValue.Null]); // null skipped except by count
        IReadOnlyList<FieldValue> v = s.Evaluate(12 * Hour).Values;
        Assert.Equal(FieldValue.FromNumber(4), v[0]);
        Assert.Equal(FieldValue.FromNumber(12), v[1]);
        Assert.Equal(FieldValue.FromNumber(4), v[2]);
        Assert.Equal(FieldValue.FromNumber(1), v[3]);
        Assert.True(v[4].IsNull); // max over the last hour only: tile 12 is empty
        Assert.Equal(Math.Sqrt(13), v[5].Number, 12);
        Assert.Equal(FieldValue.FromText("ES"), v[6]);
        Assert.Equal(FieldValue.FromNumber(3), v[7]);
        Assert.Equal(FieldValue.FromNumber(8), s.Evaluate((11 * Hour) + 2).Values[4]);
    }

    /// <summary>Distinct values churn (dictionary compaction) and then exceed 64 live values (fallback to sets), then shrink again after a round trip.</summary>
    [Theory]
    [InlineData(10, 40)]   // ≤ 40 live values, 400 over time: compaction
    [InlineData(100, 5)]   // 100 live values: sets
    public void DistinctCount_ManyValuesOverTime_MatchesReference(int valuesPerTile, int tiles)
    {
        var view = new TiledView(new TiledViewSpec("v", TimeSpan.FromTicks(10), [new("d", AggregationKind.DistinctCount, 0, 4), new("d1", AggregationKind.DistinctCount, 0, 1)]));
        EntityTiles s = view.CreateState();
        var events = new List<RawEvent>();
        var rng = new Random(3);
        for (int tile = 0; tile < tiles; tile++)
        {
            for (int i = 0; i < valuesPerTile * 2; i++)
            {
                long ticks = (tile * 10) + rng.Next(10);
                FieldValue v = rng.Next(3) == 0 ? FieldValue.FromText($"t{(tile * valuesPerTile) + rng.Next(valuesPerTile)}") : FieldValue.FromNumber((tile * valuesPerTile) + rng.Next(valuesPerTile));
                var e = new RawEvent("x", ticks, $"{tile}-{i}", [v]);
                events.Add(e);
                s.Apply(e.Ticks, e.Id, e.Fields);
                long t = events.Max(x => x.Ticks);
                if (i % 7 == 0)
                {
                    s = view.Decode(s.Encode());
                }

                FeatureVector got = s.Evaluate(t);
                Assert.Equal(Reference.Evaluate(view.Features[0], 10, events, "x", t), got.Values[0]);
                Assert.Equal(Reference.Evaluate(view.Features[1], 10, events, "x", t), got.Values[1]);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reset_AfterAnotherEntity_BehavesLikeANewState(bool track)
    {
        var view = View(track);
        var reused = view.CreateState();

        // A first entity that fills every part of the state: many tiles, ids, last values, more than 64 distinct
        // values (the per-tile set fallback), and a prune watermark.
        for (var i = 0; i < 300; i++)
        {
            reused.Apply((i * Hour / 7) + 1, "a" + i, [FieldValue.FromNumber(i), FieldValue.FromText("c" + i)]);
        }

        reused.Prune(40 * Hour);
        reused.Reset();

        var fresh = view.CreateState();
        Assert.Equal(fresh.Encode(), reused.Encode());
        foreach (var state in new[] { fresh, reused })
        {
            state.Apply((2 * Hour) + 5, "b1", [FieldValue.FromNumber(3), FieldValue.FromText("PT")]);
            Assert.Equal(ApplyResult.Applied, state.Apply((3 * Hour) + 5, "b2", [FieldValue.FromNumber(5), FieldValue.FromText("ES")]));
            Assert.Equal(track ? ApplyResult.Duplicate : ApplyResult.Applied, state.Apply((3 * Hour) + 5, "b2", [FieldValue.FromNumber(1), FieldValue.FromText("FR")]));
        }

        Assert.Equal(fresh.Encode(), reused.Encode());
        Assert.Equal(fresh.Evaluate(4 * Hour), reused.Evaluate(4 * Hour), new FeatureVectorComparer());
        Assert.Equal(fresh.EventCount, reused.EventCount);
        Assert.Null(reused.PruneWatermarkTile);
    }

    private sealed class FeatureVectorComparer : IEqualityComparer<FeatureVector>
    {
        public bool Equals(FeatureVector? x, FeatureVector? y) =>
            x is not null && y is not null && x.NewestEventTicks == y.NewestEventTicks && x.Values.SequenceEqual(y.Values);

        public int GetHashCode(FeatureVector obj) => obj.Values.Count;
    }

    [Fact]
    public void Evaluate_BeforeNewestEvent_Throws()
    {
        EntityTiles s = View().CreateState();
        s.Apply(10 * Hour, "a", [FieldValue.FromNumber(1), FieldValue.Null]);
        Assert.Throws<InvalidOperationException>(() => s.Evaluate((10 * Hour) - 1));
    }

    [Fact]
    public void Prune_ThenEvaluateEarlier_ThrowsAndLateEventTooOld()
    {
        EntityTiles s = View().CreateState();
        s.Apply(10 * Hour, "a", [FieldValue.FromNumber(1), FieldValue.Null]);
        s.Prune(20 * Hour);
        Assert.Equal(0, s.TileCount);
        Assert.Throws<InvalidOperationException>(() => s.Evaluate(19 * Hour));
        Assert.Equal(FieldValue.FromNumber(0), s.Evaluate(20 * Hour).Values[0]);
        Assert.Equal(ApplyResult.TooOld, s.Apply(9 * Hour, "b", [FieldValue.FromNumber(1), FieldValue.Null]));
        Assert.Equal(ApplyResult.Applied, s.Apply(18 * Hour, "c", [FieldValue.FromNumber(1), FieldValue.Null]));
    }

    [Fact]
    public void Apply_BelowPruneWatermarkButNewerThanEveryEvent_MovesOnlyTheNewestEventTime()
    {
        // The stream prunes after each batch: an event that arrives in the next batch below the watermark is outside
        // every window, but it is the entity's newest event, as it would be had both come in one batch.
        EntityTiles s = View().CreateState();
        s.Apply(10 * Hour, "a", [FieldValue.FromNumber(1), FieldValue.Null]);
        s.Prune(20 * Hour);
        s.MarkClean();

        Assert.Equal(ApplyResult.NewestOnly, s.Apply(17 * Hour, "b", [FieldValue.FromNumber(1), FieldValue.Null]));

        Assert.True(s.IsDirty);
        Assert.Equal(0, s.TileCount);
        var evaluated = s.Evaluate(20 * Hour);
        Assert.Equal(17 * Hour, evaluated.NewestEventTicks);
        Assert.Equal(FieldValue.FromNumber(0), evaluated.Values[0]);
        Assert.Equal(17 * Hour, s.View.Decode(s.Encode()).NewestEventTicks);
        Assert.Equal(ApplyResult.TooOld, s.Apply(17 * Hour, "b", [FieldValue.FromNumber(1), FieldValue.Null]));
        Assert.Equal(ApplyResult.TooOld, s.Apply(16 * Hour, "c", [FieldValue.FromNumber(1), FieldValue.Null]));
    }

    [Fact]
    public void EvaluateLatest_ClockBehindNewestOrPrune_EvaluatesAtEarliestExactTime()
    {
        EntityTiles s = View().CreateState();
        s.Apply((10 * Hour) + 7, "a", [FieldValue.FromNumber(1), FieldValue.Null]);
        var values = new FieldValue[s.View.FeatureCount];
        Assert.Equal((10 * Hour) + 7, s.EarliestExactTime(9 * Hour));
        s.EvaluateLatest(9 * Hour, values);
        Assert.Equal(FieldValue.FromNumber(1), values[0]);
        s.Prune(12 * Hour);
        Assert.Equal(12 * Hour, s.EarliestExactTime(11 * Hour));
        s.EvaluateLatest(11 * Hour, values);
        Assert.Equal(FieldValue.FromNumber(1), values[0]);
        Assert.Equal(13 * Hour, s.EarliestExactTime(13 * Hour));
        var aggregator = new ViewAggregator(s.View);
        Assert.Null(aggregator.EvaluateLatest("nobody", 13 * Hour, values));
        Assert.Equal(FieldValue.FromNumber(0), values[0]);
    }

    [Fact]
    public void Apply_OlderThanLongestWindow_TooOldAndTilesBounded()
    {
        EntityTiles s = View().CreateState();
        for (int h = 0; h < 50; h++)
        {
            s.Apply(h * Hour, $"e{h}", [FieldValue.FromNumber(h), FieldValue.Null]);
            Assert.True(s.TileCount <= 3);
        }

        Assert.Equal(ApplyResult.TooOld, s.Apply(46 * Hour, "late", [FieldValue.FromNumber(1), FieldValue.Null]));
        Assert.Equal(ApplyResult.Applied, s.Apply(47 * Hour, "late", [FieldValue.FromNumber(1), FieldValue.Null]));
    }

    [Fact]
    public void Apply_TextInNumericField_ThrowsWithoutChange()
    {
        EntityTiles s = View().CreateState();
        Assert.Throws<ArgumentException>(() => s.Apply(0, "a", [FieldValue.FromText("x"), FieldValue.Null]));
        Assert.Throws<ArgumentException>(() => s.Apply(0, "a", [FieldValue.FromNumber(1)]));
        Assert.Null(s.NewestEventTicks);
        Assert.Equal(0, s.TileCount);
    }

    [Fact]
    public void TiledView_InvalidSpecs_Throw()
    {
        Assert.Throws<ArgumentException>(() => new TiledView(new TiledViewSpec("v", TimeSpan.Zero, [new("n", AggregationKind.Count, -1, 1)])));
        Assert.Throws<ArgumentException>(() => new TiledView(new TiledViewSpec("v", TimeSpan.FromHours(1), [])));
        Assert.Throws<ArgumentException>(() => new TiledView(new TiledViewSpec("v", TimeSpan.FromHours(1), [new("n", AggregationKind.Count, -1, 0)])));
        Assert.Throws<ArgumentException>(() => new TiledView(new TiledViewSpec("v", TimeSpan.FromHours(1), [new("n", AggregationKind.Sum, -1, 1)])));
        Assert.Throws<ArgumentException>(() => new TiledView(new TiledViewSpec("v", TimeSpan.FromHours(1), [new("n", AggregationKind.Count, -1, 1), new("n", AggregationKind.Count, -1, 2)])));
        Assert.Equal(168, WindowFeatureSpec.TilesIn(TimeSpan.FromDays(7), TimeSpan.FromHours(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowFeatureSpec.TilesIn(TimeSpan.FromMinutes(90), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void PointInTimeSweep_GoingBack_Throws()
    {
        var sweep = new PointInTimeSweep(View(), new EventBatch(2));
        sweep.AdvanceTo(10);
        Assert.Throws<InvalidOperationException>(() => sweep.AdvanceTo(9));
        var unsorted = new EventBatch(2);
        unsorted.Add("x", 5, "a", [FieldValue.Null, FieldValue.Null]);
        unsorted.Add("x", 4, "b", [FieldValue.Null, FieldValue.Null]);
        Assert.Throws<ArgumentException>(() => new PointInTimeSweep(View(), unsorted));
        unsorted.SortByTime();
        Assert.Equal([4L, 5L], unsorted.EventTicks.ToArray());
        Assert.Equal(new string?[] { "b", "a" }, unsorted.EventIds.ToArray());
    }

    [Fact]
    public void UnixTicks_RoundTrip()
    {
        var t = new DateTimeOffset(2025, 6, 1, 12, 30, 0, TimeSpan.FromHours(2));
        Assert.Equal(t.ToUnixTimeMilliseconds() * TimeSpan.TicksPerMillisecond, TiledView.ToUnixTicks(t));
        Assert.Equal(t, TiledView.FromUnixTicks(TiledView.ToUnixTicks(t)));
        Assert.Equal(0, TiledView.ToUnixTicks(DateTimeOffset.UnixEpoch));
    }

    [Theory]
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void Fnv1a64_KnownVectors_Match(string value, ulong expected) => Assert.Equal(expected, StableHash.Fnv1a64(value));

    [Fact]
    public void Fnv1a64_String_EqualsHashOfUtf8Bytes()
    {
        var rng = new Random(1);
        string[] samples = ["3f2c9a1e-0000-4000-8000-000000000001", "ação", "日本語", "😀x", "\ud800", "a\udc00b", "\ud83d"];
        foreach (string s in samples.Concat(Enumerable.Range(0, 500).Select(_ => new string(Enumerable.Range(0, rng.Next(0, 20)).Select(_ => (char)rng.Next(0, 0x10000)).ToArray()))))
        {
            Assert.Equal(StableHash.Fnv1a64(Encoding.UTF8.GetBytes(s)), StableHash.Fnv1a64(s));
        }
    }
}
