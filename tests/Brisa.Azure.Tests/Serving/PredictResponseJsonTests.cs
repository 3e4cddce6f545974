using System.Text.Json;
using Brisa.Azure.Serving;

namespace Brisa.Azure.Tests.Serving;

public sealed class PredictResponseJsonTests
{
    private static readonly PredictResponse Response = new(
        "fraud",
        "v1",
        0.25,
        "req-1",
        [
            new Prediction("req-1-0", 0.75, true, new FieldMap<PredictionFeature>(
                ["customer_7d:amount_mean_7d", "is_foreign", "customer_7d:txn_count_7d", "customer_7d:last_country_7d", "merchant_7d:merchant_amount_mean_7d"],
                [new(12.5, "PRESENT"), new(true, "PRESENT"), new(7L, "PRESENT"), new("ES \"quoted\" ñ", "PRESENT"), new(null, "NOT_FOUND")])),
        ]);

    [Fact]
    public void Serialize_Response_WritesEveryFieldByItsWireName()
    {
        using var document = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(Response));
        var root = document.RootElement;

        Assert.Equal("fraud", root.GetProperty("model").GetString());
        Assert.Equal("v1", root.GetProperty("version").GetString());
        Assert.Equal(0.25, root.GetProperty("threshold").GetDouble());
        Assert.Equal("req-1", root.GetProperty("request_id").GetString());
        var prediction = Assert.Single(root.GetProperty("predictions").EnumerateArray().ToList());
        Assert.Equal("req-1-0", prediction.GetProperty("id").GetString());
        Assert.Equal(0.75, prediction.GetProperty("score").GetDouble());
        Assert.True(prediction.GetProperty("decision").GetBoolean());
        var features = prediction.GetProperty("features");
        Assert.Equal(
            ["customer_7d:amount_mean_7d", "is_foreign", "customer_7d:txn_count_7d", "customer_7d:last_country_7d", "merchant_7d:merchant_amount_mean_7d"],
            features.EnumerateObject().Select(f => f.Name));
        Assert.Equal(12.5, features.GetProperty("customer_7d:amount_mean_7d").GetProperty("value").GetDouble());
        Assert.True(features.GetProperty("is_foreign").GetProperty("value").GetBoolean());
        Assert.Equal("7", features.GetProperty("customer_7d:txn_count_7d").GetProperty("value").GetRawText());
        Assert.Equal("ES \"quoted\" ñ", features.GetProperty("customer_7d:last_country_7d").GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Null, features.GetProperty("merchant_7d:merchant_amount_mean_7d").GetProperty("value").ValueKind);
        Assert.Equal("NOT_FOUND", features.GetProperty("merchant_7d:merchant_amount_mean_7d").GetProperty("status").GetString());
    }

    [Fact]
    public void Deserialize_SerializedResponse_GivesTheSameResponse()
    {
        var back = JsonSerializer.Deserialize<PredictResponse>(JsonSerializer.SerializeToUtf8Bytes(Response))!;

        Assert.Equal((Response.Model, Response.Version, Response.Threshold, Response.RequestId), (back.Model, back.Version, back.Threshold, back.RequestId));
        var expected = Response.Predictions[0];
        var actual = Assert.Single(back.Predictions);
        Assert.Equal((expected.Id, expected.Score, expected.Decision), (actual.Id, actual.Score, actual.Decision));
        Assert.Equal(expected.Features.Keys, actual.Features.Keys);
        foreach (var (name, feature) in expected.Features)
        {
            Assert.Equal(feature.Status, actual.Features[name].Status);
            Assert.Equal(JsonSerializer.Serialize(feature.Value), JsonSerializer.Serialize(actual.Features[name].Value));
        }
    }

    [Fact]
    public void Serialize_NonFiniteNumbers_NamedLiteralStringsThatReadBack()
    {
        // A regression score or a feature value past double's range: JSON has no such number, and the writer throws on one.
        var response = new PredictResponse("spend", "v1", null, "req-2", [
            new Prediction("a", double.PositiveInfinity, null, new FieldMap<PredictionFeature>(["sum", "ratio", "narrow"], [new(double.NegativeInfinity, "PRESENT"), new(double.NaN, "PRESENT"), new(float.PositiveInfinity, "PRESENT")])),
            new Prediction("b", double.NaN, null, new FieldMap<PredictionFeature>([], [])),
        ]);

        var bytes = JsonSerializer.SerializeToUtf8Bytes(response);

        using var document = JsonDocument.Parse(bytes);
        var first = document.RootElement.GetProperty("predictions")[0];
        Assert.Equal("Infinity", first.GetProperty("score").GetString());
        Assert.Equal("-Infinity", first.GetProperty("features").GetProperty("sum").GetProperty("value").GetString());
        Assert.Equal("NaN", first.GetProperty("features").GetProperty("ratio").GetProperty("value").GetString());
        Assert.Equal("Infinity", first.GetProperty("features").GetProperty("narrow").GetProperty("value").GetString());
        var back = JsonSerializer.Deserialize<PredictResponse>(bytes)!;
        Assert.Equal([double.PositiveInfinity, double.NaN], back.Predictions.Select(p => p.Score));
    }

    [Fact]
    public void FieldMap_Lookups_FindByNameAndKeepOrder()
    {
        var map = new FieldMap<int>(["b", "a", "c"], [2, 1, 3]);

        Assert.Equal(1, map["a"]);
        Assert.True(map.ContainsKey("c"));
        Assert.False(map.TryGetValue("d", out _));
        Assert.Throws<KeyNotFoundException>(() => map["d"]);
        Assert.Equal(["b", "a", "c"], map.Select(p => p.Key));
        Assert.Equal([2, 1, 3], map.Values);
    }
}
