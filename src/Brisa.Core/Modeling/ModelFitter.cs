using System.Globalization;
using Brisa.Core.Definitions;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Microsoft.ML.Transforms;

namespace Brisa.Core.Modeling;

/// <summary>Fits an ML.NET pipeline for a <see cref="ModelDefinition"/> on a <see cref="TrainingTable"/>.</summary>
public static class ModelFitter
{
    /// <summary>The seed used when the trainer parameters have no <c>seed</c>.</summary>
    public const int DefaultSeed = 42;

    /// <summary>Categorical features with more distinct training values than this are hashed instead of one-hot encoded.</summary>
    public const int MaxOneHotCardinality = 100;

    /// <summary>Bits of the hashed encoding of high-cardinality categoricals (1024 slots).</summary>
    public const int HashBits = 10;

    private const string NumericColumn = "__numeric";
    private const string MissingColumn = "__missing";
    private const string FeaturesColumn = "__features";

    /// <summary>
    /// Fits the model's trainer on every row of <paramref name="training"/>, using every feature column of the
    /// table in table order. Same table and seed give the same model.
    /// </summary>
    /// <param name="model">The model definition (task, trainer and parameters).</param>
    /// <param name="training">The training rows.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="InvalidOperationException">The table has no feature column, or a binary label is not 0/1, or a class is absent.</exception>
    public static TrainedModel Fit(ModelDefinition model, TrainingTable training)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(training);
        if (training.Features.Count == 0)
        {
            throw new InvalidOperationException($"Model '{model.Name}': the training table has no feature column.");
        }

        var binary = model.Task == ModelTask.BinaryClassification;
        if (binary)
        {
            CheckBinaryLabels(model, training);
        }

        var seed = SeedOf(model.Trainer);
        var context = new MLContext(seed);
        var view = new TableDataView(training, [.. training.Features.Select(f => (f.Name, f.Kind))], binary);
        var trainer = model.Trainer;
        var nativeMissing = trainer.Name == TrainerKind.LightGbm;

        var inputs = new List<ModelInput>();
        var numeric = training.Features.Where(f => f.Kind == FeatureKind.Numeric).Select(f => f.Name).ToArray();
        var parts = new List<string>();
        IEstimator<ITransformer> pipeline = new EstimatorChain<ITransformer>();
        if (numeric.Length > 0)
        {
            pipeline = pipeline.Append(context.Transforms.Concatenate(NumericColumn, numeric));
            if (nativeMissing)
            {
                parts.Add(NumericColumn);
            }
            else
            {
                // FastTree and linear trainers get mean-imputed values plus a 0/1 "was missing" indicator per feature.
                pipeline = pipeline
                    .Append(context.Transforms.IndicateMissingValues(MissingColumn + "_b", NumericColumn))
                    .Append(context.Transforms.Conversion.ConvertType(MissingColumn, MissingColumn + "_b", DataKind.Single))
                    .Append(context.Transforms.ReplaceMissingValues(NumericColumn, replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean));
                parts.Add(NumericColumn);
                parts.Add(MissingColumn);
            }
        }

        var categoricalIndex = 0;
        foreach (var column in training.Features)
        {
            if (column is NumericColumn)
            {
                inputs.Add(new ModelInput(column.Name, FeatureKind.Numeric, nativeMissing ? "native_missing" : "mean_imputed+indicator"));
                continue;
            }

            var categorical = (CategoricalColumn)column;
            var encoded = "__cat" + categoricalIndex.ToString(CultureInfo.InvariantCulture);
            categoricalIndex++;
            var distinct = categorical.Data.Where(v => !string.IsNullOrEmpty(v)).Distinct(StringComparer.Ordinal).Count();
            if (distinct > MaxOneHotCardinality)
            {
                pipeline = pipeline.Append(context.Transforms.Categorical.OneHotHashEncoding(encoded, column.Name, numberOfBits: HashBits));
                inputs.Add(new ModelInput(column.Name, FeatureKind.Categorical, $"hashed_{HashBits}_bits"));
            }
            else
            {
                pipeline = pipeline.Append(context.Transforms.Categorical.OneHotEncoding(encoded, column.Name));
                inputs.Add(new ModelInput(column.Name, FeatureKind.Categorical, "one_hot"));
            }

            parts.Add(encoded);
        }

        pipeline = pipeline.Append(context.Transforms.Concatenate(FeaturesColumn, [.. parts]));
        if (trainer.Name == TrainerKind.Linear)
        {
            pipeline = pipeline.Append(context.Transforms.NormalizeMeanVariance(FeaturesColumn));
        }

