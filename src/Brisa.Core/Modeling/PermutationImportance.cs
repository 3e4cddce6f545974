using Brisa.Core.Definitions;

namespace Brisa.Core.Modeling;

/// <summary>How much a metric degrades when one feature's values are shuffled across the rows.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Metric">The metric compared: <c>auc</c> (binary) or <c>rmse</c> (regression).</param>
/// <param name="Baseline">The metric on the rows as they are.</param>
/// <param name="Permuted">The metric with the feature permuted.</param>
/// <param name="Importance">The degradation: baseline − permuted for AUC, permuted − baseline for RMSE (larger = more important).</param>
/// <param name="CostIncrease">With a cost matrix: how much the expected cost at the model's threshold rises (null otherwise).</param>
public sealed record FeatureImportance(string Feature, string Metric, double Baseline, double Permuted, double Importance, double? CostIncrease);

/// <summary>Permutation feature importance at the table level (a categorical column is permuted as a whole, not per one-hot slot).</summary>
public static class PermutationImportance
{
    /// <summary>Computes the importance of every model input on <paramref name="rows"/>, most important first.</summary>
    /// <param name="model">The model definition (task and cost matrix).</param>
    /// <param name="trained">The fitted model.</param>
    /// <param name="rows">Usually the validation rows.</param>
    /// <param name="evaluation">The model's evaluation on <paramref name="rows"/> (the baseline metric).</param>
    /// <param name="seed">Seed of the permutations.</param>
    /// <param name="threshold">
    /// The model's decision threshold, at which the cost increase is measured; default: <paramref name="evaluation"/>'s.
    /// Give the model's own when <paramref name="rows"/> is a sample of the rows it was chosen on: the sample's least-cost
    /// threshold is not the one the model decides with.
    /// </param>
    /// <returns>The importances.</returns>
    public static IReadOnlyList<FeatureImportance> Compute(ModelDefinition model, TrainedModel trained, TrainingTable rows, ModelEvaluation evaluation, int seed, double? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trained);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(evaluation);
        var binary = model.Task == ModelTask.BinaryClassification;
        var decision = threshold ?? evaluation.Business?.Threshold;
        var baselineCost = binary && model.Cost is { } matrix && decision is { } chosen
            ? ModelEvaluator.CostAt(rows, trained.Score(rows), matrix, chosen).ExpectedCost
            : (double?)null;
        var result = new List<FeatureImportance>();
        var index = 0;
        foreach (var input in trained.Inputs)
        {
            var column = rows.Find(input.Name) ?? throw new ArgumentException($"The rows have no feature '{input.Name}'.", nameof(rows));
            var permutation = Permutation(rows.RowCount, seed + index++);
            var scores = trained.Score(rows.WithFeature(column.Take(permutation)));
            if (binary)
            {
                var baseline = evaluation.Binary!.Auc;
                var permuted = ModelEvaluator.Binary(rows.Labels, scores).Auc;
                double? costIncrease = model.Cost is { } cost && decision is { } at && baselineCost is { } before
                    ? ModelEvaluator.CostAt(rows, scores, cost, at).ExpectedCost - before
                    : null;
                result.Add(new FeatureImportance(input.Name, "auc", baseline, permuted, baseline - permuted, costIncrease));
            }
            else
            {
                var baseline = evaluation.Regression!.Rmse;
                var permuted = ModelEvaluator.Regression(rows.Labels, scores).Rmse;
                result.Add(new FeatureImportance(input.Name, "rmse", baseline, permuted, permuted - baseline, null));
            }
        }

        return [.. result.OrderByDescending(r => r.Importance).ThenBy(r => r.Feature, StringComparer.Ordinal)];
    }

    private static int[] Permutation(int n, int seed)
    {
        var order = Enumerable.Range(0, n).ToArray();
#pragma warning disable CA5394 // Not security sensitive: a seeded shuffle for reproducible importances.
        new Random(seed).Shuffle(order);
#pragma warning restore CA5394
        return order;
    }
}
