using System.Text.Json;
using Brisa.Azure.Offline;
using Brisa.Azure.Registry;
using Brisa.Core.Definitions;
using Brisa.Core.Materialization;
using Brisa.Core.Modeling;
using Brisa.Functions.Catalog;
using Brisa.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brisa.Functions.Tests.Catalog;

[Collection(AzuriteCollection.Name)]
public sealed class CatalogFunctionsTests(AzuriteFixture azurite)
{
    private static readonly FeatureRepositoryDefinition Sample = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;

    // The sample with its views renamed, so the statistics this test stores are its own in the shared account.
    private readonly FeatureRepositoryDefinition definitions = Sample with
    {
        FeatureViews = [.. Sample.FeatureViews.Select(v => v with { Name = $"{v.Name}_{Guid.NewGuid():N}"[..(v.Name.Length + 9)] })],
    };

    private static HttpRequest Request(string? accept, string? query = null)
    {
        var context = new DefaultHttpContext();
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        context.Request.QueryString = new QueryString(query);
        return context.Request;
    }

    private CatalogFunctions Function() =>
        new(new FixedDefinitionsSource(definitions), FeatureStatisticsStore.For(azurite.Storage), TimeProvider.System, NullLogger<CatalogFunctions>.Instance);

    private async Task<ViewStatistics> StoreStatisticsAsync(string view)
    {
        var definition = definitions.FindView(view)!;
        var builders = definition.Features.Select(f => new FeatureStatisticsBuilder(f.Name, f.Name.StartsWith("last_", StringComparison.Ordinal) ? FeatureKind.Categorical : FeatureKind.Numeric)).ToArray();
        for (var i = 0; i < 40; i++)
        {
            foreach (var b in builders)
            {
                if (b.Kind == FeatureKind.Numeric)
                {
                    b.AddNumber(i == 0 ? null : i * 2.5);
                }
                else
                {
                    b.AddCategory(i % 4 == 0 ? "PT" : "ES");
                }
            }
        }

        var newest = DateTimeOffset.UtcNow.AddHours(-1);
        var statistics = new ViewStatistics(view, ViewStatistics.RunIdOf(newest, newest.AddDays(-1), newest), newest.AddDays(-1), newest, newest, 40, newest, [.. builders.Select(b => b.Build())]);
        Assert.True(await FeatureStatisticsStore.For(azurite.Storage).WriteAsync(statistics));
        return statistics;
    }

    [Fact]
    public async Task List_AcceptJson_ViewsWithLatestStatisticsAndFreshness()
    {
        var week = definitions.FeatureViews[1].Name;
        var stored = await StoreStatisticsAsync(week);

        var result = Assert.IsType<JsonResult>(await Function().List(Request("application/json"), CancellationToken.None));

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(result.Value, (JsonSerializerOptions)result.SerializerSettings!));
        var view = json.RootElement.EnumerateArray().Single(v => v.GetProperty("name").GetString() == week);
        Assert.Equal("fresh", view.GetProperty("freshness").GetProperty("status").GetString());
        Assert.Equal(stored.RunId, view.GetProperty("freshness").GetProperty("run_id").GetString());
        var mean = view.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("name").GetString() == $"{week}:amount_mean_7d").GetProperty("statistics");
        Assert.Equal(40, mean.GetProperty("count").GetInt64());
        Assert.Equal(0.025, mean.GetProperty("missing_fraction").GetDouble());
        Assert.Equal(stored.Features[1].Mean, mean.GetProperty("mean").GetDouble());
        Assert.Equal(9, mean.GetProperty("quantiles").GetArrayLength());
        var other = json.RootElement.EnumerateArray().Single(v => v.GetProperty("name").GetString() == definitions.FeatureViews[0].Name);
        Assert.Equal("not_materialized", other.GetProperty("freshness").GetProperty("status").GetString());
    }

    [Fact]
    public async Task List_AcceptHtml_ReturnsCatalogPageWithStatistics()
    {
        var week = definitions.FeatureViews[1].Name;
        await StoreStatisticsAsync(week);

        var result = Assert.IsType<ContentResult>(await Function().List(Request("text/html,application/xhtml+xml,*/*;q=0.8", "?q=pii"), CancellationToken.None));

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("text/html; charset=utf-8", result.ContentType);
        Assert.Contains("<title>Brisa feature catalog</title>", result.Content, StringComparison.Ordinal);
        Assert.Contains($"data-feature=\"{week}:amount_mean_7d\"", result.Content, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge fresh\">fresh</span>", result.Content, StringComparison.Ordinal);
        Assert.Contains("PT 25%", result.Content, StringComparison.Ordinal);
        Assert.Contains("value=\"pii\"", result.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_NoAcceptHeader_ReturnsCatalogPage()
    {
        var result = Assert.IsType<ContentResult>(await Function().Page(Request(accept: null), CancellationToken.None));

        Assert.StartsWith("text/html", result.ContentType, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge not_materialized\">", result.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnknownView_NotFoundProblem()
    {
        var result = Assert.IsType<ObjectResult>(await Function().Get(Request("application/json"), "nope", CancellationToken.None));

        Assert.Equal(404, result.StatusCode);
    }
}
