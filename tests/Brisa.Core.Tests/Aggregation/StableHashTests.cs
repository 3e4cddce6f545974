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

    /// <summary>Stored in the tiles of streaming views: pinned, as a change would make every stored row count redeliveries again.</summary>
    [Theory]
    [InlineData("a", 0L, 0xAF63DC4C8601EC8CUL)]
    [InlineData("e-1", 17723235584510200L, 0x3EB2A7E6A20D7AEAUL)]
    [InlineData("e-1", 17723235584510210L, 0xE867F925BAE61398UL)]
    public void EventIdentity_KnownVectors_Match(string id, long ticks, ulong expected) =>
        Assert.Equal(expected, StableHash.EventIdentity(id, ticks));

    [Fact]
    public void EventIdentity_SameIdAtOtherTimes_NeverEqual()
    {
        // The time is spread by a bijection before it is mixed in: no two times of one id hash the same.
        var hashes = new HashSet<ulong>();
        for (long t = -1000; t < 100_000; t += 7)
        {
            Assert.True(hashes.Add(StableHash.EventIdentity("e-1", t * 10)));
        }
    }

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
