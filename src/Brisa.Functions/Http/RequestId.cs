namespace Brisa.Functions.Http;

/// <summary>The <c>x-request-id</c> a caller may give the predict endpoint: echoed as a response header and recorded in the prediction log.</summary>
public static class RequestId
{
    /// <summary>The header.</summary>
    public const string Header = "x-request-id";

    /// <summary>Longest id accepted (a UUID, a W3C trace id or a caller's own id fit with room to spare).</summary>
    public const int MaxLength = 128;

    /// <summary>
    /// True when <paramref name="id"/> is 1 to <see cref="MaxLength"/> printable ASCII characters: a response header
    /// holds ASCII only (Kestrel refuses anything else, after the function returned, as a bare 500), and an id is
    /// stored with every prediction of its request, so its length is bounded too.
    /// </summary>
    /// <param name="id">The header's value.</param>
    public static bool IsValid(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length is > 0 and <= MaxLength && id.All(c => c is >= ' ' and <= '~');
    }
}
