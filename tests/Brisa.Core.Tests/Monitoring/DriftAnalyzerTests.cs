using Brisa.Core.Definitions;
using Brisa.Core.Generation;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;

namespace Brisa.Core.Tests.Monitoring;

public sealed class DriftAnalyzerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Merchants = ["grocery", "fuel", "online", "travel", "electronics"];

    [Fact]
    public void Analyze_SameDistribution_IsOkEverywhere()
    {
        foreach (var seed in new[] { 11, 12, 13, 14, 15 })
        {
            var report = DriftAnalyzer.Analyze(Baseline(1), Current(seed, rows: 2000, amountFactor: 1), new DriftPolicy());

            Assert.All(report.Features, f => Assert.Equal(DriftVerdict.Ok, f.Verdict));
            Assert.Equal(DriftVerdict.Ok, report.Score.Verdict);
            Assert.Equal(DriftVerdict.Ok, report.Verdict);
            Assert.All(report.Features, f => Assert.True(f.Psi < 0.05, $"{f.Name}: PSI {f.Psi}"));
        }
    }

    [Fact]
    public void Analyze_AmountsTimesOnePointEight_AlertsOnAmountOnly()
    {
        var report = DriftAnalyzer.Analyze(Baseline(1), Current(21, rows: 2000, amountFactor: 1.8), new DriftPolicy());

        var amount = Assert.Single(report.Features, f => f.Name == "amount");
        Assert.Equal(DriftVerdict.Alert, amount.Verdict);
        Assert.Equal("psi", amount.Method);
        Assert.True(amount.Ks > 0.2);
        Assert.All(report.Features.Where(f => f.Name != "amount"), f => Assert.Equal(DriftVerdict.Ok, f.Verdict));

        // One of three features alerting is 33% ≥ 30%: the dataset alerts.
        Assert.Equal(1.0 / 3, report.AlertShare, 9);
        Assert.Equal(DriftVerdict.Alert, report.Verdict);
    }

    [Fact]
    public void Analyze_MerchantMixChanged_AlertsWithChiSquare()
    {
        var report = DriftAnalyzer.Analyze(Baseline(1), Current(31, rows: 2000, amountFactor: 1, merchant: _ => "travel"), new DriftPolicy());

        var merchant = Assert.Single(report.Features, f => f.Name == "merchant");
        Assert.Equal(DriftVerdict.Alert, merchant.Verdict);
        Assert.True(merchant.ChiSquarePValue < 1e-9);
        Assert.Equal(["grocery", "fuel", "online", "travel", "electronics", "(other)", "(missing)"], merchant.Bins);
        Assert.Equal(2000, merchant.CurrentCounts[3]);
    }

    [Fact]
    public void Feature_SmallSamplesFromABaselineWithRareCategories_RarelyDrift()
    {
        // 30 rows drawn from the baseline's own distribution (20 top categories, 16 of them 0.2–2 %): the chi-square
        // decides. Before, one row in a rare category was enough: 7.8 % of these samples warned or alerted (nominal 1 %); now 1.0 %.
        var counts = DriftMetricsTests.RareCategoryBaseline();
        var baseline = new FeatureStatistics(
            "merchant", FeatureKind.Categorical, counts.Sum(), 0, 0, null, null, null, null, [], [], [],
            [.. counts[..^1].Select((c, i) => new CategoryCount($"m{i}", c))], counts[^1]);
        var random = new Prng(7);
        const int Trials = 1000;

        var drifted = Enumerable.Range(0, Trials).Count(_ =>
        {
            var sample = DriftMetricsTests.SampleOf(counts, 30, random);
            var values = sample.SelectMany((n, i) => Enumerable.Repeat<object?>(i < sample.Length - 1 ? $"m{i}" : "unseen", (int)n)).ToArray();
            return DriftAnalyzer.Feature(baseline, values, values.Length, new DriftPolicy()).Verdict != DriftVerdict.Ok;
        });

        Assert.True(drifted <= Trials * 0.015, $"{drifted} of {Trials} drifted");
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(100)]
    public void Feature_DoublesOfTheBaselinesFloatAtom_SameBinAndOk(int rows)
    {
        // Half the rows at 0.1 (a rate, a price point). The model reads inputs as float, so the baseline holds 0.1f,
        // slightly above the double 0.1 that serving logs for a request field or view feature. Before, each logged 0.1
        // fell below that bin edge, into the bin of the values under 0.1: PSI 1.99, an alert on an unchanged stream (and
        // under 200 rows KS read 0.1 as a value between quantiles: D ≈ 0.45, an alert too).
        var random = new Prng(5);
        var training = Enumerable.Range(0, 20_000).Select(_ => random.NextDouble() < 0.5 ? 0.1f : (float)random.NextDouble()).ToArray();
        var baseline = FeatureStatistics.Numeric("rate", training);
        var values = Enumerable.Range(0, rows).Select(_ => (object?)(random.NextDouble() < 0.5 ? 0.1 : random.NextDouble())).ToArray();

        var drift = DriftAnalyzer.Feature(baseline, values, values.Length, new DriftPolicy());

        Assert.Equal(DriftVerdict.Ok, drift.Verdict);
        Assert.InRange(drift.CurrentCounts[1] / (double)rows, 0.45, 0.65);
    }

    [Theory]
    [InlineData(0.05, 0.6)]
    [InlineData(0.05, 0)]
    [InlineData(0.3, 0.9)]
    [InlineData(0, 0.5)]
    public void Feature_FlagShareChanged_Alerts(double baselineShare, double currentShare)
    {
        // A bool input (is_foreign) is a 0/1 number. Before, with under 10 % of 1s every decile was 0 and the 1s shared
        // the bin "≥ 0" with the 0s, and a constant 0 had no bin above it: PSI 0 whatever the share of 1s became.
        var random = new Prng(5);
        var baseline = FeatureStatistics.Numeric("is_foreign", [.. Enumerable.Range(0, 20_000).Select(_ => random.NextDouble() < baselineShare ? 1f : 0f)]);
        var values = Enumerable.Range(0, 1000).Select(_ => (object?)(random.NextDouble() < currentShare)).ToArray();

        var drift = DriftAnalyzer.Feature(baseline, values, values.Length, new DriftPolicy());

        Assert.Equal(DriftVerdict.Alert, drift.Verdict);
        Assert.True(drift.Psi >= 0.25, $"PSI {drift.Psi}");
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.3)]
    [InlineData(0)]
    public void Feature_FlagShareUnchanged_IsOk(double share)
    {
        var random = new Prng(6);
        var baseline = FeatureStatistics.Numeric("is_foreign", [.. Enumerable.Range(0, 20_000).Select(_ => random.NextDouble() < share ? 1f : 0f)]);
        var values = Enumerable.Range(0, 1000).Select(_ => (object?)(random.NextDouble() < share)).ToArray();

        var drift = DriftAnalyzer.Feature(baseline, values, values.Length, new DriftPolicy());

        Assert.Equal(DriftVerdict.Ok, drift.Verdict);
        Assert.True(drift.Psi < 0.02, $"PSI {drift.Psi}");
    }

    [Fact]
    public void Feature_ConstantBaselineValuesAboveIt_AlertsAndNamesTheBins()
    {
        var baseline = FeatureStatistics.Numeric("country_distinct_1h", [.. Enumerable.Repeat(1f, 5000)]);
        var values = Enumerable.Range(0, 400).Select(i => (object?)(i % 2 == 0 ? 1.0 : 2.0)).ToArray();

        var drift = DriftAnalyzer.Feature(baseline, values, values.Length, new DriftPolicy());

        Assert.Equal(DriftVerdict.Alert, drift.Verdict);
        Assert.Equal(["< 1", "1", "> 1", "(missing)"], drift.Bins);
        Assert.Equal([0L, 5000, 0, 0], drift.BaselineCounts);
        Assert.Equal([0L, 200, 200, 0], drift.CurrentCounts);
    }

    [Fact]
    public void Feature_MostlyZeroThenFewerZeros_Alerts()
    {
        // 95 % zeros, the rest log-normal; then half zeros. Before, the positives shared the bin "≥ 0" with the zeros.
        var random = new Prng(8);
        float Draw(double zeros) => random.NextDouble() < zeros ? 0f : (float)Amount(random);
        var baseline = FeatureStatistics.Numeric("refunds_7d", [.. Enumerable.Range(0, 20_000).Select(_ => Draw(0.95))]);
        var values = Enumerable.Range(0, 1000).Select(_ => (object?)(double)Draw(0.5)).ToArray();

        var drift = DriftAnalyzer.Feature(baseline, values, values.Length, new DriftPolicy());

        Assert.Equal(DriftVerdict.Alert, drift.Verdict);
    }

    [Fact]
    public void Analyze_FeatureMissingAtServing_Alerts()
    {
        var current = Current(41, rows: 500, amountFactor: 1);
        var columns = current.Columns.Where(c => c.Key != "age_days").ToDictionary();
        var report = DriftAnalyzer.Analyze(Baseline(1), current with { Columns = columns }, new DriftPolicy());

        var age = Assert.Single(report.Features, f => f.Name == "age_days");
        Assert.Equal(DriftVerdict.Alert, age.Verdict);
        Assert.Equal(1, age.CurrentMissingFraction);
    }

    [Fact]
    public void Analyze_FeatureMissingInSmallSample_Alerts()
    {
        // Under 200 rows the tests of the present values decide; a feature that stopped arriving has none to test.
        var current = Current(42, rows: 80, amountFactor: 1);
        var columns = current.Columns.Where(c => c.Key is not "age_days" and not "merchant").ToDictionary();
        var report = DriftAnalyzer.Analyze(Baseline(1), current with { Columns = columns }, new DriftPolicy());

        Assert.All(report.Features.Where(f => f.Name != "amount"), f =>
        {
            Assert.Equal(1, f.CurrentMissingFraction);
            Assert.Equal(DriftVerdict.Alert, f.Verdict);
        });
        Assert.Equal(DriftVerdict.Ok, Assert.Single(report.Features, f => f.Name == "amount").Verdict);
    }

    [Fact]
    public void Analyze_SmallSampleWithOneMissingValue_IsOk()
    {
        var current = Current(43, rows: 80, amountFactor: 1);
        var ages = current.Columns["age_days"].ToArray();
        ages[0] = null;
        var columns = current.Columns.ToDictionary();
        columns["age_days"] = ages;
        var report = DriftAnalyzer.Analyze(Baseline(1), current with { Columns = columns }, new DriftPolicy());

        Assert.All(report.Features, f => Assert.Equal(DriftVerdict.Ok, f.Verdict));
    }

    [Fact]
    public void Analyze_SmallShiftedSample_UsesKs()
    {
        var report = DriftAnalyzer.Analyze(Baseline(1), Current(51, rows: 80, amountFactor: 3), new DriftPolicy());

        var amount = Assert.Single(report.Features, f => f.Name == "amount");
        Assert.Equal("ks", amount.Method);
        Assert.Equal(DriftVerdict.Alert, amount.Verdict);
    }

    // No prediction in the window is nothing to judge: "ok" read as healthy for a model nobody called.
    [Fact]
    public void Analyze_NoRows_IsNoData()
    {
        var report = DriftAnalyzer.Analyze(Baseline(1), Current(61, rows: 0, amountFactor: 1), new DriftPolicy());

        Assert.Equal(DriftVerdict.NoData, report.Verdict);
        Assert.All(report.Features, f => Assert.Equal(("none", DriftVerdict.NoData), (f.Method, f.Verdict)));
        Assert.Equal(DriftVerdict.NoData, report.Score.Verdict);
        Assert.Equal((0, 0), (report.DriftedShare, report.AlertShare));
        Assert.Equal("no data", DriftAnalyzer.Name(report.Verdict));
    }

    [Fact]
    public void ToJson_NoData_RoundTripsAsNoData()
    {
        var report = DriftAnalyzer.Analyze(Baseline(1), Current(61, rows: 0, amountFactor: 1), new DriftPolicy());

        var json = report.ToJson();

        Assert.Contains("\"verdict\": \"no_data\"", json, StringComparison.Ordinal);
        Assert.Equal(DriftVerdict.NoData, DriftReport.FromJson(json).Verdict);
    }

    [Fact]
    public void ToJson_RoundTrip_KeepsReport()
    {
        var report = DriftAnalyzer.Analyze(Baseline(1), Current(71, rows: 300, amountFactor: 1.8), new DriftPolicy { RetrainOnAlert = true });

        var json = report.ToJson();
        var back = DriftReport.FromJson(json);

        Assert.Contains("\"psi_warn\": 0.1", json, StringComparison.Ordinal);
        Assert.Contains("\"verdict\": \"alert\"", json, StringComparison.Ordinal);
        Assert.Equal(report.Features.Select(f => f.Psi), back.Features.Select(f => f.Psi));
        Assert.Equal(report.Features[0].CurrentCounts, back.Features[0].CurrentCounts);
        Assert.Equal(report.Verdict, back.Verdict);
    }

    /// <summary>A report whose baseline is 20,000 rows of amount (log-normal), age_days (uniform) and merchant (skewed categories).</summary>
    internal static TrainingReport Baseline(int seed)
    {
        var rng = new Prng((ulong)seed);
        const int N = 20_000;
        var amounts = new float[N];
        var ages = new float[N];
        var merchants = new Dictionary<string, long>(StringComparer.Ordinal);
        var scores = new float[N];
        for (var i = 0; i < N; i++)
        {
            amounts[i] = (float)Amount(rng);
            ages[i] = (float)rng.Uniform(0, 3650);
            var m = Merchant(rng);
            merchants[m] = merchants.GetValueOrDefault(m) + 1;
            scores[i] = (float)Score(amounts[i]);
        }

        var merchantStats = new FeatureStatistics(
            "merchant", FeatureKind.Categorical, N, 0, 0, null, null, null, null, [], [], [],
            [.. merchants.OrderByDescending(m => m.Value).Select(m => new CategoryCount(m.Key, m.Value))], 0);
        return new TrainingReport
        {
            Model = "fraud",
            Version = "v20260301000000000-abcdef12",
            TrainedAt = T0,
            Task = ModelTask.BinaryClassification,
            Trainer = TrainerKind.LightGbm,
            Parameters = new SortedDictionary<string, string>(StringComparer.Ordinal),
            Seed = 1,
            ValidationSpan = TimeSpan.FromDays(7),
            Training = new DataRange(T0.AddDays(-60), T0.AddDays(-7), N, 100),
            Validation = new DataRange(T0.AddDays(-7), T0, N, 20),
            Inputs = [new ModelInput("amount", FeatureKind.Numeric, "raw"), new ModelInput("age_days", FeatureKind.Numeric, "raw"), new ModelInput("merchant", FeatureKind.Categorical, "one_hot")],
            Evaluation = new ModelEvaluation(null, 0.5, null, null, null),
            Importance = [],
            Baseline = [FeatureStatistics.Numeric("amount", amounts), FeatureStatistics.Numeric("age_days", ages), merchantStats],
            ScoreBaseline = FeatureStatistics.Numeric("score", scores),
        };
    }

    internal static DriftInput Current(int seed, int rows, double amountFactor, Func<Prng, string>? merchant = null)
    {
        var rng = new Prng((ulong)seed);
        var amounts = new object?[rows];
        var ages = new object?[rows];
        var merchants = new object?[rows];
        var scores = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            var amount = Amount(rng) * amountFactor;
            amounts[i] = amount;
            ages[i] = rng.Uniform(0, 3650);
            merchants[i] = merchant?.Invoke(rng) ?? Merchant(rng);
            scores[i] = Score(amount);
        }

        var columns = new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal) { ["amount"] = amounts, ["age_days"] = ages, ["merchant"] = merchants };
        return new DriftInput(T0, T0.AddDays(1), rows, columns, scores);
    }

    private static double Amount(Prng rng)
    {
        // Log-normal via Box–Muller: median ≈ 40.
        var z = Math.Sqrt(-2 * Math.Log(rng.NextOpenDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        return Math.Exp(3.7 + (0.9 * z));
    }

    private static string Merchant(Prng rng)
    {
        var u = rng.NextDouble();
        return u < 0.4 ? Merchants[0] : u < 0.65 ? Merchants[1] : u < 0.85 ? Merchants[2] : u < 0.95 ? Merchants[3] : Merchants[4];
    }

    private static double Score(double amount) => 1 / (1 + Math.Exp(-(Math.Log(amount) - 6)));
}
