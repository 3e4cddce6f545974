using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;

namespace Brisa.Core.Serving;

/// <summary>
/// Renders the feature catalog as one self-contained HTML page: entities, views (freshness, owner, tags, models using
/// them) and features with their latest statistics. A search box filters feature rows by name, description, owner or
/// tag (<c>key</c>, <c>value</c> or <c>key:value</c>; every word must match); clicking a tag searches it. The box
/// takes the focus on a screen at least 768 px wide, not on a phone, where focus would open the keyboard. Inline CSS,
/// SVG and script only: no CDN, so it works offline and under a strict network policy.
/// </summary>
public static class CatalogHtml
{
    /// <summary>The search box's element id.</summary>
    public const string SearchBoxId = "search";

    /// <summary>The CSS class of a feature row; each carries <c>data-feature="view:feature"</c>.</summary>
    public const string FeatureRowClass = "feature";

    private const string Script = """
        (function () {
          var box = document.getElementById('search');
          var rows = [].slice.call(document.querySelectorAll('tr.feature'));
          var views = [].slice.call(document.querySelectorAll('section.view'));
          var entities = [].slice.call(document.querySelectorAll('tr.entity'));
          var count = document.getElementById('match-count');
          var none = document.getElementById('no-match');
          function matches(element, words) {
            var text = element.getAttribute('data-search');
            return words.every(function (w) { return text.indexOf(w) >= 0; });
          }
          function apply() {
            var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
            var shown = 0;
            rows.forEach(function (r) { r.hidden = !matches(r, words); if (!r.hidden) { shown++; } });
            views.forEach(function (v) { v.hidden = !v.querySelector('tr.feature:not([hidden])'); });
            entities.forEach(function (e) {
              var name = e.getAttribute('data-entity');
              var used = views.some(function (v) { return !v.hidden && v.getAttribute('data-entity') === name; });
              e.hidden = words.length > 0 && !used && !matches(e, words);
            });
            count.textContent = shown + ' of ' + rows.length + ' features';
            none.hidden = shown > 0;
          }
          box.addEventListener('input', apply);
          [].slice.call(document.querySelectorAll('button.tag')).forEach(function (b) {
            b.addEventListener('click', function () { box.value = b.getAttribute('data-tag'); apply(); });
          });
          apply();
          // Focused on a wide screen only: on a phone, focus opens the keyboard over the page before anyone asked to search.
          // The width read lays the page out at the viewport's width; a media query here still saw the 980 px default.
          if (document.documentElement.clientWidth >= 768) { box.focus(); }
        })();
        """;

    /// <summary>
    /// The page's Content-Security-Policy, in a <c>meta</c> element so it holds wherever the page is opened (the API, a
    /// saved file): nothing is fetched, and only the page's own script (by its SHA-256) runs, so markup that got past
    /// the escaping in a description, tag or event value still cannot run a script.
    /// </summary>
    public static string ContentSecurityPolicy { get; } =
        $"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Script)))}'; base-uri 'none'; form-action 'none'";

