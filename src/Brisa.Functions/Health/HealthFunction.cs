using Brisa.Azure.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Brisa.Functions.Health;

/// <summary><c>GET /api/health</c>: storage reachable, definitions loaded, every champion loadable.</summary>
public sealed class HealthFunction(ServiceHealth health)
{
    /// <summary>200 with every check when all pass, 503 otherwise.</summary>
    [Function("Health")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var report = await health.CheckAsync(cancellationToken);
        return new ObjectResult(report) { StatusCode = report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable };
    }
}
