using Brisa.Core.Training;

namespace Brisa.Core.Tests.Training;

public class DistinctIdsTests
{
    [Fact]
    public void FirstOfEach_EveryHashColliding_StillTellsIdsApartByComparingThem()
    {
        string[] ids = ["a", "b", "a", "c", "d", "c", "e", "a", "f"];
        var first = DistinctIds.FirstOfEach(ids.Length, j => ids[j], _ => 0, (_, _) => 42);
        Assert.Equal([true, true, false, true, true, false, true, false, true], first);
    }

    [Fact]
    public void FirstOfEach_SameTagDifferentSlotOrPartition_IsNotADuplicate()
    {
        // Equal tag bits (24–55) in different slots, different tags in one slot, and one slot and tag in two partitions.
        var hashes = new Dictionary<string, ulong>
        {
            ["x"] = 0x0000_0001_0000_0003UL,
            ["y"] = 0x0000_0001_0000_0004UL,
            ["z"] = 0x0000_0002_0000_0003UL,
            ["w"] = 0x0100_0001_0000_0003UL,
        };
        string[] ids = ["x", "y", "z", "w", "z", "x", "w", "y"];
        var first = DistinctIds.FirstOfEach(ids.Length, j => ids[j], _ => 0, (id, _) => hashes[id]);
        Assert.Equal([true, true, true, true, false, false, false, false], first);
    }

    [Fact]
    public void FirstOfEach_ManyIdsWithRepeats_KeepsExactlyTheFirstOfEach()
    {
        var rng = new Random(7);
        var ids = Enumerable.Range(0, 200_000).Select(_ => "t" + rng.Next(120_000).ToString("x", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var first = DistinctIds.FirstOfEach(ids.Length, j => ids[j], _ => 0);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < ids.Length; j++)
        {
            Assert.Equal(seen.Add(ids[j]), first[j]);
        }
    }

    [Fact]
    public void FirstOfEach_SameIdAtAnotherTime_IsAnotherEvent()
    {
        // (id, time) is the identity; with every hash colliding the times are compared too.
        string[] ids = ["a", "a", "a", "b", "a", "b"];
        long[] ticks = [10, 20, 10, 10, 20, 11];
        bool[] expected = [true, true, false, true, false, true];
        Assert.Equal(expected, DistinctIds.FirstOfEach(ids.Length, j => ids[j], j => ticks[j]));
        Assert.Equal(expected, DistinctIds.FirstOfEach(ids.Length, j => ids[j], j => ticks[j], (_, _) => 42));
    }

    [Fact]
    public void Hash_DependsOnEveryCharacterAndTheLength()
    {
        Assert.Equal(DistinctIds.Hash("event-12345678"), DistinctIds.Hash("event-" + "12345678"));
        Assert.NotEqual(DistinctIds.Hash("event-12345678"), DistinctIds.Hash("event-12345679"));
        Assert.NotEqual(DistinctIds.Hash("abcdefgh-1"), DistinctIds.Hash("bbcdefgh-1"));
        Assert.NotEqual(DistinctIds.Hash(""), DistinctIds.Hash("\0"));
        Assert.NotEqual(DistinctIds.Hash("a"), DistinctIds.Hash("a\0"));
    }
}