    /// <summary>Renders the page.</summary>
    /// <param name="definitions">The definitions (for the entities).</param>
    /// <param name="views">The catalog's views, with statistics and freshness.</param>
    /// <param name="now">When the page was made.</param>
    /// <param name="search">Initial search text (the <c>q</c> query parameter), applied by the page's script.</param>
    /// <returns>The HTML document.</returns>
    public static string Render(FeatureRepositoryDefinition definitions, IReadOnlyList<CatalogView> views, DateTimeOffset now, string? search = null)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(views);
        var featureCount = views.Sum(v => v.Features.Count);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"").Append(ContentSecurityPolicy)
            .Append("\">").Append(HtmlPages.Viewport)
            .Append("<title>Brisa feature catalog</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2rem;color:#222}[hidden]{display:none!important}").Append(HtmlPages.NarrowScreenCss)
            .Append("#search{font-size:1.1rem;padding:.4rem .6rem;width:28rem;max-width:90%}#match-count{margin-left:1rem;color:#555}")
            .Append("table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ddd;padding:.2rem .5rem;vertical-align:top}")
            .Append("th{background:#f3f3f3;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}")
            .Append("section.view{border-top:2px solid #eee;padding-top:.5rem;margin-top:1rem}.meta{color:#555}")
            .Append(".badge{border-radius:4px;padding:.1rem .4rem;font-size:.85rem;margin-left:.5rem}.fresh{background:#d9f2df}.stale{background:#f8d7d3}.not_materialized{background:#eee}")
            .Append("button.tag{border:1px solid #bbb;border-radius:10px;background:#f7f7ff;padding:0 .5rem;margin-right:.3rem;cursor:pointer}")
            .Append("svg.hist rect{fill:#4a78b5}table.features td:last-child{min-width:10rem}")
            .Append("</style></head><body>");
        html.Append("<h1>Feature catalog</h1><p class=\"meta\">")
            .Append(definitions.Entities.Count).Append(" entities, ").Append(views.Count).Append(" views, ").Append(featureCount)
            .Append(" features; statistics of each view's latest materialization run; page made ").Append(H(Time(now))).Append("</p>");
        html.Append("<p><input id=\"").Append(SearchBoxId).Append("\" type=\"search\" placeholder=\"Search by name, owner or tag (e.g. pii:false)\" value=\"")
            .Append(H(search ?? string.Empty)).Append("\"><span id=\"match-count\">").Append(featureCount).Append(" of ").Append(featureCount).Append(" features</span></p>");
        html.Append("<p id=\"no-match\" hidden>No feature matches the search.</p>");

        html.Append("<h2>Entities</h2><table id=\"entities\"><tr><th>entity</th><th>join key</th><th>description</th><th>views</th></tr>");
        foreach (var entity in definitions.Entities)
        {
            var entityViews = views.Where(v => v.Entity == entity.Name).Select(v => v.Name).ToArray();
            html.Append("<tr class=\"entity\" data-entity=\"").Append(H(entity.Name)).Append("\" data-search=\"")
                .Append(H(Search(entity.Name, entity.JoinKey, entity.Description))).Append("\"><td><b>").Append(H(entity.Name)).Append("</b></td><td><code>")
                .Append(H(entity.JoinKey)).Append("</code></td><td>").Append(H(entity.Description ?? string.Empty)).Append("</td><td>")
                .Append(string.Join(", ", entityViews.Select(v => $"<a href=\"#view-{H(v)}\">{H(v)}</a>"))).Append("</td></tr>");
        }

        html.Append("</table><h2>Feature views</h2>");
        foreach (var view in views)
        {
            AppendView(html, view);
        }

        html.Append("<script>").Append(Script).Append("</script></body></html>");
        return HtmlPages.ScrollTables(html).ToString();
    }

    private static void AppendView(StringBuilder html, CatalogView view)
    {
        var f = view.Freshness;
        html.Append("<section class=\"view\" id=\"view-").Append(H(view.Name)).Append("\" data-view=\"").Append(H(view.Name)).Append("\" data-entity=\"").Append(H(view.Entity)).Append("\">")
            .Append("<h3><code>").Append(H(view.Name)).Append("</code><span class=\"badge ").Append(H(f.Status)).Append("\">").Append(H(f.Status.Replace('_', ' '))).Append("</span></h3>");
        if (view.Description is { } description)
        {
            html.Append("<p>").Append(H(description)).Append("</p>");
        }

        html.Append("<p class=\"meta\">entity <b>").Append(H(view.Entity)).Append("</b> (key <code>").Append(H(view.JoinKey)).Append("</code>), source <b>").Append(H(view.Source))
            .Append("</b>, tile ").Append(H(view.Tile)).Append(", TTL ").Append(H(view.Ttl)).Append(", ").Append(view.Streaming ? "streaming" : "batch")
            .Append(view.Online ? ", online" : ", offline only").Append(", owner ").Append(H(view.Owner ?? "none"))
            .Append(view.UsedBy.Count > 0 ? ", used by " + H(string.Join(", ", view.UsedBy)) : string.Empty).Append("</p>");
        html.Append("<p class=\"meta\">");
        if (f.MaterializedAt is { } at)
        {
            html.Append("materialized ").Append(H(Time(at))).Append(" (run ").Append(H(f.RunId ?? string.Empty)).Append(", ").Append(f.Rows.ToString("N0", CultureInfo.InvariantCulture))
                .Append(" rows from ").Append(H(Time(f.From))).Append(" to ").Append(H(Time(f.To))).Append("); newest event ").Append(H(Time(f.NewestEventTime)))
                .Append(", ").Append(H(Age(f.AgeSeconds))).Append(" ago");
        }
        else
        {
            html.Append("no materialization run yet");
        }

        html.Append("</p><p class=\"tags\">");
        foreach (var tag in view.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            html.Append("<button class=\"tag\" type=\"button\" data-tag=\"").Append(H($"{tag.Key}:{tag.Value}")).Append("\">").Append(H($"{tag.Key}: {tag.Value}")).Append("</button>");
        }

        html.Append("</p><table class=\"features\"><thead><tr><th>feature</th><th>aggregation</th><th>type</th><th>description</th><th>count</th><th>null %</th>")
            .Append("<th>mean</th><th>std</th><th>min</th><th>p01</th><th>p50</th><th>p99</th><th>max</th><th>distribution</th></tr></thead><tbody>");
        var viewText = new[] { view.Name, view.Entity, view.Source, view.Owner, view.Description }
            .Concat(view.Tags.SelectMany(t => new[] { t.Key, t.Value, $"{t.Key}:{t.Value}" }))
            .ToArray();
        foreach (var feature in view.Features)
        {
            AppendFeature(html, feature, viewText);
        }

        html.Append("</tbody></table></section>");
    }

    private static void AppendFeature(StringBuilder html, CatalogFeature feature, IEnumerable<string?> viewText)
    {
        var s = feature.Statistics;
        html.Append("<tr class=\"").Append(FeatureRowClass).Append("\" data-feature=\"").Append(H(feature.Name)).Append("\" data-search=\"")
            .Append(H(Search([feature.Name, feature.Aggregation, feature.Field, feature.Description, .. viewText]))).Append("\"><td><code>").Append(H(feature.Name)).Append("</code></td><td>")
            .Append(H(feature.Aggregation)).Append(feature.Field is null ? string.Empty : $"({H(feature.Field)})").Append(", ").Append(H(feature.Window)).Append("</td><td>")
            .Append(H(feature.Type)).Append("</td><td>").Append(H(feature.Description ?? string.Empty)).Append("</td>");
        if (s is null)
        {
            html.Append("<td colspan=\"10\" class=\"meta\">no statistics yet</td></tr>");
            return;
        }

        html.Append(Cell(s.Count.ToString("N0", CultureInfo.InvariantCulture))).Append(Cell(N(s.MissingFraction * 100, "0.#")));
        if (s.Kind == FeatureKind.Numeric)
        {
            html.Append(Cell(N(s.Mean))).Append(Cell(N(s.Std))).Append(Cell(N(s.Min))).Append(Cell(Q(s, 0.01))).Append(Cell(Q(s, 0.5))).Append(Cell(Q(s, 0.99))).Append(Cell(N(s.Max)))
                .Append("<td>").Append(Histogram(s)).Append("</td></tr>");
        }
        else
        {
            var present = s.Count - s.Missing;
            var top = string.Join(", ", s.Categories.Take(5).Select(c => $"{H(c.Value)} {N(100.0 * c.Count / Math.Max(present, 1), "0.#")}%"));
            html.Append("<td colspan=\"7\" class=\"meta\">categorical</td><td>").Append(top).Append(s.Categories.Count > 5 || s.OtherCount > 0 ? ", …" : string.Empty).Append("</td></tr>");
        }
    }

    // Bars are equally wide; their height is the density (count ÷ bin width, the outer bins closed by min and max), so
    // the decile bins, which hold about the same count each, still show the distribution's shape.
    private static string Histogram(FeatureStatistics s)
    {
        const int width = 120, height = 28;
        var counts = s.BinCounts;
        if (counts.Sum() == 0 || s.Min is not { } min || s.Max is not { } max)
        {
            return string.Empty;
        }

        double[] bounds = [min, .. s.BinEdges, max];

        // An outer bin closed by a minimum or maximum that is its edge holds that one value (a count's largest, a flag's
        // 1s): it has no width, and is drawn as wide as the narrowest bin that has one. Floored at a thousandth of the
        // range, it drew as a spike a thousand times denser than its count.
        var widths = counts.Select((_, b) => bounds[b + 1] - bounds[b]).ToArray();
        var floor = widths.Where(w => w > 0).DefaultIfEmpty(Math.Max(max - min, 1e-12)).Min();
        var density = counts.Select((c, b) => c / Math.Max(widths[b], floor)).ToArray();
        var peak = density.Max();
        var bar = (double)width / counts.Count;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"hist\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\"><title>");
        svg.Append(H("bin edges " + string.Join(", ", s.BinEdges.Select(e => N(e))) + "; counts " + string.Join(", ", counts))).Append("</title>");
        for (var b = 0; b < counts.Count; b++)
        {
            var h = counts[b] == 0 ? 0 : Math.Max(1, height * density[b] / peak);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{b * bar:0.##}\" y=\"{height - h:0.##}\" width=\"{Math.Max(bar - 1, 1):0.##}\" height=\"{h:0.##}\"/>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Q(FeatureStatistics s, double level)
    {
        var i = FeatureStatistics.QuantileLevels.ToList().IndexOf(level);
        return i >= 0 && i < s.Quantiles.Count ? N(s.Quantiles[i]) : string.Empty;
    }

    private static string Search(params string?[] parts) =>
        string.Join(' ', parts.Where(p => !string.IsNullOrEmpty(p))).ToLowerInvariant();

    private static string Cell(string text) => $"<td class=\"n\">{text}</td>";

    private static string Time(DateTimeOffset? time) => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "n/a";

    private static string Age(double? seconds) => seconds switch
    {
        null => "n/a",
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{seconds:0} s"),
        < 7200 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0} min"),
        < 172800 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:0.#} h"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 86400:0.#} days"),
    };

    private static string N(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string N(double? value) => value is { } v ? HtmlPages.Statistic(v) : string.Empty;

    private static string H(string text) => WebUtility.HtmlEncode(text);
}
