using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using FeaturePlan = Brisa.Core.Features.FeaturePlan;
using Brisa.Core.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Brisa.Core.Tests.Training;

public class TrainingSetBuilderTests
{
    private static readonly FeaturePlan Plan = FraudStream.Plan;
    private static readonly ModelDefinition Model = FraudStream.Definitions.FindModel("fraud")!;

    private static long T(int minutes, int seconds = 0) =>
        TiledView.ToUnixTicks(FraudStream.Start.AddMinutes(minutes).AddSeconds(seconds));

    private static SourceEventBatch Txns(params (string Id, string Customer, string Merchant, double Amount, string Country, long Ticks)[] rows)
    {
        var schema = FraudStream.Transactions;
        var batch = new SourceEventBatch(schema);
        foreach (var r in rows)
        {
            var row = new FieldValue[schema.Fields.Count];
            row[schema.IndexOf("transaction_id")] = FieldValue.FromText(r.Id);
            row[schema.IndexOf("customer_id")] = FieldValue.FromText(r.Customer);
            row[schema.IndexOf("merchant_id")] = FieldValue.FromText(r.Merchant);
            row[schema.IndexOf("amount")] = FieldValue.FromNumber(r.Amount);
            row[schema.IndexOf("currency")] = FieldValue.FromText("EUR");
            row[schema.IndexOf("country")] = FieldValue.FromText(r.Country);
            row[schema.IndexOf("channel")] = FieldValue.FromText("pos");
            row[schema.IndexOf("timestamp")] = FieldValue.FromNumber(r.Ticks / 10);
            batch.Add(r.Id, r.Ticks, row);
        }

        return batch;
    }

    [Fact]
    public void Build_FraudModel_RowExcludesItsOwnTransactionAndLaterOnes()
    {
        var txns = Txns(
            ("t1", "c1", "m1", 10, "ES", T(0)),
            ("t2", "c1", "m1", 30, "ES", T(10)),
            ("t3", "c1", "m2", 50, "FR", T(20)),
            ("t4", "c2", "m1", 70, "DE", T(20)));
        var chargebacks = FraudStream.GenerateChargebacks(txns, seed: 1, rate: 0);
        var observations = ModelObservations.Build(Plan, Model, [txns], [chargebacks]);
        var set = TrainingSetBuilder.ForModel(Plan, Model).Build(observations, [txns]);

        Assert.Equal(["t1", "t2", "t3", "t4"], set.RowIds);
        var count = set.Column("customer_1h__txn_count_1h");
        var sum = set.Column("customer_1h__amount_sum_1h");
        var std = set.Column("customer_7d__amount_std_7d");
        var foreign = set.Column("is_foreign");
        var zscore = set.Column("amount_zscore");

        // t1: the customer's first transaction: nothing before it, NOT_FOUND, served as missing.
        Assert.True(count[0].IsNull);
        Assert.True(foreign[0].IsNull);

        // t2 sees t1 only; t3 sees t1 and t2 (never itself); t4 is another customer's first.
        Assert.Equal(1.0, count[1].Number);
        Assert.Equal(10.0, sum[1].Number);
        Assert.True(std[1].IsNull);
        Assert.Equal(0.0, foreign[1].Number);
        Assert.Equal(2.0, count[2].Number);
        Assert.Equal(40.0, sum[2].Number);
        Assert.Equal(Math.Sqrt(200), std[2].Number, 12);
        Assert.Equal(1.0, foreign[2].Number);
        Assert.Equal((50 - 20) / Math.Sqrt(200), zscore[2].Number, 12);
        Assert.True(count[3].IsNull);

        // The merchant m1 view at t4 sees t1 and t2 but not t3 (another merchant) nor t4 itself.
        Assert.Equal(2.0, set.Column("merchant_1h__merchant_txn_count_1h")[3].Number);
        Assert.Equal(set.RowCount, set.ViewCounts["customer_1h"].Present + set.ViewCounts["customer_1h"].NotFound);
        Assert.All(set.Label!.Values.ToArray(), v => Assert.Equal(0.0, v.Number));
    }

    [Fact]
    public void Build_SameObservationsInAnotherOrder_SameRowsInTheSameOrder()
    {
        // Raw files are read in name order, and names depend on how events were batched: ties must not follow input order.
        var rows = new[] { ("b", "c1", "m1", 10.0, "ES", T(5)), ("a", "c2", "m1", 20.0, "FR", T(5)), ("c", "c1", "m2", 30.0, "DE", T(1)) };
        var forward = Txns(rows);
        var backward = Txns([.. rows.Reverse()]);

        var one = TrainingSetBuilder.ForModel(Plan, Model).Build(ModelObservations.Build(Plan, Model, [forward], []), [forward]);
        var other = TrainingSetBuilder.ForModel(Plan, Model).Build(ModelObservations.Build(Plan, Model, [backward], []), [backward]);

        Assert.Equal(["c", "a", "b"], one.RowIds);
        Assert.Equal(one.RowIds, other.RowIds);
    }

