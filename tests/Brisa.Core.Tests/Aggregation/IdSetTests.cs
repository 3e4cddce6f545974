using Brisa.Core.Aggregation;

namespace Brisa.Core.Tests.Aggregation;

public class IdSetTests
{
    [Fact]
    public void Add_RandomHashesWithZeroAndRepeats_MatchesAHashSet()
    {
        for (int seed = 0; seed < 200; seed++)
        {
            var rng = new Random(seed);

            // Few distinct values so repeats are common, zero among them, across the move from inline to the table.
            ulong[] pool = [0, .. Enumerable.Range(0, rng.Next(1, 40)).Select(_ => (ulong)rng.NextInt64(1, long.MaxValue))];
            var set = default(IdSet);
            ulong[]? slots = null;
            var expected = new HashSet<ulong>();
            for (int i = 0; i < rng.Next(1, 120); i++)
            {
                ulong hash = pool[rng.Next(pool.Length)];
                Assert.Equal(expected.Add(hash), set.Add(hash, ref slots));
                Assert.Equal(expected.Count, set.Count);
            }

            var held = new ulong[set.Count];
            set.CopyTo(held, slots);
            Assert.Equal(expected.Order(), held.Order());
        }
    }

    [Fact]
    public void Add_TwoHashes_KeepsThemInline()
    {
        var set = default(IdSet);
        ulong[]? slots = null;

        Assert.True(set.Add(0, ref slots));
        Assert.True(set.Add(7, ref slots));
        Assert.False(set.Add(0, ref slots));

        Assert.Null(slots);
        Assert.Equal(2, set.Count);
    }

    [Fact]
    public void Add_ThirdHash_MovesEveryHashToTheTable()
    {
        var set = default(IdSet);
        ulong[]? slots = null;
        set.Add(0, ref slots);
        set.Add(5, ref slots);

        Assert.True(set.Add(9, ref slots));

        Assert.NotNull(slots);
        Assert.False(set.Add(0, ref slots));
        Assert.False(set.Add(5, ref slots));
        var held = new ulong[set.Count];
        set.CopyTo(held, slots);
        Assert.Equal(new ulong[] { 0, 5, 9 }, held.Order());
    }
}
