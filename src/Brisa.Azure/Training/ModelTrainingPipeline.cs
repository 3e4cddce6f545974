using Brisa.Azure.Models;
using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Materialization;
using Brisa.Core.Modeling;
using Brisa.Core.Training;

namespace Brisa.Azure.Training;

/// <summary>Options of one retraining run.</summary>
public sealed record TrainingPipelineOptions
{
    /// <summary>
    /// How far back observations go. Default 90 days. Feature sources are read further back, by the longest window or
    /// TTL of the model's views, so the first observations' features are complete.
    /// </summary>
    public TimeSpan History { get; init; } = TimeSpan.FromDays(90);

    /// <summary>Who asked (recorded in the model history).</summary>
    public string Actor { get; init; } = "retrain";

    /// <summary>
    /// The git commit of the definitions, recorded with the version. Default: the commit the registry recorded when
    /// these definitions were applied, if they are its live version (a file that was not applied has none).
    /// </summary>
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
/// <param name="storage">The storage.</param>
/// <param name="time">The clock (now, version ids, history).</param>
/// <param name="maxModelZipBytes">The largest champion model.zip read for the comparison (<see cref="ModelRegistry.MaxModelZipBytes"/>).</param>
public sealed class ModelTrainingPipeline(BrisaStorage storage, TimeProvider? time = null, long maxModelZipBytes = ModelRegistry.DefaultMaxModelZipBytes)
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    /// <summary>Runs one model; <paramref name="progress"/> hears each stage.</summary>
    public async Task<TrainingPipelineResult> RunAsync(FeatureRepositoryDefinition definitions, string modelName, TrainingPipelineOptions? options = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        options ??= new TrainingPipelineOptions();
        var model = definitions.FindModel(modelName)
            ?? throw new ArgumentException($"Unknown model '{modelName}'. {definitions.ModelNameHint(modelName)}.", nameof(modelName));
        var plan = FeaturePlan.Compile(definitions, trackEventIds: false);
        var now = clock.GetUtcNow();
        var (observations, set) = await BuildSetAsync(plan, model, now, options.History, progress, cancellationToken);
        var table = TrainingTables.FromSet(set, model);
        if (table.RowCount == 0)
        {
            throw new InvalidOperationException(NoLabelledRows(model, observations, now, options.History));
        }

        progress?.Report($"training on {table.RowCount} rows");
        var version = definitions.ComputeVersion();
        var commit = options.GitCommit ?? await LiveCommitAsync(version, cancellationToken);
        var service = new ModelTrainingService(new ModelRegistry(storage, clock, maxModelZipBytes));
        var run = await service.RunAsync(
            model,
            table,
            new TrainingRunOptions
            {
                Training = new TrainingOptions { DefinitionsVersion = version, GitCommit = commit, TimeProvider = clock },
                Actor = options.Actor,
                LockWait = options.LockWait,
            },
            cancellationToken);
        return new TrainingPipelineResult(run, observations.Count, observations.ImmatureDropped, table.RowCount);
    }

    /// <summary>
    /// The labelled point-in-time set <see cref="RunAsync"/> would train <paramref name="modelName"/> on now, without
    /// training: observations of the last <paramref name="history"/> whose label is final, with their features and label.
    /// </summary>
    /// <param name="definitions">The definitions.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="history">How far back observations go.</param>
    /// <param name="progress">Hears each stage.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The observations read and the set.</returns>
    public async Task<(ObservationSet Observations, TrainingSet Set)> BuildDatasetAsync(FeatureRepositoryDefinition definitions, string modelName, TimeSpan history, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var model = definitions.FindModel(modelName)
            ?? throw new ArgumentException($"Unknown model '{modelName}'. {definitions.ModelNameHint(modelName)}.", nameof(modelName));
        return await BuildSetAsync(FeaturePlan.Compile(definitions, trackEventIds: false), model, clock.GetUtcNow(), history, progress, cancellationToken);
    }

    // The commit `apply` recorded for the live definitions, when they are the ones trained on: every version then says
    // which commit of the definitions it came from, whoever trained it (the timer, a queue message, the CLI).
    private async Task<string?> LiveCommitAsync(string definitionsVersion, CancellationToken cancellationToken) =>
        await DefinitionRegistry.For(storage).GetPointerAsync(cancellationToken) is { } live && live.Version == definitionsVersion ? live.GitCommit : null;

    // Why there is nothing to train on, and what to do: an empty history, or labels that are not final yet (the usual
    // case on a young stream, which "the training table is empty" did not explain).
    private static string NoLabelledRows(ModelDefinition model, ObservationSet observations, DateTimeOffset now, TimeSpan history)
    {
        var read = observations.Count + observations.ImmatureDropped;
        var within = Durations.Format(model.Label.Within);
        var range = $"from {now - history:u} to {now:u}";
        if (read == 0)
        {
            return $"No labelled observations to train '{model.Name}' on: the raw zone has no '{model.ObservationSource}' events {range}. Ingest events first.";
        }

        var young = observations.ImmatureDropped == read
            ? $"all {read} are younger than the label window (label.within {within}), so their labels are not final yet"
            : $"{observations.ImmatureDropped} are younger than the label window (label.within {within}) and the other {observations.Count} have no label event within it";
        return $"No labelled observations to train '{model.Name}' on: of the {read} '{model.ObservationSource}' observations {range}, {young}. " +
            $"Train once the raw zone holds observations older than {within} (ingest older history, or wait).";
    }

    /// <summary>The point-in-time training set of a model as of <paramref name="now"/>, over the raw zone's last <paramref name="history"/>.</summary>
    internal async Task<(ObservationSet Observations, TrainingSet Set)> BuildSetAsync(FeaturePlan plan, ModelDefinition model, DateTimeOffset now, TimeSpan history, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var from = SourceMaterializer.FloorHour(TiledView.ToUnixTicks(now - history));
        var to = TiledView.ToUnixTicks(now) + 1;

        // The first observations' windows and TTLs reach back before the history: their events are read too (for
        // features only), so those rows see what serving saw at their time, not windows cut at the history start.
        var builder = TrainingSetBuilder.ForModel(plan, model);
        var sources = builder.Requirements.Sources.Append(model.ObservationSource).Append(model.Label.Source).Distinct(StringComparer.Ordinal);
        var raw = new HistoricalFeatures(storage);
        var events = new Dictionary<string, List<SourceEventBatch>>(StringComparer.Ordinal);
        progress?.Report("reading raw events for the first rows' windows");
        var lookback = await raw.ReadAsync(plan, builder.Requirements.Sources, HistoricalFeatures.LookbackStart(builder.Requirements, from), from, cancellationToken);
        foreach (var source in sources)
        {
            progress?.Report($"reading raw '{source}'");
            events[source] = await raw.ReadAsync(plan, [source], from, to, cancellationToken);
        }

        progress?.Report("building the point-in-time training set");
        var observations = ModelObservations.Build(plan, model, events[model.ObservationSource], events[model.Label.Source], labelsKnownAt: now);
        var set = builder.Build(observations, lookback.Concat(events.Values.SelectMany(b => b)));
        return (observations, set);
    }
}