    [Fact]
    public void Build_NoEvents_EveryViewEmptyAndNotFound()
    {
        var txns = Txns(("a", "c1", "m1", 10, "ES", T(5)));
        var observations = ModelObservations.Build(Plan, Model, [txns], []);
        var set = TrainingSetBuilder.ForModel(Plan, Model, new TrainingSetOptions { ApplyTtl = false }).Build(observations, [Txns()]);

        Assert.Equal([0.0], set.Column("customer_1h__txn_count_1h").Values.ToArray().Select(v => v.Number));
        Assert.All(set.ViewCounts.Values, c => Assert.Equal(0, c.Present));
    }

    [Fact]
    public void Build_AtObservation_IncludesEventsAtTheSameInstant()
    {
        var txns = Txns(("a", "c1", "m1", 10, "ES", T(5)), ("b", "c1", "m1", 20, "ES", T(5)));
        var observations = ModelObservations.Build(Plan, Model, [txns], []);
        var before = TrainingSetBuilder.ForModel(Plan, Model, new TrainingSetOptions { ApplyTtl = false }).Build(observations, [txns]);
        var at = TrainingSetBuilder.ForModel(Plan, Model, new TrainingSetOptions { ApplyTtl = false, PointInTime = PointInTimeMode.AtObservation }).Build(observations, [txns]);

        Assert.Equal([0.0, 0.0], before.Column("customer_1h__txn_count_1h").Values.ToArray().Select(v => v.Number));
        Assert.Equal([2.0, 2.0], at.Column("customer_1h__txn_count_1h").Values.ToArray().Select(v => v.Number));
    }

    [Fact]
    public void Build_Ttl_ViewOlderThanTtlIsMissingAndOnDemandSeesNull()
    {
        // customer_1h has ttl 2h: three hours later the 1h window is empty and the value is served as missing.
        var txns = Txns(("a", "c1", "m1", 10, "ES", T(0)), ("b", "c1", "m1", 20, "FR", T(180)));
        var observations = ModelObservations.Build(Plan, Model, [txns], []);
        var withTtl = TrainingSetBuilder.ForModel(Plan, Model).Build(observations, [txns]);
        var raw = TrainingSetBuilder.ForModel(Plan, Model, new TrainingSetOptions { ApplyTtl = false }).Build(observations, [txns]);

        Assert.True(withTtl.Column("customer_1h__txn_count_1h")[1].IsNull);
        Assert.Equal(0.0, raw.Column("customer_1h__txn_count_1h")[1].Number);
        Assert.Equal(1, withTtl.ViewCounts["customer_1h"].OutsideMaxAge);

        // customer_7d (ttl 2d) is still fresh: the last country is ES, so FR is foreign.
        Assert.Equal(1.0, withTtl.Column("customer_7d__txn_count_7d")[1].Number);
        Assert.Equal(1.0, withTtl.Column("is_foreign")[1].Number);
    }

    [Fact]
    public void ModelObservations_LabelWithinWindowAndMaturity()
    {
        var txns = Txns(
            ("t1", "c1", "m1", 10, "ES", T(0)),
            ("t2", "c1", "m1", 10, "ES", T(1)),
            ("t3", "c1", "m1", 10, "ES", T(2)),
            ("t4", "c1", "m1", 10, "ES", TiledView.ToUnixTicks(FraudStream.Start.AddDays(50))));
        var schema = FraudStream.Chargebacks;
        var cbs = new SourceEventBatch(schema);
        void Chargeback(string txn, DateTimeOffset at)
        {
            var row = new FieldValue[schema.Fields.Count];
            row[schema.IndexOf("chargeback_id")] = FieldValue.FromText("cb-" + txn);
            row[schema.IndexOf("transaction_id")] = FieldValue.FromText(txn);
            row[schema.IndexOf("customer_id")] = FieldValue.FromText("c1");
            row[schema.IndexOf("amount")] = FieldValue.FromNumber(10);
            row[schema.IndexOf("timestamp")] = FieldValue.FromNumber(TiledView.ToUnixTicks(at) / 10);
            cbs.Add("cb-" + txn, TiledView.ToUnixTicks(at), row);
        }

        Chargeback("t1", FraudStream.Start.AddDays(30));   // within 60d: positive
        Chargeback("t2", FraudStream.Start.AddDays(61));   // after 60d: does not count
        Chargeback("t1", FraudStream.Start.AddDays(30));   // redelivered: ignored

        var all = ModelObservations.Build(Plan, Model, [txns, txns], [cbs]);
        Assert.Equal(4, all.Count);
        Assert.Equal([1.0, 0.0, 0.0, 0.0], Enumerable.Range(0, 4).Select(i => all.LabelOf(i).Number));

        // Known at day 70: t4 (day 50) has no final label yet and is dropped.
        var mature = ModelObservations.Build(Plan, Model, [txns], [cbs], FraudStream.Start.AddDays(70));
        Assert.Equal(3, mature.Count);
        Assert.Equal(1, mature.ImmatureDropped);
    }

