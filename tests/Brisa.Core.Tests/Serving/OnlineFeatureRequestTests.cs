using System.Text;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Serving;
using Brisa.Core.Tests.Definitions;
using FeaturePlan = Brisa.Core.Features.FeaturePlan;

namespace Brisa.Core.Tests.Serving;

public sealed class OnlineFeatureRequestTests
{
    private static readonly FeaturePlan Plan = FeaturePlan.Compile(SampleDefinitionsTests.LoadSample(), trackEventIds: true);

    private static OnlineFeatureRequest Parse(string json) => OnlineFeatureRequest.Parse(Encoding.UTF8.GetBytes(json), Plan);

    private static ServingException Rejected(string json) => Assert.Throws<ServingException>(() => Parse(json));

    [Fact]
    public void Parse_FeaturesAndEntities_ResolvesInOrder()
    {
        var request = Parse("""{"features":["customer_7d:amount_mean_7d","merchant_1h.merchant_txn_count_1h"],"entities":{"customer_id":["c1","c2"],"merchant_id":["m1",7]}}""");

        Assert.Equal(["customer_7d:amount_mean_7d", "merchant_1h:merchant_txn_count_1h"], request.Features.Select(f => f.Name));
        Assert.Equal(2, request.RowCount);
        Assert.Equal(["m1", "7"], request.Entities["merchant_id"]);
        Assert.Equal(FieldType.Long, request.Features[1].Type);
    }

