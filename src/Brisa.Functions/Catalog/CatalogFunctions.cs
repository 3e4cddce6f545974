using Brisa.Azure.Registry;
using Brisa.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Brisa.Functions.Catalog;

/// <summary><c>GET /api/catalog[?q=text]</c> and <c>GET /api/catalog/{view}</c>: every feature, its owner, tags and users.</summary>
public sealed class CatalogFunctions(IDefinitionsSource definitions)
{
    /// <summary>Every view (filtered by <c>q</c>).</summary>
    [Function("Catalog")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "catalog")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var live = await definitions.GetAsync(cancellationToken);
        return new OkObjectResult(Core.Serving.Catalog.Views(live, request.Query["q"].FirstOrDefault()));
    }

    /// <summary>One view; 404 problem details when unknown.</summary>
    [Function("CatalogView")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "catalog/{view}")] HttpRequest request,
        string view,
        CancellationToken cancellationToken) =>
        await Problems.Guard(async () => new OkObjectResult(Core.Serving.Catalog.View(await definitions.GetAsync(cancellationToken), view)));
}