        pipeline = pipeline.Append(binary ? BinaryTrainer(context, trainer, seed) : RegressionTrainer(context, trainer, seed));
        var transformer = pipeline.Fit(view);
        return new TrainedModel(context, transformer, view.Schema, model.Task, inputs);
    }

    /// <summary>The seed of a trainer: its <c>seed</c> parameter or <see cref="DefaultSeed"/>.</summary>
    /// <param name="trainer">The trainer definition.</param>
    /// <returns>The seed.</returns>
    public static int SeedOf(TrainerDefinition trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        return trainer.GetInt32("seed", DefaultSeed);
    }

    private static void CheckBinaryLabels(ModelDefinition model, TrainingTable training)
    {
        var positives = 0;
        foreach (var label in training.Labels)
        {
            if (label is not (0f or 1f))
            {
                throw new InvalidOperationException($"Model '{model.Name}' is a binary classifier but a label is {label.ToString(CultureInfo.InvariantCulture)} (expected 0 or 1).");
            }

            positives += label > 0.5f ? 1 : 0;
        }

        if (positives == 0 || positives == training.RowCount)
        {
            throw new InvalidOperationException($"Model '{model.Name}': the training rows have {positives} positives out of {training.RowCount}; both classes are needed.");
        }
    }

    private static IEstimator<ITransformer> BinaryTrainer(MLContext context, TrainerDefinition trainer, int seed) => trainer.Name switch
    {
        TrainerKind.FastTree => context.BinaryClassification.Trainers.FastTree(FastTreeOptions(new FastTreeBinaryTrainer.Options(), trainer, seed)),
        TrainerKind.Linear => context.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
        {
            LabelColumnName = TableDataView.LabelColumn,
            FeatureColumnName = FeaturesColumn,
            L1Regularization = NullableSingle(trainer, "l1_regularization"),
            L2Regularization = NullableSingle(trainer, "l2_regularization"),
            MaximumNumberOfIterations = trainer.Parameters.ContainsKey("maximum_number_of_iterations") ? trainer.GetInt32("maximum_number_of_iterations", 0) : null,
            ConvergenceTolerance = (float)trainer.GetDouble("convergence_tolerance", 0.1),
            NumberOfThreads = 1, // SDCA is only reproducible single-threaded.
        }),
        _ => context.BinaryClassification.Trainers.LightGbm(LightGbmOptions(new LightGbmBinaryTrainer.Options
        {
            UnbalancedSets = trainer.GetBoolean("unbalanced_sets", false),
        }, trainer, seed)),
    };

    // FastTree's options, shared by the binary and regression trainers.
    private static T FastTreeOptions<T>(T options, TrainerDefinition trainer, int seed)
        where T : BoostedTreeOptions
    {
        options.LabelColumnName = TableDataView.LabelColumn;
        options.FeatureColumnName = FeaturesColumn;
        options.NumberOfLeaves = trainer.GetInt32("number_of_leaves", 20);
        options.NumberOfTrees = trainer.GetInt32("number_of_trees", 100);
        options.LearningRate = trainer.GetDouble("learning_rate", 0.2);
        options.MinimumExampleCountPerLeaf = trainer.GetInt32("minimum_example_count_per_leaf", 10);
        options.MaximumBinCountPerFeature = trainer.GetInt32("maximum_bin_count_per_feature", 255);
        options.FeatureFraction = trainer.GetDouble("feature_fraction", 1.0);
        options.Seed = seed;
        options.FeatureSelectionSeed = seed;
        options.NumberOfThreads = Threads(trainer);
        return options;
    }

    private static IEstimator<ITransformer> RegressionTrainer(MLContext context, TrainerDefinition trainer, int seed) => trainer.Name switch
    {
        TrainerKind.FastTree => context.Regression.Trainers.FastTree(FastTreeOptions(new FastTreeRegressionTrainer.Options(), trainer, seed)),
        TrainerKind.Linear => context.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
        {
            LabelColumnName = TableDataView.LabelColumn,
            FeatureColumnName = FeaturesColumn,
            L1Regularization = NullableSingle(trainer, "l1_regularization"),
            L2Regularization = NullableSingle(trainer, "l2_regularization"),
            MaximumNumberOfIterations = trainer.Parameters.ContainsKey("maximum_number_of_iterations") ? trainer.GetInt32("maximum_number_of_iterations", 0) : null,
            ConvergenceTolerance = (float)trainer.GetDouble("convergence_tolerance", 0.01),
            NumberOfThreads = 1,
        }),
        _ => context.Regression.Trainers.LightGbm(LightGbmOptions(new LightGbmRegressionTrainer.Options(), trainer, seed)),
    };

    // LightGBM's options, shared by the binary and regression trainers (both derive from the trainer base's options).
    private static TOptions LightGbmOptions<TOptions, TOutput, TTransformer, TModel>(
        LightGbmTrainerBase<TOptions, TOutput, TTransformer, TModel>.OptionsBase options, TrainerDefinition trainer, int seed)
        where TOptions : LightGbmTrainerBase<TOptions, TOutput, TTransformer, TModel>.OptionsBase, new()
        where TTransformer : ISingleFeaturePredictionTransformer<TModel>
        where TModel : class
    {
        options.LabelColumnName = TableDataView.LabelColumn;
        options.FeatureColumnName = FeaturesColumn;
        options.NumberOfLeaves = trainer.GetInt32("number_of_leaves", 31);
        options.NumberOfIterations = trainer.GetInt32("number_of_iterations", 100);
        options.LearningRate = trainer.GetDouble("learning_rate", 0.1);
        options.MinimumExampleCountPerLeaf = trainer.GetInt32("minimum_example_count_per_leaf", 20);
        options.MaximumBinCountPerFeature = trainer.GetInt32("maximum_bin_count_per_feature", 255);
        options.UseCategoricalSplit = trainer.GetBoolean("use_categorical_split", false);
        options.HandleMissingValue = true;
        options.Seed = seed;
        options.Deterministic = true;
        options.NumberOfThreads = Threads(trainer);
        options.Silent = true;
        options.Verbose = false;
        options.Booster = Booster(trainer);
        return (TOptions)options;
    }

    private static GradientBooster.Options Booster(TrainerDefinition trainer) => new()
    {
        L1Regularization = trainer.GetDouble("l1_regularization", 0),
        L2Regularization = trainer.GetDouble("l2_regularization", 0.01),
        FeatureFraction = trainer.GetDouble("feature_fraction", 1.0),
    };

    /// <summary>Threads of the tree trainers: <c>number_of_threads</c>, default 1 (same model on any machine; no OpenMP spinning on busy hosts).</summary>
    private static int Threads(TrainerDefinition trainer) => Math.Max(1, trainer.GetInt32("number_of_threads", 1));

    private static float? NullableSingle(TrainerDefinition trainer, string name) =>
        trainer.Parameters.ContainsKey(name) ? (float)trainer.GetDouble(name, 0) : null;
}
