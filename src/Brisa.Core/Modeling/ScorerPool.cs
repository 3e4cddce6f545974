namespace Brisa.Core.Modeling;

/// <summary>
/// A small lock-free pool of objects that are not thread-safe (row scorers): two slots per core, each taken and returned
/// with a single interlocked exchange, so a request never waits for a lock. When every slot is taken a new object is
/// made; when every slot is full a returned object is dropped.
/// </summary>
/// <typeparam name="T">The pooled type.</typeparam>
internal sealed class ScorerPool<T>(Func<T> create)
    where T : class
{
    private readonly T?[] slots = new T?[Environment.ProcessorCount * 2];

    /// <summary>Takes a pooled object, or makes one.</summary>
    public T Rent()
    {
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is not null && Interlocked.Exchange(ref slots[i], null) is { } item)
            {
                return item;
            }
        }

        return create();
    }

    /// <summary>Objects waiting in the pool.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            for (var i = 0; i < slots.Length; i++)
            {
                count += Volatile.Read(ref slots[i]) is null ? 0 : 1;
            }

            return count;
        }
    }

    /// <summary>Gives an object back.</summary>
    public void Return(T item)
    {
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is null && Interlocked.CompareExchange(ref slots[i], item, null) is null)
            {
                return;
            }
        }
    }
}
