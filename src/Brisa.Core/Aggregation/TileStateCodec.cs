using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Brisa.Core.Aggregation;

/// <summary>Binary encoding of <see cref="EntityTiles"/> (format described in README.md).</summary>
internal static class TileStateCodec
{
    /// <summary>The format written. Version 1 (the same layout, checksummed with FNV-1a 32) is still read.</summary>
    public const byte Version = 2;

    private const byte VersionFnvChecksum = 1;
    private const int FlagHasNewest = 1;
    private const int FlagHasWatermark = 2;
    private const byte TagNumber = 1;
    private const byte TagText = 2;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [ThreadStatic]
    private static EncodeScratch? s_scratch;

    public static byte[] Encode(EntityTiles state)
    {
        EncodeScratch scratch = s_scratch ??= new EncodeScratch();
        scratch.Reset();
        TiledView view = state.View;
        int tileCount = state.TileCount;
        int distinctWidth = view.DistinctFields.Length;
        ref ByteWriter w = ref scratch.Writer;

        // Dictionary of strings, in first-use order (deterministic).
        for (int ti = 0; ti < tileCount; ti++)
        {
            foreach (LastSlot s in state.LastAt(ti))
            {
                if (!s.IsEmpty)
                {
                    scratch.Intern(s.EventId);
                    scratch.Intern(s.Value.AsText());
                }
            }

            // Sorted distinct values are gathered once, here, and written in the second pass.
            for (int b = 0; b < distinctWidth; b++)
            {
                int from = scratch.Values.Count;
                int n = state.AppendDistinctSorted(ti, b, scratch.Values);
                scratch.DistinctCounts.Add(n);
                for (int k = from; k < from + n; k++)
                {
                    if (scratch.Values[k].AsText() is { } text)
                    {
                        scratch.Intern(text);
                    }
                }
            }
        }

        w.Byte(Version);
        w.UInt64(view.LayoutFingerprint);
        long? newest = state.NewestEventTicks;
        long? watermark = state.PruneWatermarkTile;
        w.VarUInt((ulong)((newest.HasValue ? FlagHasNewest : 0) | (watermark.HasValue ? FlagHasWatermark : 0)));
        if (newest.HasValue)
        {
            w.VarInt(newest.Value);
        }

        if (watermark.HasValue)
        {
            w.VarInt(watermark.Value);
        }

        w.VarUInt((ulong)scratch.Strings.Count);
        foreach (string s in scratch.Strings)
        {
            w.Utf8(s);
        }

        w.VarUInt((ulong)tileCount);
        long previous = 0;
        int distinctCell = 0;
        int distinctValue = 0;
        for (int ti = 0; ti < tileCount; ti++)
        {
            TileHeader t = state.HeaderAt(ti);
            if (ti == 0)
            {
                w.VarInt(t.Index);
            }
            else
            {
                w.VarUInt((ulong)(t.Index - previous - 1));
            }

            previous = t.Index;
            long start = view.TileStart(t.Index);
            w.VarUInt((ulong)t.Count);
            w.VarUInt((ulong)(t.MaxTicks - start));

            Span<double> values = state.NumericAt(ti);
            foreach (NumericBlock block in view.NumericBlocks)
            {
                ulong n = (ulong)values[block.CountSlot];
                w.VarUInt(n);
                if (n == 0)
                {
                    continue;
                }

                if (block.SumSlot >= 0)
                {
                    w.Double(values[block.SumSlot]);
                }

                if (block.MeanSlot >= 0)
                {
                    w.Double(values[block.MeanSlot]);
                    w.Double(values[block.MeanSlot + 1]);
                }

                if (block.MinSlot >= 0)
                {
                    w.Double(values[block.MinSlot]);
                }

                if (block.MaxSlot >= 0)
                {
                    w.Double(values[block.MaxSlot]);
                }
            }

            foreach (LastSlot s in state.LastAt(ti))
            {
                if (s.IsEmpty)
                {
                    w.VarUInt(0);
                    continue;
                }

                w.VarUInt((ulong)(s.Ticks - start) + 1);
                w.VarUInt(s.EventId is null ? 0 : (ulong)scratch.IndexOf(s.EventId) + 1);
                WriteValue(ref w, s.Value, scratch);
            }

            for (int b = 0; b < distinctWidth; b++)
            {
                int n = scratch.DistinctCounts[distinctCell++];
                w.VarUInt((ulong)n);
                for (int k = 0; k < n; k++)
                {
                    WriteValue(ref w, scratch.Values[distinctValue++], scratch);
                }
            }

            if (view.TracksEventIds)
            {
                Span<ulong> ids = scratch.Ids(state.IdCountAt(ti));
                state.CopyIdsAt(ti, ids);
                ids.Sort();
                w.VarUInt((ulong)ids.Length);
                foreach (ulong id in ids)
                {
                    w.UInt64(id);
                }
            }
        }

        w.UInt32(StableHash.Crc32C(w.Written));
        return w.Written.ToArray();
    }