    [Fact]
    public void ModelObservations_RegressionLabelEventsAtTheSameTime_ValueOfTheSmallestIdWhateverTheBatchOrder()
    {
        // A regression on the chargeback amount; two chargebacks of t1 at the same instant, each in its own batch.
        var regression = Model with { Task = ModelTask.Regression, Label = Model.Label with { Value = "amount" }, Cost = null };
        var txns = Txns(("t1", "c1", "m1", 10, "ES", T(0)));
        var schema = FraudStream.Chargebacks;
        SourceEventBatch Chargeback(string id, double amount)
        {
            var batch = new SourceEventBatch(schema);
            var row = new FieldValue[schema.Fields.Count];
            row[schema.IndexOf("chargeback_id")] = FieldValue.FromText(id);
            row[schema.IndexOf("transaction_id")] = FieldValue.FromText("t1");
            row[schema.IndexOf("customer_id")] = FieldValue.FromText("c1");
            row[schema.IndexOf("amount")] = FieldValue.FromNumber(amount);
            row[schema.IndexOf("timestamp")] = FieldValue.FromNumber(T(60) / 10);
            batch.Add(id, T(60), row);
            return batch;
        }

        var a = Chargeback("cb-a", 20);
        var b = Chargeback("cb-b", 10);

        Assert.Equal(20.0, ModelObservations.Build(Plan, regression, [txns], [a, b]).LabelOf(0).Number);
        Assert.Equal(20.0, ModelObservations.Build(Plan, regression, [txns], [b, a]).LabelOf(0).Number);
    }

