using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Xunit.Abstractions;

namespace Brisa.Core.Tests.Modeling;

[Collection(FraudTableCollection.Name)]
public sealed class ModelTrainingTests(FraudTableFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void Train_GeneratedFraud_BeatsTrivialBaselinesByWideMargin()
    {
        var report = fixture.Outcome.Report;
        Print(report);
        Assert.Equal(fixture.Table.RowCount, report.Training.Rows + report.Validation.Rows);
        Assert.True(report.Evaluation.Binary!.Auc >= 0.9, $"AUC {report.Evaluation.Binary.Auc}");
        Assert.True(report.Evaluation.Binary.PrAuc >= 5 * report.Evaluation.Binary.BaseRate, $"PR-AUC {report.Evaluation.Binary.PrAuc}");
        var business = report.Evaluation.Business!;
        Assert.Equal("EUR", business.Currency);
        Assert.True(business.SavedFraction >= 0.4, $"saved {business.Saved} of {business.NoModelCost}");
        Assert.True(business.ExpectedCost < business.ReviewAllCost);

        // A real signal survives the out-of-sample estimate (last run: 92.8 % against 94.9 % in-sample).
        Assert.True(business.OutOfSample!.SavedFraction >= 0.4, $"out of sample saved {business.OutOfSample.Saved} of {business.NoModelCost}");
    }

    [Fact]
    public void Train_SampleCostWithCurrencyField_BreakdownByRowCurrencyAddsUpInEur()
    {
        var business = fixture.Outcome.Report.Evaluation.Business!;
        var validation = fixture.Outcome.ValidationRows;

        Assert.Equal(["EUR", "GBP", "USD"], business.ByCurrency.Select(c => c.Currency));
        Assert.Equal(validation.RowCount, business.ByCurrency.Sum(c => c.Rows));

        // Every part is in EUR, so the parts add up to the totals.
        Assert.Equal(business.NoModelCost, business.ByCurrency.Sum(c => c.NoModelCost), 6);
        Assert.Equal(business.ExpectedCost, business.ByCurrency.Sum(c => c.ExpectedCost), 6);

        // And the no-model cost is the converted sum of the missed frauds' amounts (GBP 1.17, USD 0.92 EUR).
        var rates = new Dictionary<string, double> { ["EUR"] = 1, ["GBP"] = 1.17, ["USD"] = 0.92 };
        var expected = Enumerable.Range(0, validation.RowCount)
            .Where(i => validation.Labels[i] > 0.5f)
            .Sum(i => validation.CostInputs["amount"][i] * rates[validation.Currencies![i]!]);
        Assert.Equal(expected, business.NoModelCost, 6);
    }

    [Fact]
    public void Train_RowCurrencyWithoutRate_FailsNamingCurrencyAndRows()
    {
        var table = fixture.Table;
        var currencies = table.Currencies!.ToArray();
        currencies[0] = "JPY";
        currencies[1] = "JPY";
        currencies[2] = null;
        var unconvertible = new TrainingTable([.. table.Timestamps], [.. table.Labels], table.Features, table.CostInputs, currencies);

        var error = Assert.Throws<InvalidOperationException>(() => ModelTraining.Train(fixture.Model, unconvertible, new TrainingOptions { ComputeImportance = false }));

        Assert.StartsWith("Model 'fraud': Cannot convert the false-negative costs to EUR: currency_field 'currency' is empty in 1 row, 'JPY' in 2 rows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_ShuffledLabels_FailsTheThresholdsTheRealModelPasses()
    {
        var labels = fixture.Table.Labels.ToArray();
        new Random(1).Shuffle(labels);
        var control = ModelTraining.Train(fixture.Model, fixture.Table.WithLabels(labels), new TrainingOptions { ComputeImportance = false }).Report;
        Print(control);
        Assert.InRange(control.Evaluation.Binary!.Auc, 0.35, 0.65);
        Assert.True(control.Evaluation.Business!.SavedFraction < 0.1, $"control saved {control.Evaluation.Business.SavedFraction:P1}");

        // Out of sample a threshold fitted to noise can only lose (last run: −8.3 %).
        Assert.True(control.Evaluation.Business.ReportedSavedFraction <= 0.01, $"control saved {control.Evaluation.Business.ReportedSavedFraction:P1} out of sample");
    }

    [Fact]
    public void Train_SameSeedAndData_SameMetrics()
    {
        var model = fixture.Model with { Trainer = fixture.Model.Trainer with { Parameters = Params(("number_of_iterations", "40"), ("seed", "3")) } };
        var first = ModelTraining.Train(model, fixture.Table, new TrainingOptions { MaxImportanceRows = 2000 });
        var second = ModelTraining.Train(model, fixture.Table, new TrainingOptions { MaxImportanceRows = 2000 });
        Assert.Equal(Json(first.Report.Evaluation), Json(second.Report.Evaluation));
        Assert.Equal(Json(first.Report.Importance), Json(second.Report.Importance));
        Assert.Equal(first.Model.Score(first.ValidationRows), second.Model.Score(second.ValidationRows));

        var otherSeed = model with { Trainer = model.Trainer with { Parameters = Params(("number_of_iterations", "40"), ("seed", "4"), ("feature_fraction", "0.7")) } };
        var third = ModelTraining.Train(otherSeed, fixture.Table, new TrainingOptions { ComputeImportance = false });
        Assert.NotEqual(Json(first.Report.Evaluation), Json(third.Report.Evaluation));
    }

    [Fact]
    public void PermutationImportance_GivenThreshold_CostIncreaseMeasuredThere()
    {
        var trained = ModelTraining.Train(fixture.Model, fixture.Table, new TrainingOptions { ComputeImportance = false });
        var rows = trained.ValidationRows;
        var evaluation = trained.Report.Evaluation;

        var own = PermutationImportance.Compute(fixture.Model, trained.Model, rows, evaluation, seed: 1);
        // Above every score nothing is flagged, permuted or not: the cost cannot change, whatever the sample's own threshold.
        var above = PermutationImportance.Compute(fixture.Model, trained.Model, rows, evaluation, seed: 1, threshold: 2.0);

        Assert.Contains(own, i => i.CostIncrease > 0);
        Assert.All(above, i => Assert.Equal(0, i.CostIncrease!.Value, 9));
        Assert.Equal(own.Select(i => i.Importance), above.Select(i => i.Importance));
    }

    [Theory]
    [InlineData(TrainerKind.FastTree, 0.9)]
    [InlineData(TrainerKind.Linear, 0.85)]
    public void Train_OtherTrainers_LearnTheSignal(TrainerKind trainer, double minimumAuc)
    {
        var parameters = trainer == TrainerKind.Linear ? Params(("seed", "1"), ("maximum_number_of_iterations", "10")) : Params(("seed", "1"), ("number_of_trees", "60"));
        var model = fixture.Model with { Trainer = new TrainerDefinition { Name = trainer, Parameters = parameters } };
        var report = ModelTraining.Train(model, fixture.Table, new TrainingOptions { ComputeImportance = false }).Report;
        Print(report);
        Assert.Equal(trainer, report.Trainer);
        Assert.All(report.Inputs.Where(i => i.Kind == FeatureKind.Numeric), i => Assert.Equal("mean_imputed+indicator", i.Encoding));
        Assert.True(report.Evaluation.Binary!.Auc >= minimumAuc, $"AUC {report.Evaluation.Binary.Auc}");
        Assert.True(report.Evaluation.Business!.SavedFraction > 0.3, $"saved {report.Evaluation.Business.SavedFraction:P1}");
    }

    [Fact]
    public void Train_Regression_PredictsBetterThanTheMean()
    {
        var log = fixture.Table.Find("log_amount")!;
        var labels = Enumerable.Range(0, fixture.Table.RowCount).Select(i => ((NumericColumn)log).Values[i]).ToArray();
        var model = fixture.Model with
        {
            Task = ModelTask.Regression,
            Cost = null,
            Features = [FeatureReference.Parse("customer_7d:amount_mean_7d"), FeatureReference.Parse("merchant_7d:merchant_amount_mean_7d")],
            RequestFields = ["channel", "country"],
            Promotion = new PromotionPolicy { Metric = PromotionMetric.Rmse },
        };
        var outcome = ModelTraining.Train(model, fixture.Table.WithLabels(labels));
        var metrics = outcome.Report.Evaluation.Regression!;
        output.WriteLine($"RMSE {metrics.Rmse:0.000} MAE {metrics.Mae:0.000} R2 {metrics.RSquared:0.000}");
        Assert.Null(outcome.Report.Evaluation.Binary);
        Assert.True(metrics.RSquared > 0.2, $"R² {metrics.RSquared}");
        Assert.Equal(4, outcome.Report.Importance.Count);
        Assert.Equal(ModelTask.Regression, TrainedModel.Load(new MemoryStream(outcome.ModelBytes)).Task);

        // A regression's rows have no positives: the data table has no such column.
        var html = TrainingReportHtml.Render(outcome.Report);
        Assert.Contains("<th>from</th><th>to</th><th>rows</th></tr>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("positives", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SavedModel_ScoresTheSameAndKnowsItsInputs()
    {
        var outcome = fixture.Outcome;
        var loaded = TrainedModel.Load(new MemoryStream(outcome.ModelBytes));
        Assert.Equal(ModelTask.BinaryClassification, loaded.Task);
        Assert.Equal(ModelTraining.InputNames(fixture.Model), loaded.Inputs.Select(i => i.Name));
        Assert.Equal(FeatureKind.Categorical, loaded.Inputs.Single(i => i.Name == "country").Kind);
        Assert.Equal(outcome.Model.Score(outcome.ValidationRows), loaded.Score(outcome.ValidationRows));

        // A champion re-scored on the same window with the same method gives the same evaluation.
        var champion = ModelTraining.EvaluateChampion(fixture.Model, "v1", new MemoryStream(outcome.ModelBytes), outcome.ValidationRows);
        Assert.Null(champion.Error);
        Assert.Equal(Json(outcome.Report.Evaluation), Json(champion.Evaluation));
    }

    [Fact]
    public void Score_SmallTables_RowByRowEqualsTheBatchTransform()
    {
        var loaded = TrainedModel.Load(new MemoryStream(fixture.Outcome.ModelBytes));
        var rows = fixture.Outcome.ValidationRows;
        Assert.True(rows.RowCount > TrainedModel.RowByRowLimit);
        var batch = loaded.Score(rows);

        // Small tables (serving requests) go through pooled row scorers, concurrently; scores must be the same floats.
        var highest = Enumerable.Range(0, rows.RowCount).OrderByDescending(r => batch[r]).Take(20);
        var chunks = Enumerable.Range(0, 300).Concat(highest).Chunk(7).ToArray();
        var small = new float[chunks.Length][];
        Parallel.For(0, chunks.Length, c => small[c] = loaded.Score(rows.Take(chunks[c])));

        Assert.Equal(chunks.SelectMany(c => c).Select(r => batch[r]), small.SelectMany(s => s));
        Assert.Contains(small.SelectMany(s => s), s => s > 0.5f);
    }

    [Fact]
    public void WarmUp_LoadedModel_PoolsAScorerThatScoresMissingValuesAsTheBatchTransform()
    {
        var loaded = TrainedModel.Load(new MemoryStream(fixture.Outcome.ModelBytes));
        Assert.Equal(0, loaded.PooledScorers);

        var warm = loaded.WarmUp();

        Assert.Equal(1, loaded.PooledScorers);
        var rows = TrainedModel.RowByRowLimit + 1;
        FeatureColumn[] missing = [.. loaded.Inputs.Select(i => i.Kind == FeatureKind.Numeric
            ? (FeatureColumn)FeatureColumn.Numeric(i.Name, [.. Enumerable.Repeat(float.NaN, rows)])
            : FeatureColumn.Categorical(i.Name, new string?[rows]))];
        var batch = loaded.Score(new TrainingTable(new DateTimeOffset[rows], new float[rows], missing));
        Assert.All(batch, score => Assert.Equal(warm, score));
    }

    [Fact]
    public void Score_SmallTableMissingAnInput_ExplainsWhy()
    {
        var loaded = TrainedModel.Load(new MemoryStream(fixture.Outcome.ModelBytes));
        var rows = fixture.Outcome.ValidationRows.Take([0, 1]).Project(["amount", "country"]);

        var error = Assert.Throws<ArgumentException>(() => loaded.Score(rows));

        Assert.Contains("customer_1h:txn_count_1h", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluateChampion_InputMissingFromRows_ExplainsWhy()
    {
        var rows = fixture.Outcome.ValidationRows.Project(["amount", "country"]);
        var champion = ModelTraining.EvaluateChampion(fixture.Model, "v1", new MemoryStream(fixture.Outcome.ModelBytes), rows);
        Assert.Null(champion.Evaluation);
        Assert.Contains("customer_1h:txn_count_1h", champion.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluateChampion_TrainedOnSomeValidationRows_IsNotScoredAndSaysWhy()
    {
        var rows = fixture.Outcome.ValidationRows;
        var first = rows.Timestamps.Min();
        var seen = rows.Timestamps.Count(t => t <= first);

        var overlapping = ModelTraining.EvaluateChampion(fixture.Model, "v1", new MemoryStream(fixture.Outcome.ModelBytes), rows, first);

        Assert.Null(overlapping.Evaluation);
        Assert.Contains($"{seen} of the {rows.RowCount} validation rows", overlapping.Error, StringComparison.Ordinal);
        Assert.Contains("rows it learned from", overlapping.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluateChampion_TrainedBeforeTheWindow_IsScored()
    {
        var rows = fixture.Outcome.ValidationRows;

        var own = ModelTraining.EvaluateChampion(fixture.Model, "v1", new MemoryStream(fixture.Outcome.ModelBytes), rows, fixture.Outcome.Report.Training.To);
        var justBefore = ModelTraining.EvaluateChampion(fixture.Model, "v1", new MemoryStream(fixture.Outcome.ModelBytes), rows, rows.Timestamps.Min().AddTicks(-1));

        Assert.Null(own.Error);
        Assert.Null(justBefore.Error);
        Assert.Equal(Json(fixture.Outcome.Report.Evaluation), Json(own.Evaluation));
    }

    [Fact]
    public void Report_JsonAndHtml_RoundTripAndShowMoney()
    {
        var report = fixture.Outcome.Report;
        Assert.True(ModelVersionId.IsValid(report.Version), report.Version);
        Assert.Equal("defs", report.DefinitionsVersion);
        Assert.Equal(ModelTraining.InputNames(fixture.Model).Count, report.Baseline.Count);
        var json = report.ToJson();
        Assert.Contains("\"expected_cost\"", json, StringComparison.Ordinal);
        var back = TrainingReport.FromJson(json);
        Assert.Equal(json, back.ToJson());
        var html = TrainingReportHtml.Render(report);
        Assert.Contains("Money saved, out-of-sample", html, StringComparison.Ordinal);
        Assert.Contains("the least-cost threshold chosen on each half (", html, StringComparison.Ordinal);
        Assert.Contains("in-sample, which is optimistic", html, StringComparison.Ordinal);
        Assert.Contains("\"out_of_sample\": {", json, StringComparison.Ordinal);
        Assert.Contains(" EUR", html, StringComparison.Ordinal);
        Assert.Contains("By row currency, every amount converted to EUR", html, StringComparison.Ordinal);
        Assert.Contains("<th>saved (EUR)</th>", html, StringComparison.Ordinal);
        Assert.Contains("customer_1h:txn_count_1h", html, StringComparison.Ordinal);
    }

    private static SortedDictionary<string, string> Params(params (string Key, string Value)[] values) =>
        new(values.ToDictionary(v => v.Key, v => v.Value), StringComparer.Ordinal);

    private static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value, TrainingReport.JsonOptions);

    private void Print(TrainingReport report)
    {
        var b = report.Evaluation.Binary!;
        var m = report.Evaluation.Business!;
        output.WriteLine($"train {report.Training.Rows} ({report.Training.Positives}+) validation {report.Validation.Rows} ({report.Validation.Positives}+) fit {report.FitSeconds:0.00}s eval {report.EvaluationSeconds:0.00}s");
        output.WriteLine($"AUC {b.Auc:0.0000} PR-AUC {b.PrAuc:0.0000} logloss {b.LogLoss:0.0000} base {b.BaseRate:0.0000}");
        output.WriteLine($"threshold {m.Threshold:0.0000} cost {m.ExpectedCost:0} no-model {m.NoModelCost:0} review-all {m.ReviewAllCost:0} saved {m.Saved:0} ({m.SavedFraction:P1}) {m.Confusion}");
        output.WriteLine($"{m.ReportedBasis}: cost {m.ReportedExpectedCost:0} saved {m.ReportedSaved:0} ({m.ReportedSavedFraction:P1}) {m.OutOfSample?.Confusion}{m.InSampleBecause}");
        foreach (var i in report.Importance)
        {
            output.WriteLine($"  {i.Feature,-40} {i.Importance:0.0000} {i.CostIncrease:0}");
        }
    }
}
