using Brisa.Azure.Offline;
using Brisa.Azure.Registry;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Core.Serving;
using Brisa.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Catalog;

/// <summary>
/// <c>GET /api/catalog[?q=text]</c> (JSON, or the HTML page when the client prefers <c>text/html</c>),
/// <c>GET /api/catalog/ui[?q=text]</c> (always the page) and <c>GET /api/catalog/{view}</c>: every feature, its owner,
/// tags, users, freshness and latest materialization statistics.
/// </summary>
public sealed class CatalogFunctions(IDefinitionsSource definitions, FeatureStatisticsStore statistics, TimeProvider time, ILogger<CatalogFunctions> logger)
{
    /// <summary>Every view (JSON filtered by <c>q</c>), or the catalog page for a browser.</summary>
    [Function("Catalog")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "catalog")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await Problems.Guard(logger, async () =>
        {
            var search = request.Query["q"].FirstOrDefault();
            if (ContentNegotiation.PrefersHtml(request))
            {
                return await PageAsync(request, search, cancellationToken);
            }

            var (live, latest) = await LoadAsync(cancellationToken);
            return new JsonResult(Core.Serving.Catalog.Views(live, latest, time.GetUtcNow(), search), TrainingReport.JsonOptions);
        }, cancellationToken);
    }

    /// <summary>The catalog page, whatever the <c>Accept</c> header; <c>q</c> pre-fills its search box.</summary>
    [Function("CatalogPage")]
    public async Task<IActionResult> Page(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "catalog/ui")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await Problems.Guard(logger, () => PageAsync(request, request.Query["q"].FirstOrDefault(), cancellationToken), cancellationToken);
    }

    /// <summary>One view; 404 problem details when unknown.</summary>
    [Function("CatalogView")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "catalog/{view}")] HttpRequest request,
        string view,
        CancellationToken cancellationToken) =>
        await Problems.Guard(logger, async () =>
        {
            var live = await definitions.GetAsync(cancellationToken);
            var latest = live.FindView(view) is null ? null : await statistics.ReadLatestAsync(view, cancellationToken);
            return new JsonResult(Core.Serving.Catalog.View(live, view, latest, time.GetUtcNow()), TrainingReport.JsonOptions);
        }, cancellationToken);

    private async Task<IActionResult> PageAsync(HttpRequest request, string? search, CancellationToken cancellationToken)
    {
        var (live, latest) = await LoadAsync(cancellationToken);
        var now = time.GetUtcNow();
        return HtmlPage.Create(request, CatalogHtml.Render(live, Core.Serving.Catalog.Views(live, latest, now), now, search), CatalogHtml.ContentSecurityPolicy);
    }

    private async Task<(FeatureRepositoryDefinition Definitions, IReadOnlyDictionary<string, Core.Materialization.ViewStatistics> Latest)> LoadAsync(CancellationToken cancellationToken)
    {
        var live = await definitions.GetAsync(cancellationToken);
        return (live, await statistics.ReadLatestAsync(live.FeatureViews.Select(v => v.Name), cancellationToken));
    }
}
