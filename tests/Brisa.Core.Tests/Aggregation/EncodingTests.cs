using System.Buffers.Binary;
using Brisa.Core.Aggregation;
using Xunit.Abstractions;

namespace Brisa.Core.Tests.Aggregation;

public class EncodingTests(ITestOutputHelper output)
{
    internal static TiledView RealisticView(bool trackIds) => new(new TiledViewSpec(
        "customer_7d",
        TimeSpan.FromHours(1),
        [
            new("txn_count_7d", AggregationKind.Count, -1, 168),
            new("amount_sum_7d", AggregationKind.Sum, 0, 168),
            new("amount_mean_7d", AggregationKind.Mean, 0, 168),
            new("amount_max_24h", AggregationKind.Max, 0, 24),
            new("country_distinct_7d", AggregationKind.DistinctCount, 1, 168),
        ],
        trackIds));

    internal static EntityTiles RealisticState(TiledView view, int seed, out long end)
    {
        var rng = new Random(seed);
        EntityTiles state = view.CreateState();
        long start = TiledView.ToUnixTicks(new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero));
        end = start + TimeSpan.FromDays(7).Ticks;
        string[] countries = ["PT", "ES", "FR"];
        for (long hour = start; hour < end; hour += TimeSpan.TicksPerHour)
        {
            for (int i = 0; i < 3; i++)
            {
                long ticks = hour + rng.NextInt64(0, TimeSpan.TicksPerHour);
                FieldValue[] fields =
                [
                    FieldValue.FromNumber(Math.Round(rng.NextDouble() * 500, 2)),
                    FieldValue.FromText(countries[rng.Next(10) < 8 ? 0 : rng.Next(3)]),
                ];
                Assert.Equal(ApplyResult.Applied, state.Apply(ticks, Guid.NewGuid().ToString(), fields));
            }
        }

