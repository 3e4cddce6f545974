using Brisa.Core.Definitions;
using Brisa.Core.Modeling;

namespace Brisa.Testing;

/// <summary>
/// Builds <see cref="TrainingReport"/>s for tests, as the Azure SDK's model factories build its types: a binary
/// LightGBM version's report with neutral values, which a test completes with <c>with { … }</c> for what it checks.
/// </summary>
public static class TrainingReports
{
    /// <summary>A binary LightGBM report of <paramref name="model"/> trained at <paramref name="trainedAt"/>: no inputs, baseline or metrics yet.</summary>
    public static TrainingReport Binary(string model, DateTimeOffset trainedAt) => new()
    {
        Model = model,
        TrainedAt = trainedAt,
        Task = ModelTask.BinaryClassification,
        Trainer = TrainerKind.LightGbm,
        Parameters = new SortedDictionary<string, string>(StringComparer.Ordinal),
        Seed = 1,
        ValidationSpan = TimeSpan.FromDays(7),
        Training = new DataRange(trainedAt, trainedAt, 0, 0),
        Validation = new DataRange(trainedAt, trainedAt, 0, 0),
        Inputs = [],
        Evaluation = new ModelEvaluation(null, 0.5, null, null, null),
        Importance = [],
        Baseline = [],
        ScoreBaseline = FeatureStatistics.Numeric("score", [0.1f]),
    };
}