    public static EntityTiles Decode(TiledView view, ReadOnlySpan<byte> data)
    {
        try
        {
            return DecodeCore(view, data);
        }
        catch (OverflowException e)
        {
            throw Corrupt("a value is out of range", e);
        }
    }

    private static EntityTiles DecodeCore(TiledView view, ReadOnlySpan<byte> data)
    {
        if (data.Length < 1)
        {
            throw Corrupt("it is empty");
        }

        if (data[0] is not (Version or VersionFnvChecksum))
        {
            throw new InvalidDataException($"Encoded tiles of view '{view.Name}' have unknown format version {data[0]} (this build reads versions {VersionFnvChecksum} and {Version}).");
        }

        if (data.Length < 1 + 8 + 1 + 1 + 1 + 4)
        {
            throw Corrupt("it is truncated");
        }

        ReadOnlySpan<byte> body = data[..^4];
        uint checksum = data[0] == Version ? StableHash.Crc32C(body) : StableHash.Fnv1a32(body);
        if (checksum != BinaryPrimitives.ReadUInt32LittleEndian(data[^4..]))
        {
            throw Corrupt("the checksum does not match");
        }

        var r = new ByteReader(body, 1);
        ulong fingerprint = r.UInt64();
        if (fingerprint != view.LayoutFingerprint)
        {
            throw new InvalidDataException(
                $"Encoded tiles were written for a different layout of view '{view.Name}' (tile, id tracking, or features changed); rebuild them from the raw zone.");
        }

        ulong flags = r.VarUInt();
        if ((flags & ~(ulong)(FlagHasNewest | FlagHasWatermark)) != 0)
        {
            throw Corrupt("unknown flags");
        }

        var state = new EntityTiles(view);
        long newest = long.MinValue;
        long newestTile = long.MinValue;
        long watermark = long.MinValue;
        if ((flags & FlagHasNewest) != 0)
        {
            newest = r.VarInt();
            if (newest == long.MinValue)
            {
                throw Corrupt("the newest event time is invalid");
            }

            newestTile = view.TileOf(newest);
        }

        if ((flags & FlagHasWatermark) != 0)
        {
            watermark = r.VarInt();
            if (watermark == long.MinValue)
            {
                throw Corrupt("the watermark is invalid");
            }
        }

        int stringCount = r.Count();
        var strings = new string[stringCount];
        HashSet<string>? seen = stringCount > 1 ? new HashSet<string>(stringCount, StringComparer.Ordinal) : null;
        for (int i = 0; i < stringCount; i++)
        {
            int len = r.Count();
            try
            {
                strings[i] = StrictUtf8.GetString(r.Bytes(len));
            }
            catch (DecoderFallbackException e)
            {
                throw Corrupt("a string is not valid UTF-8", e);
            }

            if (seen is not null && !seen.Add(strings[i]))
            {
                throw Corrupt("the string dictionary repeats a string");
            }
        }

        // References must appear in first-use order, and every string must be used (the encoding is canonical).
        int nextString = 0;

        int tileCount = r.Count();
        if (tileCount > 0 && newestTile == long.MinValue)
        {
            throw Corrupt("it has tiles but no newest event time");
        }

        if (tileCount > view.MaxWindowTiles)
        {
            throw Corrupt("it has more tiles than the longest window");
        }

        state.Reserve(tileCount);
        long previous = 0;
        long lowest = newestTile == long.MinValue ? long.MinValue : Math.Max(watermark, newestTile - view.MaxWindowTiles + 1);
        NumericBlock[] blocks = view.NumericBlocks;
        for (int ti = 0; ti < tileCount; ti++)
        {
            long index = ti == 0 ? r.VarInt() : checked(previous + 1 + (long)r.VarUInt());
            if (index < lowest || index > newestTile)
            {
                throw Corrupt("a tile index is outside the window");
            }

            previous = index;
            int at = state.AppendTile(index);
            ref TileHeader header = ref state.HeaderAt(at);
            Span<double> values = state.NumericAt(at);
            Span<LastSlot> last = state.LastAt(at);
            long start = view.TileStart(index);
            long count = (long)r.VarUInt();
            ulong maxOffset = r.VarUInt();
            if (count < 1 || maxOffset >= (ulong)view.TileTicks || start + (long)maxOffset > newest)
            {
                throw Corrupt("a tile header is invalid");
            }

            header.Count = count;
            header.MaxTicks = start + (long)maxOffset;
            foreach (NumericBlock block in blocks)
            {
                long n = (long)r.VarUInt();
                if (n < 0 || n > count)
                {
                    throw Corrupt("a value count exceeds the event count");
                }

                values[block.CountSlot] = n;
                if (n == 0)
                {
                    continue;
                }

                if (block.SumSlot >= 0)
                {
                    values[block.SumSlot] = r.Double();
                }

                if (block.MeanSlot >= 0)
                {
                    values[block.MeanSlot] = r.Double();
                    values[block.MeanSlot + 1] = r.Double();
                }

                if (block.MinSlot >= 0)
                {
                    values[block.MinSlot] = r.Double();
                }

                if (block.MaxSlot >= 0)
                {
                    values[block.MaxSlot] = r.Double();
                }
            }

            for (int i = 0; i < last.Length; i++)
            {
                ulong ticksPlusOne = r.VarUInt();
                if (ticksPlusOne == 0)
                {
                    continue;
                }

                if (ticksPlusOne - 1 > maxOffset)
                {
                    throw Corrupt("a last-value time is outside its tile");
                }

                ulong id = r.VarUInt();
                if (id > (ulong)strings.Length)
                {
                    throw Corrupt("a string reference is out of range");
                }

                if (id > 0)
                {
                    UseString((int)id - 1, ref nextString);
                }

                ref LastSlot slot = ref last[i];
                slot.Ticks = start + (long)(ticksPlusOne - 1);
                slot.EventId = id == 0 ? null : strings[(int)id - 1];
                slot.Value = ReadValue(ref r, strings, ref nextString);
            }

            for (int b = 0; b < view.DistinctFields.Length; b++)
            {
                long n = (long)r.VarUInt();
                if (n < 0 || n > count)
                {
                    throw Corrupt("a distinct count exceeds the event count");
                }

                FieldValue previousValue = FieldValue.Null;
                for (long i = 0; i < n; i++)
                {
                    FieldValue v = ReadValue(ref r, strings, ref nextString);
                    if (i > 0 && CanonicalValueComparer.Instance.Compare(previousValue, v) >= 0)
                    {
                        throw Corrupt("distinct values are not strictly ascending");
                    }

                    state.AddDistinctAt(at, b, v);
                    previousValue = v;
                }
            }

            if (view.TracksEventIds)
            {
                if ((long)r.VarUInt() != count)
                {
                    throw Corrupt("the number of event ids differs from the event count");
                }

                ulong prev = 0;
                for (long i = 0; i < count; i++)
                {
                    ulong h = r.UInt64();
                    if ((i > 0 && h <= prev) || !state.AddIdAt(at, h))
                    {
                        throw Corrupt("event ids are not strictly ascending");
                    }

                    prev = h;
                }
            }

        }

        if (!r.AtEnd)
        {
            throw Corrupt("there are trailing bytes");
        }

        if (nextString != strings.Length)
        {
            throw Corrupt("the string dictionary holds unused strings");
        }

        state.RestoreHeader(newest, newestTile, watermark);
        return state;
    }

