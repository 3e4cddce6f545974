using Brisa.Core.Training;

namespace Brisa.Core.Tests.Training;

public class EventIdSetTests
{
    [Fact]
    public void Add_EveryHashColliding_StillTellsIdsApartByComparingThem()
    {
        var ids = new List<string>();
        var set = new EventIdSet(8, i => ids[i], _ => 42);
        foreach (var id in new[] { "a", "b", "c", "d", "e" })
        {
            Assert.True(set.Add(id, ids.Count));
            ids.Add(id);
        }

        foreach (var id in new[] { "c", "a", "e" })
        {
            Assert.False(set.Add(id, ids.Count));
        }

        Assert.True(set.Add("f", ids.Count));
    }

    [Fact]
    public void Add_SameTagDifferentSlot_IsNotADuplicate()
    {
        // Equal high 32 bits (the tag) in different slots, and different tags in the same slot.
        var hashes = new Dictionary<string, ulong>
        {
            ["x"] = 0x0000_0001_0000_0003UL,
            ["y"] = 0x0000_0001_0000_0004UL,
            ["z"] = 0x0000_0002_0000_0003UL,
        };
        var ids = new List<string>();
        var set = new EventIdSet(4, i => ids[i], id => hashes[id]);
        foreach (var id in new[] { "x", "y", "z" })
        {
            Assert.True(set.Add(id, ids.Count));
            ids.Add(id);
        }

        Assert.False(set.Add("z", ids.Count));
        Assert.False(set.Add("x", ids.Count));
    }

    [Fact]
    public void Add_ManyIdsWithRepeats_KeepsExactlyTheFirstOfEach()
    {
        var rng = new Random(7);
        var ids = new List<string>();
        var set = new EventIdSet(20_000, i => ids[i]);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 20_000; i++)
        {
            var id = "t" + rng.Next(12_000).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
            var added = set.Add(id, ids.Count);
            Assert.Equal(expected.Add(id), added);
            if (added)
            {
                ids.Add(id);
            }
        }
    }

    [Fact]
    public void Hash_DependsOnEveryCharacterAndTheLength()
    {
        Assert.Equal(EventIdSet.Hash("event-12345678"), EventIdSet.Hash("event-" + "12345678"));
        Assert.NotEqual(EventIdSet.Hash("event-12345678"), EventIdSet.Hash("event-12345679"));
        Assert.NotEqual(EventIdSet.Hash("abcdefgh-1"), EventIdSet.Hash("bbcdefgh-1"));
        Assert.NotEqual(EventIdSet.Hash(""), EventIdSet.Hash("\0"));
        Assert.NotEqual(EventIdSet.Hash("a"), EventIdSet.Hash("a\0"));
    }
}