        return state;
    }

    /// <summary>
    /// Realistic state: 7-day window, 1 h tiles, 5 features, 3 events/hour (504 events in 168 tiles).
    /// Measured: 8,920 bytes with event-id tracking (4,200 of them the 504 id hashes and per-tile counts), 4,720 bytes without;
    /// an idle entity pruned past its window encodes to 27 bytes.
    /// Azure Table binary properties are limited to 64 KiB.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Encode_RealisticSevenDayState_Under64KiB(bool trackIds)
    {
        TiledView view = RealisticView(trackIds);
        EntityTiles state = RealisticState(view, 42, out _);
        byte[] bytes = state.Encode();
        output.WriteLine($"tracking={trackIds}: {state.TileCount} tiles, {state.EventCount} events, {bytes.Length} bytes");
        Assert.Equal(168, state.TileCount);
        Assert.True(bytes.Length < 64 * 1024, $"{bytes.Length} bytes");
    }

    [Fact]
    public void Decode_AfterRandomApplies_BitExactRoundTrip()
    {
        for (int seed = 0; seed < 200; seed++)
        {
            var scenario = Scenario.Generate(seed + 40_000, trackIds: seed % 2 == 0);
            var rng = new Random(seed);
            var states = new Dictionary<string, EntityTiles>();
            foreach (RawEvent e in scenario.Events)
            {
                if (!states.TryGetValue(e.Entity, out EntityTiles? s))
                {
                    states[e.Entity] = s = scenario.View.CreateState();
                }

                s.Apply(e.Ticks, e.Id, e.Fields);
                if (rng.NextDouble() < 0.02)
                {
                    s.Prune(s.NewestEventTicks!.Value + rng.NextInt64(0, 2 * scenario.G));
                }
            }

            foreach (EntityTiles s in states.Values)
            {
                byte[] bytes = s.Encode();
                EntityTiles decoded = scenario.View.Decode(bytes);
                Assert.Equal(bytes, decoded.Encode());
                AssertSameState(s, decoded);

                // Both keep behaving alike: same late events, same duplicates, same evaluation.
                long at = Math.Max(s.NewestEventTicks ?? 0, ((s.PruneWatermarkTile ?? long.MinValue / 4 / scenario.G) + scenario.View.MaxWindowTiles) * scenario.G);
                foreach (RawEvent e in scenario.Events.Take(10))
                {
                    Assert.Equal(s.Apply(e.Ticks, e.Id, e.Fields), decoded.Apply(e.Ticks, e.Id, e.Fields));
                }

                at = Math.Max(at, s.NewestEventTicks ?? at);
                Assert.Equal(s.Encode(), decoded.Encode());
                FeatureVector x = s.Evaluate(at);
                FeatureVector y = decoded.Evaluate(at);
                Assert.Equal(x.NewestEventTicks, y.NewestEventTicks);
                for (int f = 0; f < x.Values.Count; f++)
                {
                    Assert.True(EnginePropertyTests.BitEqual(x.Values[f], y.Values[f]), $"seed {seed} feature {f}");
                }
            }
        }
    }

    [Fact]
    public void Encode_EmptyState_RoundTrips()
    {
        TiledView view = RealisticView(true);
        EntityTiles empty = view.CreateState();
        byte[] bytes = empty.Encode();
        EntityTiles decoded = view.Decode(bytes);
        Assert.Null(decoded.NewestEventTicks);
        Assert.Equal(0, decoded.TileCount);
        Assert.Equal(bytes, decoded.Encode());
    }

    [Fact]
    public void Encode_FirstByte_IsVersionTwo()
    {
        byte[] bytes = RealisticState(RealisticView(false), 1, out _).Encode();
        Assert.Equal(2, bytes[0]);
    }

    [Fact]
    public void Decode_VersionOneEncoding_SameStateWrittenAsVersionTwo()
    {
        // Version 1 is the same layout with an FNV-1a 32 checksum: rows written before version 2 must still load.
        for (int seed = 0; seed < 60; seed++)
        {
            var scenario = Scenario.Generate(seed + 60_000, trackIds: seed % 2 == 0, maxEvents: 80);
            EntityTiles state = Applied(scenario);

            byte[] current = state.Encode();
            byte[] versionOne = AsVersionOne(current);

            EntityTiles decoded = scenario.View.Decode(versionOne);

            Assert.Equal(current, decoded.Encode());
            versionOne[versionOne.Length - 1] ^= 1;
            Assert.Throws<InvalidDataException>(() => scenario.View.Decode(versionOne));
        }
    }

    [Fact]
    public void Decode_VersionOneWithVersionTwoChecksum_Throws()
    {
        // The version byte chooses the checksum: a body checksummed one way and labelled the other is corrupt.
        byte[] bytes = RealisticState(RealisticView(true), 2, out _).Encode();
        bytes[0] = 1;
        Assert.Throws<InvalidDataException>(() => RealisticView(true).Decode(bytes));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(255)]
    public void Decode_UnknownVersion_Throws(byte version)
    {
        TiledView view = RealisticView(false);
        byte[] bytes = RealisticState(view, 1, out _).Encode();
        bytes[0] = version;
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => view.Decode(bytes));
        Assert.Contains("unknown format version", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_EveryFlippedByte_Throws()
    {
        var scenario = Scenario.Generate(7, trackIds: true, maxEvents: 60);
        EntityTiles state = Applied(scenario);

        byte[] bytes = state.Encode();
        for (int i = 0; i < bytes.Length; i++)
        {
            foreach (byte mask in new byte[] { 0x01, 0x80, 0xFF })
            {
                byte[] corrupt = (byte[])bytes.Clone();
                corrupt[i] ^= mask;
                Assert.Throws<InvalidDataException>(() => scenario.View.Decode(corrupt));
            }
        }
    }

    [Fact]
    public void Decode_EveryTruncation_Throws()
    {
        TiledView view = RealisticView(true);
        byte[] bytes = RealisticState(view, 3, out _).Encode();
        for (int n = 0; n < bytes.Length; n++)
        {
            Assert.Throws<InvalidDataException>(() => view.Decode(bytes.AsSpan(0, n)));
        }

        byte[] longer = [.. bytes, 0];
        Assert.Throws<InvalidDataException>(() => view.Decode(longer));
    }

    /// <summary>Mutations with a recomputed checksum get past the checksum: the parser must still only ever throw InvalidDataException.</summary>
    [Fact]
    public void Decode_MutatedWithValidChecksum_OnlyInvalidDataException()
    {
        var rng = new Random(5);
        for (int seed = 0; seed < 40; seed++)
        {
            var scenario = Scenario.Generate(seed + 50_000, trackIds: seed % 2 == 0, maxEvents: 40);
            EntityTiles state = Applied(scenario);

            byte[] bytes = state.Encode();
            for (int trial = 0; trial < 200; trial++)
            {
                byte[] m = (byte[])bytes.Clone();
                int changes = rng.Next(1, 4);
                for (int c = 0; c < changes; c++)
                {
                    m[rng.Next(9, m.Length - 4)] = (byte)rng.Next(256);
                }

                BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(m.Length - 4), StableHash.Crc32C(m.AsSpan(0, m.Length - 4)));
                try
                {
                    EntityTiles decoded = scenario.View.Decode(m);
                    Assert.Equal(m, decoded.Encode());
                }
                catch (InvalidDataException)
                {
                }
            }
        }
    }

    [Fact]
    public void Decode_DifferentLayout_Throws()
    {
        byte[] bytes = RealisticState(RealisticView(false), 1, out _).Encode();
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => RealisticView(true).Decode(bytes));
        Assert.Contains("different layout", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RenamedFeatures_StillReads()
    {
        TiledView view = RealisticView(false);
        byte[] bytes = RealisticState(view, 1, out _).Encode();
        var renamed = new TiledView(view.Spec with
        {
            Name = "renamed",
            Features = view.Features.Select(f => f with { Name = f.Name + "_v2" }).ToList(),
        });
        Assert.Equal(bytes, renamed.Decode(bytes).Encode());
    }

    [Fact]
    public void Encode_AfterPruneToFarFuture_KeepsOnlyHeader()
    {
        TiledView view = RealisticView(true);
        EntityTiles state = RealisticState(view, 9, out long end);
        state.Prune(end + TimeSpan.FromDays(30).Ticks);
        byte[] bytes = state.Encode();
        output.WriteLine($"idle entity: {bytes.Length} bytes");
        Assert.True(bytes.Length < 40);
        EntityTiles decoded = view.Decode(bytes);
        Assert.Equal(state.NewestEventTicks, decoded.NewestEventTicks);
        Assert.Equal(state.PruneWatermarkTile, decoded.PruneWatermarkTile);
    }

    private static void AssertSameState(EntityTiles a, EntityTiles b)
    {
        Assert.Equal(a.NewestEventTicks, b.NewestEventTicks);
        Assert.Equal(a.PruneWatermarkTile, b.PruneWatermarkTile);
        Assert.Equal(a.NewestTileIndex, b.NewestTileIndex);
        Assert.Equal(a.TileCount, b.TileCount);
        for (int i = 0; i < a.TileCount; i++)
        {
            Assert.Equal(a.HeaderAt(i).Index, b.HeaderAt(i).Index);
            Assert.Equal(a.HeaderAt(i).Count, b.HeaderAt(i).Count);
            Assert.Equal(a.HeaderAt(i).MaxTicks, b.HeaderAt(i).MaxTicks);
            Assert.Equal(a.NumericAt(i).ToArray().Select(BitConverter.DoubleToInt64Bits), b.NumericAt(i).ToArray().Select(BitConverter.DoubleToInt64Bits));
            for (int l = 0; l < a.LastAt(i).Length; l++)
            {
                LastSlot x = a.LastAt(i)[l];
                LastSlot y = b.LastAt(i)[l];
                Assert.Equal(x.Ticks, y.Ticks);
                Assert.Equal(x.EventId, y.EventId);
                Assert.True(EnginePropertyTests.BitEqual(x.Value, y.Value));
            }

            for (int d = 0; d < a.View.DistinctFields.Length; d++)
            {
                var xs = new List<FieldValue>();
                var ys = new List<FieldValue>();
                a.AppendDistinctSorted(i, d, xs);
                b.AppendDistinctSorted(i, d, ys);
                Assert.Equal(xs, ys);
            }

            Assert.Equal(a.IdCountAt(i), b.IdCountAt(i));
        }
    }

    private static EntityTiles Applied(Scenario scenario)
    {
        EntityTiles state = scenario.View.CreateState();
        foreach (RawEvent e in scenario.Events)
        {
            state.Apply(e.Ticks, e.Id, e.Fields);
        }

        return state;
    }

    private static byte[] AsVersionOne(byte[] versionTwo)
    {
        byte[] bytes = (byte[])versionTwo.Clone();
        bytes[0] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), StableHash.Fnv1a32(bytes.AsSpan(0, bytes.Length - 4)));
        return bytes;
    }
}
