using System.Globalization;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Core.Training;

namespace Brisa.Core.Monitoring;

/// <summary>A logged prediction with the request and instance it scored: what pairs a champion's prediction with the challenger's shadow one.</summary>
/// <param name="RequestId">The predict request's id.</param>
/// <param name="InstanceId">The instance id as logged (the caller's id, or the one serving generated).</param>
/// <param name="Prediction">The prediction as live monitoring reads it.</param>
public sealed record LoggedPrediction(string RequestId, string InstanceId, LivePrediction Prediction);

/// <summary>
/// The challenger's live numbers next to the champion's, over the same predictions: the instances both scored (the
/// challenger in shadow, <see cref="ServingPolicy.ShadowChallenger"/>). Report only: nothing is promoted on it.
/// </summary>
public sealed record ShadowComparison
{
    /// <summary>The champion version.</summary>
    public required string ChampionVersion { get; init; }

    /// <summary>The challenger version scored in shadow.</summary>
    public required string ChallengerVersion { get; init; }

    /// <summary>Instances scored by both (each side's numbers below are over these only).</summary>
    public required long Paired { get; init; }

    /// <summary>Champion predictions of the span without a shadow prediction (shadow off then, challenger not loaded yet, or it failed): left out of the comparison.</summary>
    public required long ChampionOnly { get; init; }

    /// <summary>The champion's live performance on the paired instances (a classifier).</summary>
    public LivePerformance? Champion { get; init; }

    /// <summary>The challenger's live performance on the same instances, at its own threshold, next to its own validation numbers.</summary>
    public LivePerformance? Challenger { get; init; }

    /// <summary>The champion's live errors on the paired instances (a regression).</summary>
    public LiveRegressionPerformance? ChampionRegression { get; init; }

    /// <summary>The challenger's live errors on the same instances.</summary>
    public LiveRegressionPerformance? ChallengerRegression { get; init; }
}

/// <summary>
/// Compares the challenger's shadow predictions with the champion's on live traffic (pure): pairs them by request id and
/// instance id, keeps the instances both scored, and runs each side through the same analyzer as the champion's own
/// live report (<see cref="LivePerformanceAnalyzer"/>, <see cref="LiveRegressionAnalyzer"/>), so the two columns differ
/// only by the model that scored.
/// </summary>
public static class ShadowComparer
{
    /// <summary>Compares a classifier's champion and challenger on the instances both scored.</summary>
    /// <param name="champion">The champion's metadata.</param>
    /// <param name="challenger">The challenger's metadata (its threshold and validation numbers).</param>
    /// <param name="model">The model's definition.</param>
    /// <param name="championPredictions">The champion's predictions of the span.</param>
    /// <param name="shadowPredictions">The challenger's shadow predictions of the span.</param>
    /// <param name="labels">Label events arrived so far.</param>
    /// <param name="asOf">Now.</param>
    /// <returns>The comparison.</returns>
    public static ShadowComparison Compare(TrainingReport champion, TrainingReport challenger, ModelDefinition model, IReadOnlyList<LoggedPrediction> championPredictions, IReadOnlyList<LoggedPrediction> shadowPredictions, IReadOnlyList<LabelArrival> labels, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return Compare(champion, challenger, championPredictions, shadowPredictions, (report, rows) => LivePerformanceAnalyzer.Compute(report, model, rows, labels, asOf), null);
    }

    /// <summary>Compares a regression's champion and challenger on the instances both scored.</summary>
    /// <param name="champion">The champion's metadata.</param>
    /// <param name="challenger">The challenger's metadata (its validation errors).</param>
    /// <param name="model">The model's definition.</param>
    /// <param name="championPredictions">The champion's predictions of the span.</param>
    /// <param name="shadowPredictions">The challenger's shadow predictions of the span.</param>
    /// <param name="labels">The label events arrived so far.</param>
    /// <param name="asOf">Now.</param>
    /// <returns>The comparison.</returns>
    public static ShadowComparison Compare(TrainingReport champion, TrainingReport challenger, ModelDefinition model, IReadOnlyList<LoggedPrediction> championPredictions, IReadOnlyList<LoggedPrediction> shadowPredictions, LabelIndex labels, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return Compare(champion, challenger, championPredictions, shadowPredictions, null, (report, rows) => LiveRegressionAnalyzer.Compute(report, model, rows, labels, asOf));
    }

