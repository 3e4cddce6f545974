using Microsoft.AspNetCore.Http;

namespace Brisa.Functions.Http;

/// <summary>Reads a request body up to a limit, without trusting Content-Length alone.</summary>
public static class BoundedBody
{
    /// <summary>The body's bytes, or null when it is larger than <paramref name="limit"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}

/// <summary>Reads a JSON request body for the serving API, turning transport problems into problem details.</summary>
public static class JsonBody
{
    /// <summary>The body, or a <see cref="Brisa.Core.Serving.ServingException"/> (415 when not JSON, 413 when too large).</summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new Brisa.Core.Serving.ServingException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"Content-Type '{request.ContentType ?? "(none)"}' is not accepted; send application/json.");
        }

        return await BoundedBody.ReadAsync(request, limit, cancellationToken)
            ?? throw new Brisa.Core.Serving.ServingException(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The request body is larger than {limit} bytes.");
    }
}
