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
    /// <exception cref="ServingException">415 for another content coding; 400 when the body is not valid in its coding.</exception>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit)
        {
            return null;
        }

        var coding = request.Headers.ContentEncoding.ToString().Trim();
        var sent = new CountedStream(request.Body, limit);
        await using var decoded = coding.ToLowerInvariant() switch
        {
            "" or "identity" => null,
            "gzip" or "x-gzip" => new GZipStream(sent, CompressionMode.Decompress, leaveOpen: true),
            "deflate" => new ZLibStream(sent, CompressionMode.Decompress, leaveOpen: true),
            "br" => (Stream)new BrotliStream(sent, CompressionMode.Decompress, leaveOpen: true),

            // Read as it is, a gzip body would be answered as malformed JSON, or dead-lettered as such.
            _ => throw new ServingException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"Content-Encoding '{coding}' is not accepted; send the body as it is, or with one of: {string.Join(", ", Codings)}."),
        };
        try
        {
            return await ReadAsync(decoded ?? request.Body, limit, request.ContentLength, cancellationToken);
        }
        catch (CountedStream.LimitExceededException)
        {
            return null;
        }
        catch (Exception ex) when ((ex is InvalidDataException && decoded is not null) || (ex is InvalidOperationException && decoded is BrotliStream))
        {
            // gzip and deflate say so with an InvalidDataException, Brotli's decoder with an InvalidOperationException.
            throw ServingException.BadRequest("Bad content encoding", $"The body is not valid {coding} (its Content-Encoding): {ex.Message}");
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
