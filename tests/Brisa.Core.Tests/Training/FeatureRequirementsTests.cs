using Brisa.Core.Definitions;
using FeaturePlan = Brisa.Core.Features.FeaturePlan;

namespace Brisa.Core.Tests.Training;

public sealed class FeatureRequirementsTests
{
    private static readonly FeaturePlan Plan = FraudStream.Plan;
    private static readonly SourceDefinition Transaction = Plan.Definitions.FindSource("transaction")!;

    [Fact]
    public void IsCoveredBy_SubsetOfViewsKeysAndFields_TrueAndNotTheOtherWay()
    {
        // The challenger reads one view of the champion's and one of its request fields; the champion also a merchant view.
        var challenger = Resolve(["customer_1h:txn_count_1h"], ["amount"]);
        var champion = Resolve(["customer_1h:txn_count_1h", "merchant_7d:merchant_amount_mean_7d"], ["amount", "country"]);

        Assert.True(challenger.IsCoveredBy(champion));
        Assert.True(champion.IsCoveredBy(champion));
        Assert.False(champion.IsCoveredBy(challenger));
    }

    [Fact]
    public void IsCoveredBy_RequestFieldTheOtherDoesNotParse_False()
    {
        var challenger = Resolve(["customer_1h:txn_count_1h"], ["amount", "channel"]);
        var champion = Resolve(["customer_1h:txn_count_1h"], ["amount", "country"]);

        Assert.False(challenger.IsCoveredBy(champion));
    }

    private static Brisa.Core.Training.FeatureRequirements Resolve(string[] features, string[] fields) =>
        Brisa.Core.Training.FeatureRequirements.Resolve(Plan, [.. features.Select(f => FeatureReference.Parse(f))], fields, Transaction);
}
