using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;
using Brisa.Core.Training;
using FeaturePlan = Brisa.Core.Features.FeaturePlan;

namespace Brisa.Core.Tests.Training;

public sealed class TrainingTablesTests
{
    private static readonly FeaturePlan Plan = FraudStream.Plan;
    private static readonly ModelDefinition Model = FraudStream.Definitions.FindModel("fraud")!;

    [Fact]
    public void FromSet_CostWithCurrencyField_CurrenciesFromThatFieldAndAmountsUnconverted()
    {
        var table = TrainingTables.FromSet(Set(Model, ("a", 10, "EUR", "ES"), ("b", 20, "USD", "US"), ("c", 30, "GBP", "GB")), Model, withLabels: false);

        Assert.Equal(["EUR", "USD", "GBP"], table.Currencies);

        // The table keeps each amount in its own currency: evaluation converts it with the cost's rates.
        Assert.Equal([10.0, 20.0, 30.0], table.CostInputs["amount"]);
    }

    [Fact]
    public void FromSet_CurrencyFieldNamesAnotherRequestField_CurrenciesFromIt()
    {
        var model = Model with { Cost = Model.Cost! with { CurrencyField = "country" } };

        var table = TrainingTables.FromSet(Set(model, ("a", 10, "EUR", "ES"), ("b", 20, "USD", "US")), model, withLabels: false);

        Assert.Equal(["ES", "US"], table.Currencies);
    }

    [Fact]
    public void FromSet_CostWithoutCurrencyField_NoCurrencies()
    {
        // The set still has a request field named currency: only the definition decides what the breakdown is keyed by.
        var model = Model with { Cost = Model.Cost! with { CurrencyField = null, ExchangeRates = null } };

        var table = TrainingTables.FromSet(Set(model, ("a", 10, "USD", "US")), model, withLabels: false);

        Assert.Null(table.Currencies);
    }

    private static TrainingSet Set(ModelDefinition model, params (string Id, double Amount, string Currency, string Country)[] rows)
    {
        var schema = FraudStream.Transactions;
        var batch = new SourceEventBatch(schema);
        for (var i = 0; i < rows.Length; i++)
        {
            var (id, amount, currency, country) = rows[i];
            var ticks = TiledView.ToUnixTicks(FraudStream.Start.AddMinutes(i));
            var row = new FieldValue[schema.Fields.Count];
            row[schema.IndexOf("transaction_id")] = FieldValue.FromText(id);
            row[schema.IndexOf("customer_id")] = FieldValue.FromText("c1");
            row[schema.IndexOf("merchant_id")] = FieldValue.FromText("m1");
            row[schema.IndexOf("amount")] = FieldValue.FromNumber(amount);
            row[schema.IndexOf("currency")] = FieldValue.FromText(currency);
            row[schema.IndexOf("country")] = FieldValue.FromText(country);
            row[schema.IndexOf("channel")] = FieldValue.FromText("pos");
            row[schema.IndexOf("timestamp")] = FieldValue.FromNumber(ticks / 10);
            batch.Add(id, ticks, row);
        }

        return TrainingSetBuilder.ForModel(Plan, model).Build(ModelObservations.Build(Plan, model, [batch], []), [batch]);
    }
}
