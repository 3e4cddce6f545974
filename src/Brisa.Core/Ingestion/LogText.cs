namespace Brisa.Core.Ingestion;

/// <summary>
/// Text a producer sent (a rejection reason quoting a value, an entity key), made safe to put in a log line: a line break
/// in it would forge lines of its own, and an escape sequence would reach the console of <c>brisa serve</c>.
/// </summary>
public static class LogText
{
    /// <summary>
    /// <paramref name="text"/> with each C0 control character (line breaks and tabs included) shown as its Unicode control
    /// picture (LF as ␊, ESC as ␛), DEL as ␡ and each C1 control as �, as every brisa command prints them.
    /// </summary>
    /// <param name="text">The text.</param>
    public static string Printable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        return string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c < ' ' ? (char)(0x2400 + c) : c == '\u007f' ? '\u2421' : char.IsControl(c) ? '\ufffd' : c;
            }
        });
    }
}
