using Brisa.Azure.Models;
using Brisa.Azure.RawZone;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Modeling;
using Brisa.Core.Training;

namespace Brisa.Azure.Training;

/// <summary>Options of one retraining run.</summary>
public sealed record TrainingPipelineOptions
{
    /// <summary>How much history to read from the raw zone. Default 90 days.</summary>
    public TimeSpan History { get; init; } = TimeSpan.FromDays(90);

    /// <summary>Who asked (recorded in the model history).</summary>
    public string Actor { get; init; } = "retrain";

    /// <summary>The git commit of the definitions, when known.</summary>
    public string? GitCommit { get; init; }

    /// <summary>How long to wait for another run of the same model to finish.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.Zero;
}

/// <summary>What a run did, with the training set's shape.</summary>
/// <param name="Run">The registry outcome (promoted, challenger or busy) and the report.</param>
/// <param name="Observations">Observations read.</param>
/// <param name="ImmatureDropped">Observations left out because their label window had not closed.</param>
/// <param name="Rows">Rows trained and validated on.</param>
public sealed record TrainingPipelineResult(TrainingRunResult Run, int Observations, long ImmatureDropped, int Rows);

/// <summary>
/// Retrains a model end to end from the raw zone: observations and labels (labels known now; observations whose
/// label window is still open are left out), the point-in-time training set from the one engine, the model table,
/// then training, evaluation against the champion and promotion through <see cref="ModelTrainingService"/>.
/// The raw events of the range are held in memory (fine for the sample sizes; a larger history belongs in a batch
/// engine reading the offline store).
/// </summary>
public sealed class ModelTrainingPipeline(BrisaStorage storage, TimeProvider? time = null)
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    /// <summary>Runs one model; <paramref name="progress"/> hears each stage.</summary>
    public async Task<TrainingPipelineResult> RunAsync(FeatureRepositoryDefinition definitions, string modelName, TrainingPipelineOptions? options = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        options ??= new TrainingPipelineOptions();
        var model = definitions.FindModel(modelName)
            ?? throw new ArgumentException($"Unknown model '{modelName}'. Known: {string.Join(", ", definitions.Models.Select(m => m.Name))}.", nameof(modelName));
        var plan = FeaturePlan.Compile(definitions, trackEventIds: false);
        var now = clock.GetUtcNow();
        var from = TiledView.ToUnixTicks(now - options.History);
        var to = TiledView.ToUnixTicks(now) + 1;

        var builder = TrainingSetBuilder.ForModel(plan, model);
        var sources = builder.Requirements.Sources.Append(model.ObservationSource).Append(model.Label.Source).Distinct(StringComparer.Ordinal);
        var reader = RawZoneReader.For(storage);
        var events = new Dictionary<string, List<SourceEventBatch>>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            progress?.Report($"reading raw '{source}'");
            var schema = plan.Schemas.Single(s => s.SourceName == source);
            var batches = new List<SourceEventBatch>();
            await foreach (var batch in reader.ReadRangeAsync(schema, from, to, cancellationToken))
            {
                batches.Add(batch);
            }

            events[source] = batches;
        }

        progress?.Report("building the point-in-time training set");
        var observations = ModelObservations.Build(plan, model, events[model.ObservationSource], events[model.Label.Source], labelsKnownAt: now);
        var set = builder.Build(observations, events.Values.SelectMany(b => b));
        var table = TrainingTables.FromSet(set, model);

        progress?.Report($"training on {table.RowCount} rows");
        var service = new ModelTrainingService(new ModelRegistry(storage, clock));
        var run = await service.RunAsync(
            model,
            table,
            new TrainingRunOptions
            {
                Training = new TrainingOptions { DefinitionsVersion = definitions.ComputeVersion(), GitCommit = options.GitCommit, TimeProvider = clock },
                Actor = options.Actor,
                LockWait = options.LockWait,
            },
            cancellationToken);
        return new TrainingPipelineResult(run, observations.Count, observations.ImmatureDropped, table.RowCount);
    }
}
