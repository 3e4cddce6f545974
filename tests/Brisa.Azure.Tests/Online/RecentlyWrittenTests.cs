using Brisa.Azure.Online;

namespace Brisa.Azure.Tests.Online;

public sealed class RecentlyWrittenTests
{
    [Fact]
    public void Set_PastCapacity_NeverHoldsMoreThanCapacity()
    {
        var map = new RecentlyWritten<int, int>(100);

        for (var i = 0; i < 1_000; i++)
        {
            map.Set(i, i);
            Assert.True(map.Count <= 100, $"{map.Count} entries after {i + 1} sets");
        }

        Assert.True(map.TryGet(999, out var last));
        Assert.Equal(999, last);
        Assert.False(map.TryGet(0, out _));
    }

    [Fact]
    public void TryGet_HotKeysAmongManyColdOnes_SurviveEveryTurnover()
    {
        var map = new RecentlyWritten<string, int>(100);
        var hot = Enumerable.Range(0, 10).Select(i => $"hot-{i}").ToArray();
        foreach (var key in hot)
        {
            map.Set(key, 1);
        }

        // 5,000 one-off keys pass through (a hundred turnovers); the hot keys are used in between.
        for (var i = 0; i < 5_000; i++)
        {
            map.Set($"cold-{i}", 0);
            if (i % 10 == 0)
            {
                foreach (var key in hot)
                {
                    Assert.True(map.TryGet(key, out _), $"{key} lost after {i + 1} cold keys");
                }
            }
        }
    }

    [Fact]
    public void Set_SameKeyAgain_ReplacesTheValue()
    {
        var map = new RecentlyWritten<string, int>(4);
        map.Set("a", 1);
        map.Set("b", 2);
        map.Set("c", 3);
        map.Set("a", 4);

        Assert.True(map.TryGet("a", out var a));
        Assert.Equal(4, a);
        Assert.Equal(3, map.Count);
    }

    [Fact]
    public void Remove_KeyInEitherGeneration_IsGone()
    {
        var map = new RecentlyWritten<string, int>(4);
        map.Set("old", 1);
        map.Set("x", 2);
        map.Set("new", 3);

        map.Remove("old");
        map.Remove("new");

        Assert.False(map.TryGet("old", out _));
        Assert.False(map.TryGet("new", out _));
        Assert.True(map.TryGet("x", out _));
    }

    [Fact]
    public void Set_ZeroCapacity_KeepsNothing()
    {
        var map = new RecentlyWritten<string, int>(0);
        map.Set("a", 1);

        Assert.False(map.TryGet("a", out _));
        Assert.Equal(0, map.Count);
    }
}
