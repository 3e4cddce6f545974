using Brisa.Core.Definitions;
using Brisa.Core.Features;

namespace Brisa.Functions.Serving;

/// <summary>The compiled plan of the live definitions, rebuilt only when they change (compiling is not free).</summary>
public sealed class ServingPlans
{
    private (FeatureRepositoryDefinition Definitions, FeaturePlan Plan)? current;

    /// <summary>The plan for these definitions; serving reads streaming tiles, so ids are tracked as on ingestion.</summary>
    public FeaturePlan For(FeatureRepositoryDefinition definitions)
    {
        var snapshot = current;
        if (snapshot is { } s && ReferenceEquals(s.Definitions, definitions))
        {
            return s.Plan;
        }

        var plan = FeaturePlan.Compile(definitions, trackEventIds: true);
        current = (definitions, plan);
        return plan;
    }
}
