using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Training;
using FeaturePlan = Brisa.Core.Features.FeaturePlan;

namespace Brisa.Core.Tests.Training;

public class TrainingTablesTests
{
    private static readonly FeaturePlan Plan = FraudStream.Plan;
    private static readonly ModelDefinition Model = FraudStream.Definitions.FindModel("fraud")!;

    [Fact]
    public void FromSet_CostFieldNotAModelInput_CarriesItAsCostInputOnly()
    {
        // A valid definition: false_negative reads 'amount', a field of the observation source, although no input does.
        var model = Model with { Features = [new FeatureReference("customer_1h", "txn_count_1h")], RequestFields = [] };
        var txns = FraudStream.GenerateTransactions(7, count: 50, span: TimeSpan.FromHours(6));
        var observations = ModelObservations.Build(Plan, model, [txns], []);
        var set = TrainingSetBuilder.ForModel(Plan, model).Build(observations, [txns]);

        var table = TrainingTables.FromSet(set, model);

        var amountOf = Enumerable.Range(0, txns.Count).ToDictionary(txns.Id, r => txns.Value(r, txns.Schema.IndexOf("amount")).Number);
        Assert.Equal(table.RowIds!.Select(id => amountOf[id]), table.CostInputs["amount"]);
        Assert.Equal(["customer_1h:txn_count_1h"], table.Features.Select(f => f.Name));
    }
}
