using System.Security.Cryptography;
using System.Text;

namespace Brisa.Azure.Online;

/// <summary>
/// Encodes any entity key (any Unicode, <c>/ \ # ?</c>, quotes, control characters, kilobytes long) as a valid
/// Table PartitionKey. Short keys are escaped reversibly; long ones become a SHA-256 digest, and every row also
/// stores the original key, which a reader checks, so the key round-trips exactly either way.
/// </summary>
public static class TableKeys
{
    // Table keys may hold up to 1 KiB; escaping can triple a character, so hash well before that.
    private const int MaxEscapedLength = 512;
    private const char Escape = '%';
    private const string HashedPrefix = "h~";

    /// <summary>The PartitionKey for an entity key.</summary>
    public static string Encode(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var builder = new StringBuilder(key.Length + 8);
        builder.Append("k~");
        foreach (var c in key)
        {
            if (IsAllowed(c))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(Escape).Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }

            if (builder.Length > MaxEscapedLength)
            {
                return HashedPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
            }
        }

        return builder.ToString();
    }

    /// <summary>The entity key of an escaped PartitionKey, or null when it is a digest (read the row's key property instead).</summary>
    public static string? TryDecode(string partitionKey)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        if (!partitionKey.StartsWith("k~", StringComparison.Ordinal))
        {
            return null;
        }

        var builder = new StringBuilder(partitionKey.Length);
        for (var i = 2; i < partitionKey.Length; i++)
        {
            var c = partitionKey[i];
            if (c == Escape)
            {
                builder.Append((char)Convert.ToInt32(partitionKey.Substring(i + 1, 4), 16));
                i += 4;
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    // Forbidden in Table keys: / \ # ? and control characters; '%' is our escape; surrogates are escaped
    // one UTF-16 unit at a time so a lone surrogate survives too.
    private static bool IsAllowed(char c) =>
        c is not ('/' or '\\' or '#' or '?' or Escape or '\'') && !char.IsControl(c) && !char.IsSurrogate(c);
}
