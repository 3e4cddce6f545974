using System.Text;
using System.Text.Json;
using Brisa.Azure.Online;
using Brisa.Azure.RawZone;
using Brisa.Azure.Serving;
using Brisa.Core.Serving;
using Brisa.Functions.Ingestion;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Brisa.Functions.Tests.Reliability;

/// <summary>
/// A corpus of bad requests on every HTTP entry point: each gets a clear problem (400/404/413/415), every rejected
/// pushed event is in dead-letter with its reason, and the next valid request still succeeds.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class BadInputTests(ServingFixture serving)
{
    private const string Ok = "accepted";

    private static string Time(TimeSpan offset) => (DateTimeOffset.UtcNow + offset).ToString("yyyy-MM-ddTHH:mm:ssZ");

    private static string Txn(string id, string amount = "12.5", string? timestamp = null, string customer = "\"c-bad\"", string extra = "") =>
        $$$"""{"specversion":"1.0","id":{{{JsonSerializer.Serialize(id)}}},"source":"/bad","type":"com.brisa.fraud.transaction","data":{"transaction_id":{{{JsonSerializer.Serialize(id)}}},"customer_id":{{{customer}}},"merchant_id":"m1","amount":{{{amount}}},"currency":"EUR","country":"ES","channel":"pos","timestamp":"{{{timestamp ?? Time(TimeSpan.FromMinutes(-1))}}}"{{{extra}}}}}""";

    private static string Deep(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    /// <summary>Body, and the start of the reason the push endpoint gives (<c>accepted</c> when it takes the event).</summary>
    public static TheoryData<string, string, string> PushCorpus => new()
    {
        { "malformed", "{not json", "malformed JSON" },
        { "empty", "", "malformed JSON" },
        { "not an event", "42", "expected a CloudEvent JSON object" },
        { "wrong type", Txn("bad-type", amount: "\"12\""), "field 'amount': expected a number, got a string" },
        { "NaN literal", Txn("bad-nan", amount: "NaN"), "malformed JSON" },
        { "NaN string", Txn("bad-nan-string", amount: "\"NaN\""), "field 'amount': expected a number, got a string" },
        { "infinity", Txn("bad-inf", amount: "1e400"), "field 'amount': the number is out of the range of a double" },
        { "out of range", Txn("bad-range", amount: "-1"), "field 'amount': -1 is below the minimum 0" },
        { "missing field", Txn("bad-missing").Replace("\"customer_id\":\"c-bad\",", "", StringComparison.Ordinal), "missing required field 'customer_id'" },
        { "null field", Txn("bad-null", customer: "null"), "missing required field 'customer_id'" },
        { "extra field", Txn("ok-extra-" + Guid.NewGuid().ToString("N"), extra: ",\"loyalty\":{\"tier\":\"gold\"}"), Ok },
        { "future", Txn("bad-future", timestamp: Time(TimeSpan.FromDays(1))), "field 'timestamp':" },
        { "ancient", Txn("bad-ancient", timestamp: "1999-12-31T23:59:59Z"), "field 'timestamp': 1999-12-31T23:59:59Z is before 2000-01-01" },
        { "not a time", Txn("bad-time", timestamp: "yesterday"), "field 'timestamp': expected an ISO 8601 timestamp" },
        { "deep nesting", Txn("bad-deep", extra: ",\"x\":" + Deep(100)), "malformed JSON" },
        { "control id", Txn("bad\u0001id"), "id contains the control character U+0001" },
        { "long id", Txn(new string('i', 2048)), "id" },
        { "duplicate field", Txn("bad-dup", amount: "1,\"amount\":2"), "field 'amount' appears twice" },
        { "no data", """{"specversion":"1.0","id":"bad-nodata","source":"/s","type":"com.brisa.fraud.transaction"}""", "missing 'data'" },
        { "unknown type", """{"specversion":"1.0","id":"bad-type2","source":"/s","type":"com.evil","data":{}}""", "unknown event type 'com.evil'" },
    };

    [Theory]
    [MemberData(nameof(PushCorpus))]
    public async Task Push_BadEvent_ProblemOrResultWithReasonAndDeadLettered(string name, string body, string reason)
    {
        var result = await serving.Push().Run(ServingFixture.Request(body, "application/cloudevents+json"), CancellationToken.None);

        var outcomes = Results(result);
        var outcome = Assert.Single(outcomes);
        if (reason == Ok)
        {
            Assert.Equal("accepted", outcome.Status);
        }
        else
        {
            var problem = AssertProblem(result, 400);
            Assert.Equal("No event was accepted", problem.Title);
            Assert.StartsWith(reason, outcome.Reason, StringComparison.Ordinal);
            var deadLetters = await DeadLetterWriter.For(serving.Azurite.Storage).ReadAllAsync();
            Assert.Contains(deadLetters, d => d.Reason == outcome.Reason && (d.Original == body || d.OriginalBytes().SequenceEqual(Encoding.UTF8.GetBytes(body))));
        }

        await AssertValidPushStillAcceptedAsync(name);
    }

    [Fact]
    public async Task Push_TenMegabyteBody_PayloadTooLargeAndNextRequestAccepted()
    {
        var body = new byte[10 * 1024 * 1024];
        Array.Fill(body, (byte)' ');
        body[0] = (byte)'[';
        body[^1] = (byte)']';

        var result = await serving.Push().Run(ServingFixture.Request(body, "application/cloudevents-batch+json"), CancellationToken.None);

        Assert.Contains("4194304 bytes", AssertProblem(result, 413).Detail, StringComparison.Ordinal);
        await AssertValidPushStillAcceptedAsync("10 MB");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData(null)]
    public async Task Push_WrongMediaType_UnsupportedMediaType(string? contentType)
    {
        var result = await serving.Push().Run(ServingFixture.Request(Txn("media"), contentType), CancellationToken.None);

        AssertProblem(result, 415);
    }

    [Fact]
    public async Task Push_MixedBatch_OnlyBadOnesDeadLetteredWithTheirReasons()
    {
        var id = "mixed-" + Guid.NewGuid().ToString("N");
        var body = $"[{Txn(id + "-ok")},{Txn(id + "-neg", amount: "-3")},7,{Txn(id + "-str", amount: "\"x\"")}]";

        var result = await serving.Push().Run(ServingFixture.Request(body, "application/cloudevents-batch+json"), CancellationToken.None);

        var response = Assert.IsType<PushResponse>(Assert.IsType<OkObjectResult>(result).Value);
        Assert.Equal((1, 3), (response.Accepted, response.Rejected));
        var deadLetters = await DeadLetterWriter.For(serving.Azurite.Storage).ReadAllAsync();
        foreach (var rejected in response.Results.Where(r => r.Status == "rejected"))
        {
            Assert.Contains(deadLetters, d => d.EventId == rejected.Id && d.Reason == rejected.Reason);
        }
    }

    public static TheoryData<string, int> OnlineCorpus => new()
    {
        { "{not json", 400 },
        { "", 400 },
        { "[]", 400 },
        { "null", 400 },
        { """{"features":["customer_1h:txn_count_1h"]}""", 400 },
        { """{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":[1.5]}}""", 400 },
        { """{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":[true]}}""", 400 },
        { """{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":[NaN]}}""", 400 },
        { """{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":["c1"]},"extra":1}""", 400 },
        { """{"features":["customer_1h:txn_count_1h"],"entities":{"nobody_id":["c1"]}}""", 400 },
        { """{"features":"customer_1h:txn_count_1h","entities":{"customer_id":["c1"]}}""", 400 },
        { """{"features":[42],"entities":{"customer_id":["c1"]}}""", 400 },
        { """{"features":["nope:txn_count_1h"],"entities":{"customer_id":["c1"]}}""", 404 },
        { """{"features":["customer_1h:nope"],"entities":{"customer_id":["c1"]}}""", 404 },
        { """{"feature_service":"nope","entities":{"customer_id":["c1"]}}""", 404 },
        { """{"features":["customer_1h:txn_count_1h"],"feature_service":"fraud","entities":{"customer_id":["c1"]}}""", 400 },
        { """{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":[]}}""", 400 },
        { "{\"features\":[\"customer_1h:txn_count_1h\"],\"entities\":{\"customer_id\":[" + string.Join(",", Enumerable.Repeat("\"c\"", 1001)) + "]}}", 400 },
        { "{\"features\":[\"customer_1h:txn_count_1h\"],\"entities\":{\"customer_id\":[\"" + new string('k', 5000) + "\"]}}", 400 },
        { "{\"features\":[\"customer_1h:txn_count_1h\"],\"entities\":" + Deep(40) + "}", 400 },
        // One feature repeated ~38,000 times fills 1 MiB: ×1,000 rows that answer was 840 MB of JSON (3.5 GB allocated).
        { """{"features":["customer_1h:txn_count_1h","customer_1h:txn_count_1h"],"entities":{"customer_id":["c1"]}}""", 400 },
        // Escaped lone surrogates: valid JSON syntax, but no text (reading them threw, answered 500).
        { """{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":["\ud800"]}}""", 400 },
        { """{"features":["customer_1h:\udc00"],"entities":{"customer_id":["c1"]}}""", 400 },
        { """{"feature_service":"\ud800","entities":{"customer_id":["c1"]}}""", 400 },
        { """{"\ud800":1,"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":["c1"]}}""", 400 },
    };

    [Theory]
    [MemberData(nameof(OnlineCorpus))]
    public async Task OnlineFeatures_BadRequest_ProblemDetailsAndNextRequestServed(string body, int status)
    {
        var result = await serving.Online().Run(ServingFixture.Request(body), CancellationToken.None);

        AssertProblem(result, status);
        await AssertValidOnlineStillServedAsync();
    }

    [Theory]
    [InlineData("text/plain", 415)]
    [InlineData(null, 415)]
    public async Task OnlineFeatures_WrongMediaType_UnsupportedMediaType(string? contentType, int status)
    {
        var result = await serving.Online().Run(ServingFixture.Request("{}", contentType), CancellationToken.None);

        AssertProblem(result, status);
    }

    [Fact]
    public async Task OnlineFeatures_TenMegabyteBody_PayloadTooLarge()
    {
        var result = await serving.Online().Run(ServingFixture.Request(new byte[10 * 1024 * 1024]), CancellationToken.None);

        AssertProblem(result, 413);
        await AssertValidOnlineStillServedAsync();
    }

    public static TheoryData<string, string?, int> PredictCorpus => new()
    {
        { "{not json", null, 400 },
        { "", null, 400 },
        { "[1]", null, 400 },
        { """{"instances":{}}""", null, 400 },
        { """{"instances":[]}""", null, 400 },
        { """{"instances":[1]}""", null, 400 },
        { """{"customer_id":"c1","merchant_id":"m1","amount":"NaN","currency":"EUR","country":"ES","channel":"pos"}""", null, 400 },
        { """{"customer_id":"c1","merchant_id":"m1","amount":NaN,"currency":"EUR","country":"ES","channel":"pos"}""", null, 400 },
        { """{"customer_id":"c1","merchant_id":"m1","amount":1e400,"currency":"EUR","country":"ES","channel":"pos"}""", null, 400 },
        { """{"customer_id":"c1","merchant_id":"m1","amount":-5,"currency":"EUR","country":"ES","channel":"pos"}""", null, 400 },
        { """{"customer_id":"c1","merchant_id":"m1","amount":5,"currency":"EUR","country":7,"channel":"pos"}""", null, 400 },
        { """{"customer_id":"c1","merchant_id":"m1","amount":5,"currency":"EUR","country":"ES","channel":"teleport"}""", null, 400 },
        { """{"customer_id":{"a":1},"merchant_id":"m1","amount":5,"currency":"EUR","country":"ES","channel":"pos"}""", null, 400 },
        { """{"merchant_id":"m1","amount":5,"currency":"EUR","country":"ES","channel":"pos"}""", null, 400 },
        { """{"customer_id":"c1","merchant_id":"m1","amount":5,"currency":"EUR","country":"ES"}""", null, 400 },
        { """{"customer_id":"c1","merchant_id":"m1","amount":5,"currency":"EUR","country":"ES","channel":"pos","is_admin":true}""", null, 400 },
        { "{\"instances\":[" + string.Join(",", Enumerable.Repeat("{\"customer_id\":\"c\",\"merchant_id\":\"m\"}", 1001)) + "]}", null, 400 },
        { "{\"customer_id\":" + Deep(40) + "}", null, 400 },
        { """{"customer_id":"c1","merchant_id":"m1","amount":5,"currency":"EUR","country":"ES","channel":"pos"}""", "?version=../../etc", 400 },
        { """{"customer_id":"c1","merchant_id":"m1","amount":5,"currency":"EUR","country":"ES","channel":"pos"}""", "?version=v20990101000000000-deadbeef", 404 },
        { """{"customer_id":"\ud800","merchant_id":"m1","amount":5,"currency":"EUR","country":"ES","channel":"pos"}""", null, 400 },
        { """{"customer_id":"c1","merchant_id":"m1","amount":5,"currency":"EUR","country":"\udfff","channel":"pos"}""", null, 400 },
        { """{"id":"t-\ud800","customer_id":"c1","merchant_id":"m1","amount":5,"currency":"EUR","country":"ES","channel":"pos"}""", null, 400 },
    };

    [Theory]
    [MemberData(nameof(PredictCorpus))]
    public async Task Predict_BadRequest_ProblemDetailsAndNextPredictionServed(string body, string? query, int status)
    {
        var request = ServingFixture.Request(Encoding.UTF8.GetBytes(body), query: query);

        var result = await serving.Predict().Run(request, "fraud", CancellationToken.None);

        AssertProblem(result, status);
        await AssertValidPredictionServedAsync();
    }

    [Fact]
    public async Task OnlineFeaturesAndPredict_BodyNotUtf8_MalformedJsonProblem()
    {
        // Latin-1 'é' (0xE9) inside a key: JSON's syntax is fine, its text is not UTF-8 (reading it threw, answered 500).
        static byte[] Latin1(string json) => System.Text.Encoding.Latin1.GetBytes(json);
        var online = Latin1("""{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":["café"]}}""");
        var predict = Latin1($$"""{"customer_id":"{{serving.Customer}}","merchant_id":"{{serving.Merchant}}","amount":5,"currency":"EUR","country":"España","channel":"pos"}""");

        var onlineProblem = AssertProblem(await serving.Online().Run(ServingFixture.Request(online), CancellationToken.None), 400);
        var predictProblem = AssertProblem(await serving.Predict().Run(ServingFixture.Request(predict), "fraud", CancellationToken.None), 400);

        Assert.Equal("https://brisa.dev/problems/malformed-json", onlineProblem.Type);
        Assert.Equal("https://brisa.dev/problems/malformed-json", predictProblem.Type);
        Assert.Contains("UTF-8", predictProblem.Detail, StringComparison.Ordinal);
        await AssertValidOnlineStillServedAsync();
        await AssertValidPredictionServedAsync();
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("Fraud")]
    [InlineData("fraud' or '1'='1")]
    public async Task Predict_UnknownModel_NotFound(string model)
    {
        var result = await serving.Predict().Run(ServingFixture.Request(serving.ValidInstance()), model, CancellationToken.None);

        AssertProblem(result, 404);
    }

    [Fact]
    public async Task Predict_TenMegabyteBodyOrWrongMediaType_413And415()
    {
        AssertProblem(await serving.Predict().Run(ServingFixture.Request(new byte[10 * 1024 * 1024]), "fraud", CancellationToken.None), 413);
        AssertProblem(await serving.Predict().Run(ServingFixture.Request(serving.ValidInstance(), "text/csv"), "fraud", CancellationToken.None), 415);
        await AssertValidPredictionServedAsync();
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("../registry")]
    [InlineData("customer_1h' or '1'='1")]
    [InlineData("customer_1h\u0000")]
    public async Task CatalogView_UnknownOrHostileName_NotFound(string view)
    {
        var result = await serving.Catalog().Get(ServingFixture.Request([], null, "GET"), view, CancellationToken.None);

        Assert.Contains(view, AssertProblem(result, 404).Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("..")]
    [InlineData("fraud/v1")]
    [InlineData("fraud%2F..")]
    [InlineData("fraud' or '1'='1")]
    [InlineData("")]
    public async Task ModelInfo_UnknownOrHostileName_NotFound(string model)
    {
        var result = await serving.ModelInfo().Run(ServingFixture.Request([], null, "GET"), model, CancellationToken.None);

        AssertProblem(result, 404);
        Assert.IsType<JsonResult>(await serving.ModelInfo().Run(ServingFixture.Request([], null, "GET"), "fraud", CancellationToken.None));
    }

    internal static ProblemDetails AssertProblem(IActionResult result, int status)
    {
        var problem = Assert.IsType<ObjectResult>(result);
        Assert.Equal(status, problem.StatusCode);
        Assert.Contains("application/problem+json", problem.ContentTypes);
        var details = Assert.IsType<ProblemDetails>(problem.Value);
        Assert.Equal(status, details.Status);
        Assert.False(string.IsNullOrWhiteSpace(details.Detail));
        Assert.DoesNotContain("   at ", details.Detail, StringComparison.Ordinal);
        return details;
    }

    private static IReadOnlyList<PushEventResult> Results(IActionResult result) => result switch
    {
        OkObjectResult { Value: PushResponse response } => response.Results,
        ObjectResult { Value: ProblemDetails problem } => (IReadOnlyList<PushEventResult>)problem.Extensions["results"]!,
        _ => throw new InvalidOperationException($"Unexpected result {result}"),
    };

    private async Task AssertValidPushStillAcceptedAsync(string after)
    {
        var id = "after-" + Guid.NewGuid().ToString("N");
        var result = await serving.Push().Run(ServingFixture.Request(Txn(id), "application/cloudevents+json"), CancellationToken.None);
        var response = Assert.IsType<PushResponse>(Assert.IsType<OkObjectResult>(result).Value);
        Assert.True(response.Accepted == 1, $"a valid event after '{after}' was not accepted");
    }

    private async Task AssertValidOnlineStillServedAsync()
    {
        var body = $$$"""{"features":["customer_7d:txn_count_7d"],"entities":{"customer_id":["{{{serving.Customer}}}"]}}""";
        var result = await serving.Online().Run(ServingFixture.Request(body), CancellationToken.None);
        var response = Assert.IsType<OnlineFeatureResponse>(Assert.IsType<OkObjectResult>(result).Value);
        Assert.Equal("PRESENT", response.Results[1].Statuses[0]);
    }

    private async Task AssertValidPredictionServedAsync()
    {
        var result = await serving.Predict().Run(ServingFixture.Request(serving.ValidInstance()), "fraud", CancellationToken.None);
        var response = Assert.IsType<PredictResponse>(Assert.IsType<OkObjectResult>(result).Value);
        Assert.InRange(response.Predictions[0].Score, 0, 1);
    }
}
