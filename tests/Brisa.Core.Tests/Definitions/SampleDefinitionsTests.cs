using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Expressions;

namespace Brisa.Core.Tests.Definitions;

public class SampleDefinitionsTests
{
    internal static string SamplePath()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return Path.Combine(directory.FullName, "samples", "fraud", "features.yaml");
    }

    internal static FeatureRepositoryDefinition LoadSample()
    {
        var result = DefinitionLoader.Load(SamplePath());
        Assert.Empty(result.Diagnostics);
        return result.Definitions!;
    }

    /// <summary>The second sample, samples/rides: long join keys, a regression and a classifier without currencies.</summary>
    internal static FeatureRepositoryDefinition LoadRidesSample()
    {
        var result = DefinitionLoader.Load(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(SamplePath()))!, "rides", "features.yaml"));
        Assert.Empty(result.Diagnostics.Select(d => d.ToString()));
        return result.Definitions!;
    }

    [Fact]
    public void Load_RidesSample_HasNoDiagnostics()
    {
        var definitions = LoadRidesSample();

        Assert.Equal(["trip_duration", "cancel"], definitions.Models.Select(m => m.Name));
    }

    [Fact]
    public void Load_FraudSample_HasNoDiagnostics()
    {
        var result = DefinitionLoader.Load(SamplePath());

        Assert.Empty(result.Diagnostics.Select(d => d.ToString()));
        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Load_FraudSample_BuildsTypedModel()
    {
        var definitions = LoadSample();

        Assert.Equal("fraud", definitions.Project);
        Assert.Equal(["customer", "merchant"], definitions.Entities.Select(e => e.Name));
        var transaction = definitions.FindSource("transaction")!;
        Assert.False(transaction.IsLabelSource);
        Assert.Equal(FieldType.Timestamp, transaction.FindField("timestamp")!.Type);
        Assert.Equal(1_000_000, transaction.FindField("amount")!.Max);
        Assert.Equal(["EUR", "USD", "GBP"], transaction.FindField("currency")!.Allowed!);
        Assert.True(definitions.FindSource("chargeback")!.IsLabelSource);

        var view = definitions.FindView("customer_1h")!;
        Assert.Equal(TimeSpan.FromMinutes(5), view.Tile);
        Assert.Equal(TimeSpan.FromHours(2), view.Ttl);
        Assert.Equal(TimeSpan.FromHours(1), view.MaxWindow);
        Assert.True(view.Online);
        Assert.True(view.Streaming);
        Assert.Equal("false", view.Tags["pii"]);
        var distinct = view.FindFeature("country_distinct_1h")!;
        Assert.Equal(AggregationKind.DistinctCount, distinct.Aggregation);
        Assert.Equal("country", distinct.Field);
        Assert.Null(view.FindFeature("txn_count_1h")!.Field);
        Assert.False(definitions.FindView("merchant_7d")!.Streaming);
        Assert.Equal(TimeSpan.FromDays(7), definitions.FindView("customer_7d")!.MaxWindow);
    }

    [Fact]
    public void Load_FraudSample_ParsesModel()
    {
        var model = LoadSample().FindModel("fraud")!;

        Assert.Equal(ModelTask.BinaryClassification, model.Task);
        Assert.Equal("transaction", model.ObservationSource);
        Assert.Equal(new LabelDefinition { Source = "chargeback", Key = "transaction_id", Within = TimeSpan.FromDays(30) }, model.Label);
        Assert.Contains(new FeatureReference("customer_7d", "amount_mean_7d"), model.Features);
        Assert.Contains(new FeatureReference(null, "amount_zscore"), model.Features);
        Assert.Equal(["amount", "country", "channel", "currency"], model.RequestFields);
        Assert.Equal(TrainerKind.LightGbm, model.Trainer.Name);
        Assert.Equal(31, model.Trainer.GetInt32("number_of_leaves", 0));
        Assert.Equal(0.05, model.Trainer.GetDouble("learning_rate", 0));
        Assert.Equal(7, model.Trainer.GetInt32("absent", 7));
        Assert.Equal(TimeSpan.FromDays(7), model.Split.Validation);
        Assert.Equal("0 0 3 * * *", model.Schedule);
        Assert.Equal(PromotionMetric.ExpectedCost, model.Promotion.Metric);
        Assert.Equal(1000, model.Promotion.MinRows);
        Assert.Equal("amount", model.Cost!.FalseNegative.Field);
        Assert.Equal(5.0, model.Cost.FalsePositive);
        Assert.Equal("EUR", model.Cost.Currency);
        Assert.Equal("currency", model.Cost.CurrencyField);
        Assert.Equal(new Dictionary<string, double> { ["GBP"] = 1.17, ["USD"] = 0.92 }, model.Cost.ExchangeRates);
        Assert.True(model.Drift.RetrainOnAlert);
        Assert.Equal(0.25, model.Drift.PsiAlert);
    }

    [Fact]
    public void Parse_SplitGap_IsReadAndChangesTheVersionOnlyWhenGiven()
    {
        var yaml = File.ReadAllText(SamplePath());
        Assert.Contains("split: { validation: 7d }", yaml, StringComparison.Ordinal);
        var sample = LoadSample();

        var result = DefinitionLoader.Parse(yaml.Replace("split: { validation: 7d }", "split: { validation: 7d, gap: 30d }", StringComparison.Ordinal), "features.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Equal(TimeSpan.FromDays(30), result.Definitions!.Models[0].Split.Gap);
        Assert.Null(sample.Models[0].Split.Gap);
        Assert.DoesNotContain("\"gap\"", sample.ToJson(), StringComparison.Ordinal);
        Assert.NotEqual(sample.ComputeVersion(), result.Definitions.ComputeVersion());
    }

    [Fact]
    public void Parse_LiveVerdictSettings_AreReadAndChangeTheVersionOnlyWhenGiven()
    {
        const string Drift = "drift: { psi_warn: 0.1, psi_alert: 0.25, retrain_on_alert: true }";
        var yaml = File.ReadAllText(SamplePath());
        Assert.Contains(Drift, yaml, StringComparison.Ordinal);
        var sample = LoadSample();

        var result = DefinitionLoader.Parse(
            yaml.Replace(Drift, "drift: { retrain_on_alert: true, live_min_labels: 500, live_min_positives: 40, live_auc_warn: 0.03, live_auc_alert: 0.08, live_mae_warn: 1.2, live_mae_alert: 1.5 }", StringComparison.Ordinal),
            "features.yaml");

        Assert.Empty(result.Diagnostics);
        var drift = result.Definitions!.Models[0].Drift;
        Assert.Equal(500, drift.LiveMinLabels);
        Assert.Equal(40, drift.LiveMinPositives);
        Assert.Equal(new double?[] { 0.03, 0.08, 1.2, 1.5 }, new[] { drift.LiveAucWarn, drift.LiveAucAlert, drift.LiveMaeWarn, drift.LiveMaeAlert });
        Assert.Null(sample.Models[0].Drift.LiveAucAlert);
        Assert.DoesNotContain("\"live_", sample.ToJson(), StringComparison.Ordinal);
        Assert.NotEqual(sample.ComputeVersion(), result.Definitions.ComputeVersion());
    }

    [Fact]
    public void Parse_ServingShadowChallenger_IsReadAndOffByDefault()
    {
        var yaml = File.ReadAllText(SamplePath());
        const string Drift = "    drift: { psi_warn: 0.1, psi_alert: 0.25, retrain_on_alert: true }\n";
        Assert.Contains(Drift, yaml, StringComparison.Ordinal);
        var sample = LoadSample();

        var on = DefinitionLoader.Parse(yaml.Replace(Drift, Drift + "    serving: { shadow_challenger: true }\n", StringComparison.Ordinal), "features.yaml");
        var bad = DefinitionLoader.Parse(yaml.Replace(Drift, Drift + "    serving: { shadow_challenger: yes please, shadow: challenger }\n", StringComparison.Ordinal), "features.yaml");

        Assert.Empty(on.Diagnostics);
        Assert.True(on.Definitions!.FindModel("fraud")!.Serving!.ShadowChallenger);
        Assert.Null(sample.FindModel("fraud")!.Serving);
        Assert.DoesNotContain("\"serving\"", sample.ToJson(), StringComparison.Ordinal);
        Assert.Equal(on.Definitions.ToJson(), FeatureRepositoryDefinition.FromJson(on.Definitions.ToJson()).ToJson());
        Assert.Contains(bad.Diagnostics, d => d.Code == DiagnosticCodes.InvalidValue && d.Message.Contains("shadow_challenger", StringComparison.Ordinal));
        Assert.Contains(bad.Diagnostics, d => d.Message.Contains("'shadow'", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_FraudSample_CompilesOnDemandFeatures()
    {
        var definitions = LoadSample();
        var zscore = definitions.FindOnDemandFeature("amount_zscore")!;

        Assert.NotNull(zscore.Compiled);
        Assert.Equal(ExpressionType.Number, zscore.Compiled.ResultType);
        Assert.Equal(["amount"], zscore.Compiled.RequestFields);
        Assert.Equal([new FeatureReference("customer_7d", "amount_mean_7d"), new FeatureReference("customer_7d", "amount_std_7d")], zscore.Compiled.Features);

        var context = new ExpressionContext()
            .SetRequestField("amount", ExpressionValue.FromDouble(130))
            .SetFeature("customer_7d", "amount_mean_7d", ExpressionValue.FromDouble(100))
            .SetFeature("customer_7d", "amount_std_7d", ExpressionValue.FromDouble(15));
        Assert.Equal(2.0, zscore.Compiled.EvaluateDouble(context));

        var foreign = definitions.FindOnDemandFeature("is_foreign")!.Compiled!;
        context.SetRequestField("country", ExpressionValue.FromString("FR"))
            .SetFeature("customer_7d", "last_country_7d", ExpressionValue.FromString("ES"));
        Assert.True(foreign.EvaluateBoolean(context));
    }

    [Fact]
    public void GetFeatureType_FraudSample_FollowsAggregation()
    {
        var definitions = LoadSample();

        Assert.Equal(FieldType.Long, definitions.GetFeatureType(FeatureReference.Parse("customer_1h:txn_count_1h")));
        Assert.Equal(FieldType.Long, definitions.GetFeatureType(FeatureReference.Parse("customer_1h:country_distinct_1h")));
        Assert.Equal(FieldType.Double, definitions.GetFeatureType(FeatureReference.Parse("customer_7d:amount_std_7d")));
        Assert.Equal(FieldType.String, definitions.GetFeatureType(FeatureReference.Parse("customer_7d:last_country_7d")));
        Assert.Equal(FieldType.Bool, definitions.GetFeatureType(FeatureReference.Parse("is_foreign")));
        Assert.Null(definitions.GetFeatureType(FeatureReference.Parse("customer_7d:nope")));
    }

    [Fact]
    public void ToJson_FraudSample_RoundTripsWithSameVersion()
    {
        var definitions = LoadSample();

        var json = definitions.ToJson();
        var back = FeatureRepositoryDefinition.FromJson(json);

        Assert.Equal(json, back.ToJson());
        Assert.Equal(definitions.ComputeVersion(), back.ComputeVersion());
        Assert.NotNull(back.FindOnDemandFeature("amount_zscore")!.Compiled);
        Assert.Contains("\"aggregation\":\"distinct_count\"", definitions.ToJson(indented: false), StringComparison.Ordinal);
        Assert.Contains("\"tile\":\"5m\"", definitions.ToJson(indented: false), StringComparison.Ordinal);
        Assert.Contains("\"false_negative\":\"amount\"", definitions.ToJson(indented: false), StringComparison.Ordinal);
        Assert.Contains("\"customer_7d:amount_mean_7d\"", definitions.ToJson(indented: false), StringComparison.Ordinal);
        Assert.Contains("\"currency_field\":\"currency\",\"exchange_rates\":{\"GBP\":1.17,\"USD\":0.92}", definitions.ToJson(indented: false), StringComparison.Ordinal);
        Assert.Equal("currency", back.FindModel("fraud")!.Cost!.CurrencyField);
        Assert.Equal(definitions.FindModel("fraud")!.Cost!.ExchangeRates, back.FindModel("fraud")!.Cost!.ExchangeRates);
    }

    [Fact]
    public void ToJson_CostWithoutConversion_WritesNeitherKey()
    {
        // Definitions that do not convert currencies keep the canonical JSON (and version) they had before the keys existed.
        var definitions = LoadSample();
        var fraud = definitions.FindModel("fraud")!;
        var plain = definitions with { Models = [fraud with { Cost = fraud.Cost! with { CurrencyField = null, ExchangeRates = null } }] };

        var json = plain.ToJson(indented: false);

        Assert.Contains("\"currency\":\"EUR\"}", json, StringComparison.Ordinal);
        Assert.DoesNotContain("currency_field", json, StringComparison.Ordinal);
        Assert.DoesNotContain("exchange_rates", json, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_ExchangeRateNotPositive_ThrowsWithDiagnostic()
    {
        var json = LoadSample().ToJson(indented: false).Replace("\"USD\":0.92", "\"USD\":0", StringComparison.Ordinal);

        var error = Assert.Throws<InvalidDataException>(() => FeatureRepositoryDefinition.FromJson(json));

        Assert.Contains("error BR0523: exchange rate 0 of 'USD' in the cost of model 'fraud' is not a finite number greater than 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ComputeVersion_NamedObjectsReordered_VersionUnchangedAndPlanEmpty()
    {
        // brisa plan compares objects by name and says "No changes"; apply must then not publish another version.
        var definitions = LoadSample();
        var reordered = definitions with
        {
            Entities = [.. definitions.Entities.Reverse()],
            FeatureViews = [.. definitions.FeatureViews.Reverse()],
            OnDemandFeatures = [.. definitions.OnDemandFeatures.Reverse()],
        };

        Assert.Empty(DefinitionDiff.Compute(definitions, reordered));
        Assert.Equal(definitions.ComputeVersion(), reordered.ComputeVersion());
    }

    [Theory]
    [InlineData("learning_rate: 0.050")]
    [InlineData("learning_rate: 5e-2")]
    [InlineData("learning_rate: \"0.05\"")]
    [InlineData("number_of_leaves: 031")]
    [InlineData("number_of_leaves: +31")]
    public void ComputeVersion_TrainerParameterSpelledAnotherWay_VersionUnchangedAndPlanEmpty(string spelling)
    {
        // The same number, so the same model: plan said '~ change model fraud: trainer' and apply published a version.
        var name = spelling[..spelling.IndexOf(':', StringComparison.Ordinal)];
        var yaml = File.ReadAllText(SamplePath());
        var written = System.Text.RegularExpressions.Regex.Replace(yaml, name + @": [0-9.]+", spelling);
        Assert.NotEqual(yaml, written);

        var respelled = DefinitionLoader.Parse(written, "features.yaml").Definitions!;

        Assert.Empty(DefinitionDiff.Compute(LoadSample(), respelled));
        Assert.Equal(LoadSample().ComputeVersion(), respelled.ComputeVersion());
    }

    [Fact]
    public void ComputeVersion_DefinitionsChange_VersionChanges()
    {
        var definitions = LoadSample();
        var changed = definitions with { Description = "changed" };

        Assert.Matches("^[0-9a-f]{64}$", definitions.ComputeVersion());
        Assert.Equal(definitions.ComputeVersion(), LoadSample().ComputeVersion());
        Assert.NotEqual(definitions.ComputeVersion(), changed.ComputeVersion());
    }

    [Fact]
    public void FromJson_InvalidDefinitions_ThrowsWithDiagnostics()
    {
        var json = LoadSample().ToJson().Replace("\"entity\": \"merchant\"", "\"entity\": \"merchnt\"", StringComparison.Ordinal);

        var error = Assert.Throws<InvalidDataException>(() => FeatureRepositoryDefinition.FromJson(json));

        Assert.Contains("definitions.json: error BR0102: unknown entity 'merchnt'. Did you mean 'merchant'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_MalformedJson_Throws()
    {
        Assert.Throws<InvalidDataException>(() => FeatureRepositoryDefinition.FromJson("{\"project\": 1}"));
    }
}
