namespace Brisa.Core.Ingestion;

/// <summary>
/// Text a producer sent (a rejection reason quoting a value, an entity key), made safe to put in a log line or on a
/// terminal: a line break in it would forge lines of its own, and an escape sequence would reach the console of
/// <c>brisa serve</c>, or the terminal of any brisa command printing it.
/// </summary>
public static class LogText
{
    /// <summary>
    /// <paramref name="text"/> with each C0 control character shown as its Unicode control picture (LF as ␊, ESC as ␛),
    /// DEL as ␡ and each C1 control as �.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="keepTabsAndLineFeeds">Leave tabs and line feeds as they are (text printed over several lines, not one log line).</param>
    public static string Printable(string text, bool keepTabsAndLineFeeds = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(c => IsUnsafe(c, keepTabsAndLineFeeds)))
        {
            return text;
        }

        return string.Create(text.Length, (text, keepTabsAndLineFeeds), (span, state) =>
        {
            for (var i = 0; i < state.text.Length; i++)
            {
                var c = state.text[i];
                span[i] = !IsUnsafe(c, state.keepTabsAndLineFeeds) ? c
                    : c < ' ' ? (char)(0x2400 + c)
                    : c == '\u007f' ? '\u2421'
                    : '\ufffd';
            }
        });
    }

    /// <summary>True for a character <see cref="Printable"/> replaces.</summary>
    /// <param name="c">The character.</param>
    /// <param name="keepTabsAndLineFeeds">Whether tabs and line feeds are kept.</param>
    public static bool IsUnsafe(char c, bool keepTabsAndLineFeeds = false) =>
        char.IsControl(c) && !(keepTabsAndLineFeeds && c is ('\t' or '\n'));
}
