using System.Globalization;

namespace Brisa.Core.Definitions;

/// <summary>
/// Durations in definitions: a positive integer and a unit, <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c> (e.g. <c>30s</c>,
/// <c>5m</c>, <c>1h</c>, <c>7d</c>), at most <see cref="Max"/>.
/// </summary>
public static class Durations
{
    /// <summary>
    /// The longest duration, 3650d (ten years). Far longer ones overflowed <see cref="TimeSpan"/>, or the time arithmetic
    /// of training and materialization (an instant that far back), or a view's count of tiles per window; within it, a
    /// window of one-second tiles still counts fewer tiles than an <see cref="int"/> holds.
    /// </summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(3650);

    /// <summary>Parses a duration such as <c>90m</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="duration">The duration.</param>
    /// <returns>True when the text is a valid, positive duration of at most <see cref="Max"/>.</returns>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text) || text.Length < 2 || text[0] == '0')
        {
            return false;
        }

        var seconds = text[^1] switch
        {
            's' => 1L,
            'm' => 60L,
            'h' => 3600L,
            'd' => 86400L,
            _ => 0L,
        };
        var digits = text.AsSpan(0, text.Length - 1);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        if (seconds == 0 || digits.Length > 9 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count * seconds > (long)Max.TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(count * seconds);
        return true;
    }

    /// <summary>Parses a duration or throws <see cref="FormatException"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The duration.</returns>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration) ? duration : throw new FormatException($"'{text}' is not a duration such as 30s, 5m, 1h or 7d.");

    /// <summary>Formats a duration in the largest unit that divides it (<c>90m</c>, <c>2h</c>, <c>7d</c>); sub-second parts are dropped.</summary>
    /// <param name="duration">The duration.</param>
    /// <returns>The text.</returns>
    public static string Format(TimeSpan duration)
    {
        var seconds = (long)duration.TotalSeconds;
        if (seconds > 0 && seconds % 86400 == 0)
        {
            return (seconds / 86400).ToString(CultureInfo.InvariantCulture) + "d";
        }

        if (seconds > 0 && seconds % 3600 == 0)
        {
            return (seconds / 3600).ToString(CultureInfo.InvariantCulture) + "h";
        }

        return seconds > 0 && seconds % 60 == 0
            ? (seconds / 60).ToString(CultureInfo.InvariantCulture) + "m"
            : seconds.ToString(CultureInfo.InvariantCulture) + "s";
    }
}