    /// <summary>
    /// The rows of a side-by-side table of both versions: per UTC day (<c>yyyy-MM-dd</c>), then <c>all</c>, the
    /// champion's window and the challenger's. Their days are the same, as their rows are.
    /// </summary>
    /// <typeparam name="T">The window (<see cref="LiveWindow"/> or <see cref="LiveRegressionWindow"/>).</typeparam>
    /// <param name="championDays">The champion's days.</param>
    /// <param name="championTotal">The champion's span.</param>
    /// <param name="challengerDays">The challenger's days.</param>
    /// <param name="challengerTotal">The challenger's span.</param>
    /// <param name="from">A window's start.</param>
    /// <returns>The rows.</returns>
    public static IEnumerable<(string Day, T Champion, T Challenger)> SideBySide<T>(IReadOnlyList<T> championDays, T championTotal, IReadOnlyList<T> challengerDays, T challengerTotal, Func<T, DateTimeOffset> from)
    {
        ArgumentNullException.ThrowIfNull(championDays);
        ArgumentNullException.ThrowIfNull(challengerDays);
        ArgumentNullException.ThrowIfNull(from);
        return championDays.Zip(challengerDays, (ours, theirs) => (from(ours).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ours, theirs))
            .Append(("all", championTotal, challengerTotal));
    }

    private static ShadowComparison Compare(
        TrainingReport champion,
        TrainingReport challenger,
        IReadOnlyList<LoggedPrediction> championPredictions,
        IReadOnlyList<LoggedPrediction> shadowPredictions,
        Func<TrainingReport, LivePrediction[], LivePerformance?>? classify,
        Func<TrainingReport, LivePrediction[], LiveRegressionPerformance?>? regress)
    {
        ArgumentNullException.ThrowIfNull(champion);
        ArgumentNullException.ThrowIfNull(challenger);
        ArgumentNullException.ThrowIfNull(championPredictions);
        ArgumentNullException.ThrowIfNull(shadowPredictions);

        // One per (request, instance) on each side, the earliest: a request id reused by a client's retry is one decision.
        var shadows = new Dictionary<(string, string), LivePrediction>();
        foreach (var s in shadowPredictions.OrderBy(p => p.Prediction.Time))
        {
            shadows.TryAdd((s.RequestId, s.InstanceId), s.Prediction);
        }

        var ours = new List<LivePrediction>();
        var theirs = new List<LivePrediction>();
        var seen = new HashSet<(string, string)>();
        foreach (var c in championPredictions.OrderBy(p => p.Prediction.Time))
        {
            if (seen.Add((c.RequestId, c.InstanceId)) && shadows.TryGetValue((c.RequestId, c.InstanceId), out var shadow))
            {
                // The same row but for the score: the money counts the same amounts, whatever inputs the challenger logged.
                ours.Add(c.Prediction);
                theirs.Add(c.Prediction with { Score = shadow.Score });
            }
        }

        LivePrediction[] championRows = [.. ours], challengerRows = [.. theirs];
        return new ShadowComparison
        {
            ChampionVersion = champion.Version,
            ChallengerVersion = challenger.Version,
            Paired = championRows.Length,
            ChampionOnly = seen.Count - championRows.Length,
            Champion = classify?.Invoke(champion, championRows),
            Challenger = classify?.Invoke(challenger, challengerRows),
            ChampionRegression = regress?.Invoke(champion, championRows),
            ChallengerRegression = regress?.Invoke(challenger, challengerRows),
        };
    }
}
