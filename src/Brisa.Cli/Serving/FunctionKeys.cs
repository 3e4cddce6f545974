using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Brisa.Cli.Serving;

/// <summary>The function key of <c>brisa serve</c>: made, and checked as the Functions host checks it.</summary>
public static class FunctionKeys
{
    /// <summary>The header the Functions host reads the key from (the <c>code</c> query parameter is the other way).</summary>
    public const string Header = "x-functions-key";

    /// <summary>The environment variable the CLI reads a key from when none is given on the command line.</summary>
    public const string EnvironmentVariable = "BRISA_FUNCTION_KEY";

    /// <summary>The key in <c>$BRISA_FUNCTION_KEY</c>, or null when unset or empty.</summary>
    public static string? FromEnvironment() => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } key ? key : null;

    /// <summary>A new random key (256 bits, URL-safe base64, so it can go in <c>?code=</c> as it is).</summary>
    public static string Generate() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>True when the request carries <paramref name="key"/> in the header or the <c>code</c> query parameter.</summary>
    public static bool Matches(HttpRequest request, string key)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(key);
        var given = request.Headers[Header].FirstOrDefault() ?? request.Query["code"].FirstOrDefault();

        // Constant time, so response timing does not reveal how much of a guess was right.
        return given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key));
    }
}
