using System.Text.RegularExpressions;
using Brisa.Core.Definitions;
using Brisa.Core.Materialization;
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
    public void Render_MarkupInDefinitionsAndSearch_Escaped()
    {
        var evil = Definitions with
        {
            FeatureViews = [.. Definitions.FeatureViews.Select((v, i) => i == 0 ? v with { Description = "<script>alert(1)</script>" } : v)],
        };

        var html = CatalogHtml.Render(evil, Catalog.Views(evil), Now, "\"><img src=x>");

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

    [GeneratedRegex("<tr class=\"feature\" data-feature=\"([^\"]+)\"")]
    private static partial Regex FeatureRow();
}
