using Brisa.Core.Definitions;
using Brisa.Core.Serving;
using Brisa.Core.Tests.Definitions;

namespace Brisa.Core.Tests.Serving;

public sealed class CatalogTests
{
    private static readonly FeatureRepositoryDefinition Definitions = SampleDefinitionsTests.LoadSample();


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
    public void View_Unknown_NotFoundListsKnown()
    {
        var error = Assert.Throws<ServingException>(() => Catalog.View(Definitions, "nope"));

        Assert.Equal(404, error.Status);
        Assert.Contains("customer_1h", error.Message, StringComparison.Ordinal);
    }
}
