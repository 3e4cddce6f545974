using Brisa.Core.Definitions;
using Brisa.Core.Modeling;

namespace Brisa.Core.Tests.Modeling;

public sealed class PromotionPolicyTests
{
    private static readonly ModelDefinition Model = new()
    {
        Name = "fraud",
        ObservationSource = "transaction",
        Label = new LabelDefinition { Source = "chargeback", Key = "transaction_id", Within = TimeSpan.FromDays(60) },
        Promotion = new PromotionPolicy { Metric = PromotionMetric.ExpectedCost, Margin = 0.05, MinRows = 4, MinPositives = 2, MaxMissingFraction = 0.2 },
        Cost = new CostMatrix { FalseNegative = CostAmount.FromField("amount"), FalsePositive = 5 },
    };

    private static readonly TrainingTable Rows = EvaluationTests.Table([1, 0, 1, 0], [100, 1, 100, 1]);
    private static readonly Dictionary<string, double> NoMissing = new() { ["x"] = 0.0 };

    [Fact]
    public void Decide_NoChampion_PromotesWhenGuardrailsPass()
    {
        var decision = PromotionPolicyEvaluator.Decide(Model, Rows, NoMissing, Eval(cost: 50), null);
        Assert.True(decision.Promote, decision.Reason);
        Assert.All(decision.Guardrails, g => Assert.True(g.Passed));
    }

    [Fact]
    public void Decide_WorseOrNotByMargin_StaysChallenger()
    {
        var worse = PromotionPolicyEvaluator.Decide(Model, Rows, NoMissing, Eval(cost: 120), Champion(100));
        Assert.False(worse.Promote);
        Assert.StartsWith("Stays challenger: does not beat the champion", worse.Reason, StringComparison.Ordinal);

        var slightly = PromotionPolicyEvaluator.Decide(Model, Rows, NoMissing, Eval(cost: 97), Champion(100));
        Assert.False(slightly.Promote); // 3% better, margin 5%
        Assert.Equal(0.03, slightly.Improvement!.Value, 10);
    }

    [Theory]
    [InlineData(120, "out-of-sample expected_cost 120 vs champion v1 100 on the same window: 20% worse, margin 5% (lower is better).")]
    [InlineData(97, "out-of-sample expected_cost 97 vs champion v1 100 on the same window: 3% better, margin 5% (lower is better).")]
    public void Decide_NotByMargin_ReasonSaysHowMuchBetterOrWorse(double cost, string comparison)
    {
        // Was "(-20% lower is better, margin 5%)" for a challenger that cost 20% more.
        var decision = PromotionPolicyEvaluator.Decide(Model, Rows, NoMissing, Eval(cost: cost), Champion(100));

        Assert.Equal("Stays challenger: does not beat the champion by the margin: " + comparison, decision.Reason);
    }

    [Fact]
    public void Decide_BetterByMargin_Promotes()
    {
        var decision = PromotionPolicyEvaluator.Decide(Model, Rows, NoMissing, Eval(cost: 80), Champion(100));
        Assert.True(decision.Promote, decision.Reason);
        Assert.Equal("v1", decision.ChampionVersion);
        Assert.Equal(100, decision.ChampionValue);
    }

    [Fact]
    public void Decide_AucHigherIsBetter()
    {
        var model = Model with { Promotion = Model.Promotion with { Metric = PromotionMetric.Auc } };
        Assert.True(PromotionPolicyEvaluator.Decide(model, Rows, NoMissing, Eval(50, auc: 0.95), Champion(100, auc: 0.85)).Promote);
        Assert.False(PromotionPolicyEvaluator.Decide(model, Rows, NoMissing, Eval(50, auc: 0.85), Champion(100, auc: 0.95)).Promote);
    }

    [Theory]
    [InlineData(3, 2, 0.0, "min_rows")]
    [InlineData(4, 1, 0.0, "min_positives")]
    [InlineData(4, 2, 0.5, "max_missing_fraction")]
    public void Decide_GuardrailFails_StaysChallengerEvenIfBetter(int minRowsOk, int positives, double missing, string failed)
    {
        var rows = positives == 2 ? Rows : EvaluationTests.Table([1, 0, 0, 0], [100, 1, 1, 1]);
        var model = Model with { Promotion = Model.Promotion with { MinRows = minRowsOk == 3 ? 5 : 4 } };
        var decision = PromotionPolicyEvaluator.Decide(model, rows, new Dictionary<string, double> { ["x"] = missing }, Eval(cost: 10), Champion(100));
        Assert.False(decision.Promote);
        Assert.False(decision.Guardrails.Single(g => g.Name == failed).Passed);
        Assert.Contains(failed, decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ExpectedCost_ComparesOutOfSampleNotTheInSampleCost()
    {
        // In-sample the candidate looks 40% cheaper (its threshold fits the window's noise); out of sample it is worse.
        var candidate = Eval(cost: 110, inSampleCost: 60);
        var champion = new ChampionEvaluation("v1", Eval(cost: 100, inSampleCost: 100), null);

        var decision = PromotionPolicyEvaluator.Decide(Model, Rows, NoMissing, candidate, champion);

        Assert.False(decision.Promote, decision.Reason);
        Assert.Equal(110, decision.CandidateValue);
        Assert.Equal(100, decision.ChampionValue);
        Assert.Contains("out-of-sample expected_cost 110 vs champion v1 100", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_WindowTooSmallToCrossFit_ComparesInSampleAndSaysSo()
    {
        var inSampleOnly = Eval(cost: 80) with { Business = Eval(cost: 80).Business! with { OutOfSample = null, OutOfSampleUnavailable = "too few" } };
        var champion = Eval(cost: 100) with { Business = Eval(cost: 100).Business! with { OutOfSample = null, OutOfSampleUnavailable = "too few" } };

        var decision = PromotionPolicyEvaluator.Decide(Model, Rows, NoMissing, inSampleOnly, new ChampionEvaluation("v1", champion, null));

        Assert.True(decision.Promote, decision.Reason);
        Assert.Contains("in-sample expected_cost 80 vs champion v1 100", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ChampionNotComparable_StaysChallengerAndSaysWhy()
    {
        var decision = PromotionPolicyEvaluator.Decide(Model, Rows, NoMissing, Eval(cost: 10), new ChampionEvaluation("v1", null, "it needs inputs the candidate's rows lack: old_feature"));
        Assert.False(decision.Promote);
        Assert.Contains("old_feature", decision.Reason, StringComparison.Ordinal);
    }

    private static ChampionEvaluation Champion(double cost, double auc = 0.9) => new("v1", Eval(cost, auc), null);

    // cost: the out-of-sample expected cost; inSampleCost: the one at the threshold chosen on the window (default cost).
    private static ModelEvaluation Eval(double cost, double auc = 0.9, double? inSampleCost = null)
    {
        var inSample = inSampleCost ?? cost;
        var confusion = new ConfusionMatrix(1, 1, 1, 1);
        var business = new BusinessResult("EUR", 0.5, inSample, 200, 20, 200 - inSample, (200 - inSample) / 200, confusion, [])
        {
            OutOfSample = new CrossFittedResult(cost, 200, 200 - cost, (200 - cost) / 200, confusion, [], []),
        };
        return new ModelEvaluation(new BinaryMetrics(4, 2, 0.5, auc, 0.5, 0.3, 0.1, []), 0.5, confusion, business, null);
    }
}
