using Brisa.Azure.Serving;
using Brisa.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Health;

/// <summary><c>GET /api/health</c>: storage reachable, definitions loaded, every champion loadable.</summary>
public sealed class HealthFunction(ServiceHealth health, ILogger<HealthFunction> logger)
{
    /// <summary>200 with every check when all pass, 503 otherwise (the report, also before any apply); 500 problem details if a check fails unexpectedly.</summary>
    [Function("Health")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken) =>
        await Problems.Guard(logger, async () =>
        {
            var report = await health.CheckAsync(cancellationToken);
            return new ObjectResult(report) { StatusCode = report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable };
        }, cancellationToken);
}
