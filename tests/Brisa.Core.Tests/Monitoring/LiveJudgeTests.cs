using System.Globalization;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;
using Brisa.Core.Tests.Definitions;
using Brisa.Core.Training;

namespace Brisa.Core.Tests.Monitoring;

public sealed class LiveJudgeTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The fraud sample: labelled by a chargeback within 30 days.</summary>
    private static readonly ModelDefinition Fraud = SampleDefinitionsTests.LoadSample().FindModel("fraud")!;

    /// <summary>
    /// Scores of a model whose positives score N(1.5, 1) and negatives N(0, 1) (through a logistic, which keeps the
    /// ranking): AUC = Φ(1.5 ∕ √2) ≈ 0.8556.
    /// </summary>
    private const double GoodAuc = 0.8556;

    /// <summary>Seeds of the generated traffic (each theory checks that its outcome does not hang on one sample).</summary>
    public static TheoryData<int> Seeds => [1, 2, 3, 4, 5];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Classifier_GoodModelWithFinalLabels_IsOk(int seed)
    {
        var judgement = Judge(Traffic(seed, rows: 4000, baseRate: 0.05, ageDays: 35, separation: 1.5));

        Assert.Equal(LiveVerdict.Ok, judgement.Verdict);
        Assert.Equal(4000, judgement.Rows);
        Assert.InRange(judgement.Live!.Value, GoodAuc - 0.05, GoodAuc + 0.05);
        Assert.True(judgement.PValue > DriftAnalyzer.WarnPValue || judgement.Change < judgement.WarnAt, judgement.Reason);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Classifier_RandomScoresWithEnoughFinalLabels_Alerts(int seed)
    {
        // 600 rows at 5 %: about 30 positives, not far above the 20 the defaults need.
        var judgement = Judge(Traffic(seed, rows: 600, baseRate: 0.05, ageDays: 35, separation: 0));

        Assert.Equal(LiveVerdict.Alert, judgement.Verdict);
        Assert.Equal("auc", judgement.Metric);
        Assert.InRange(judgement.Live!.Value, 0.35, 0.65);
        Assert.Equal(GoodAuc - judgement.Live.Value, judgement.Change!.Value, 12);
        Assert.True(judgement.PValue < DriftAnalyzer.AlertPValue);
        Assert.Contains("live AUC", judgement.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Classifier_FewFinalLabels_NotEnoughLabelsWithTheCounts()
    {
        // 150 predictions whose window closed (a random model), and 2,000 younger ones that would be plenty.
        var (old, oldLabels) = Traffic(1, rows: 150, baseRate: 0.2, ageDays: 35, separation: 0);
        var (young, youngLabels) = Traffic(2, rows: 2000, baseRate: 0.2, ageDays: 10, separation: 0, idPrefix: "y");

        var judgement = Judge(([.. old, .. young], [.. oldLabels, .. youngLabels]));

        Assert.Equal(LiveVerdict.NotEnoughLabels, judgement.Verdict);
        Assert.Equal(150, judgement.Rows);
        Assert.Null(judgement.Live);
        Assert.Null(judgement.PValue);
        Assert.Contains("150 predictions with a closed label window (needs 200)", judgement.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Classifier_EnoughRowsTooFewPositives_NotEnoughLabels()
    {
        var judgement = Judge(Traffic(1, rows: 1000, baseRate: 0.005, ageDays: 35, separation: 0));

        Assert.Equal(LiveVerdict.NotEnoughLabels, judgement.Verdict);
        Assert.True(judgement.Positives < 20);
        Assert.Contains("needs 20 of each", judgement.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Classifier_ProvisionalRowsOnly_NeverAlertThoughTheirAucSoFarCollapsed()
    {
        // A good model, all its predictions 1–20 days old (the window is 30 days): half of its frauds are not charged
        // back yet and count as negative so far. Judged on those rows it would alert; none of them is final for both
        // classes, so it is not judged.
        var (predictions, labels) = Traffic(1, rows: 4000, baseRate: 0.3, ageDays: 1, separation: 1.5, spreadDays: 19);
        labels = [.. labels.Where((_, i) => i % 2 == 0)];

        var live = LivePerformanceAnalyzer.Compute(Champion(GoodAuc), Fraud, predictions, labels, AsOf)!;

        var known = labels.Where(l => l.Time <= AsOf).Select(l => l.Key).ToHashSet(StringComparer.Ordinal);
        var soFar = LiveJudge.Classifier([.. predictions.Select(p => known.Contains(p.Id!) ? 1f : 0f)], [.. predictions.Select(p => (float)p.Score)], Champion(GoodAuc).Evaluation.Binary!, Fraud.Drift);
        Assert.Equal(LiveVerdict.Alert, soFar.Verdict);
        Assert.Equal(live.Total.Auc!.Value, soFar.Live!.Value, 6);
        Assert.Equal(LiveVerdict.NotEnoughLabels, live.Judgement!.Verdict);
        Assert.Equal(0, live.Judgement.Rows);
    }

    [Fact]
    public void Classifier_DropPastTheMarginWithinNoise_IsOk()
    {
        // A good model judged against a validation AUC 0.06 above its own, on 300 rows (about 30 positives): the drop
        // is past the alert margin, but such a sample's AUC varies by about 0.05.
        var judgement = Judge(Traffic(1, rows: 300, baseRate: 0.1, ageDays: 35, separation: 1.5), validationAuc: GoodAuc + 0.06);

        Assert.True(judgement.Change > judgement.AlertAt, judgement.Reason);
        Assert.True(judgement.PValue > DriftAnalyzer.WarnPValue, judgement.Reason);
        Assert.Equal(LiveVerdict.Ok, judgement.Verdict);
    }

    [Fact]
    public void Classifier_PolicyMargins_DecideBetweenWarnAndAlert()
    {
        // Live AUC ≈ 0.86 on 20,000 rows against validation 0.9 on 50,000: a drop of about 0.04 (0.0399 with this seed), too many rows for noise.
        var (predictions, labels) = Traffic(1, rows: 20_000, baseRate: 0.1, ageDays: 35, separation: 1.5);

        var defaults = Judge((predictions, labels), validationAuc: 0.9, validationRows: 50_000);
        var stricter = Judge((predictions, labels), validationAuc: 0.9, validationRows: 50_000, Fraud with { Drift = new DriftPolicy { LiveAucAlert = 0.035 } });

        Assert.InRange(defaults.Change!.Value, 0.03, 0.05);
        Assert.Equal(LiveVerdict.Warn, defaults.Verdict);
        Assert.True(defaults.PValue < DriftAnalyzer.AlertPValue, defaults.Reason);
        Assert.True(stricter.Verdict == LiveVerdict.Alert, stricter.Reason);
        Assert.Equal(0.035, stricter.AlertAt);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Regression_DoubledErrors_AlertsAndUnchangedErrorsAreOk(int seed)
    {
        // Validation: errors N(0, 5): MAE 5·√(2/π), RMSE 5.
        var champion = RegressionChampion(sigma: 5);

        var same = Regression(seed, rows: 300, sigma: 5, champion);
        var doubled = Regression(seed, rows: 300, sigma: 10, champion);

        Assert.Equal(LiveVerdict.Ok, same.Verdict);
        Assert.Equal(LiveVerdict.Alert, doubled.Verdict);
        Assert.Equal("mae", doubled.Metric);
        Assert.Equal(300, doubled.Rows);
        Assert.InRange(doubled.Change!.Value, 1.6, 2.4);
        Assert.Equal(doubled.Live!.Value / champion.Evaluation.Regression!.Mae, doubled.Change.Value, 12);
        Assert.True(doubled.PValue < DriftAnalyzer.AlertPValue);
    }

    [Fact]
    public void Regression_LabelledRowsInAnOpenWindow_NotJudged()
    {
        // 300 trips with tripled errors, predicted 2 hours ago and labelled an hour later: their 3-hour windows are
        // still open, so they are shown but not judged.
        var judgement = Regression(1, rows: 300, sigma: 15, RegressionChampion(sigma: 5), hoursAgo: 2);

        Assert.Equal(LiveVerdict.NotEnoughLabels, judgement.Verdict);
        Assert.Equal(0, judgement.Rows);
    }

    [Fact]
    public void Regression_FewLabelledFinalRows_NotEnoughLabels()
    {
        var judgement = Regression(1, rows: 120, sigma: 20, RegressionChampion(sigma: 5));

        Assert.Equal(LiveVerdict.NotEnoughLabels, judgement.Verdict);
        Assert.Equal(120, judgement.Rows);
        Assert.Contains("120 labelled predictions with a closed label window (needs 200)", judgement.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_Judgement_RoundTripsWithItsVerdictInSnakeCase()
    {
        var (predictions, labels) = Traffic(1, rows: 100, baseRate: 0.2, ageDays: 35, separation: 0);
        var live = LivePerformanceAnalyzer.Compute(Champion(GoodAuc), Fraud, predictions, labels, AsOf)!;
        var report = DriftAnalyzer.Analyze(DriftAnalyzerTests.Baseline(1), DriftAnalyzerTests.Current(3, rows: 50, amountFactor: 1), new DriftPolicy()) with { Live = live };

        var json = report.ToJson();

        Assert.Contains("\"verdict\": \"not_enough_labels\"", json, StringComparison.Ordinal);
        Assert.Equal(live.Judgement, DriftReport.FromJson(json).Live!.Judgement);
        Assert.Equal(live.Judgement, DriftReport.FromJson(json).LiveJudgement);
    }

    [Fact]
    public void AucDeLong_SmallSample_MatchesHandComputedAucAndVariance()
    {
        // Positives 0.9 (above all 3 negatives) and 0.4 (above 2): V10 = 1, 2/3. Negatives 0.5 (below 1 of 2
        // positives), 0.3, 0.1 (below both): V01 = 1/2, 1, 1. AUC 5/6; Var = (1/18)/2 + (1/6)/3 = 1/18.
        var (auc, variance) = DriftMetrics.AucDeLong([1, 1, 0, 0, 0], [0.9f, 0.4f, 0.5f, 0.3f, 0.1f]);

        Assert.Equal(5.0 / 6, auc, 12);
        Assert.Equal(1.0 / 18, variance, 12);
    }

    [Fact]
    public void AucDeLong_Ties_CountHalfAsTrainingsAuc()
    {
        float[] labels = [1, 1, 0, 0, 1, 0];
        float[] scores = [0.5f, 0.7f, 0.5f, 0.2f, 0.2f, 0.7f];

        var (auc, variance) = DriftMetrics.AucDeLong(labels, scores);

        Assert.Equal(ModelEvaluator.Binary(labels, scores).Auc, auc, 12);
        Assert.True(variance > 0);
    }

    [Fact]
    public void AucHanleyMcNeilVariance_AucOneHalf_IsTheMannWhitneyNullVariance()
    {
        // At A = 0.5, Q1 = Q2 = 1/3 and the variance is (m + n + 1) ∕ (12mn).
        Assert.Equal(21.0 / 1200, DriftMetrics.AucHanleyMcNeilVariance(0.5, 10, 10), 12);
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1.959963985, 0.025)]
    [InlineData(-1.644853627, 0.95)]
    [InlineData(3.090232306, 0.001)]
    public void NormalUpperTail_KnownQuantiles(double z, double tail) =>
        Assert.Equal(tail, DriftMetrics.NormalUpperTail(z), 8);

    /// <summary>The fraud model's judgement of <paramref name="traffic"/> as of <see cref="AsOf"/>, against a champion of the given validation AUC.</summary>
    private static LiveJudgement Judge((LivePrediction[] Predictions, LabelArrival[] Labels) traffic, double validationAuc = GoodAuc, long validationRows = 5000, ModelDefinition? model = null) =>
        LivePerformanceAnalyzer.Compute(Champion(validationAuc, validationRows), model ?? Fraud, traffic.Predictions, traffic.Labels, AsOf)!.Judgement!;

    /// <summary>A fraud champion with the given validation AUC on <paramref name="rows"/> rows, 5 % of them positive.</summary>
    private static TrainingReport Champion(double auc, long rows = 5000) => LivePerformanceAnalyzerTests.Champion(0.5) with
    {
        Evaluation = LivePerformanceAnalyzerTests.Champion(0.5).Evaluation with { Binary = new BinaryMetrics(rows, rows / 20, 0.05, auc, 0.5, 0.1, 0.05, []) },
    };

    private static TrainingReport RegressionChampion(double sigma) => LiveRegressionAnalyzerTests.Champion() with
    {
        Evaluation = new ModelEvaluation(null, null, null, null, new RegressionMetrics(2000, sigma, sigma * Math.Sqrt(2 / Math.PI), 0.8)),
    };

    /// <summary>
    /// <paramref name="rows"/> predictions made <paramref name="ageDays"/> (to + <paramref name="spreadDays"/>) days
    /// before <see cref="AsOf"/>; each is fraud with probability <paramref name="baseRate"/> (a chargeback 5 days
    /// later), scored logistic(N(separation, 1)) when fraud, logistic(N(0, 1)) otherwise.
    /// </summary>
    private static (LivePrediction[] Predictions, LabelArrival[] Labels) Traffic(int seed, int rows, double baseRate, double ageDays, double separation, double spreadDays = 5, string idPrefix = "t")
    {
        var rng = new Random(seed);
        var predictions = new LivePrediction[rows];
        var labels = new List<LabelArrival>();
        for (var i = 0; i < rows; i++)
        {
            var id = idPrefix + i.ToString(CultureInfo.InvariantCulture);
            var time = AsOf.AddDays(-ageDays - (spreadDays * rng.NextDouble()));
            var fraud = rng.NextDouble() < baseRate;
            predictions[i] = new LivePrediction(id, time, 1 / (1 + Math.Exp(-((fraud ? separation : 0) + Gaussian(rng)))), 100, "EUR");
            if (fraud)
            {
                labels.Add(new LabelArrival(id, time.AddDays(5)));
            }
        }

        return (predictions, [.. labels]);
    }

    /// <summary>
    /// The trip_duration model's judgement on <paramref name="rows"/> trips predicted <paramref name="hoursAgo"/> hours
    /// ago, one a second (the label window is 3 h), each with an error N(0, sigma) and labelled an hour after its prediction.
    /// </summary>
    private static LiveJudgement Regression(int seed, int rows, double sigma, TrainingReport champion, double hoursAgo = 24)
    {
        var rng = new Random(seed);
        var start = AsOf.AddHours(-hoursAgo);
        var predictions = new LivePrediction[rows];
        var events = new (string Id, long Trip, double Minutes, double Duration)[rows];
        var day1 = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        for (var trip = 0; trip < rows; trip++)
        {
            var duration = 20 + (10 * rng.NextDouble());
            var time = start.AddSeconds(trip);
            predictions[trip] = new LivePrediction(trip.ToString(CultureInfo.InvariantCulture), time, duration + (sigma * Gaussian(rng)), double.NaN);

            // Batch dates events in minutes after the rides tests' Day1.
            events[trip] = ($"end-{trip}", trip, (time.AddHours(1) - day1).TotalMinutes, duration);
        }

        var index = new LabelIndex(LiveRegressionAnalyzerTests.TripDuration);
        index.Add(LiveRegressionAnalyzerTests.Batch(events));
        return LiveRegressionAnalyzer.Compute(champion, LiveRegressionAnalyzerTests.TripDuration, predictions, index, AsOf)!.Judgement!;
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