    [Fact]
    public void Parse_FeatureService_UsesModelViewFeatures()
    {
        var request = Parse("""{"feature_service":"fraud","entities":{"customer_id":["c1"],"merchant_id":["m1"]}}""");

        Assert.Contains(request.Features, f => f.Name == "customer_1h:txn_count_1h");
        Assert.DoesNotContain(request.Features, f => f.Name.Contains("zscore", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":["c1"]}""", 400, "The body is not valid JSON")]
    [InlineData("""[1]""", 400, "The body must be a JSON object.")]
    [InlineData("""{"entities":{"customer_id":["c1"]}}""", 400, "Give exactly one of 'features'")]
    [InlineData("""{"features":["customer_1h:txn_count_1h"],"feature_service":"fraud","entities":{"customer_id":["c1"]}}""", 400, "Give exactly one of 'features'")]
    [InlineData("""{"features":["nope:txn_count_1h"],"entities":{"customer_id":["c1"]}}""", 404, "Unknown view 'nope'")]
    [InlineData("""{"features":["customer_1h:nope"],"entities":{"customer_id":["c1"]}}""", 404, "View 'customer_1h' has no feature 'nope'")]
    [InlineData("""{"features":["amount_zscore"],"entities":{"customer_id":["c1"]}}""", 400, "'amount_zscore' is not a view feature")]
    [InlineData("""{"features":["customer_1h:txn_count_1h"]}""", 400, "'entities' must be an object")]
    [InlineData("""{"features":["customer_1h:txn_count_1h"],"entities":{"merchant_id":["m1"]}}""", 400, "need the entity key 'customer_id'")]
    [InlineData("""{"features":["customer_1h:txn_count_1h"],"entities":{"user_id":["u"]}}""", 400, "Unknown entity key 'user_id'")]
    [InlineData("""{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":[{"a":1}]}}""", 400, "must be a string (or an integer); got object")]
    [InlineData("""{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":[""]}}""", 400, "must be 1 to 4096 characters")]
    [InlineData("""{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":[]}}""", 400, "Ask for 1 to 1000 rows; got 0")]
    [InlineData("""{"features":["customer_7d:amount_mean_7d","merchant_1h:merchant_txn_count_1h"],"entities":{"customer_id":["c1"],"merchant_id":["m1","m2"]}}""", 400, "same length")]
    [InlineData("""{"features":[],"entities":{"customer_id":["c1"]}}""", 400, "non-empty list")]
    [InlineData("""{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":["c1"]},"extra":1}""", 400, "Unknown property 'extra'")]
    [InlineData("""{"feature_service":"nope","entities":{"customer_id":["c1"]}}""", 404, "No model named 'nope'")]
    [InlineData("""{"features":["customer_1h:txn_count_1h","customer_1h.txn_count_1h"],"entities":{"customer_id":["c1"]}}""", 400, "'customer_1h:txn_count_1h' is asked for twice")]
    [InlineData("""{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":["c1"],"customer_id":["c2"]}}""", 400, "Duplicate property 'customer_id'")]
    [InlineData("""{"features":["customer_1h:txn_count_1h"],"features":["customer_7d:txn_count_7d"],"entities":{"customer_id":["c1"]}}""", 400, "Duplicate property 'features'")]
    [InlineData("""{"feature_service":5,"entities":{"customer_id":["c1"]}}""", 400, "'feature_service' must be a model name (a string); got number. Known: fraud.")]
    [InlineData("""{"feature_service":null,"entities":{"customer_id":["c1"]}}""", 400, "'feature_service' must be a model name (a string); got null. Known: fraud.")]
    [InlineData("""{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":["c1"]},"full_feature_names":"yes"}""", 400, "'full_feature_names' must be true or false")]
    public void Parse_BadRequest_ClearError(string json, int status, string message)
    {
        var error = Rejected(json);

        Assert.Equal(status, error.Status);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public void Parse_FullFeatureNamesBoolean_AcceptedAndNamesStayViewFeature(string value)
    {
        var request = Parse($$"""{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":["c1"]},"full_feature_names":{{value}}}""");

        Assert.Equal("customer_1h:txn_count_1h", Assert.Single(request.Features).Name);
    }

    [Theory]
    [InlineData("""{"features":["merchant_7d:merchant_txn_count_7d"],"entities":{"merchant_id":["m1"]}}""")]
    [InlineData("""{"feature_service":"fraud","entities":{"customer_id":["c1"],"merchant_id":["m1"]}}""")]
    public void Parse_OfflineOnlyView_RejectedNotServedAsNotFound(string json)
    {
        // An online: false view has no online rows (or only ones left from before it went offline): every key would
        // be NOT_FOUND, as if the entity were unknown.
        var sample = SampleDefinitionsTests.LoadSample();
        var offline = sample with { FeatureViews = [.. sample.FeatureViews.Select(v => v.Name == "merchant_7d" ? v with { Online = false } : v)] };
        var plan = FeaturePlan.Compile(offline, trackEventIds: true);

        var error = Assert.Throws<ServingException>(() => OnlineFeatureRequest.Parse(Encoding.UTF8.GetBytes(json), plan));

        Assert.Equal(400, error.Status);
        Assert.Contains("View 'merchant_7d' is not served online (online: false)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeeplyNested_MalformedNotCrash()
    {
        var json = """{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":""" + new string('[', 200) + new string(']', 200) + "}}";

        Assert.Equal("Malformed JSON", Rejected(json).Title);
    }

    [Fact]
    public void Build_StatusesFromRowsAndTtl()
    {
        var request = Parse("""{"features":["customer_1h:txn_count_1h","customer_7d:last_country_7d"],"entities":{"customer_id":["fresh","stale","missing","empty"]}}""");
        var now = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        var nowTicks = TiledView.ToUnixTicks(now);
        ViewValues? Lookup(string key, ViewPlan view) => (key, view.Name) switch
        {
            ("fresh", _) => new ViewValues(Values(view, 3, "ES"), nowTicks - TimeSpan.FromMinutes(10).Ticks),
            ("stale", "customer_1h") => new ViewValues(Values(view, 1, "ES"), nowTicks - TimeSpan.FromHours(3).Ticks),
            ("stale", _) => new ViewValues(Values(view, 1, "ES"), nowTicks - TimeSpan.FromHours(3).Ticks),
            ("empty", _) => new ViewValues(new FieldValue[view.View.FeatureCount], nowTicks),
            _ => null,
        };

        var response = OnlineFeatureResponse.Build(request, Lookup, now);

        Assert.Equal(["customer_id", "customer_1h:txn_count_1h", "customer_7d:last_country_7d"], response.Metadata.FeatureNames);
        Assert.Equal(["PRESENT", "OUTSIDE_MAX_AGE", "NOT_FOUND", "NULL_VALUE"], response.Results[1].Statuses);
        Assert.Equal([3L, null, null, null], response.Results[1].Values);
        Assert.Equal(["PRESENT", "PRESENT", "NOT_FOUND", "NULL_VALUE"], response.Results[2].Statuses);
        Assert.Equal("ES", response.Results[2].Values[1]);
    }

    private static FieldValue[] Values(ViewPlan view, double count, string country) =>
        view.View.Features.Select(f => f.Kind switch
        {
            AggregationKind.Count => FieldValue.FromNumber(count),
            AggregationKind.Last => FieldValue.FromText(country),
            _ => FieldValue.FromNumber(1.5),
        }).ToArray();

    [Theory]
    [InlineData("\"1005\"", "1005")]
    [InlineData("\"01005\"", "1005")]
    [InlineData("1005", "1005")]
    public void Parse_LongJoinKeyAsText_TheIntegerAsEventsKeyIt(string driver, string key)
    {
        var request = OnlineFeatureRequest.Parse(Encoding.UTF8.GetBytes($$$"""{"features":["driver_1d:trips_1d"],"entities":{"driver_id":[{{{driver}}}]}}"""), Rides);

        Assert.Equal([key], request.Entities["driver_id"]);
    }

    [Theory]
    [InlineData("1005.0")]
    [InlineData(" 1005")]
    [InlineData("d1005")]
    public void Parse_LongJoinKeyTextNotAnInteger_BadEntityKeyInsteadOfNotFound(string driver)
    {
        var error = Assert.Throws<ServingException>(() => OnlineFeatureRequest.Parse(Encoding.UTF8.GetBytes($$$"""{"features":["driver_1d:trips_1d"],"entities":{"driver_id":["{{{driver}}}"]}}"""), Rides));

        Assert.Equal((400, "Bad entity key"), (error.Status, error.Title));
        Assert.Contains($"Entity key 'driver_id' is a long key: '{driver}' is not a whole number between -2^53 and 2^53", error.Message, StringComparison.Ordinal);
    }

    // The rides sample: driver_id is a long join key.
    private static readonly FeaturePlan Rides = FeaturePlan.Compile(SampleDefinitionsTests.LoadRidesSample(), trackEventIds: true);
}
