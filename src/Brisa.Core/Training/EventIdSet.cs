using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Brisa.Core.Training;

/// <summary>
/// The event ids seen so far, for deduplication by id (first seen wins). Open addressing on a 64-bit hash of the id:
/// each 8-byte slot holds 32 bits of the hash and the position of the first event that had it, so almost every
/// lookup is settled by one probe of one array, without touching the strings (a set of strings would hash each id
/// with a randomized hash and chase an entry and a string per probe). Equal hash bits are confirmed by comparing the
/// ids themselves, so a hash collision never drops an event.
/// </summary>
internal sealed class EventIdSet
{
    private readonly ulong[] slots;
    private readonly int mask;
    private readonly Func<int, string> idAt;
    private readonly Func<string, ulong>? hash;

    /// <summary>Creates an empty set for up to <paramref name="capacity"/> distinct ids.</summary>
    /// <param name="capacity">The most ids that will be added.</param>
    /// <param name="idAt">The id of an event added earlier, by its position (to confirm equal hashes).</param>
    /// <param name="hash">The hash; <see cref="Hash"/> when null (tests pass a colliding one).</param>
    public EventIdSet(int capacity, Func<int, string> idAt, Func<string, ulong>? hash = null)
    {
        // Load ≤ 2/3: linear probes stay short and mostly within one cache line.
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity + (capacity / 2)));
        slots = new ulong[size];
        mask = size - 1;
        this.idAt = idAt;
        this.hash = hash;
    }

    /// <summary>Adds an id unless it was added before.</summary>
    /// <param name="id">The id.</param>
    /// <param name="position">The event's position (0 or more, below 2³¹ − 1), returned to <c>idAt</c> later.</param>
    /// <returns>True when the id is new.</returns>
    public bool Add(string id, int position)
    {
        var h = hash is null ? Hash(id) : hash(id);
        var tag = h & 0xFFFF_FFFF_0000_0000UL;
        var i = (int)h & mask;
        while (true)
        {
            var slot = slots[i];
            if (slot == 0)
            {
                slots[i] = tag | (uint)(position + 1);
                return true;
            }

            if ((slot & 0xFFFF_FFFF_0000_0000UL) == tag && string.Equals(idAt((int)(uint)slot - 1), id, StringComparison.Ordinal))
            {
                return false;
            }

            i = (i + 1) & mask;
        }
    }

    /// <summary>A fast 64-bit hash of a string's UTF-16 code units, 8 bytes at a time, with a final avalanche (not stable across versions: never persisted).</summary>
    /// <param name="value">The string.</param>
    /// <returns>The hash.</returns>
    public static ulong Hash(string value)
    {
        var bytes = MemoryMarshal.AsBytes(value.AsSpan());
        var h = 0x9E3779B97F4A7C15UL ^ (ulong)bytes.Length;
        while (bytes.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 29;
            bytes = bytes[8..];
        }

        ulong tail = 0;
        for (var k = 0; k < bytes.Length; k++)
        {
            tail |= (ulong)bytes[k] << (8 * k);
        }

        // MurmurHash3's fmix64: every input bit affects the low bits (the slot) and the high bits (the tag).
        h ^= tail;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return h;
    }
}
