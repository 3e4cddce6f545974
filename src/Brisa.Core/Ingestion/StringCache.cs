using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

    // One entry per slot (hash, the value's first 16 UTF-8 bytes, the string): a lookup of a short value compares
    // bytes held in the slot and does not touch the string, so a hit costs one cache line, not three.
    private Entry[] entries = new Entry[InitialSlots];
    private int lookups;
    private int hits;
    private int paused;

    public string? Get(ReadOnlySpan<byte> utf8) => Get(new Key(utf8), utf8);

    /// <summary>Reads the slots a lookup of <paramref name="key"/> compares first; changes nothing (a batch reads ahead with it).</summary>
    public int Touch(in Key key) => paused > 0 ? 0 : entries[key.Hash & (entries.Length - 2)].Key.Length;

    /// <summary>The string of <paramref name="utf8"/>, whose key is already computed.</summary>
    public string? Get(in Key key, ReadOnlySpan<byte> utf8)
    {
        if (paused > 0)
        {
            paused--;
            return Transcode(utf8);
        }

        var i = key.Hash & (entries.Length - 2);
        string? text;
        // The value is read before Count, which may clear or replace the table.
        if (Matches(in entries[i], in key, utf8))
        {
            text = entries[i].Value;
            Count(hit: true);
            return text;
        }

        if (Matches(in entries[i + 1], in key, utf8))
        {
            // Most recently used first.
            (entries[i], entries[i + 1]) = (entries[i + 1], entries[i]);
            text = entries[i].Value;
            Count(hit: true);
            return text;
        }

        text = Transcode(utf8);
        if (text is not null)
        {
            entries[i + 1] = entries[i];
            entries[i] = new Entry(key, text);
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

    /// <summary>
    /// True when the entry holds the string of these bytes. The entry was made from valid UTF-8, so equal bytes mean an
    /// equal string: values of up to 16 bytes are compared in the slot; longer ones against the string's characters.
    /// </summary>
    private static bool Matches(in Entry entry, in Key key, ReadOnlySpan<byte> utf8)
    {
        if (entry.Value is not { } candidate || entry.Key.Hash != key.Hash || entry.Key.Length != key.Length
            || entry.Key.Head0 != key.Head0 || entry.Key.Head1 != key.Head1)
        {
            return false;
        }

        if (utf8.Length <= Key.HeadBytes)
        {
            return true;
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
            Array.Clear(entries);
        }
        else if (hits * 8 < lookups * 7 && entries.Length < MaxSlots)
        {
            // Many repeats but still missing: more room.
            Grow();
        }

        lookups = 0;
        hits = 0;
    }

    /// <summary>
    /// Doubles the table, keeping what it holds: the strings already handed out stay the ones handed out next (an
    /// entity key then equals the key a dictionary stored by reference, without reading either string).
    /// </summary>
    private void Grow()
    {
        var old = entries;
        entries = new Entry[old.Length * 2];
        foreach (ref readonly var entry in old.AsSpan())
        {
            if (entry.Value is null)
            {
                continue;
            }

            var i = entry.Key.Hash & (entries.Length - 2);
            if (entries[i].Value is null)
            {
                entries[i] = entry;
            }
            else if (entries[i + 1].Value is null)
            {
                entries[i + 1] = entry;
            }
        }
    }

    /// <summary>What identifies a value in a slot: its length, its first 16 bytes (zero-padded) and a hash of all of it.</summary>
    internal readonly struct Key
    {
        public const int HeadBytes = 16;

        public Key(ReadOnlySpan<byte> utf8)
            : this(utf8, utf8.Length)
        {
        }

        /// <summary>
        /// The key of the first <paramref name="length"/> bytes of <paramref name="buffer"/>; bytes after them (such as
        /// the rest of a message) are read but not hashed, so the head is two loads instead of a copy.
        /// </summary>
        public Key(ReadOnlySpan<byte> buffer, int length)
        {
            var utf8 = buffer[..length];
            if (BitConverter.IsLittleEndian && buffer.Length >= HeadBytes)
            {
                ref var first = ref MemoryMarshal.GetReference(buffer);
                var head0 = Unsafe.ReadUnaligned<ulong>(ref first);
                var head1 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref first, 8));
                Head0 = length >= 8 ? head0 : head0 & ((1UL << (length * 8)) - 1);
                Head1 = length >= HeadBytes ? head1 : length <= 8 ? 0 : head1 & ((1UL << ((length - 8) * 8)) - 1);
            }
            else
            {
                // Near the end of the buffer: byte by byte (no stack copy, which would cost every call its setup).
                ulong head0 = 0, head1 = 0;
                for (var i = 0; i < Math.Min(length, HeadBytes); i++)
                {
                    if (i < 8)
                    {
                        head0 |= (ulong)utf8[i] << (i * 8);
                    }
                    else
                    {
                        head1 |= (ulong)utf8[i] << ((i - 8) * 8);
                    }
                }

                Head0 = head0;
                Head1 = head1;
            }

            Length = utf8.Length;
            var h = (((ulong)utf8.Length * 0x9E3779B97F4A7C15UL) ^ Head0) * 0x9E3779B97F4A7C15UL;
            h = ((h ^ (h >> 29) ^ Head1) * 0x9E3779B97F4A7C15UL) ^ (h >> 32);
            for (var i = HeadBytes; i + 8 <= utf8.Length; i += 8)
            {
                h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(utf8[i..])) * 0x9E3779B97F4A7C15UL;
                h ^= h >> 29;
            }

            if (utf8.Length > HeadBytes)
            {
                // The last 8 bytes (overlapping what was hashed) cover the tail.
                h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(utf8[^Math.Min(8, utf8.Length)..])) * 0x9E3779B97F4A7C15UL;
            }

            // Finalizer (MurmurHash3's fmix64): the table indexes by the low bits, and a product's low bits only see
            // its operand's low bits, so without it keys that differ only in their last characters share a set.
            h ^= h >> 33;
            h *= 0xFF51AFD7ED558CCDUL;
            h ^= h >> 33;
            h *= 0xC4CEB9FE1A85EC53UL;
            h ^= h >> 33;
            Hash = (int)h;
        }

        public ulong Head0 { get; }

        public ulong Head1 { get; }

        public int Length { get; }

        public int Hash { get; }
    }

    private readonly record struct Entry(Key Key, string? Value);
}
