using Brisa.Core.Modeling;

namespace Brisa.Core.Tests.Modeling;

public sealed class ScorerPoolTests
{
    [Fact]
    public void Rent_AfterReturn_GivesTheReturnedObject()
    {
        var made = 0;
        var pool = new ScorerPool<object>(() => { made++; return new object(); });
        var first = pool.Rent();
        pool.Return(first);

        Assert.Same(first, pool.Rent());
        Assert.Equal(1, made);
    }

    [Fact]
    public void Rent_WhileEveryObjectIsOut_MakesANewOne()
    {
        var pool = new ScorerPool<object>(() => new object());
        var first = pool.Rent();
        var second = pool.Rent();

        Assert.NotSame(first, second);
    }

    [Fact]
    public void Rent_ConcurrentCallers_NeverShareAnObject()
    {
        var pool = new ScorerPool<int[]>(() => new int[1]);
        var shared = 0;
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            var item = pool.Rent();
            if (Interlocked.Increment(ref item[0]) != 1)
            {
                Interlocked.Increment(ref shared);
            }

            Interlocked.Decrement(ref item[0]);
            pool.Return(item);
        });

        Assert.Equal(0, shared);
    }

    [Fact]
    public void Return_WhenEverySlotIsFull_DropsTheObject()
    {
        var pool = new ScorerPool<object>(() => new object());
        var items = Enumerable.Range(0, (Environment.ProcessorCount * 2) + 1).Select(_ => pool.Rent()).ToList();
        items.ForEach(pool.Return);

        var rented = Enumerable.Range(0, items.Count).Select(_ => pool.Rent()).ToList();

        Assert.Equal(items.Count - 1, rented.Count(items.Contains));
    }
}
