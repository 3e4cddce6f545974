using Brisa.Azure.Registry;
using Brisa.Azure.Serving;
using Brisa.Azure.Storage;
using Brisa.Core.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Brisa.Functions.Health;

/// <summary><c>GET /api/health</c>: storage reachable, definitions loaded, every champion loadable.</summary>
public sealed class HealthFunction(BrisaStorage storage, IDefinitionsSource definitions, ModelCache models)
{
    /// <summary>200 with every check when all pass, 503 otherwise. A model without a champion yet is not a failure.</summary>
    [Function("Health")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var storageHealth = await storage.CheckHealthAsync(cancellationToken);
        var checks = storageHealth.Checks.ToList();
        if (storageHealth.Healthy)
        {
            try
            {
                var live = await definitions.GetAsync(cancellationToken);
                checks.Add(new HealthCheck("definitions", true, null));
                foreach (var model in live.Models)
                {
                    checks.Add(await ChampionAsync(model.Name, cancellationToken));
                }
            }
            catch (InvalidOperationException ex)
            {
                checks.Add(new HealthCheck("definitions", false, ex.Message));
            }
        }

        var report = new StorageHealth(checks);
        return new ObjectResult(report) { StatusCode = report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable };
    }

    private async Task<HealthCheck> ChampionAsync(string model, CancellationToken cancellationToken)
    {
        try
        {
            var champion = await models.GetAsync(model, null, cancellationToken);
            return new HealthCheck($"model:{model}", true, $"champion {champion.Version}");
        }
        catch (ServingException ex) when (ex.Status == StatusCodes.Status404NotFound)
        {
            return new HealthCheck($"model:{model}", true, "no champion yet");
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or global::Azure.RequestFailedException)
        {
            return new HealthCheck($"model:{model}", false, ex.Message);
        }
    }
}
