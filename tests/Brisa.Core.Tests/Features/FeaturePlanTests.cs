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
}
