using Brisa.Azure.Models;
using Brisa.Azure.Registry;
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
public sealed class ModelInfoFunction(ModelRegistry registry, IDefinitionsSource definitions, ILogger<ModelInfoFunction> logger)
{
    /// <summary>
    /// 200 with the model's registry state (also for a model since removed from the definitions, while it has versions);
    /// 404 <c>unknown-model</c> with the known names when the definitions name no such model, 404
    /// <c>no-trained-version</c> when they do but it was never trained; 503 when a name without versions cannot be
    /// checked because no definitions are deployed.
    /// </summary>
    [Function("ModelInfo")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "models/{model}")] HttpRequest request,
        string model,
        CancellationToken cancellationToken) =>
        await Problems.Guard(logger, async () =>
        {
            // Only a definition-shaped name reaches a blob prefix.
            if (!DefinitionNames.IsValidName(model))
            {
                var live = await definitions.GetAsync(cancellationToken);
                throw ServingException.NotFound("Unknown model", $"'{model}' is not a model name (lowercase snake_case). {live.ModelNameHint(model)}.");
            }

            var versions = await registry.ListVersionsAsync(model, cancellationToken);
            if (versions.Count == 0)
            {
                var live = await definitions.GetAsync(cancellationToken);
                throw live.FindModel(model) is null
                    ? ServingException.NotFound("Unknown model", $"No model named '{model}'. {live.ModelNameHint(model)}.")
                    : ServingException.NotFound("No trained version", $"Model '{model}' has no trained version yet: 'brisa train {model}' trains one (RetrainModels does on the model's schedule).");
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
