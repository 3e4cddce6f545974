using Brisa.Core.Definitions;
using Brisa.Core.Materialization;
using Brisa.Core.Modeling;
using Brisa.Core.Serving;
using Brisa.Core.Tests.Definitions;

namespace Brisa.Core.Tests.Serving;

public sealed class CatalogTests
{
    private static readonly FeatureRepositoryDefinition Definitions = SampleDefinitionsTests.LoadSample();
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Views_NoSearch_EveryViewWithFeaturesAndUsers()
    {
        var views = Catalog.Views(Definitions);

        Assert.Equal(Definitions.FeatureViews.Select(v => v.Name), views.Select(v => v.Name));
        var week = views.Single(v => v.Name == "customer_7d");
        Assert.Equal("customer_id", week.JoinKey);
        Assert.Equal("2d", week.Ttl);
        Assert.Contains(week.Features, f => f is { Name: "customer_7d:amount_std_7d", Aggregation: "stddev", Window: "7d", Type: "double" });
        Assert.Equal(["fraud"], week.UsedBy);
    }

    [Fact]
    public void Views_SearchByFeatureText_OnlyMatchingViews()
    {
        var views = Catalog.Views(Definitions, "MERCHANT_AMOUNT");

        Assert.Equal(["merchant_1h", "merchant_7d"], views.Select(v => v.Name));
    }

    [Fact]
    public void Views_SearchOfSeveralWords_ViewsMatchingEveryWordAnywhere()
    {
        // Only the customer views have a "pii" tag; "weekly" is in customer_7d's description; no customer view has a
        // feature named merchant_amount...
        Assert.Equal(["customer_1h", "customer_7d"], Catalog.Views(Definitions, "pii  fraud").Select(v => v.Name));
        Assert.Equal(["customer_7d"], Catalog.Views(Definitions, "PII weekly").Select(v => v.Name));
        Assert.Empty(Catalog.Views(Definitions, "pii merchant_amount"));
    }

    [Fact]
    public void View_Unknown_NotFoundListsKnown()
    {
        var error = Assert.Throws<ServingException>(() => Catalog.View(Definitions, "nope"));

        Assert.Equal(404, error.Status);
        Assert.Contains("customer_1h", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Views_SearchByTagKeyValue_OnlyViewsWithThatTag()
    {
        var views = Catalog.Views(Definitions, "pii:false");

        Assert.Equal(["customer_1h", "customer_7d"], views.Select(v => v.Name));
    }

    [Fact]
    public void Views_WithStatistics_FeaturesCarryThemAndFreshnessFollowsTtl()
    {
        // customer_7d has a 2-day TTL: a newest event 1 day old is fresh, 3 days old is stale.
        var fresh = Statistics("customer_7d", Now.AddDays(-1));
        var stale = Statistics("merchant_7d", Now.AddDays(-30));
        var views = Catalog.Views(Definitions, new Dictionary<string, ViewStatistics> { ["customer_7d"] = fresh, ["merchant_7d"] = stale }, Now);

        var week = views.Single(v => v.Name == "customer_7d");
        Assert.Equal("fresh", week.Freshness.Status);
        Assert.Equal(fresh.RunId, week.Freshness.RunId);
        Assert.Equal(TimeSpan.FromDays(1).TotalSeconds, week.Freshness.AgeSeconds);
        Assert.Same(fresh.Features[0], week.Features[0].Statistics);
        Assert.Equal("stale", views.Single(v => v.Name == "merchant_7d").Freshness.Status);
        var hour = views.Single(v => v.Name == "customer_1h");
        Assert.Equal("not_materialized", hour.Freshness.Status);
        Assert.All(hour.Features, f => Assert.Null(f.Statistics));
    }

    [Fact]
    public void Views_ViewReadOnlyThroughAnOnDemandFeature_ListsTheModelInUsedBy()
    {
        // fraud keeps amount_to_merchant_mean, whose expression reads merchant_7d.merchant_amount_mean_7d: predict
        // still reads merchant_7d for it.
        var fraud = Definitions.Models.Single();
        var definitions = Definitions with
        {
            Models = [fraud with { Features = fraud.Features.Where(f => f.View != "merchant_7d").ToArray() }],
        };

        var view = Catalog.Views(definitions).Single(v => v.Name == "merchant_7d");

        Assert.Equal(["fraud"], view.UsedBy);
    }

    internal static ViewStatistics Statistics(string view, DateTimeOffset newest)
    {
        var definition = Definitions.FindView(view)!;
        var features = definition.Features.Select((f, i) =>
        {
            var builder = new FeatureStatisticsBuilder(f.Name, f.Name.StartsWith("last_", StringComparison.Ordinal) ? FeatureKind.Categorical : FeatureKind.Numeric);
            for (var k = 0; k < 50; k++)
            {
                if (builder.Kind == FeatureKind.Numeric)
                {
                    builder.AddNumber(k % 10 == 0 ? null : (k * (i + 1)) + 0.5);
                }
                else
                {
                    builder.AddCategory(k % 3 == 0 ? "ES" : "FR");
                }
            }

            return builder.Build();
        }).ToArray();
        return new ViewStatistics(view, ViewStatistics.RunIdOf(newest, newest.AddDays(-2), newest), newest.AddDays(-2), newest, newest, 50, newest, features);
    }
}
