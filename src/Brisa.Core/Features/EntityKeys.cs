using System.Globalization;
using Brisa.Core.Aggregation;

namespace Brisa.Core.Features;

/// <summary>How a join-key field value becomes an entity key string (join keys are <c>string</c> or <c>long</c>).</summary>
public static class EntityKeys
{
    /// <summary>The entity key of a join-key value: the text itself, a number as an invariant integer, null when null.</summary>
    /// <param name="value">The join-key field value.</param>
    /// <returns>The key, or null.</returns>
    public static string? FromField(FieldValue value)
    {
        if (value.AsText() is { } text)
        {
            return text;
        }

        return value.AsNumber() is { } number ? ((long)number).ToString(CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// The entity key of a <c>long</c> join key given as text (a request, a CSV cell): the integer's plain digits, as its
    /// events are keyed (<c>01005</c> and <c>+1005</c> → <c>1005</c>). False for anything else (<c>1005.0</c>,
    /// <c>d1005</c>, beyond ±2^53, the bound ingestion puts on long fields): read as text it would match no event.
    /// </summary>
    /// <param name="text">The key as given.</param>
    /// <param name="key">The entity key.</param>
    /// <returns>True when the text is such an integer.</returns>
    public static bool TryFromLongText(string text, out string key)
    {
        ArgumentNullException.ThrowIfNull(text);
        const long MaxExactInteger = 1L << 53;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number is >= -MaxExactInteger and <= MaxExactInteger)
        {
            key = number.ToString(CultureInfo.InvariantCulture);
            return true;
        }

        key = text;
        return false;
    }
}