    private static void WriteValue(ref ByteWriter w, FieldValue v, EncodeScratch scratch)
    {
        if (v.IsNumber)
        {
            w.Byte(TagNumber);
            w.Double(v.Number);
        }
        else
        {
            w.Byte(TagText);
            w.VarUInt((ulong)scratch.IndexOf(v.Text));
        }
    }

    private static void UseString(int index, ref int nextString)
    {
        if (index > nextString)
        {
            throw Corrupt("string references are out of first-use order");
        }

        if (index == nextString)
        {
            nextString++;
        }
    }

    private static FieldValue ReadValue(ref ByteReader r, string[] strings, ref int nextString)
    {
        byte tag = r.Byte();
        switch (tag)
        {
            case TagNumber:
                return FieldValue.FromNumber(r.Double());
            case TagText:
                ulong i = r.VarUInt();
                if (i >= (ulong)strings.Length)
                {
                    throw Corrupt("a string reference is out of range");
                }

                UseString((int)i, ref nextString);
                return FieldValue.FromText(strings[(int)i]);
            default:
                throw Corrupt($"unknown value tag {tag}");
        }
    }

    private static InvalidDataException Corrupt(string why, Exception? inner = null) =>
        new($"Encoded tiles are corrupt: {why}.", inner);

    private sealed class EncodeScratch
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private ulong[] _ids = new ulong[64];
        public ByteWriter Writer = new(512);

