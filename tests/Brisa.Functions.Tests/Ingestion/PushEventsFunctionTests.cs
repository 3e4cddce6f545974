using System.Text;
using Brisa.Azure.Ingestion;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;
using Brisa.Functions.Ingestion;
using Brisa.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Brisa.Functions.Tests.Ingestion;

[Collection(AzuriteCollection.Name)]
public sealed class PushEventsFunctionTests(AzuriteFixture azurite)
{
    private static readonly FeatureRepositoryDefinition Definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;

    private PushEventsFunction CreateFunction(int maxBodyBytes = 4 * 1024 * 1024) =>
        new(new EventIngestor(azurite.Storage, Definitions), Options.Create(new PushOptions { MaxBodyBytes = maxBodyBytes }), NullLogger<PushEventsFunction>.Instance);

    [Fact]
    public async Task Run_OnlineRowTooLargeKeyWithControlCharacters_ErrorLogShowsThemAsVisibleCharacters()
    {
        // An entity key is the producer's: a line break in it forged log lines of its own, and an escape sequence reached
        // the console of 'brisa serve' (the rejection Warning already shows such characters as visible ones).
        using var logs = new ListLoggerProvider();
        var tooLarge = new IngestionResult([new EventOutcome("a", true, null)]) { OnlineTooLarge = ["view 'merchant_1h', entity 'm1\n[Error] forged\u001b[2J\u009b' (1200000 bytes)"] };
        var function = new PushEventsFunction(new FixedIngestor(tooLarge), Options.Create(new PushOptions()), logs.CreateLogger<PushEventsFunction>());

        await function.Run(Request(Event("a", 1)), CancellationToken.None);

        var error = Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.DoesNotContain(error.Message, char.IsControl);
        Assert.Contains("view 'merchant_1h', entity 'm1\u240a[Error] forged\u241b[2J\ufffd' (1200000 bytes)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_OnlineRowsOfAnotherLayoutStartedOver_WarningNamesViewsAndTheRebuildCommand()
    {
        using var logs = new ListLoggerProvider();
        var restarted = new IngestionResult([new EventOutcome("a", true, null)]) { OnlineRowsRestarted = new Dictionary<string, int> { ["customer_7d"] = 1 } };
        var function = new PushEventsFunction(new FixedIngestor(restarted), Options.Create(new PushOptions()), logs.CreateLogger<PushEventsFunction>());

        var result = await function.Run(Request(Event("a", 1)), CancellationToken.None);

        Assert.IsType<OkObjectResult>(result);
        var warning = Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Contains("'brisa materialize --tiles --views customer_7d'", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_OnlineRowsTooLarge_ErrorLogNamesThem()
    {
        using var logs = new ListLoggerProvider();
        var tooLarge = new IngestionResult([new EventOutcome("a", true, null)]) { OnlineTooLarge = ["view 'merchant_1h', entity 'm1' (1200000 bytes)"] };
        var function = new PushEventsFunction(new FixedIngestor(tooLarge), Options.Create(new PushOptions()), logs.CreateLogger<PushEventsFunction>());

        var result = await function.Run(Request(Event("a", 1)), CancellationToken.None);

        Assert.IsType<OkObjectResult>(result);
        var error = Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Contains("view 'merchant_1h', entity 'm1' (1200000 bytes)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_EventRejected_WarningNamesTheSourceAndReason()
    {
        using var logs = new ListLoggerProvider();
        var function = new PushEventsFunction(new EventIngestor(azurite.Storage, Definitions), Options.Create(new PushOptions()), logs.CreateLogger<PushEventsFunction>());
        var id = Guid.NewGuid().ToString("N");

        await function.Run(Request($"[{Event(id + "a", 5)},{Event(id + "b", -5)}]"), CancellationToken.None);

        var warning = Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.StartsWith(
            "1 of 2 events pushed to /api/events were rejected and dead-lettered (sources transaction); most frequent reasons by source: transaction 1 [1× field 'amount': -5 is below the minimum 0]. ",
            warning.Message,
            StringComparison.Ordinal);
    }

    private static HttpRequest Request(string body, string? contentType = "application/cloudevents-batch+json")
    {
        var context = new DefaultHttpContext();
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        return context.Request;
    }

    private static string Event(string id, double amount)
    {
        var time = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        return $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"/t","type":"com.brisa.fraud.transaction","data":{"transaction_id":"{{{id}}}","customer_id":"c-push","merchant_id":"m1","amount":{{{amount}}},"currency":"EUR","country":"ES","channel":"pos","timestamp":"{{{time}}}"}}""";
    }

    [Fact]
    public async Task Run_MixedBatch_OkWithResultPerEvent()
    {
        var id = Guid.NewGuid().ToString("N");
        var result = await CreateFunction().Run(Request($"[{Event(id + "a", 5)},{Event(id + "b", -5)}]"), CancellationToken.None);

        var ok = Assert.IsType<OkObjectResult>(result);
        var response = Assert.IsType<PushResponse>(ok.Value);
        Assert.Equal(1, response.Accepted);
        Assert.Equal(1, response.Rejected);
        Assert.Equal(new PushEventResult(id + "a", "accepted", null), response.Results[0]);
        Assert.Equal(new PushEventResult(id + "b", "rejected", "field 'amount': -5 is below the minimum 0"), response.Results[1]);
    }

    [Fact]
    public async Task Run_AllRejected_BadRequestProblem()
    {
        var result = await CreateFunction().Run(Request("{not json"), CancellationToken.None);

        var problem = Assert.IsType<ObjectResult>(result);
        Assert.Equal(400, problem.StatusCode);
        var details = Assert.IsType<ProblemDetails>(problem.Value);
        Assert.StartsWith("malformed JSON", details.Detail);
        Assert.Contains("application/problem+json", problem.ContentTypes);
    }

    [Fact]
    public async Task Run_GzipBody_EventsDecodedAndAccepted()
    {
        // A producer compressing its batch: read as it was, the batch was dead-lettered whole as malformed JSON.
        var id = Guid.NewGuid().ToString("N");
        var request = Request("");
        using (var compressed = new MemoryStream())
        {
            using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(Encoding.UTF8.GetBytes($"[{Event(id + "a", 5)},{Event(id + "b", 6)}]"));
            }

            request.Body = new MemoryStream(compressed.ToArray());
            request.ContentLength = compressed.Length;
        }

        request.Headers.ContentEncoding = "gzip";
        var result = await CreateFunction().Run(request, CancellationToken.None);

        var response = Assert.IsType<PushResponse>(Assert.IsType<OkObjectResult>(result).Value);
        Assert.Equal(2, response.Accepted);
        Assert.Equal(0, response.Rejected);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task Run_BodyNotValidInItsContentEncoding_BadContentEncodingProblemAndNothingDeadLettered(string coding)
    {
        // A producer that labels a plain body as compressed: no event can be read from it. Brotli's decoder says so with
        // an InvalidOperationException, which escaped as a 500.
        var request = Request($"[{Event(Guid.NewGuid().ToString("N"), 5)}]");
        request.Headers.ContentEncoding = coding;
        var deadLetter = azurite.Storage.Blobs.GetBlobContainerClient(Brisa.Azure.Storage.StorageNames.DeadLetterContainer);
        var before = await CountAsync(deadLetter);

        var result = await CreateFunction().Run(request, CancellationToken.None);

        var problem = Assert.IsType<ObjectResult>(result);
        Assert.Equal(400, problem.StatusCode);
        Assert.Equal("https://brisa.dev/problems/bad-content-encoding", Assert.IsType<ProblemDetails>(problem.Value).Type);
        Assert.StartsWith($"The body is not valid {coding} (its Content-Encoding)", Assert.IsType<ProblemDetails>(problem.Value).Detail, StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync(deadLetter));
    }

    private static async Task<int> CountAsync(global::Azure.Storage.Blobs.BlobContainerClient container)
    {
        await container.CreateIfNotExistsAsync();
        var count = 0;
        await foreach (var _ in container.GetBlobsAsync())
        {
            count++;
        }

        return count;
    }

    [Theory]
    [InlineData("application/cloudevents+jsonx")]
    [InlineData("application/jsonp")]
    public async Task Run_TypeOnlyStartingLikeAnAcceptedOne_UnsupportedMediaType(string contentType)
    {
        var result = await CreateFunction().Run(Request(Event("x", 1), contentType), CancellationToken.None);

        Assert.Equal(415, Assert.IsType<ObjectResult>(result).StatusCode);
    }

    [Fact]
    public async Task Run_BinaryContentMode_UnsupportedMediaTypeSayingToSendStructured()
    {
        var request = Request("""{"customer_id":"c1","amount":5}""", "application/json");
        request.Headers["ce-specversion"] = "1.0";
        request.Headers["ce-id"] = "b-1";

        var result = await CreateFunction().Run(request, CancellationToken.None);

        var problem = Assert.IsType<ObjectResult>(result);
        Assert.Equal(415, problem.StatusCode);
        Assert.Contains("binary content mode (ce-* headers) is not accepted: send the event in structured mode", Assert.IsType<ProblemDetails>(problem.Value).Detail);
    }

    [Fact]
    public async Task Run_WrongContentType_UnsupportedMediaType()
    {
        var result = await CreateFunction().Run(Request(Event("x", 1), "text/plain"), CancellationToken.None);

        Assert.Equal(415, Assert.IsType<ObjectResult>(result).StatusCode);
    }

    [Fact]
    public async Task Run_BodyOverLimit_PayloadTooLarge()
    {
        var result = await CreateFunction(maxBodyBytes: 100).Run(Request(Event("big", 1)), CancellationToken.None);

        var problem = Assert.IsType<ObjectResult>(result);
        Assert.Equal(413, problem.StatusCode);
        Assert.Contains("larger than 100 bytes", Assert.IsType<ProblemDetails>(problem.Value).Detail);
    }

    [Fact]
    public async Task Run_BodyOverLimitWithoutContentLength_PayloadTooLarge()
    {
        var request = Request(Event("big", 1));
        request.ContentLength = null;

        var result = await CreateFunction(maxBodyBytes: 100).Run(request, CancellationToken.None);

        Assert.Equal(413, Assert.IsType<ObjectResult>(result).StatusCode);
    }
}
