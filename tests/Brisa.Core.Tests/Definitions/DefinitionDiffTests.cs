using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;

namespace Brisa.Core.Tests.Definitions;

public class DefinitionDiffTests
{
    private static readonly FeatureRepositoryDefinition Sample = SampleDefinitionsTests.LoadSample();

    private static FeatureRepositoryDefinition WithView(string name, Func<FeatureViewDefinition, FeatureViewDefinition?> change) =>
        Sample with { FeatureViews = Sample.FeatureViews.Select(v => v.Name == name ? change(v) : v).OfType<FeatureViewDefinition>().ToArray() };

    private static FeatureViewDefinition WithFeature(FeatureViewDefinition view, string name, Func<FeatureDefinition, FeatureDefinition?> change) =>
        view with { Features = view.Features.Select(f => f.Name == name ? change(f) : f).OfType<FeatureDefinition>().ToArray() };

    private static DefinitionChange Single(FeatureRepositoryDefinition proposed) => Assert.Single(DefinitionDiff.Compute(Sample, proposed));

    [Fact]
    public void Compute_NothingDeployed_AddsEverythingAndNothingIsBreaking()
    {
        var changes = DefinitionDiff.Compute(null, Sample);
        Assert.All(changes, c => Assert.Equal(ChangeKind.Add, c.Kind));
        Assert.DoesNotContain(changes, c => c.IsBreaking);
    }

    [Fact]
    public void Compute_StreamingViewAdded_SaysItsOnlineValuesStartEmpty()
    {
        // Training reads full windows from the raw zone at once; serving only has the tiles of events ingested since.
        var added = new FeatureViewDefinition
        {
            Name = "customer_24h", Entity = "customer", Source = "transaction", Tile = TimeSpan.FromMinutes(15), Ttl = TimeSpan.FromDays(1),
            Features = [new FeatureDefinition { Name = "merchant_distinct_24h", Field = "merchant_id", Aggregation = AggregationKind.DistinctCount, Window = TimeSpan.FromDays(1) }],
        };
        var batch = added with { Name = "customer_24h_batch", Streaming = false };

        var changes = DefinitionDiff.Compute(Sample, Sample with { FeatureViews = [.. Sample.FeatureViews, added, batch] });

        Assert.Equal(
            [
                new DefinitionChange(ChangeKind.Add, "feature_view", "customer_24h", Details: "tiles start empty: after the apply, 'brisa materialize --tiles --views customer_24h' fills them from the raw zone; until then NOT_FOUND, then partial windows until 1d has passed"),
                new DefinitionChange(ChangeKind.Add, "feature_view", "customer_24h_batch"),
            ],
            changes);
    }