    [Theory]
    [InlineData(1, PointInTimeMode.BeforeObservation)]
    [InlineData(2, PointInTimeMode.AtObservation)]
    [InlineData(3, PointInTimeMode.BeforeObservation)]
    public void Build_RandomStream_EveryViewFeatureMatchesNaiveReference(int seed, PointInTimeMode mode)
    {
        var txns = FraudStream.GenerateTransactions(seed, count: 600, span: TimeSpan.FromDays(9));
        var features = Plan.Views.SelectMany(v => v.Definition.Features.Select(f => new FeatureReference(v.Name, f.Name))).ToArray();
        var builder = new TrainingSetBuilder(Plan, features, options: new TrainingSetOptions { PointInTime = mode, ApplyTtl = false });
        var observations = ModelObservations.Build(Plan, Model, [txns], []);

        // Feed the events as two overlapping batches: duplicates must be ignored.
        var set = builder.Build(observations, [txns, txns]);

        var rng = new Random(seed);
        var reference = Plan.Views.ToDictionary(v => v.Name, v => FraudStream.ReferenceEvents(v, txns));
        var keyColumns = Plan.Views.ToDictionary(v => v.Name, v => set.Column(FraudStream.Definitions.FindEntity(v.Definition.Entity)!.JoinKey));
        for (var sample = 0; sample < 120; sample++)
        {
            var r = rng.Next(set.RowCount);
            var t = set.ObservationTicks[r];
            foreach (var view in Plan.Views)
            {
                var key = keyColumns[view.Name][r].Text;
                var expected = FraudStream.ReferenceValues(view, reference[view.Name], key, t, mode == PointInTimeMode.AtObservation ? t : t - 1);
                var actual = view.Definition.Features.Select(f => set.Column(FeatureRequirements.ColumnNameOf(view.Name, f.Name))[r]).ToArray();
                FraudStream.AssertSame(view, expected, actual, $"row {set.RowIds[r]} key {key}");
            }
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Build_RandomStreamRowsOnTtlEdges_MissingExactlyWhenTheNewestEarlierEventIsOlderThanTtl(int seed)
    {
        // Rows exactly a TTL after an event and one tick later, plus entities with no event at all.
        var txns = FraudStream.GenerateTransactions(seed, count: 400, span: TimeSpan.FromDays(6));
        var features = Plan.Views.SelectMany(v => v.Definition.Features.Select(f => new FeatureReference(v.Name, f.Name))).ToArray();
        var builder = new TrainingSetBuilder(Plan, features);
        var keys = builder.Requirements.EntityKeyFields;
        var observations = new ObservationSet(keys, [], null);
        var rng = new Random(seed);
        var ttls = Plan.Views.Select(v => v.Definition.Ttl.Ticks).Distinct().ToArray();
        for (var n = 0; n < 150; n++)
        {
            var i = rng.Next(txns.Count);
            var rowKeys = keys.Select(k => n % 10 == 0 ? "nobody" : txns.Value(i, txns.Schema.IndexOf(k)).Text).ToArray();
            var t = txns.EventTicks(i) + ttls[rng.Next(ttls.Length)] + (n % 3 == 0 ? 1 : n % 3 == 1 ? 0 : 10);
            observations.Add($"o{n:D3}", t, rowKeys, [], FieldValue.Null);
        }

        var set = builder.Build(observations, [txns]);

        foreach (var view in Plan.Views)
        {
            var reference = FraudStream.ReferenceEvents(view, txns);
            var keyColumn = set.Column(FraudStream.Definitions.FindEntity(view.Definition.Entity)!.JoinKey);
            long found = 0, expired = 0, notFound = 0;
            for (var r = 0; r < set.RowCount; r++)
            {
                var key = keyColumn[r].Text!;
                var t = set.ObservationTicks[r];
                var newest = reference.Where(e => e.Entity == key && e.Ticks < t).Select(e => (long?)e.Ticks).Max();
                var missing = newest is null || t - newest > view.Definition.Ttl.Ticks;
                _ = newest is null ? notFound++ : missing ? expired++ : found++;
                var expected = missing ? new FieldValue[view.View.FeatureCount] : FraudStream.ReferenceValues(view, reference, key, t, t - 1);
                var actual = view.Definition.Features.Select(f => set.Column(FeatureRequirements.ColumnNameOf(view.Name, f.Name))[r]).ToArray();
                FraudStream.AssertSame(view, expected, actual, $"row {set.RowIds[r]} key {key} newest {newest} t {t}");
            }

            Assert.Equal(new ViewLookupCounts(found, notFound, expired), set.ViewCounts[view.Name]);
            Assert.True(found > 0 && notFound > 0, $"{view.Name}: {found} found, {notFound} not found");
        }

        // Busy merchants always have a recent event; the customer views' rows do fall past their TTL.
        Assert.True(set.ViewCounts["customer_1h"].OutsideMaxAge > 0 && set.ViewCounts["customer_7d"].OutsideMaxAge > 0);
    }

    [Fact]
    public void DataView_ExposesTypedColumnsForMlNet()
    {
        var txns = FraudStream.GenerateTransactions(5, count: 200, span: TimeSpan.FromDays(2));
        var cbs = FraudStream.GenerateChargebacks(txns, seed: 5, rate: 0.2);
        var set = TrainingSetBuilder.ForModel(Plan, Model).Build(ModelObservations.Build(Plan, Model, [txns], [cbs]), [txns]);
        var view = new TrainingSetDataView(set);

        Assert.Equal(BooleanDataViewType.Instance, view.Schema[TrainingSetDataView.LabelColumnName].Type);
        Assert.Equal(NumberDataViewType.Single, view.Schema["customer_1h__txn_count_1h"].Type);
        Assert.Equal(TextDataViewType.Instance, view.Schema["channel"].Type);
        Assert.Contains("is_foreign", view.NumericInputColumns);
        Assert.Contains("amount", view.NumericInputColumns);

        var ml = new MLContext(seed: 1);
        var counts = view.GetColumn<float>("customer_7d__txn_count_7d").ToArray();
        var labels = view.GetColumn<bool>(TrainingSetDataView.LabelColumnName).ToArray();
        var ids = view.GetColumn<ReadOnlyMemory<char>>(TrainingSetDataView.RowIdColumnName).Select(m => m.ToString()).ToArray();
        Assert.Equal(set.RowCount, counts.Length);
        Assert.Equal(set.RowIds, ids);
        for (var i = 0; i < set.RowCount; i++)
        {
            var expected = set.Column("customer_7d__txn_count_7d")[i].AsNumber();
            Assert.Equal(expected is { } x ? (float)x : float.NaN, counts[i]);
            Assert.Equal(set.Label![i].Number == 1, labels[i]);
        }

        // A pipeline can consume it end to end.
        var pipeline = ml.Transforms.Concatenate("Features", [.. view.NumericInputColumns])
            .Append(ml.Transforms.ReplaceMissingValues("Features"));
        var transformed = pipeline.Fit(view).Transform(view);
        Assert.Equal(set.RowCount, transformed.GetColumn<float[]>("Features").Count());
    }
}
