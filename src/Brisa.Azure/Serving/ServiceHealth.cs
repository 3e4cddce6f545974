using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Serving;

namespace Brisa.Azure.Serving;

/// <summary>
/// What <c>GET /api/health</c> reports: storage reachable, definitions loaded, every champion loadable; for a model
/// with <see cref="ServingPolicy.ShadowChallenger"/>, its check's detail also says how shadow
/// scoring fares on this instance (report only: it never fails the check, as it never changes an answer).
/// </summary>
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

                // Policy rules added since the definitions were applied stop nothing: healthy, naming the rules only (the
                // report is anonymous); plan and the logs say what breaks them.
                var rules = live.StoredWarnings.Select(w => w.Code).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                checks.Add(new HealthCheck("definitions", true, rules.Count == 0 ? null
                    : $"the applied definitions break rule(s) {string.Join(", ", rules)}, added or tightened since they were applied; 'brisa plan' and the logs say what to fix before the next apply, which refuses them."));
                foreach (var model in live.Models)
                {
                    checks.Add(await ChampionAsync(model, cancellationToken));
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException)
            {
                // Nothing applied yet, or a version this release cannot run (the message names it and the rule).
                checks.Add(new HealthCheck("definitions", false, ex.Message));
            }
        }

        return new StorageHealth(checks);
    }

    private async Task<HealthCheck> ChampionAsync(ModelDefinition definition, CancellationToken cancellationToken)
    {
        var model = definition.Name;
        try
        {
            var champion = await models.GetAsync(model, null, cancellationToken);
            var shadow = definition.Serving?.ShadowChallenger == true ? "; " + Shadow(model) : "";

            // The registry moved to a version this instance cannot load: it serves the previous one, which is not green.
            return models.GetChampionLoadFailure(model) is { } failure
                ? new HealthCheck($"model:{model}", false, $"champion {failure.Version} could not be loaded ({FirstLine(failure.Reason)}); still serving {champion.Version}{shadow}")
                : new HealthCheck($"model:{model}", true, $"champion {champion.Version}{shadow}");
        }
        catch (ServingException ex) when (ex.Status == 404)
        {
            return new HealthCheck($"model:{model}", true, "no champion yet");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Any failure to load it (storage, a model file ML.NET cannot read: FormatException, ...) fails this check.
            return new HealthCheck($"model:{model}", false, FirstLine(ex.Message));
        }
    }

    // Behind a champion only (shadow scoring runs behind its answers). Starts the challenger's load or re-check as a
    // prediction would, so the report follows the registry, not only the last prediction.
    private string Shadow(string model)
    {
        _ = models.GetShadowChallenger(model);
        var status = models.GetShadowStatus(model);
        var challenger = status.LastLoadFailure is { } failure
            ? $"challenger {failure.Version} could not be loaded ({FirstLine(failure.Reason)})"
            : status.Challenger is { } loaded ? $"challenger {loaded}" : "no challenger loaded";
        return $"shadow {challenger}; failed on this instance since it started: {status.LoadFailures} challenger load(s), {status.ScoringFailures} shadow scoring(s)";
    }

    // The report is anonymous: a storage error's later lines (the response's headers and content) stay in the logs.
    private static string FirstLine(string message) => message.Split('\n')[0].TrimEnd('\r');
}
