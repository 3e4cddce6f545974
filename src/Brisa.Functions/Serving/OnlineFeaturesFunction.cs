using Brisa.Azure.Online;
using Brisa.Azure.Registry;
using Brisa.Core.Serving;
using Brisa.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Serving;

/// <summary><c>POST /api/features/online</c>: Feast-style online features with per-value statuses and event times.</summary>
public sealed class OnlineFeaturesFunction(IDefinitionsSource definitions, ServingPlans plans, OnlineFeatureReader reader, TimeProvider time, ILogger<OnlineFeaturesFunction> logger)
{
    private const int MaxBodyBytes = 1024 * 1024;

    /// <summary>200 with the values; problem details (400, 404, 413, 415; 503 before any apply; 500 on an unexpected failure) otherwise.</summary>
    [Function("OnlineFeatures")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "features/online")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await Problems.Guard(logger, async () =>
        {
            var body = await JsonBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
            var plan = plans.For(await definitions.GetAsync(cancellationToken));
            var query = OnlineFeatureRequest.Parse(body, plan);
            return new OkObjectResult(await reader.GetAsync(query, time.GetUtcNow(), cancellationToken));
        }, cancellationToken);
    }
}
