using System.Text.RegularExpressions;
using Brisa.Core.Definitions;
using Brisa.Core.Materialization;
using Brisa.Core.Modeling;
using Brisa.Core.Serving;
using Brisa.Core.Tests.Definitions;

namespace Brisa.Core.Tests.Serving;

public sealed partial class CatalogHtmlTests
{
    private static readonly FeatureRepositoryDefinition Definitions = SampleDefinitionsTests.LoadSample();
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Render_Sample_OneRowPerFeatureAndEveryEntity()
    {
        var views = Catalog.Views(Definitions);

        var html = CatalogHtml.Render(Definitions, views, Now);

        var rows = FeatureRow().Matches(html).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(views.SelectMany(v => v.Features).Select(f => f.Name), rows);
        Assert.All(Definitions.Entities, e => Assert.Contains($"data-entity=\"{e.Name}\"", html, StringComparison.Ordinal));
        Assert.Contains($"id=\"{CatalogHtml.SearchBoxId}\"", html, StringComparison.Ordinal);
        Assert.Contains("data-tag=\"pii:false\"", html, StringComparison.Ordinal);
        Assert.Contains("risk-team@contoso.com", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WithStatistics_ShowsValuesHistogramAndFreshness()
    {
        var statistics = CatalogTests.Statistics("customer_7d", Now.AddHours(-3));
        var views = Catalog.Views(Definitions, new Dictionary<string, ViewStatistics> { ["customer_7d"] = statistics }, Now);

        var html = CatalogHtml.Render(Definitions, views, Now);

        var mean = statistics.Features[0];
        Assert.Contains($"<td class=\"n\">{mean.Mean!.Value.ToString("G5", System.Globalization.CultureInfo.InvariantCulture)}</td>", html, StringComparison.Ordinal);
        Assert.Contains("<svg class=\"hist\"", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge fresh\">fresh</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge not_materialized\">not materialized</span>", html, StringComparison.Ordinal);
        Assert.Contains("3 h ago", html, StringComparison.Ordinal);
        Assert.Contains("FR 66%, ES 34%", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LargeAndSmallStatistics_ThousandsSeparatorsNoExponent()
    {
        var statistics = CatalogTests.Statistics("customer_7d", Now.AddHours(-3));
        statistics = statistics with { Features = [statistics.Features[0] with { Mean = 139630.44, Std = 0.00012346 }, .. statistics.Features.Skip(1)] };
        var views = Catalog.Views(Definitions, new Dictionary<string, ViewStatistics> { ["customer_7d"] = statistics }, Now);

        var html = CatalogHtml.Render(Definitions, views, Now);

        Assert.Contains("<td class=\"n\">139,630.4</td><td class=\"n\">0.00012346</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("E+", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Sample_EveryTableScrollsOnANarrowScreen()
    {
        var html = CatalogHtml.Render(Definitions, Catalog.Views(Definitions), Now);

        Assert.Contains(HtmlPages.Viewport, html, StringComparison.Ordinal);
        Assert.Equal(Regex.Count(html, "<table"), Regex.Count(html, "<div class=\"scroll\"><table"));
        Assert.Equal(Regex.Count(html, "</table>"), Regex.Count(html, "</table></div>"));
    }

    [Fact]
    public void Render_MarkupInDefinitionsAndSearch_Escaped()
    {
        var evil = Definitions with
        {
            Entities = [.. Definitions.Entities.Select(e => e with { Description = "<b id=entity>" })],
            FeatureViews =
            [
                .. Definitions.FeatureViews.Select((v, i) => i == 0
                    ? v with
                    {
                        Description = "<script>alert(1)</script>",
                        Owner = "<b id=owner>",
                        Tags = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["<b id=key>"] = "\"><b id=value>" },
                        Features = [.. v.Features.Select(f => f with { Description = "<b id=feature>" })],
                    }
                    : v),
            ],
        };

        var html = CatalogHtml.Render(evil, Catalog.Views(evil), Now, "\"><img src=x>");

        Assert.DoesNotContain("<b id=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert(1)", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Sample_SelfContainedWithoutExternalResources()
    {
        var html = CatalogHtml.Render(Definitions, Catalog.Views(Definitions), Now);

        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.Equal(1, Regex.Count(html, "<script>"));
    }

    [Fact]
    public void Render_CountWhoseMaximumHoldsABin_BarsInProportion()
    {
        // 80 rows at 1 and 20 at 2: bins "[1, 2)" and "≥ 2", whose width (max − 2) is 0. Before, that width was floored
        // at a thousandth of the range, so the 20 rows at 2 drew as a spike 1,000 times denser and the 80 at 1 as a sliver.
        var builder = new FeatureStatisticsBuilder("country_distinct_1h", FeatureKind.Numeric);
        foreach (var value in Enumerable.Repeat(1.0, 80).Concat(Enumerable.Repeat(2.0, 20)))
        {
            builder.AddNumber(value);
        }

        var statistics = CatalogTests.Statistics("customer_1h", Now.AddHours(-1));
        statistics = statistics with { Features = [.. statistics.Features.Select(f => f.Name == "country_distinct_1h" ? builder.Build() : f)] };
        var views = Catalog.Views(Definitions, new Dictionary<string, ViewStatistics> { ["customer_1h"] = statistics }, Now);

        var html = CatalogHtml.Render(Definitions, views, Now);

        var row = html[html.IndexOf("data-feature=\"customer_1h:country_distinct_1h\"", StringComparison.Ordinal)..];
        var svg = row[row.IndexOf("<svg class=\"hist\"", StringComparison.Ordinal)..row.IndexOf("</svg>", StringComparison.Ordinal)];
        var heights = BarHeight().Matches(svg).Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([0, 28, 7], heights);
    }

    [GeneratedRegex("<rect [^>]*height=\"([0-9.]+)\"")]
    private static partial Regex BarHeight();

    [GeneratedRegex("<tr class=\"feature\" data-feature=\"([^\"]+)\"")]
    private static partial Regex FeatureRow();
}
