using System.Text;
using Brisa.Core.Aggregation;

namespace Brisa.Core.Tests.Aggregation;

public class StableHashTests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public void Crc32C_KnownVectors_Match(string text, uint expected) =>
        Assert.Equal(expected, StableHash.Crc32C(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Crc32C_EveryLengthAndOffset_EqualsBitwiseReference()
    {
        // Eight bytes a step, then the tail byte by byte: every length from 0 to 64, at unaligned offsets too.
        var rng = new Random(11);
        byte[] buffer = new byte[80];
        rng.NextBytes(buffer);
        for (int offset = 0; offset < 8; offset++)
        {
            for (int length = 0; length + offset <= 72; length++)
            {
                ReadOnlySpan<byte> data = buffer.AsSpan(offset, length);
                Assert.Equal(Reference(data), StableHash.Crc32C(data));
            }
        }
    }

    private static uint Reference(ReadOnlySpan<byte> data)
    {
        uint crc = uint.MaxValue;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
