namespace Brisa.Azure.Online;

/// <summary>
/// A bounded map that keeps what was used recently: two generations, the current one taking new and used entries
/// and the previous one read (and promoted) until the current one fills half the capacity and replaces it. Unlike
/// starting over when full, entries in use survive a turnover, so a working set larger than the capacity still hits
/// for its hot keys. Thread-safe; every operation is O(1).
/// </summary>
/// <typeparam name="TKey">The key.</typeparam>
/// <typeparam name="TValue">The value.</typeparam>
internal sealed class RecentlyWritten<TKey, TValue>
    where TKey : notnull
{
    private readonly int generationSize;
    private readonly Lock gate = new();
    private Dictionary<TKey, TValue> current = [];
    private Dictionary<TKey, TValue> previous = [];

    /// <summary>Creates a map of at most <paramref name="capacity"/> entries; 0 keeps nothing.</summary>
    public RecentlyWritten(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        generationSize = capacity / 2;
    }

    /// <summary>Entries held (both generations).</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return current.Count + previous.Count;
            }
        }
    }

    /// <summary>Gets an entry; a hit in the previous generation moves it to the current one.</summary>
    public bool TryGet(TKey key, out TValue value)
    {
        lock (gate)
        {
            if (current.TryGetValue(key, out value!))
            {
                return true;
            }

            if (previous.Remove(key, out value!))
            {
                AddToCurrent(key, value);
                return true;
            }

            return false;
        }
    }

    /// <summary>Adds or replaces an entry.</summary>
    public void Set(TKey key, TValue value)
    {
        lock (gate)
        {
            previous.Remove(key);
            AddToCurrent(key, value);
        }
    }

    /// <summary>Removes an entry.</summary>
    public void Remove(TKey key)
    {
        lock (gate)
        {
            current.Remove(key);
            previous.Remove(key);
        }
    }

    private void AddToCurrent(TKey key, TValue value)
    {
        if (generationSize == 0)
        {
            return;
        }

        if (current.Count >= generationSize && !current.ContainsKey(key))
        {
            (previous, current) = (current, new Dictionary<TKey, TValue>(generationSize));
        }

        current[key] = value;
    }
}
