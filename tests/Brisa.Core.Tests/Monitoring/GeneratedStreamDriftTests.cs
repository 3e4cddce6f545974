using Brisa.Core.Definitions;
using Brisa.Core.Generation;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;
using Brisa.Core.Tests.Modeling;

namespace Brisa.Core.Tests.Monitoring;

/// <summary>
/// Drift on the sample fraud model's 19 inputs computed from generated streams: a week of history as the baseline,
/// the stream's last day as the current window. View features carry the key of the entity they were read for, as
/// the prediction log does.
/// </summary>
public sealed class GeneratedStreamDriftTests
{
    private const int Days = 15;

    // Inputs computed without the amount: a shift in amounts must leave them alone.
    private static readonly string[] AmountFree =
    [
        "customer_1h:txn_count_1h", "customer_1h:country_distinct_1h", "customer_7d:txn_count_7d", "customer_7d:country_distinct_7d",
        "merchant_1h:merchant_txn_count_1h", "is_foreign", "country", "channel", "currency",
    ];

    [Fact]
    public void Analyze_AmountsTimesThreeForADay_AlertsOnAmountNotOnOtherInputs()
    {
        var report = LastDayAgainstWeekBefore(seed: 5, new FraudStreamShift { After = TimeSpan.FromDays(Days - 1), AmountFactor = 3, OnlineShare = 0 });

        Assert.Equal(DriftVerdict.Alert, Verdict(report, "amount"));
        Assert.Equal(DriftVerdict.Alert, Verdict(report, "log_amount"));
        Assert.True(report.Features.Single(f => f.Name == "amount").Psi > 0.5);
        Assert.All(AmountFree, name => Assert.Equal(DriftVerdict.Ok, Verdict(report, name)));

        // The amount and the on-demand features computed from it alert (5 of 19 inputs, 26 %): under the 30 % share
        // at which the whole dataset alerts, so the dataset warns and no retraining is queued for one input.
        Assert.Equal(5, report.Features.Count(f => f.Verdict == DriftVerdict.Alert));
        Assert.Equal(DriftVerdict.Warn, report.Verdict);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void Analyze_UnshiftedStream_RaisesNoAlert(int seed)
    {
        var report = LastDayAgainstWeekBefore(seed, shift: null);

        var alerts = report.Features.Where(f => f.Verdict == DriftVerdict.Alert).Select(f => $"{f.Name} (PSI {f.Psi:0.###}, nₑ {f.EffectiveCount:0})");
        Assert.Empty(alerts);
        Assert.NotEqual(DriftVerdict.Alert, report.Verdict);
    }

    [Fact]
    public void Analyze_UnshiftedStreamWithoutEntityKeys_AlertsOnTheMerchantMean()
    {
        // The same data with every row counted as independent: the 7-day merchant mean, a few busy merchants at one
        // value each for the day, looks drifted. This is the false alarm the entity keys remove.
        var report = LastDayAgainstWeekBefore(seed: 3, shift: null, withEntityKeys: false);

        var merchantMean = report.Features.Single(f => f.Name == "merchant_7d:merchant_amount_mean_7d");
        Assert.Equal(DriftVerdict.Alert, merchantMean.Verdict);
        Assert.Equal(merchantMean.CurrentCount, merchantMean.EffectiveCount);
    }

    [Fact]
    public void Analyze_ViewFeatures_CountEntitiesNotRows()
    {
        var report = LastDayAgainstWeekBefore(seed: 3, shift: null);

        var merchantMean = report.Features.Single(f => f.Name == "merchant_7d:merchant_amount_mean_7d");
        var amount = report.Features.Single(f => f.Name == "amount");
        Assert.Equal(amount.CurrentCount, amount.EffectiveCount);
        Assert.InRange(merchantMean.EffectiveCount, 2, 200); // 200 merchants, a handful of which carry most rows
        Assert.True(merchantMean.Psi >= 0.25, "the distance alone is alert-sized");
        Assert.True(merchantMean.PsiPValue > DriftAnalyzer.WarnPValue, $"p = {merchantMean.PsiPValue}");
    }

    private static DriftReport LastDayAgainstWeekBefore(int seed, FraudStreamShift? shift, bool withEntityKeys = true)
    {
        var stream = FraudStreamGenerator.Generate(new FraudStreamOptions
        {
            Customers = 200, Merchants = 200, Days = Days, Seed = seed, Start = BootstrapTrainingTable.Start, Shift = shift,
        });
        var table = BootstrapTrainingTable.FromStream(stream);
        var transactions = stream.Events.OfType<TransactionEvent>().OrderBy(t => t.Time).ToList(); // the table's row order
        var lastDay = BootstrapTrainingTable.Start.AddDays(Days - 1);
        var week = Rows(table, t => t >= lastDay.AddDays(-7) && t < lastDay);
        var current = Rows(table, t => t >= lastDay);
        var baseline = DriftAnalyzerTests.Baseline(1) with { Baseline = FeatureStatistics.Compute(table.Take(week)) };
        var columns = table.Features.ToDictionary(
            c => c.Name,
            c => (IReadOnlyList<object?>)[.. current.Select(r => c is NumericColumn n ? n.Values[r] : (object?)((CategoricalColumn)c).Values[r])]);
        var clusters = table.Features
            .Where(c => withEntityKeys && c.Name.Contains(':', StringComparison.Ordinal))
            .ToDictionary(
                c => c.Name,
                c => (IReadOnlyList<string?>)[.. current.Select(r => c.Name.StartsWith("merchant", StringComparison.Ordinal) ? transactions[r].MerchantId : transactions[r].CustomerId)]);
        return DriftAnalyzer.Analyze(baseline, new DriftInput(lastDay, lastDay.AddDays(1), current.Length, columns, [], clusters), new DriftPolicy());
    }

    private static int[] Rows(TrainingTable table, Func<DateTimeOffset, bool> keep) =>
        [.. Enumerable.Range(0, table.RowCount).Where(r => keep(table.Timestamps[r]))];

    private static DriftVerdict Verdict(DriftReport report, string name) => report.Features.Single(f => f.Name == name).Verdict;
}
