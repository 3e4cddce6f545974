using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using Brisa.Core.Aggregation;

namespace Brisa.Core.Training;

/// <summary>
/// Deduplication of events by their identity, (event id, event time) (first seen wins), on a 64-bit hash of both. The
/// events are first partitioned by the hash's top bits, then each partition is deduplicated with an open-addressing
/// table small enough to stay in cache (one table over millions of events would be a cache and TLB miss per event). A
/// slot holds 32 more bits of the hash and the position of the first event that had it, so ids and times are compared
/// only when those bits are equal: a hash collision never drops an event.
/// </summary>
internal static class DistinctIds
{
    private const int PartitionBits = 8;

    /// <summary>Events hashed per parallel work item.</summary>
    private const int Chunk = 1 << 16;

    /// <summary>Marks the first event of each distinct (id, time).</summary>
    /// <param name="count">Number of events.</param>
    /// <param name="idAt">The id of the event at a position (0 to count − 1); called from several threads.</param>
    /// <param name="ticksAt">The event time at a position; called from several threads.</param>
    /// <param name="hash">The hash of (id, time); <see cref="HashOf"/> when null (tests pass a colliding one).</param>
    /// <returns>For each position, true when no earlier position has the same id and time.</returns>
    public static bool[] FirstOfEach(int count, Func<int, string> idAt, Func<int, long> ticksAt, Func<string, long, ulong>? hash = null)
    {
        var hashOf = hash ?? HashOf;
        var hashes = new ulong[count];
        Parallel.For(0, (count + Chunk - 1) / Chunk, c =>
        {
            for (var j = c * Chunk; j < Math.Min(count, (c + 1) * Chunk); j++)
            {
                hashes[j] = hashOf(idAt(j), ticksAt(j));
            }
        });

        // A stable counting sort by partition: within a partition, positions stay ascending (first seen first).
        const int partitions = 1 << PartitionBits;
        var start = new int[partitions + 1];
        foreach (var h in hashes)
        {
            start[PartitionOf(h) + 1]++;
        }

        for (var p = 0; p < partitions; p++)
        {
            start[p + 1] += start[p];
        }

        var fill = start[..^1];
        var sortedHashes = new ulong[count];
        var sortedPositions = new int[count];
        for (var j = 0; j < count; j++)
        {
            var k = fill[PartitionOf(hashes[j])]++;
            sortedHashes[k] = hashes[j];
            sortedPositions[k] = j;
        }

        var first = new bool[count];
        Parallel.For(0, partitions, () => Array.Empty<ulong>(), (p, _, slots) =>
        {
            var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, (start[p + 1] - start[p]) * 3 / 2));
            if (slots.Length < size)
            {
                slots = new ulong[size];
            }
            else
            {
                Array.Clear(slots, 0, size);
            }

            var mask = size - 1;
            for (var k = start[p]; k < start[p + 1]; k++)
            {
                // Slot = low bits; tag = bits 24–55 (the top 8 bits are the partition's, equal for all).
                var h = sortedHashes[k];
                var j = sortedPositions[k];
                var tag = (h << PartitionBits) & 0xFFFF_FFFF_0000_0000UL;
                var i = (int)h & mask;
                while (true)
                {
                    var slot = slots[i];
                    if (slot == 0)
                    {
                        slots[i] = tag | (uint)(j + 1);
                        first[j] = true;
                        break;
                    }

                    if ((slot & 0xFFFF_FFFF_0000_0000UL) == tag && ticksAt((int)(uint)slot - 1) == ticksAt(j)
                        && string.Equals(idAt((int)(uint)slot - 1), idAt(j), StringComparison.Ordinal))
                    {
                        break;
                    }

                    i = (i + 1) & mask;
                }
            }

            return slots;
        }, _ => { });

        return first;
    }

    /// <summary>The hash of an event's identity: <see cref="Hash"/> of its id with the time mixed in as the stream mixes it (<see cref="StableHash.WithEventTime"/>).</summary>
    /// <param name="id">The event id.</param>
    /// <param name="ticks">The event time.</param>
    /// <returns>The hash.</returns>
    public static ulong HashOf(string id, long ticks) => StableHash.WithEventTime(Hash(id), ticks);

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

        // MurmurHash3's fmix64: every input bit affects the low bits (the slot), the tag and the partition.
        h ^= tail;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return h;
    }

    private static int PartitionOf(ulong hash) => (int)(hash >> (64 - PartitionBits));
}
