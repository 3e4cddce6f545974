using System.Buffers.Binary;
using System.Numerics;

namespace Brisa.Core.Aggregation;

/// <summary>Stable (cross-process, cross-version) non-cryptographic hashes used in persisted state.</summary>
public static class StableHash
{
    private const ulong Offset64 = 14695981039346656037UL;
    private const ulong Prime64 = 1099511628211UL;
    private const uint Offset32 = 2166136261U;
    private const uint Prime32 = 16777619U;

    /// <summary>2^64 / golden ratio, rounded to odd (Fibonacci hashing): spreads nearby times over all 64 bits.</summary>
    private const ulong TimeMultiplier = 0x9E3779B97F4A7C15UL;

    /// <summary>
    /// FNV-1a 64 over the UTF-8 bytes of <paramref name="value"/>, computed without allocating
    /// (lone surrogates hash as U+FFFD, like <see cref="System.Text.Encoding.UTF8"/>).
    /// </summary>
    /// <param name="value">The string; null hashes like the empty string.</param>
    /// <returns>The hash.</returns>
    public static ulong Fnv1a64(string? value)
    {
        ulong h = Offset64;
        if (value is null)
        {
            return h;
        }

        for (int i = 0; i < value.Length; i++)
        {
            int c = value[i];
            if (c < 0x80)
            {
                h = (h ^ (uint)c) * Prime64;
                continue;
            }

            if (c < 0x800)
            {
                h = (h ^ (uint)(0xC0 | (c >> 6))) * Prime64;
                h = (h ^ (uint)(0x80 | (c & 0x3F))) * Prime64;
                continue;
            }

            if (char.IsHighSurrogate((char)c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                int cp = char.ConvertToUtf32((char)c, value[i + 1]);
                i++;
                h = (h ^ (uint)(0xF0 | (cp >> 18))) * Prime64;
                h = (h ^ (uint)(0x80 | ((cp >> 12) & 0x3F))) * Prime64;
                h = (h ^ (uint)(0x80 | ((cp >> 6) & 0x3F))) * Prime64;
                h = (h ^ (uint)(0x80 | (cp & 0x3F))) * Prime64;
                continue;
            }

            if (char.IsSurrogate((char)c))
            {
                c = 0xFFFD;
            }

            h = (h ^ (uint)(0xE0 | (c >> 12))) * Prime64;
            h = (h ^ (uint)(0x80 | ((c >> 6) & 0x3F))) * Prime64;
            h = (h ^ (uint)(0x80 | (c & 0x3F))) * Prime64;
        }

        return h;
    }

    /// <summary>
    /// The hash of an event's identity within its source, (id, event time): what every path deduplicates by (the
    /// stream's tiles, the batch materializer's hours, the training set), so that they agree whatever tile or hour a
    /// time falls in. A redelivery (same id, same time) hashes equal; the same id at another time is another event.
    /// </summary>
    /// <param name="id">The event id (null hashes like the empty string).</param>
    /// <param name="eventTicks">The event time, UTC ticks since the Unix epoch.</param>
    /// <returns><see cref="WithEventTime"/> of the id's <see cref="Fnv1a64(string?)"/>.</returns>
    public static ulong EventIdentity(string? id, long eventTicks) => WithEventTime(Fnv1a64(id), eventTicks);

    /// <summary>
    /// Mixes an event time into a hash of its event id (one multiply and one XOR, no allocation). The time is spread
    /// over all 64 bits by an odd multiplier (a bijection) before the XOR, so the same id at two times never hashes
    /// equal, and two ids at the same time collide only when their id hashes do.
    /// </summary>
    /// <param name="idHash">A 64-bit hash of the id.</param>
    /// <param name="eventTicks">The event time, UTC ticks since the Unix epoch.</param>
    /// <returns>The identity hash.</returns>
    public static ulong WithEventTime(ulong idHash, long eventTicks) => idHash ^ unchecked((ulong)eventTicks * TimeMultiplier);

    /// <summary>FNV-1a 64 over bytes.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The hash.</returns>
    public static ulong Fnv1a64(ReadOnlySpan<byte> data)
    {
        ulong h = Offset64;
        foreach (byte b in data)
        {
            h = (h ^ b) * Prime64;
        }

        return h;
    }

    /// <summary>
    /// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF) over bytes, the
    /// encoded-state checksum from format version 2: it detects every error burst of up to 32 bits, and with the CPU's
    /// CRC instruction (<see cref="BitOperations.Crc32C(uint, ulong)"/>) takes 8 bytes a step where
    /// FNV-1a takes one.
    /// </summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The checksum.</returns>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = uint.MaxValue;
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    /// <summary>FNV-1a 32 over bytes (the encoded-state checksum of format version 1; detects any single corrupted byte).</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The hash.</returns>
    public static uint Fnv1a32(ReadOnlySpan<byte> data)
    {
        uint h = Offset32;
        foreach (byte b in data)
        {
            h = (h ^ b) * Prime32;
        }

        return h;
    }
}
