using Brisa.Azure.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Brisa.Functions.Health;

/// <summary><c>GET /api/health</c>: is storage reachable.</summary>
public sealed class HealthFunction(BrisaStorage storage)
{
    /// <summary>Answers 200 with the check results when healthy, 503 otherwise.</summary>
    [Function("Health")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var report = await storage.CheckHealthAsync(cancellationToken);
        return new ObjectResult(report) { StatusCode = report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable };
    }
}
