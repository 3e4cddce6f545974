using System.Globalization;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;
using Brisa.Core.Tests.Definitions;
using Brisa.Core.Training;

namespace Brisa.Core.Tests.Monitoring;

public sealed class LiveRegressionAnalyzerTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The rides sample: trip_duration, labelled by trip_end's duration_min within 3 h, keyed by the long trip_id.</summary>
    internal static readonly FeatureRepositoryDefinition Rides = SampleDefinitionsTests.LoadRidesSample();

    internal static readonly ModelDefinition TripDuration = Rides.FindModel("trip_duration")!;

    internal static readonly EventSchema TripEnd = EventSchema.FromDefinition(Rides.FindSource("trip_end")!);

    [Fact]
    public void Compute_FourPredictionsThreeLabelled_MatchesHandComputedErrors()
    {
        // Predicted 10, 20, 30, 40 minutes; trips 1–3 took 12, 17 and 30.5; trip 4 has no label yet (its window is open).
        LivePrediction[] predictions = [P(1, 0, 10), P(2, 1, 20), P(3, 2, 30), P(4, 3, 40)];
        var labels = Index(E(1, 30, 12), E(2, 90, 17), E(3, 150, 30.5));

        var live = LiveRegressionAnalyzer.Compute(Champion(), TripDuration, predictions, labels, Day1.AddMinutes(200))!;

        var total = live.Total;
        Assert.Equal((4L, 0L, 3L), (total.Predictions, total.Unjoinable, total.Labelled));

        // Errors (prediction − label): −2, +3, −0.5.
        Assert.Equal((2 + 3 + 0.5) / 3, total.Mae!.Value, 12);
        Assert.Equal(Math.Sqrt((4 + 9 + 0.25) / 3), total.Rmse!.Value, 12);
        Assert.Equal((-2 + 3 - 0.5) / 3, total.MeanError!.Value, 12);

        // Trip 4 was predicted at 03:00 and its 3-hour window is still open at 03:20.
        Assert.Equal(3, total.Final);
        Assert.False(total.Complete);
        Assert.Equal(("trip_end", "duration_min", TimeSpan.FromHours(3)), (live.LabelSource, live.LabelValue, live.LabelWithin));
        Assert.Equal(Champion().Evaluation.Regression, live.Validation);
        Assert.Empty(live.Warnings);
    }

    [Fact]
    public void Compute_LabelAfterTheWindow_LeftOutAndFinalOnceTheWindowCloses()
    {
        // Trip 1's label is dated 3 h + 1 s after its prediction: it never counts (training skips that row too). As of
        // exactly 3 h, trip 2's label, dated then, counts, and trip 1's window has just closed.
        LivePrediction[] predictions = [P(1, 0, 10), P(2, 0, 20)];
        var labels = Index(E(1, (3 * 60) + (1.0 / 60), 12), E(2, 3 * 60, 25));

        var live = LiveRegressionAnalyzer.Compute(Champion(), TripDuration, predictions, labels, Day1.AddHours(3))!;

        Assert.Equal((2L, 1L, 2L), (live.Total.Predictions, live.Total.Labelled, live.Total.Final));
        Assert.Equal(5, live.Total.Mae!.Value, 12);
        Assert.True(live.Total.Complete);
    }

    [Fact]
    public void Compute_LabelDatedAfterAsOf_NotKnownYet()
    {
        LivePrediction[] predictions = [P(1, 0, 10)];
        var labels = Index(E(1, 60, 12));

        var live = LiveRegressionAnalyzer.Compute(Champion(), TripDuration, predictions, labels, Day1.AddMinutes(59))!;

        Assert.Equal(0, live.Total.Labelled);
        Assert.Null(live.Total.Mae);
        Assert.Null(live.Total.Rmse);
        Assert.Null(live.Total.MeanError);
        Assert.False(live.Total.Complete);
    }

    [Fact]
    public void Compute_LabelDatedBeforeAReplayedPrediction_Counts()
    {
        // Scored a day after the trip ended (a backfill), as classifiers' live performance counts an earlier label.
        LivePrediction[] predictions = [P(1, 24, 10)];
        var labels = Index(E(1, 30, 14));

        var live = LiveRegressionAnalyzer.Compute(Champion(), TripDuration, predictions, labels, Day1.AddDays(2))!;

        Assert.Equal(1, live.Total.Labelled);
        Assert.Equal(-4, live.Total.MeanError!.Value, 12);
    }

    [Fact]
    public void Compute_LabelTwice_TheEarliestValueAndOnTiesTheSmallestEventIdWhateverTheOrder()
    {
        // Trip 1: a correction dated later is ignored. Trip 2: two events at the same instant, 'a' < 'b'.
        LivePrediction[] predictions = [P(1, 0, 10), P(2, 0, 10)];
        var first = Batch(("e1", 1, 30, 12), ("b", 2, 40, 30));
        var second = Batch(("e1-fix", 1, 50, 99), ("a", 2, 40, 16), ("e1", 1, 30, 12));

        SourceEventBatch[][] orders = [[first, second], [second, first]];
        foreach (var order in orders)
        {
            var index = new LabelIndex(TripDuration);
            foreach (var batch in order)
            {
                index.Add(batch);
            }

            var live = LiveRegressionAnalyzer.Compute(Champion(), TripDuration, predictions, index, Day1.AddDays(1))!;

            Assert.Equal(4, index.Count);
            Assert.Equal(2, live.Total.Labelled);
            Assert.Equal((2 + 6) / 2.0, live.Total.Mae!.Value, 12);
        }
    }

    [Fact]
    public void Compute_LabelEventWithoutValue_LabelsNothingAsInTraining()
    {
        LivePrediction[] predictions = [P(1, 0, 10)];
        var batch = new SourceEventBatch(TripEnd);
        var row = new FieldValue[TripEnd.Fields.Count];
        row[TripEnd.IndexOf("trip_id")] = FieldValue.FromNumber(1);
        batch.Add("e1", TiledView.ToUnixTicks(Day1.AddMinutes(30)), row);
        var index = new LabelIndex(TripDuration);
        index.Add(batch);

        var live = LiveRegressionAnalyzer.Compute(Champion(), TripDuration, predictions, index, Day1.AddDays(1))!;

        Assert.Equal(0, live.Total.Labelled);
        Assert.Null(live.Total.Mae);
    }

    [Fact]
    public void Compute_RetriedPredictionAndPredictionsWithoutId_FirstCountsOnceOthersUnjoinable()
    {
        // Trip 1 scored 10 then, by a retry, 50; two predictions without an id (one in ten: a warning).
        LivePrediction[] predictions = [P(1, 1, 50), P(1, 0, 10), new(null, Day1, 30, double.NaN), new(null, Day1.AddDays(1), 30, double.NaN), .. Enumerable.Range(2, 18).Select(i => P(i, 0, 10))];
        var labels = Index(E(1, 30, 12));

        var live = LiveRegressionAnalyzer.Compute(Champion(), TripDuration, predictions, labels, Day1.AddDays(2))!;

        Assert.Equal((19L, 2L, 1L), (live.Total.Predictions, live.Total.Unjoinable, live.Total.Labelled));
        Assert.Equal(2, live.Total.Mae!.Value, 12);

        // A day with only an unjoinable prediction still shows.
        Assert.Equal([(19L, 1L), (0L, 1L)], live.Days.Select(d => (d.Predictions, d.Unjoinable)));
        var warning = Assert.Single(live.Warnings);
        Assert.Contains("2 of 21 predictions (9.5 %) were sent without an id", warning, StringComparison.Ordinal);
        Assert.Contains("trip_id", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_PredictionsAroundUtcMidnight_OneWindowPerDayOldestFirst()
    {
        // 23:59:59.9999999 belongs to day 1, 00:00 exactly to day 2.
        var midnight = Day1.AddDays(1);
        LivePrediction[] predictions = [new("2", midnight, 20, double.NaN), new("1", midnight.AddTicks(-1), 10, double.NaN), new("3", midnight.AddHours(5), 35, double.NaN)];
        var labels = Index(E(1, (24 * 60) + 10, 11), E(2, (24 * 60) + 20, 24), E(3, (29 * 60) + 20, 30));

        var live = LiveRegressionAnalyzer.Compute(Champion(), TripDuration, predictions, labels, Day1.AddDays(3))!;

        Assert.Equal([Day1, midnight], live.Days.Select(d => d.From));
        Assert.Equal([midnight, midnight.AddDays(1)], live.Days.Select(d => d.To));
        Assert.Equal([1L, 2L], live.Days.Select(d => d.Predictions));
        Assert.Equal(1, live.Days[0].Mae!.Value, 12);
        Assert.Equal((4 + 5) / 2.0, live.Days[1].Mae!.Value, 12);
        Assert.Equal(((-1) + (-4) + 5) / 3.0, live.Total.MeanError!.Value, 12);
        Assert.Equal(midnight.AddTicks(-1), live.Total.From);
        Assert.Equal(Day1.AddDays(3), live.Total.To);
    }

    [Fact]
    public void Compute_ScoresAndLabelsAsFloat_AsTrainingComputesErrors()
    {
        // 0.1 as a double and as the float the model emits differ by 1.5e-9: training compares floats.
        LivePrediction[] predictions = [new("1", Day1, 0.1, double.NaN)];
        var labels = Index(E(1, 30, (float)0.1));

        var live = LiveRegressionAnalyzer.Compute(Champion(), TripDuration, predictions, labels, Day1.AddDays(1))!;

        Assert.Equal(0, live.Total.Mae);
        Assert.Equal(0, live.Total.MeanError);
    }

    [Fact]
    public void Compute_ClassifierOrChampionWithoutRegressionMetrics_IsNull()
    {
        var cancel = Rides.FindModel("cancel")!;

        Assert.Null(LiveRegressionAnalyzer.Compute(Champion(), cancel, [], new LabelIndex(cancel), Day1));
        Assert.Null(LiveRegressionAnalyzer.Compute(LivePerformanceAnalyzerTests.Champion(0.5), TripDuration, [], new LabelIndex(TripDuration), Day1));
    }

    [Fact]
    public void ToJson_ReportWithLiveErrors_RoundTrips()
    {
        var live = LiveRegressionAnalyzer.Compute(Champion(), TripDuration, [P(1, 0, 10), P(2, 0, 20), new(null, Day1, 5, double.NaN)], Index(E(1, 30, 12)), Day1.AddHours(1))!;
        var report = DriftAnalyzer.Analyze(Champion(), DriftAnalyzerTests.Current(3, rows: 50, amountFactor: 1), new DriftPolicy()) with { LiveRegression = live };

        var json = report.ToJson();
        var back = DriftReport.FromJson(json).LiveRegression!;

        Assert.Contains("\"live_regression\":", json, StringComparison.Ordinal);
        Assert.Contains("\"mean_error\":", json, StringComparison.Ordinal);
        Assert.Equal(live.Total, back.Total);
        Assert.Equal(live.Days, back.Days);
        Assert.Equal(live.Validation, back.Validation);
        Assert.Equal((live.LabelSource, live.LabelValue, live.LabelWithin, live.AsOf), (back.LabelSource, back.LabelValue, back.LabelWithin, back.AsOf));
        Assert.Equal(live.Warnings, back.Warnings);
        Assert.False(back.Total.Complete);
        Assert.Null(DriftReport.FromJson(json).Live);
    }

    /// <summary>A regression champion with validation MAE 4.2 and RMSE 6.5 on 500 rows.</summary>
    internal static TrainingReport Champion() => DriftAnalyzerTests.Baseline(1) with
    {
        Task = ModelTask.Regression,
        Evaluation = new ModelEvaluation(null, null, null, null, new RegressionMetrics(500, 6.5, 4.2, 0.8)),
    };

    /// <summary>A trip_end event of <paramref name="trip"/> dated <paramref name="minutes"/> after Day1.</summary>
    internal static SourceEventBatch Batch(params (string Id, long Trip, double Minutes, double Duration)[] events)
    {
        var batch = new SourceEventBatch(TripEnd);
        foreach (var (id, trip, minutes, duration) in events)
        {
            var ticks = TiledView.ToUnixTicks(Day1.AddMinutes(minutes));
            var row = new FieldValue[TripEnd.Fields.Count];
            row[TripEnd.IndexOf("trip_id")] = FieldValue.FromNumber(trip);
            row[TripEnd.IndexOf("duration_min")] = FieldValue.FromNumber(duration);
            row[TripEnd.IndexOf("completed_at")] = FieldValue.FromNumber(ticks / 10);
            batch.Add(id, ticks, row);
        }

        return batch;
    }

    private static (string, long, double, double) E(long trip, double minutes, double duration) => ($"end-{trip}-{minutes.ToString(CultureInfo.InvariantCulture)}", trip, minutes, duration);

    private static LabelIndex Index(params (string, long, double, double)[] events)
    {
        var index = new LabelIndex(TripDuration);
        index.Add(Batch(events));
        return index;
    }

    private static LivePrediction P(long trip, double hours, double score) => new(trip.ToString(CultureInfo.InvariantCulture), Day1.AddHours(hours), score, double.NaN);
}
