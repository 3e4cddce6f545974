using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Core.Serving;

namespace Brisa.Azure.Serving;

/// <summary>What <c>GET /api/health</c> reports: storage reachable, definitions loaded, every champion loadable.</summary>
public sealed class ServiceHealth(BrisaStorage storage, IDefinitionsSource definitions, ModelCache models)
{
    /// <summary>Every check; a model without a champion yet is not a failure.</summary>
    public async Task<StorageHealth> CheckAsync(CancellationToken cancellationToken)
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

        return new StorageHealth(checks);
    }

    private async Task<HealthCheck> ChampionAsync(string model, CancellationToken cancellationToken)
    {
        try
        {
            var champion = await models.GetAsync(model, null, cancellationToken);
            return new HealthCheck($"model:{model}", true, $"champion {champion.Version}");
        }
        catch (ServingException ex) when (ex.Status == 404)
        {
            return new HealthCheck($"model:{model}", true, "no champion yet");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Any failure to load it (storage, a model file ML.NET cannot read: FormatException, ...) fails this check.
            return new HealthCheck($"model:{model}", false, ex.Message);
        }
    }
}
