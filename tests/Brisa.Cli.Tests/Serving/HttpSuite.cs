using System.Text.Json;

namespace Brisa.Cli.Tests.Serving;

/// <summary>The shared request suite: every HTTP endpoint's success and error answers.</summary>
public static class HttpSuite
{
    private const string Json = "application/json";

    private static readonly string Instance = """{"customer_id":"{customer}","merchant_id":"{merchant}","amount":42.5,"currency":"EUR","country":"ES","channel":"pos"}""";

    /// <summary>Every case, by name.</summary>
    public static IReadOnlyDictionary<string, HttpCase> Cases { get; } = new HttpCase[]
    {
        new("features_ok", "POST", "features/online", """{"features":["customer_1h:txn_count_1h","customer_7d:amount_mean_7d"],"entities":{"customer_id":["{customer}","nobody"]}}""", Json, 200, Check: (json, v) =>
        {
            Assert.Equal(["customer_id", "customer_1h:txn_count_1h", "customer_7d:amount_mean_7d"], json.GetProperty("metadata").GetProperty("feature_names").EnumerateArray().Select(e => e.GetString()));
            var mean = json.GetProperty("results").EnumerateArray().Last();
            Assert.Equal(["PRESENT", "NOT_FOUND"], mean.GetProperty("statuses").EnumerateArray().Select(e => e.GetString()));
            Assert.True(mean.GetProperty("values")[0].GetDouble() > 0);
            Assert.Equal(JsonValueKind.Null, mean.GetProperty("values")[1].ValueKind);
        }),
        new("features_unknown_feature", "POST", "features/online", """{"features":["customer_7d:nope"],"entities":{"customer_id":["{customer}"]}}""", Json, 404, ("unknown-feature", "Unknown feature")),
        new("features_unknown_view", "POST", "features/online", """{"features":["nope:x"],"entities":{"customer_id":["{customer}"]}}""", Json, 404, ("unknown-feature", "Unknown feature")),
        new("features_bad_entity_key", "POST", "features/online", """{"features":["customer_7d:txn_count_7d"],"entities":{"customer_id":[true]}}""", Json, 400, ("bad-entity-key", "Bad entity key")),
        new("features_empty_entity_key", "POST", "features/online", """{"features":["customer_7d:txn_count_7d"],"entities":{"customer_id":[""]}}""", Json, 400, ("bad-entity-key", "Bad entity key")),
        new("features_malformed_json", "POST", "features/online", """{"features":["customer_7d:txn_count_7d""", Json, 400, ("malformed-json", "Malformed JSON")),
        new("features_too_large", "POST", "features/online", """{"features":[""" + new string(' ', 1024 * 1024) + "]}", Json, 413, ("payload-too-large", "Payload too large")),
        new("features_wrong_content_type", "POST", "features/online", """{"features":["customer_7d:txn_count_7d"],"entities":{"customer_id":["{customer}"]}}""", "text/plain", 415, ("unsupported-media-type", "Unsupported media type")),
        new("predict_ok", "POST", "models/fraud/predict", Instance, Json, 200, Check: (json, v) =>
        {
            Assert.Equal("fraud", json.GetProperty("model").GetString());
            Assert.Equal(v["version"], json.GetProperty("version").GetString());
            Assert.Equal("suite-request", json.GetProperty("request_id").GetString());
            var prediction = Assert.Single(json.GetProperty("predictions").EnumerateArray());
            Assert.InRange(prediction.GetProperty("score").GetDouble(), 0, 1);
            Assert.Equal(prediction.GetProperty("score").GetDouble() >= json.GetProperty("threshold").GetDouble(), prediction.GetProperty("decision").GetBoolean());
            Assert.Equal("PRESENT", prediction.GetProperty("features").GetProperty("customer_7d:txn_count_7d").GetProperty("status").GetString());
        }),
        new("predict_named_version", "POST", "models/fraud/predict?version={version}", Instance, Json, 200, Check: (json, v) => Assert.Equal(v["version"], json.GetProperty("version").GetString())),
        new("predict_unknown_model", "POST", "models/nope/predict", Instance, Json, 404, ("unknown-model", "Unknown model")),
        new("predict_unknown_version", "POST", "models/fraud/predict?version=v20000101000000000-00000000", Instance, Json, 404, ("unknown-model-version", "Unknown model version")),
        new("predict_malformed_version", "POST", "models/fraud/predict?version=..%2Fother", Instance, Json, 400, ("bad-model-version", "Bad model version")),
        new("predict_missing_entity_key", "POST", "models/fraud/predict", """{"amount":42.5,"currency":"EUR","country":"ES"}""", Json, 400, ("missing-entity-key", "Missing entity key")),
        new("predict_missing_request_field", "POST", "models/fraud/predict", """{"customer_id":"{customer}","merchant_id":"{merchant}","country":"ES","channel":"pos"}""", Json, 400, ("missing-request-field", "Missing request field")),
        new("predict_wrong_field_type", "POST", "models/fraud/predict", """{"customer_id":"{customer}","merchant_id":"{merchant}","amount":"lots","country":"ES","channel":"pos"}""", Json, 400, ("invalid-field", "Invalid field")),
        new("predict_malformed_json", "POST", "models/fraud/predict", "{", Json, 400, ("malformed-json", "Malformed JSON")),
        new("predict_batch", "POST", "models/fraud/predict", """{"instances":[{"id":"a","customer_id":"{customer}","merchant_id":"{merchant}","amount":10,"currency":"EUR","country":"ES","channel":"pos"},{"id":"b","customer_id":"new-customer","merchant_id":"{merchant}","amount":900,"currency":"EUR","country":"NG","channel":"online"}]}""", Json, 200, Check: (json, v) =>
        {
            var predictions = json.GetProperty("predictions").EnumerateArray().ToList();
            Assert.Equal(["a", "b"], predictions.Select(p => p.GetProperty("id").GetString()));
            Assert.Equal("NOT_FOUND", predictions[1].GetProperty("features").GetProperty("customer_7d:txn_count_7d").GetProperty("status").GetString());
        }),
        new("catalog", "GET", "catalog", null, null, 200, Check: (json, v) =>
            Assert.Equal(["customer_1h", "customer_7d", "merchant_1h", "merchant_7d"], json.EnumerateArray().Select(e => e.GetProperty("name").GetString()))),
        new("catalog_search", "GET", "catalog?q=merchant", null, null, 200, Check: (json, v) =>
            Assert.Equal(["merchant_1h", "merchant_7d"], json.EnumerateArray().Select(e => e.GetProperty("name").GetString()))),
        new("catalog_view", "GET", "catalog/customer_7d", null, null, 200, Check: (json, v) =>
        {
            Assert.Equal("customer_id", json.GetProperty("join_key").GetString());
            Assert.Equal(["fraud"], json.GetProperty("used_by").EnumerateArray().Select(e => e.GetString()));
        }),
        new("catalog_page", "GET", "catalog/ui", null, null, 200),
        new("catalog_unknown_view", "GET", "catalog/nope", null, null, 404, ("unknown-view", "Unknown view")),
        new("model_info", "GET", "models/fraud", null, null, 200, Check: (json, v) =>
        {
            Assert.Equal(v["version"], json.GetProperty("champion").GetString());
            Assert.Contains(v["version"], json.GetProperty("versions").EnumerateArray().Select(e => e.GetString()));
        }),
        new("model_info_unknown", "GET", "models/nope", null, null, 404, ("unknown-model", "Unknown model")),
        new("health", "GET", "health", null, null, 200, Check: (json, v) =>
        {
            Assert.True(json.GetProperty("healthy").GetBoolean());
            Assert.Contains(json.GetProperty("checks").EnumerateArray(), c => c.GetProperty("service").GetString() == "model:fraud" && c.GetProperty("detail").GetString() == "champion " + v["version"]);
        }),
        new("events_push", "POST", "events", """{"specversion":"1.0","id":"suite-push-1","source":"/suite","type":"com.brisa.fraud.transaction","data":{"transaction_id":"suite-push-1","customer_id":"suite-pusher","merchant_id":"m1","amount":12.5,"currency":"EUR","country":"ES","channel":"pos","timestamp":"{now}"}}""", "application/cloudevents+json", 200, Check: (json, v) =>
        {
            Assert.Equal(1, json.GetProperty("accepted").GetInt32());
            Assert.Equal("accepted", json.GetProperty("results")[0].GetProperty("status").GetString());
        }),
        new("events_all_rejected", "POST", "events", """{"specversion":"1.0","id":"suite-bad-1","source":"/suite","type":"com.brisa.fraud.transaction","data":{"customer_id":"suite-pusher"}}""", "application/cloudevents+json", 400, ("events-rejected", "No event was accepted")),
        new("events_wrong_content_type", "POST", "events", "{}", "text/plain", 415, ("unsupported-media-type", "Unsupported media type")),
    }.ToDictionary(c => c.Name);

    /// <summary>The case names, for the theory.</summary>
    public static TheoryData<string> Names() => [.. Cases.Keys];
}
