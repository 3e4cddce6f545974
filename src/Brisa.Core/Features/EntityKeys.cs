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
}
