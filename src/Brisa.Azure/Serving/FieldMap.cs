using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Brisa.Azure.Serving;

/// <summary>
/// A read-only dictionary over a name array shared by every prediction of a model and one value array per
/// prediction: the response's features and the log record's inputs are made per request without hashing a key.
/// Lookups scan the names (a model has tens of inputs); enumeration keeps the names' order.
/// </summary>
/// <typeparam name="TValue">The value type.</typeparam>
internal sealed class FieldMap<TValue>(string[] names, TValue[] values) : IReadOnlyDictionary<string, TValue>
{
    public int Count => names.Length;

    public IEnumerable<string> Keys => names;

    public IEnumerable<TValue> Values => values;

    public TValue this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No field '{key}'.");

    public bool ContainsKey(string key) => Array.IndexOf(names, key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out TValue value)
    {
        var i = Array.IndexOf(names, key);
        value = i >= 0 ? values[i] : default;
        return i >= 0;
    }

    public IEnumerator<KeyValuePair<string, TValue>> GetEnumerator()
    {
        for (var i = 0; i < names.Length; i++)
        {
            yield return new KeyValuePair<string, TValue>(names[i], values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
