using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Brisa.Core.Ingestion;

/// <summary>
/// A short byte sequence the scanner expects next (a member name with its quotes, comma or colon), tested with one
/// vector comparison when at least 32 bytes remain, instead of a call comparing byte spans.
/// </summary>
internal sealed class Utf8Prefix
{
    private const int VectorBytes = 32;
    private readonly Vector256<byte> vector;
    private readonly uint mask;

    public Utf8Prefix(ReadOnlySpan<byte> bytes)
    {
        Bytes = bytes.ToArray();
        if (bytes.Length <= VectorBytes)
        {
            Span<byte> padded = stackalloc byte[VectorBytes];
            padded.Clear();
            bytes.CopyTo(padded);
            vector = Vector256.Create((ReadOnlySpan<byte>)padded);
            mask = bytes.Length == VectorBytes ? uint.MaxValue : (1u << bytes.Length) - 1;
        }
    }

    public byte[] Bytes { get; }

    public int Length => Bytes.Length;

    /// <summary>True when <paramref name="s"/> starts with these bytes.</summary>
    public bool IsPrefixOf(ReadOnlySpan<byte> s)
    {
        if (Vector256.IsHardwareAccelerated && Bytes.Length <= VectorBytes && s.Length >= VectorBytes)
        {
            var equal = Vector256.Equals(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(s)), vector);
            return (equal.ExtractMostSignificantBits() & mask) == mask;
        }

        return s.StartsWith(Bytes);
    }
}
