using Brisa.Azure.Models;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Core.Serving;
using Brisa.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Models;

/// <summary><c>GET /api/models/{model}</c>: versions, aliases and the champion's metrics.</summary>
public sealed class ModelInfoFunction(ModelRegistry registry, ILogger<ModelInfoFunction> logger)
{
    /// <summary>200 with the model's registry state; 404 when it has no version.</summary>
    [Function("ModelInfo")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "models/{model}")] HttpRequest request,
        string model,
        CancellationToken cancellationToken) =>
        await Problems.Guard(logger, async () =>
        {
            if (!DefinitionNames.IsValidName(model))
            {
                throw ServingException.NotFound("Unknown model", $"'{model}' is not a model name (lowercase snake_case).");
            }

            var versions = await registry.ListVersionsAsync(model, cancellationToken);
            if (versions.Count == 0)
            {
                throw ServingException.NotFound("Unknown model", $"Model '{model}' has no trained version.");
            }

            var aliases = (await registry.GetAliasesAsync(model, cancellationToken)).Aliases;
            var champion = aliases.Champion is { } version ? await registry.GetMetadataAsync(model, version, cancellationToken) : null;

            // The metrics as the version's metadata.json names them (snake_case), not MVC's camelCase default.
            return new JsonResult(
                new
                {
                    model,
                    versions,
                    aliases.Champion,
                    aliases.Challenger,
                    champion_metrics = champion?.Evaluation,
                    champion_threshold = champion?.Threshold,
                    champion_trained_at = champion?.TrainedAt,
                },
                TrainingReport.JsonOptions);
        }, cancellationToken);
}
