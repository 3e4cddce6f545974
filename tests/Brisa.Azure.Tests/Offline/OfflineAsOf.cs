using Brisa.Core.Aggregation;
using Brisa.Core.Features;
using Brisa.Core.Materialization;

namespace Brisa.Azure.Tests.Offline;

/// <summary>How the skew tests read offline rows as of a time, independently of the builders they check.</summary>
internal static class OfflineAsOf
{
    /// <summary>The entity's latest row at or before t in t's UTC day, else the view's empty-window values.</summary>
    public static FieldValue[] Latest(List<OfflineRows> blocks, ViewPlan view, string key, long t)
    {
        FieldValue[]? best = null;
        var bestTicks = long.MinValue;
        foreach (var block in blocks)
        {
            for (var r = 0; r < block.Count; r++)
            {
                var ft = block.FeatureTicksOf(r);
                if (block.EntityKeyOf(r) == key && ft <= t && ft >= bestTicks && SourceMaterializer.FloorDay(ft) == SourceMaterializer.FloorDay(t))
                {
                    bestTicks = ft;
                    best = block.ValuesOf(r).ToArray();
                }
            }
        }

        if (best is null)
        {
            best = new FieldValue[view.View.FeatureCount];
            view.View.WriteEmpty(best);
        }

        return best;
    }
}
