using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Brisa.Core.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Brisa.Functions.Http;

/// <summary>Reads a request body up to a limit, without trusting Content-Length alone.</summary>
public static class BoundedBody
{
    /// <summary>The <c>Content-Encoding</c> values a body may have (<c>identity</c> or none: as sent).</summary>
    public static IReadOnlyList<string> Codings { get; } = ["gzip", "deflate", "br"];

    /// <summary>
    /// The body's bytes, decoded when its <c>Content-Encoding</c> is gzip, deflate or br, or null when they are (or,
    /// decoded, would be) larger than <paramref name="limit"/>: the limit counts decoded bytes, so a small compressed
    /// body cannot expand past it, and the bytes sent too, so a long one that decodes to little (empty members or
    /// blocks) is not read to its end.
    /// </summary>
    /// <remarks>
    /// A compressed body must be whole: .NET's decoders return what they decoded when their input ends early, so a client
    /// that sends before closing its compressor (a common bug) would have a prefix of its events accepted and the rest
    /// silently missing. gzip and deflate are checked against their trailers (CRC-32 and length, Adler-32), Brotli by its
    /// decoder reaching the end of the stream.
    /// </remarks>
    /// <exception cref="ServingException">415 for another content coding; 400 when the body is not valid or not whole in its coding.</exception>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit)
        {
            return null;
        }

        var coding = request.Headers.ContentEncoding.ToString().Trim();
        var normalized = coding.ToLowerInvariant();
        if (normalized is not ("" or "identity" or "gzip" or "x-gzip" or "deflate" or "br"))
        {
            // Read as it is, a gzip body would be answered as malformed JSON, or dead-lettered as such.
            throw new ServingException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"Content-Encoding '{coding}' is not accepted; send the body as it is, or with one of: {string.Join(", ", Codings)}.");
        }

        try
        {
            var sent = await ReadAsync(new CountedStream(request.Body, limit), limit, request.ContentLength, cancellationToken);
            return sent is null || normalized is "" or "identity" ? sent : Decode(sent, normalized, limit);
        }
        catch (CountedStream.LimitExceededException)
        {
            return null;
        }
        catch (InvalidDataException ex)
        {
            throw ServingException.BadRequest("Bad content encoding", $"The body is not valid {coding} (its Content-Encoding): {ex.Message}");
        }
    }

    /// <summary>The decoded bytes of a whole compressed body, or null past the limit.</summary>
    /// <exception cref="InvalidDataException">Not valid in its coding, or cut short.</exception>
    private static byte[]? Decode(byte[] sent, string coding, int limit)
    {
        if (coding == "br")
        {
            return DecodeBrotli(sent, limit);
        }

        using var decoder = coding == "deflate"
            ? new ZLibStream(new MemoryStream(sent), CompressionMode.Decompress)
            : (Stream)new GZipStream(new MemoryStream(sent), CompressionMode.Decompress);
        using var decoded = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = decoder.Read(chunk)) > 0)
        {
            if (decoded.Length + read > limit)
            {
                return null;
            }

            decoded.Write(chunk, 0, read);
        }

        var bytes = decoded.ToArray();
        if (!(coding == "deflate" ? HasAdler32Trailer(sent, bytes) : HasGzipTrailer(sent, bytes)))
        {
            throw new InvalidDataException(CutShort);
        }

        return bytes;
    }

    private const string CutShort = "it ends before its end of stream, or its checksum does not match (a client that sends before closing its compressor sends such a body)";

    /// <summary>A gzip body ends with its last member's CRC-32 and length (mod 2³²), which cover the end of the decoded bytes.</summary>
    private static bool HasGzipTrailer(byte[] sent, byte[] decoded)
    {
        if (sent.Length < 18)
        {
            return false;
        }

        var trailer = sent.AsSpan(sent.Length - 8);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);

        // Members are concatenated, so the last one's data is the decoded bytes' last `size` (a body is at most the limit).
        return size <= decoded.Length && System.IO.Hashing.Crc32.HashToUInt32(decoded.AsSpan(decoded.Length - (int)size)) == crc;
    }

    /// <summary>A zlib body ends with the Adler-32 of all it decodes to, big-endian.</summary>
    private static bool HasAdler32Trailer(byte[] sent, byte[] decoded)
    {
        if (sent.Length < 6)
        {
            return false;
        }

        const uint Modulus = 65521;
        uint a = 1, b = 0;
        foreach (var chunk in decoded.Chunk(5552))
        {
            // 5552 bytes is the most that can be summed before b may overflow 32 bits.
            foreach (var x in chunk)
            {
                a += x;
                b += a;
            }

            a %= Modulus;
            b %= Modulus;
        }

        return BinaryPrimitives.ReadUInt32BigEndian(sent.AsSpan(sent.Length - 4)) == ((b << 16) | a);
    }

    private static byte[]? DecodeBrotli(byte[] sent, int limit)
    {
        using var decoder = new BrotliDecoder();
        var output = new byte[Math.Min(limit, Math.Max(4096, sent.Length * 4))];
        ReadOnlySpan<byte> input = sent;
        var written = 0;
        while (true)
        {
            var status = decoder.Decompress(input, output.AsSpan(written), out var consumed, out var produced);
            input = input[consumed..];
            written += produced;
            switch (status)
            {
                case OperationStatus.Done when input.IsEmpty:
                    return output[..written];
                case OperationStatus.Done:
                    throw new InvalidDataException("bytes follow the end of its stream");
                case OperationStatus.DestinationTooSmall when output.Length >= limit:
                    return null;
                case OperationStatus.DestinationTooSmall:
                    Array.Resize(ref output, (int)Math.Min(limit, output.Length * 2L));
                    break;
                case OperationStatus.NeedMoreData:
                    throw new InvalidDataException(CutShort);
                default:
                    throw new InvalidDataException("its data is not Brotli");
            }
        }
    }

    private static async Task<byte[]?> ReadAsync(Stream body, int limit, long? contentLength, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(contentLength is { } length ? (int)length : 4096);
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    // The request body as a decoder reads it, failing once more than the limit was sent (whatever it decodes to).
    private sealed class CountedStream(Stream inner, long limit) : Stream
    {
        private long read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int bytes)
        {
            read += bytes;
            return read > limit ? throw new LimitExceededException() : bytes;
        }

        public sealed class LimitExceededException : Exception
        {
        }
    }

    /// <summary>True when <paramref name="contentType"/> is one of <paramref name="accepted"/> (parameters such as charset allowed), not merely a type that starts like one.</summary>
    public static bool IsMediaType(string? contentType, IEnumerable<string> accepted)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        return MediaTypeHeaderValue.TryParse(contentType, out var parsed)
            && accepted.Any(type => parsed.MediaType.Equals(type, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>Reads a JSON request body for the serving API, turning transport problems into problem details.</summary>
public static class JsonBody
{
    /// <summary>The body, or a <see cref="ServingException"/> (415 when not JSON or in an unknown coding, 413 when too large, 400 when its coding is broken).</summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!BoundedBody.IsMediaType(request.ContentType, ["application/json"]))
        {
            throw new ServingException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"Content-Type '{request.ContentType ?? "(none)"}' is not accepted; send application/json.");
        }

        return await BoundedBody.ReadAsync(request, limit, cancellationToken)
            ?? throw new ServingException(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The request body is larger than {limit} bytes.");
    }
}
