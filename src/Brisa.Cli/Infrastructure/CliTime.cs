using System.Globalization;

namespace Brisa.Cli;

/// <summary>How every command reads a time option (<c>--from</c>, <c>--to</c>, <c>--start</c>).</summary>
internal static class CliTime
{
    /// <summary>An ISO 8601 time, UTC unless it names an offset (never the machine's time zone); null when the text is not one.</summary>
    public static DateTimeOffset? Parse(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;
}
