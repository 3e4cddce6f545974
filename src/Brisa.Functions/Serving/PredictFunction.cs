using Brisa.Azure.Registry;
using Brisa.Azure.Serving;
using Brisa.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Serving;

/// <summary><c>POST /api/models/{model}/predict[?version=champion|challenger|vXXXX]</c>: score instances from online features.</summary>
public sealed class PredictFunction(IDefinitionsSource definitions, ServingPlans plans, Predictor predictor, ILogger<PredictFunction> logger)
{
    private const int MaxBodyBytes = 1024 * 1024;

    /// <summary>200 with one prediction per instance; problem details (400, 404, 413, 415; 409 when the version's inputs are no longer in the definitions; 503 before any apply; 500 on an unexpected failure) otherwise.</summary>
    [Function("Predict")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "models/{model}/predict")] HttpRequest request,
        string model,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await Problems.Guard(logger, async () =>
        {
            var body = await JsonBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
            var plan = plans.For(await definitions.GetAsync(cancellationToken));
            var requestId = request.Headers["x-request-id"].FirstOrDefault() ?? Guid.NewGuid().ToString("N");
            return new OkObjectResult(await predictor.PredictAsync(plan, model, request.Query["version"].FirstOrDefault(), body, requestId, cancellationToken));
        }, cancellationToken);
    }
}
