using Brisa.Azure.Registry;
using Brisa.Azure.Serving;
using Brisa.Core.Serving;
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

    /// <summary>200 with one prediction per instance (its <c>x-request-id</c>, given or made, echoed as a header and as <c>request_id</c>); problem details (400, a bad x-request-id included; 404, 413, 415; 409 when the version's inputs are no longer in the definitions; 503 before any apply; 500 on an unexpected failure) otherwise.</summary>
    [Function("Predict")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "models/{model}/predict")] HttpRequest request,
        string model,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Echoed on every answer, problems included, so a caller can quote it when a log or the prediction log is searched;
        // one that cannot be a header (or is too long to log) is answered 400 under a new id.
        var given = request.Headers[RequestId.Header].FirstOrDefault();
        var valid = string.IsNullOrEmpty(given) || RequestId.IsValid(given);
        var requestId = valid && !string.IsNullOrEmpty(given) ? given : Guid.NewGuid().ToString("N");
        request.HttpContext.Response.Headers[RequestId.Header] = requestId;
        return await Problems.Guard(logger, async () =>
        {
            if (!valid)
            {
                throw ServingException.BadRequest(
                    "Bad request id",
                    $"The {RequestId.Header} header must be 1 to {RequestId.MaxLength} printable ASCII characters; the one given has {given!.Length} character(s). This answer's id is {requestId}.");
            }

            var body = await JsonBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
            var plan = plans.For(await definitions.GetAsync(cancellationToken));
            return new OkObjectResult(await predictor.PredictAsync(plan, model, request.Query["version"].FirstOrDefault(), body, requestId, cancellationToken));
        }, cancellationToken);
    }
}
