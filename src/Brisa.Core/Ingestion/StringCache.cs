using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Brisa.Core.Ingestion;

/// <summary>
/// A bounded, two-way set-associative cache of one field's short strings, looked up straight from UTF-8, so a value
/// that repeats (entity keys, countries) is transcoded and allocated once. Hit rates are counted per window of
/// lookups: a field whose values are mostly unique (transaction ids) pauses caching, so it neither pays for lookups
/// that miss nor keeps unique strings alive; a field that misses for lack of room grows the table (to a bound).
/// </summary>
internal sealed class StringCache
{
    public const int MaxLength = 128;
    private const int InitialSlots = 1 << 12;
    private const int MaxSlots = 1 << 17;
    private const int Window = 8192;
    private const int PauseWindows = 15;

    private string?[] values = new string?[InitialSlots];
    private int[] hashes = new int[InitialSlots];
    private int lookups;
    private int hits;
    private int paused;

    public string? Get(ReadOnlySpan<byte> utf8)
    {
        if (paused > 0)
        {
            paused--;
            return Transcode(utf8);
        }

        var hash = Hash(utf8);
        var i = hash & (values.Length - 2);
        string? text;
        if (Matches(i, hash, utf8))
        {
            text = values[i];
            Count(hit: true);
            return text;
        }

        if (Matches(i + 1, hash, utf8))
        {
            // Most recently used first.
            text = values[i + 1];
            values[i + 1] = values[i];
            hashes[i + 1] = hashes[i];
            values[i] = text;
            hashes[i] = hash;
            Count(hit: true);
            return text;
        }

        text = Transcode(utf8);
        if (text is not null)
        {
            values[i + 1] = values[i];
            hashes[i + 1] = hashes[i];
            values[i] = text;
            hashes[i] = hash;
        }

        Count(hit: false);
        return text;
    }

    /// <summary>The string of valid UTF-8 (at most <see cref="MaxLength"/> bytes), or null when invalid.</summary>
    public static string? Transcode(ReadOnlySpan<byte> utf8)
    {
        Span<char> chars = stackalloc char[MaxLength];
        return Utf8.ToUtf16(utf8, chars, out _, out var written, replaceInvalidSequences: false) == OperationStatus.Done
            ? new string(chars[..written])
            : null;
    }

    private bool Matches(int slot, int hash, ReadOnlySpan<byte> utf8)
    {
        if (hashes[slot] != hash || values[slot] is not { } candidate || candidate.Length > utf8.Length)
        {
            return false;
        }

        if (Ascii.Equals(utf8, candidate))
        {
            return true;
        }

        if (Ascii.IsValid(utf8))
        {
            return false;
        }

        Span<char> chars = stackalloc char[MaxLength];
        return Utf8.ToUtf16(utf8, chars, out _, out var written, replaceInvalidSequences: false) == OperationStatus.Done
            && chars[..written].SequenceEqual(candidate);
    }

    private void Count(bool hit)
    {
        lookups++;
        if (hit)
        {
            hits++;
        }

        if (lookups < Window)
        {
            return;
        }

        if (hits * 16 < lookups)
        {
            // Mostly unique values: stop caching for a while (and let go of what is held), then probe again.
            paused = Window * PauseWindows;
            Array.Clear(values);
        }
        else if (hits * 8 < lookups * 7 && values.Length < MaxSlots)
        {
            // Many repeats but still missing: more room.
            values = new string?[values.Length * 2];
            hashes = new int[values.Length];
        }

        lookups = 0;
        hits = 0;
    }

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        var h = (ulong)utf8.Length * 0x9E3779B97F4A7C15UL;
        var i = 0;
        for (; i + 8 <= utf8.Length; i += 8)
        {
            h = (h ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(utf8[i..])) * 0x9E3779B97F4A7C15UL;
            h ^= h >> 29;
        }

        ulong tail = 0;
        for (var shift = 0; i < utf8.Length; i++, shift += 8)
        {
            tail |= (ulong)utf8[i] << shift;
        }

        h = (h ^ tail) * 0x9E3779B97F4A7C15UL;
        h ^= h >> 32;
        return (int)h;
    }
}