        public List<string> Strings { get; } = [];

        public List<FieldValue> Values { get; } = [];

        public List<int> DistinctCounts { get; } = [];

        public void Reset()
        {
            _index.Clear();
            Strings.Clear();
            Values.Clear();
            DistinctCounts.Clear();
            Writer.Reset();
        }

        public void Intern(string? s)
        {
            if (s is not null && _index.TryAdd(s, Strings.Count))
            {
                Strings.Add(s);
            }
        }

        public int IndexOf(string s) => _index[s];

        public Span<ulong> Ids(int count)
        {
            if (_ids.Length < count)
            {
                _ids = new ulong[Math.Max(count, _ids.Length * 2)];
            }

            return _ids.AsSpan(0, count);
        }
    }

    private struct ByteWriter(int capacity)
    {
        private byte[] _buffer = new byte[capacity];
        private int _length;

        public readonly ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

        public void Reset() => _length = 0;

        public void Byte(byte b) => Reserve(1)[0] = b;

        public void UInt32(uint v) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), v);

        public void UInt64(ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), v);

        public void Double(double v) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), BitConverter.DoubleToInt64Bits(v));

        public void VarInt(long v) => VarUInt((ulong)((v << 1) ^ (v >> 63)));

        public void VarUInt(ulong v)
        {
            Span<byte> s = Reserve(10);
            int n = 0;
            while (v >= 0x80)
            {
                s[n++] = (byte)(v | 0x80);
                v >>= 7;
            }

            s[n++] = (byte)v;
            _length -= 10 - n;
        }

        public void Utf8(string s)
        {
            int max = StrictUtf8.GetMaxByteCount(s.Length);
            int count = StrictUtf8.GetByteCount(s);
            VarUInt((ulong)count);
            Span<byte> dest = Reserve(Math.Max(max, count));
            int written = StrictUtf8.GetBytes(s, dest);
            _length -= dest.Length - written;
        }

        private Span<byte> Reserve(int n)
        {
            if (_length + n > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + n));
            }

            Span<byte> s = _buffer.AsSpan(_length, n);
            _length += n;
            return s;
        }
    }

    private ref struct ByteReader(ReadOnlySpan<byte> data, int position)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position = position;

        public readonly bool AtEnd => _position == _data.Length;

        public byte Byte() => Take(1)[0];

        public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public double Double() => BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(Take(8)));

        public ReadOnlySpan<byte> Bytes(int n) => Take(n);

        public long VarInt()
        {
            ulong u = VarUInt();
            return (long)(u >> 1) ^ -(long)(u & 1);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong VarUInt()
        {
            // Most varints (counts, small offsets) are one byte: taken inline, the rest by the general loop.
            int p = _position;
            if ((uint)p < (uint)_data.Length && _data[p] < 0x80)
            {
                _position = p + 1;
                return _data[p];
            }

            return VarUIntSlow();
        }

        private ulong VarUIntSlow()
        {
            ulong result = 0;
            for (int shift = 0; shift < 70; shift += 7)
            {
                byte b = Byte();
                if (shift == 63 && b > 1)
                {
                    throw Corrupt("a varint overflows 64 bits");
                }

                result |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return b == 0 && shift > 0 ? throw Corrupt("a varint is not minimally encoded") : result;
                }
            }

            throw Corrupt("a varint is too long");
        }

        /// <summary>A count that cannot exceed the bytes left (every counted item takes at least one byte).</summary>
        public int Count()
        {
            ulong n = VarUInt();
            return n <= (ulong)(_data.Length - _position) ? (int)n : throw Corrupt("a count exceeds the data");
        }

        private ReadOnlySpan<byte> Take(int n)
        {
            if (n < 0 || _data.Length - _position < n)
            {
                throw Corrupt("it is truncated");
            }

            ReadOnlySpan<byte> s = _data.Slice(_position, n);
            _position += n;
            return s;
        }
    }
}