    [Fact]
    public void Compute_RemovedFeatureUsedByModel_IsBreaking()
    {
        var change = Single(WithView("customer_7d", v => WithFeature(v, "txn_count_7d", _ => null)));

        Assert.Equal(new DefinitionChange(ChangeKind.Change, "feature_view", "customer_7d", change.Breaking, "features: - txn_count_7d"), change);
        Assert.True(change.IsBreaking);
        Assert.Contains("customer_7d:txn_count_7d is removed, used by model fraud", change.Breaking, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_RemovedFeatureUsedOnlyThroughAnOnDemandFeature_IsBreaking()
    {
        // amount_to_max_ratio (used by the model) reads customer_7d.amount_max_7d in its expression.
        var change = Single(WithView("customer_7d", v => WithFeature(v, "amount_max_7d", _ => null)));

        Assert.Contains("customer_7d:amount_max_7d is removed, used by model fraud", change.Breaking, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_RemovedFeatureNobodyUses_IsNotBreaking()
    {
        // A batch view: removing a feature from a streaming view a model reads resets its tiles (see below).
        var change = Single(WithView("merchant_7d", v => WithFeature(v, "merchant_txn_count_7d", _ => null)));

        Assert.Equal(new DefinitionChange(ChangeKind.Change, "feature_view", "merchant_7d", Details: "features: - merchant_txn_count_7d"), change);
        Assert.False(change.IsBreaking);
    }

    [Fact]
    public void Compute_DescriptionOrTtlChange_IsNotBreaking()
    {
        var change = Single(WithView("customer_7d", v => v with { Ttl = TimeSpan.FromDays(3), Description = "changed" }));

        Assert.False(change.IsBreaking);
    }

    [Theory]
    [InlineData("aggregation")]
    [InlineData("field")]
    [InlineData("window")]
    public void Compute_RedefinedFeatureUsedByModel_IsBreaking(string what)
    {
        var change = Single(WithView("customer_7d", v => WithFeature(v, "amount_mean_7d", f => what switch
        {
            "aggregation" => f with { Aggregation = AggregationKind.Sum },
            "field" => f with { Field = "country" },
            _ => f with { Window = TimeSpan.FromDays(6) },
        })));

        Assert.Contains($"customer_7d:amount_mean_7d changes {what}", change.Breaking, StringComparison.Ordinal);
        Assert.Contains(what == "aggregation" ? "(mean → sum)" : "used by model fraud", change.Breaking, StringComparison.Ordinal);
        Assert.Contains("used by model fraud", change.Breaking, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_RemovedViewUsedByModel_IsBreaking()
    {
        var proposed = Sample with
        {
            FeatureViews = Sample.FeatureViews.Where(v => v.Name != "merchant_1h").ToArray(),
        };

        var change = Single(proposed);

        Assert.Equal(ChangeKind.Remove, change.Kind);
        Assert.Equal("model fraud uses features of removed view merchant_1h", change.Breaking);
    }

    [Fact]
    public void Compute_ViewTileChangeUnderModel_IsBreaking()
    {
        var change = Single(WithView("customer_1h", v => v with { Tile = TimeSpan.FromMinutes(30) }));

        Assert.Contains("tile of view customer_1h changes under model fraud", change.Breaking, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_RemovedOnDemandFeatureUsedByModel_IsBreaking()
    {
        var proposed = Sample with { OnDemandFeatures = Sample.OnDemandFeatures.Where(f => f.Name != "log_amount").ToArray() };

        var change = Single(proposed);

        Assert.Equal("on-demand feature log_amount is removed, used by model fraud", change.Breaking);
    }

    [Fact]
    public void Compute_RemovedSourceUsedByViewsAndModel_IsBreaking()
    {
        var proposed = Sample with { LabelSources = [] };

        var change = Single(proposed);

        Assert.Equal(ChangeKind.Remove, change.Kind);
        Assert.Equal("label_source", change.ObjectType);
        Assert.Equal("model fraud reads removed source chargeback", change.Breaking);
    }

    [Fact]
    public void Compute_AggregatedSourceFieldChangesType_IsBreaking()
    {
        var proposed = Sample with
        {
            Sources = Sample.Sources.Select(s => s.Name != "transaction" ? s : s with
            {
                Fields = s.Fields.Select(f => f.Name == "amount" ? f with { Type = FieldType.String } : f).ToArray(),
            }).ToArray(),
        };

        var change = Single(proposed);

        Assert.Contains("field transaction.amount changes type", change.Breaking, StringComparison.Ordinal);
        Assert.Contains("aggregated by view customer_7d", change.Breaking, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_EntityJoinKeyChange_IsBreaking()
    {
        var proposed = Sample with { Entities = Sample.Entities.Select(e => e.Name == "customer" ? e with { JoinKey = "card_id" } : e).ToArray() };

        var change = Single(proposed);

        Assert.Contains("join key of entity customer changes (customer_id → card_id)", change.Breaking, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_EntityDescriptionChange_IsNotBreaking()
    {
        var proposed = Sample with { Entities = Sample.Entities.Select(e => e.Name == "customer" ? e with { Description = "x" } : e).ToArray() };

        Assert.False(Single(proposed).IsBreaking);
    }

    [Fact]
    public void Compute_ProjectDescriptionChange_IsReportedAsProjectChange()
    {
        // apply publishes a new version for it, so plan must not say "No changes".
        var change = Single(Sample with { Description = "changed" });

        Assert.Equal(new DefinitionChange(ChangeKind.Change, "project", Sample.Project, Details: "description"), change);
    }

    [Fact]
    public void Compute_OnDemandExpressionChangeUsedByModel_IsBreaking()
    {
        var proposed = Sample with
        {
            OnDemandFeatures = Sample.OnDemandFeatures.Select(f => f.Name == "log_amount" ? f with { Expression = "log(amount + 10)" } : f).ToArray(),
        };

        var change = Single(proposed);

        Assert.Equal("on-demand feature log_amount changes expression (log(amount + 1) → log(amount + 10)), used by model fraud", change.Breaking);
    }

    [Fact]
    public void Compute_OnDemandExpressionSpacingChange_IsNotBreaking()
    {
        var proposed = Sample with
        {
            OnDemandFeatures = Sample.OnDemandFeatures.Select(f => f.Name == "log_amount" ? f with { Expression = "log( amount+1.0 )" } : f).ToArray(),
        };

        Assert.False(Single(proposed).IsBreaking);
    }

    [Fact]
    public void Compute_ModelRequestFieldChangesType_IsBreaking()
    {
        // channel is a request field of model fraud (a categorical input of its champion), aggregated by no view.
        var proposed = Sample with
        {
            Sources = Sample.Sources.Select(s => s.Name != "transaction" ? s : s with
            {
                Fields = s.Fields.Select(f => f.Name == "channel" ? f with { Type = FieldType.Long, Allowed = null } : f).ToArray(),
            }).ToArray(),
        };

        var change = Single(proposed);

        Assert.Contains("field transaction.channel changes type (string → long), a request field of model fraud", change.Breaking, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("transaction", "customer_id", "the join key of view customer_7d")]
    [InlineData("transaction", "transaction_id", "the label key of model fraud")]
    [InlineData("chargeback", "transaction_id", "the label key of model fraud")]
    public void Compute_KeyFieldChangesType_IsBreaking(string source, string field, string reason)
    {
        // Raw files keep the old type; a key that cannot be converted reads as null and its events drop out.
        var proposed = Sample with
        {
            Sources = Sample.Sources.Select(s => s.Name != source ? s : s with
            {
                Fields = s.Fields.Select(f => f.Name == field ? f with { Type = FieldType.Long } : f).ToArray(),
            }).ToArray(),
            LabelSources = Sample.LabelSources.Select(s => s.Name != source ? s : s with
            {
                Fields = s.Fields.Select(f => f.Name == field ? f with { Type = FieldType.Long } : f).ToArray(),
            }).ToArray(),
        };

        var change = Single(proposed);

        Assert.Contains($"field {source}.{field} changes type (string → long), {reason}", change.Breaking, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_FeatureAddedToStreamingViewUnderModel_IsBreaking()
    {
        // The view's stored online tiles no longer fit its layout: every feature the model reads from it starts over.
        var change = Single(WithView("customer_1h", v => v with
        {
            Features = [.. v.Features, new FeatureDefinition { Name = "amount_mean_1h", Field = "amount", Aggregation = AggregationKind.Mean, Window = TimeSpan.FromHours(1) }],
        }));

        Assert.Equal("online tiles of streaming view customer_1h are reset (its tile layout changes), under model fraud: its features read as NOT_FOUND, then over partial windows until 1h of new events fills them, unless 'brisa materialize --tiles --views customer_1h' rebuilds them from the raw zone after the apply", change.Breaking);
    }

    [Fact]
    public void Compute_ViewTurnedStreamingUnderModel_IsBreaking()
    {
        var change = Single(WithView("merchant_7d", v => v with { Streaming = true }));

        Assert.Contains("online tiles of streaming view merchant_7d are reset", change.Breaking, StringComparison.Ordinal);
        Assert.Contains("until 7d of new events fills them", change.Breaking, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_FeatureAddedToBatchViewUnderModel_IsNotBreaking()
    {
        // Batch views' online values are rewritten from the raw zone by the next materialization.
        var change = Single(WithView("merchant_7d", v => v with
        {
            Features = [.. v.Features, new FeatureDefinition { Name = "merchant_amount_max_7d", Field = "amount", Aggregation = AggregationKind.Max, Window = TimeSpan.FromDays(7) }],
        }));

        Assert.False(change.IsBreaking);
    }

    [Fact]
    public void Compute_FeatureRenamedInStreamingViewNobodyUsesByThatName_IsNotBreaking()
    {
        // Names are not part of the tile layout; the renamed feature is used by no model.
        var change = Single(WithView("customer_7d", v => WithFeature(v, "amount_min_7d", f => f with { Name = "amount_minimum_7d" })));

        Assert.False(change.IsBreaking);
    }

    [Fact]
    public void Compute_ViewChange_SaysWhatChanges()
    {
        var proposed = WithView("customer_7d", v => WithFeature(v, "amount_min_7d", _ => null) with
        {
            Ttl = TimeSpan.FromDays(3),
            Owner = "fraud-team@contoso.com",
            Features = [.. WithFeature(v, "amount_min_7d", _ => null).Features.Select(f => f.Name == "txn_count_7d" ? f with { Description = "n" } : f),
                new FeatureDefinition { Name = "amount_sum_7d", Field = "amount", Aggregation = AggregationKind.Sum, Window = TimeSpan.FromDays(7) }],
        });

        var change = Single(proposed);

        Assert.Equal("ttl: 2d → 3d; owner: risk-team@contoso.com → fraud-team@contoso.com; features: + amount_sum_7d, - amount_min_7d, ~ txn_count_7d", change.Details);
    }

    [Fact]
    public void Compute_ModelAndSourceChanges_SayWhatChanges()
    {
        var model = Sample.Models[0];
        var proposed = Sample with
        {
            Models = [model with { Features = [.. model.Features.Reverse()], Trainer = model.Trainer with { Name = TrainerKind.FastTree, Parameters = new SortedDictionary<string, string>() } }],
            Sources = [Sample.Sources[0] with { Fields = [.. Sample.Sources[0].Fields.Reverse()] }],
        };

        var changes = DefinitionDiff.Compute(Sample, proposed);

        Assert.Equal("fields: order", changes.Single(c => c.ObjectType == "source").Details);
        Assert.Equal("features: order; trainer", changes.Single(c => c.ObjectType == "model").Details);
    }

    [Fact]
    public void Compute_ViewTakenOfflineUnderDeployedModel_IsBreaking()
    {
        // The proposed model no longer lists merchant_7d (BR0517 would refuse it); the deployed champion still reads it.
        var proposed = WithView("merchant_7d", v => v with { Online = false }) with
        {
            Models = [Sample.Models[0] with { Features = [.. Sample.Models[0].Features.Where(f => f.View != "merchant_7d" && f.Name != "amount_to_merchant_mean")] }],
            OnDemandFeatures = [.. Sample.OnDemandFeatures.Where(f => f.Name != "amount_to_merchant_mean")],
        };

        var change = DefinitionDiff.Compute(Sample, proposed).Single(c => c.Name == "merchant_7d");

        Assert.Equal("view merchant_7d is no longer served online, under model fraud: nothing updates its online values any more, so they go missing (NOT_FOUND, or OUTSIDE_MAX_AGE past its ttl of 2d)", change.Breaking);
    }

    // The champion of model fraud, trained when its definition listed merchant_7d:merchant_txn_count_7d and took the
    // request field country: a later apply dropped both from the model, which is not breaking (the champion keeps its
    // inputs until a retrained version is promoted), so the deployed definitions no longer say the champion reads them.
    private static readonly ServingModel Champion = new(
        "fraud",
        "v20260101030000000-1a2b3c4d",
        [.. Sample.Models[0].Features.Select(f => f.ToString()), "merchant_7d:merchant_txn_count_7d", .. Sample.Models[0].RequestFields]);

    private static readonly FeatureRepositoryDefinition WithoutChampionOnlyInputs = Sample with
    {
        Models = [Sample.Models[0] with { RequestFields = [.. Sample.Models[0].RequestFields.Where(f => f != "country")] }],
    };

    [Fact]
    public void Compute_FeatureOnlyTheChampionWasTrainedOn_RemovedIsBreaking()
    {
        var proposed = WithView("merchant_7d", v => WithFeature(v, "merchant_txn_count_7d", _ => null));

        var change = Assert.Single(DefinitionDiff.Compute(Sample, proposed, [Champion]));

        Assert.Equal("feature merchant_7d:merchant_txn_count_7d is removed, used by model fraud (its champion v20260101030000000-1a2b3c4d)", change.Breaking);
        Assert.False(Assert.Single(DefinitionDiff.Compute(Sample, proposed)).IsBreaking);
    }

    [Fact]
    public void Compute_RequestFieldOnlyTheChampionTakes_RemovedIsBreaking()
    {
        // Predict would answer 409 for every request: the champion reads country, which the source no longer has.
        var current = WithoutChampionOnlyInputs with
        {
            OnDemandFeatures = [.. Sample.OnDemandFeatures.Where(f => f.Name != "is_foreign")],
            Models = [WithoutChampionOnlyInputs.Models[0] with { Features = [.. Sample.Models[0].Features.Where(f => f.Name != "is_foreign")] }],
            FeatureViews = [.. Sample.FeatureViews.Select(v => v with { Features = [.. v.Features.Where(f => f.Field != "country")] })],
        };
        var proposed = current with { Sources = [Sample.Sources[0] with { Fields = [.. Sample.Sources[0].Fields.Where(f => f.Name != "country")] }] };

        var change = Assert.Single(DefinitionDiff.Compute(current, proposed, [Champion]), c => c.ObjectType == "source");

        Assert.Equal("field transaction.country is removed, a request field of model fraud (its champion v20260101030000000-1a2b3c4d)", change.Breaking);
    }

    [Fact]
    public void Compute_FeatureOfAModelRemovedWithIt_IsNotBreaking()
    {
        // Once applied, nothing serves or retrains the removed model: predict answers 404 for it whatever its features.
        var proposed = WithView("customer_7d", v => WithFeature(v, "txn_count_7d", _ => null)) with { Models = [] };

        var changes = DefinitionDiff.Compute(Sample, proposed, [Champion]);

        Assert.DoesNotContain(changes, c => c.IsBreaking);
    }

    [Fact]
    public void Compute_EventTypeOfAnAggregatedSourceChanges_IsBreaking()
    {
        // Producers send the old type until they are changed: ingestion dead-letters those events as of an unknown type.
        var proposed = Sample with { Sources = [Sample.Sources[0] with { EventType = "com.brisa.fraud.authorization" }] };

        var change = Single(proposed);

        Assert.Equal(
            "event_type of source transaction changes (com.brisa.fraud.transaction → com.brisa.fraud.authorization): events still sent as com.brisa.fraud.transaction are dead-lettered, so views customer_1h, customer_7d, merchant_1h, merchant_7d and model fraud get none of them",
            change.Breaking);
    }

    [Fact]
    public void Compute_TimestampFieldOfALabelSourceChanges_IsBreaking()
    {
        // Labels count when they arrive within label.within of their observation: the time they are taken at moves.
        var chargeback = Sample.LabelSources[0];
        var proposed = Sample with
        {
            LabelSources = [chargeback with { TimestampField = "disputed_at", Fields = [.. chargeback.Fields, new FieldDefinition { Name = "disputed_at", Type = FieldType.Timestamp }] }],
        };

        var change = Single(proposed);

        Assert.Equal("timestamp_field of source chargeback changes (timestamp → disputed_at): the event time of new events, so every window and label over them, moves for model fraud", change.Breaking);
    }

    [Fact]
    public void Compute_EventTypeOfASourceNothingReads_IsNotBreaking()
    {
        var unused = Sample.LabelSources[0] with { Name = "refund", EventType = "com.brisa.fraud.refund" };
        var deployed = Sample with { LabelSources = [.. Sample.LabelSources, unused] };

        var change = Assert.Single(DefinitionDiff.Compute(deployed, deployed with { LabelSources = [.. Sample.LabelSources, unused with { EventType = "com.brisa.fraud.refund.v2" }] }));

        Assert.False(change.IsBreaking);
    }

    [Fact]
    public void Compute_OnDemandTypeBetweenLongAndDoubleUnderModel_IsNotBreaking()
    {
        // Both are numbers: the model is given the expression's value as a double either way.
        var proposed = Sample with
        {
            OnDemandFeatures = [.. Sample.OnDemandFeatures.Select(f => f.Name == "log_amount" ? f with { Type = FieldType.Long } : f)],
        };

        var change = Single(proposed);

        Assert.Equal("type: double → long", change.Details);
        Assert.False(change.IsBreaking);
    }

    [Fact]
    public void Compute_JoinKeyOfAnEntityNoViewDescribes_IsNotBreaking()
    {
        // Nothing is stored under an entity no deployed view has: no value is keyed by its join key.
        var store = new EntityDefinition { Name = "store", JoinKey = "store_id" };
        var deployed = Sample with { Entities = [.. Sample.Entities, store] };

        var change = Assert.Single(DefinitionDiff.Compute(deployed, deployed with { Entities = [.. Sample.Entities, store with { JoinKey = "shop_id" }] }));

        Assert.False(change.IsBreaking);
    }
}
