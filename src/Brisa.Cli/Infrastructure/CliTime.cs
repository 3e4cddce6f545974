using System.Globalization;
using System.Text.RegularExpressions;

namespace Brisa.Cli;

/// <summary>How every command reads a time option (<c>--from</c>, <c>--to</c>, <c>--start</c>).</summary>
internal static partial class CliTime
{
    /// <summary>
    /// An ISO 8601 time (<c>2026-05-01</c>, <c>2026-05-01T06:00</c>, seconds and fractions optional, <c>T</c> or a space,
    /// then optionally <c>Z</c> or an offset), UTC unless it names an offset (never the machine's time zone); null when
    /// the text is not one. Other formats the runtime would accept are refused: <c>01/05/2026</c> reads as 5 January there.
    /// </summary>
    public static DateTimeOffset? Parse(string? text) =>
        text is not null && IsoShape().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoShape();
}
