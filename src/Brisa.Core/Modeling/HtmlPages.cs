using System.Globalization;
using System.Text;

namespace Brisa.Core.Modeling;

/// <summary>
/// What Brisa's HTML pages (the feature catalog, the training report, the drift report) share: their layout on a narrow
/// screen and how they write a feature statistic.
/// </summary>
public static class HtmlPages
{
    /// <summary>The <c>meta</c> element that lays a page out at the device's width (a phone otherwise lays it out 980 px wide and shrinks it).</summary>
    public const string Viewport = "<meta name=\"viewport\" content=\"width=device-width\">";

    /// <summary>
    /// CSS for a narrow screen: a wide table scrolls inside its <c>div.scroll</c> (<see cref="ScrollTables"/>) instead
    /// of widening the page, and a long name or version in a heading or paragraph wraps.
    /// </summary>
    public const string NarrowScreenCss = ".scroll{overflow-x:auto;max-width:100%}h1,h2,h3,p{overflow-wrap:anywhere}";

    /// <summary>
    /// Wraps every table of a rendered page in <c>div.scroll</c>. The pages' text is HTML-encoded, so the only
    /// <c>&lt;table</c> in it are the renderer's own.
    /// </summary>
    /// <param name="html">The page.</param>
    /// <returns><paramref name="html"/>, wrapped.</returns>
    public static StringBuilder ScrollTables(StringBuilder html)
    {
        ArgumentNullException.ThrowIfNull(html);
        return html.Replace("<table", "<div class=\"scroll\"><table").Replace("</table>", "</table></div>");
    }

    /// <summary>
    /// A feature statistic (mean, quantile, minimum…). From a thousand on, with thousands separators and at most one
    /// decimal (<c>139,630.4</c>), where five significant digits wrote <c>1.3963E+05</c>; below, five significant digits
    /// (<c>202.8</c>, <c>0.0012346</c>), so a small value is not rounded to 0.
    /// </summary>
    /// <param name="value">The value.</param>
    /// <returns>The text, invariant culture.</returns>
    public static string Statistic(double value) =>
        value.ToString(Math.Abs(value) >= 1000 ? "#,0.#" : "G5", CultureInfo.InvariantCulture);
}
