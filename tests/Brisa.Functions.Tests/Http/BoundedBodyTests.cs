using System.IO.Compression;
using System.Text;
using Brisa.Core.Serving;
using Brisa.Functions.Http;
using Microsoft.AspNetCore.Http;

namespace Brisa.Functions.Tests.Http;

public sealed class BoundedBodyTests
{
    private const string Json = """{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":["c1"]}}""";

    private static HttpRequest Request(byte[] body, string? coding, string contentType = "application/json")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        if (coding is not null)
        {
            context.Request.Headers.ContentEncoding = coding;
        }

        return context.Request;
    }

    private static byte[] Compress(byte[] data, string coding)
    {
        using var output = new MemoryStream();
        using (Stream compressor = coding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true),
        })
        {
            compressor.Write(data);
        }

        return output.ToArray();
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("GZIP")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task ReadAsync_CompressedBody_Decoded(string coding)
    {
        var body = await JsonBody.ReadAsync(Request(Compress(Encoding.UTF8.GetBytes(Json), coding.ToLowerInvariant()), coding), 1024, CancellationToken.None);

        Assert.Equal(Json, Encoding.UTF8.GetString(body));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("identity")]
    public async Task ReadAsync_NoCoding_AsSent(string? coding)
    {
        var body = await BoundedBody.ReadAsync(Request(Encoding.UTF8.GetBytes(Json), coding), 1024, CancellationToken.None);

        Assert.Equal(Json, Encoding.UTF8.GetString(body!));
    }

    [Fact]
    public async Task ReadAsync_SmallGzipDecodingPastTheLimit_Null()
    {
        // 8 MiB of zeros compress to a few KiB: the limit is on what the body decodes to.
        var bomb = Compress(new byte[8 * 1024 * 1024], "gzip");
        Assert.True(bomb.Length < 64 * 1024);

        Assert.Null(await BoundedBody.ReadAsync(Request(bomb, "gzip"), 1024 * 1024, CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_ChunkedGzipOfEmptyMembersPastTheLimit_Null()
    {
        // Without a Content-Length, 64 KiB of empty gzip members decode to nothing: the bytes sent count too, as they do
        // when the length is declared, or the decoder would read whatever the host lets through.
        byte[] empty = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        var body = Enumerable.Repeat(empty, (64 * 1024 / empty.Length) + 1).SelectMany(b => b).ToArray();
        var request = Request(body, "gzip");
        request.ContentLength = null;

        Assert.Null(await BoundedBody.ReadAsync(request, 1024, CancellationToken.None));
    }

    [Theory]
    [InlineData("gzip", 1)]
    [InlineData("gzip", 4)]
    [InlineData("gzip", 20)]
    [InlineData("deflate", 1)]
    [InlineData("deflate", 20)]
    [InlineData("br", 1)]
    [InlineData("br", 20)]
    public async Task ReadAsync_CompressedBodyCutShort_BadRequestSayingSo(string coding, int cut)
    {
        // A client that sends before closing its compressor: the decoders alone return the prefix they could decode.
        var whole = Compress(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Json + "\n", 200))), coding);

        var error = await Assert.ThrowsAsync<ServingException>(() => BoundedBody.ReadAsync(Request(whole[..^cut], coding), 1024 * 1024, CancellationToken.None));

        Assert.Equal(400, error.Status);
        Assert.Equal("Bad content encoding", error.Title);
        Assert.Contains("closing its compressor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_GzipMembersConcatenated_DecodedWhole()
    {
        var first = Encoding.UTF8.GetBytes(Json + "\n");
        var second = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Json + "\n", 50)));

        var body = await BoundedBody.ReadAsync(Request([.. Compress(first, "gzip"), .. Compress(second, "gzip")], "gzip"), 1024 * 1024, CancellationToken.None);

        Assert.Equal([.. first, .. second], body!);
    }

    [Theory]
    [InlineData("gzip", 8)]
    [InlineData("deflate", 1)]
    public async Task ReadAsync_ChecksumAltered_BadRequest(string coding, int fromEnd)
    {
        var body = Compress(Encoding.UTF8.GetBytes(Json), coding);
        body[^fromEnd] ^= 0x55;

        var error = await Assert.ThrowsAsync<ServingException>(() => BoundedBody.ReadAsync(Request(body, coding), 1024, CancellationToken.None));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task ReadAsync_BytesAfterTheBrotliStream_BadRequest()
    {
        var error = await Assert.ThrowsAsync<ServingException>(() => BoundedBody.ReadAsync(Request([.. Compress(Encoding.UTF8.GetBytes(Json), "br"), .. "{}"u8], "br"), 1024, CancellationToken.None));

        Assert.Equal(400, error.Status);
        Assert.Contains("bytes follow the end of its stream", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task ReadAsync_DecodesToExactlyTheLimit_Read(string coding)
    {
        var data = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Json, 100)));

        Assert.Equal(data, await BoundedBody.ReadAsync(Request(Compress(data, coding), coding), data.Length, CancellationToken.None));
        Assert.Null(await BoundedBody.ReadAsync(Request(Compress(data, coding), coding), data.Length - 1, CancellationToken.None));
    }

    [Theory]
    [InlineData("compress")]
    [InlineData("zstd")]
    [InlineData("gzip, br")]
    public async Task ReadAsync_UnsupportedCoding_UnsupportedMediaTypeNamingTheCodings(string coding)
    {
        var error = await Assert.ThrowsAsync<ServingException>(() => BoundedBody.ReadAsync(Request(Encoding.UTF8.GetBytes(Json), coding), 1024, CancellationToken.None));

        Assert.Equal(415, error.Status);
        Assert.Contains($"Content-Encoding '{coding}' is not accepted", error.Message, StringComparison.Ordinal);
        Assert.Contains("gzip, deflate, br", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task ReadAsync_CodingHeaderButNotThatCoding_BadRequest(string coding)
    {
        var error = await Assert.ThrowsAsync<ServingException>(() => BoundedBody.ReadAsync(Request(Encoding.UTF8.GetBytes(Json), coding), 1024, CancellationToken.None));

        Assert.Equal(400, error.Status);
        Assert.Equal("Bad content encoding", error.Title);
        Assert.StartsWith($"The body is not valid {coding}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/jsonx")]
    [InlineData("application/json-patch+json")]
    [InlineData("application/json garbage")]
    public async Task JsonBody_TypeOnlyStartingLikeJson_UnsupportedMediaType(string contentType)
    {
        var error = await Assert.ThrowsAsync<ServingException>(() => JsonBody.ReadAsync(Request(Encoding.UTF8.GetBytes(Json), null, contentType), 1024, CancellationToken.None));

        Assert.Equal(415, error.Status);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("APPLICATION/JSON")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json;charset=UTF-8")]
    public async Task JsonBody_JsonWithOrWithoutParameters_Read(string contentType)
    {
        var body = await JsonBody.ReadAsync(Request(Encoding.UTF8.GetBytes(Json), null, contentType), 1024, CancellationToken.None);

        Assert.Equal(Json, Encoding.UTF8.GetString(body));
    }
}
