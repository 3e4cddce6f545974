using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Tests.Definitions;

namespace Brisa.Core.Tests.Features;

public sealed class FeaturePlanTests
{
    [Fact]
    public void Compile_Sample_MarksTheJoinKeysOfEachSourcesViewsAsEntityKeys()
    {
        var plan = FeaturePlan.Compile(SampleDefinitionsTests.LoadSample(), trackEventIds: true);

        var keys = plan.Schemas.ToDictionary(s => s.SourceName, s => s.Fields.Where(f => f.EntityKey).Select(f => f.Name).ToArray());

        // The transaction source feeds customer and merchant views; no view aggregates chargebacks.
        Assert.Equal(["customer_id", "merchant_id"], keys["transaction"]);
        Assert.Empty(keys["chargeback"]);
    }

    [Fact]
    public void Compile_SourceFieldsAddedOrReordered_KeepsEveryViewLayout()
    {
        // Stored online tiles carry the layout fingerprint: a source change the views do not see must not orphan them.
        var sample = SampleDefinitionsTests.LoadSample();
        var transaction = sample.Sources.Single(s => s.Name == "transaction");
        FieldDefinition[] fields = [new() { Name = "device_id", Type = FieldType.String }, .. transaction.Fields.Reverse()];
        var changed = sample with { Sources = [transaction with { Fields = fields }] };

        var before = FeaturePlan.Compile(sample, trackEventIds: true).Views.ToDictionary(v => v.Name, v => v.View.LayoutFingerprint);
        var after = FeaturePlan.Compile(changed, trackEventIds: true).Views.ToDictionary(v => v.Name, v => v.View.LayoutFingerprint);

        Assert.Equal(before, after);
    }

    [Fact]
    public void Compile_FeatureAggregatesAnotherField_ChangesTheViewLayout()
    {
        var sample = SampleDefinitionsTests.LoadSample();
        var changed = sample with
        {
            FeatureViews = sample.FeatureViews.Select(v => v.Name != "customer_7d" ? v : v with
            {
                Features = v.Features.Select(f => f.Name == "last_country_7d" ? f with { Field = "channel" } : f).ToArray(),
            }).ToArray(),
        };

        var before = FeaturePlan.Compile(sample, trackEventIds: true).FindView("customer_7d")!.View.LayoutFingerprint;
        var after = FeaturePlan.Compile(changed, trackEventIds: true).FindView("customer_7d")!.View.LayoutFingerprint;

        Assert.NotEqual(before, after);
    }
}
