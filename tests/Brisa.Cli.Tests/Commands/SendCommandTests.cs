using System.Net;
using Brisa.Cli.Commands;

namespace Brisa.Cli.Tests.Commands;

public sealed class SendCommandTests : IDisposable
{
    private readonly string file = Path.GetTempFileName();

    public void Dispose() => File.Delete(file);

    [Theory]
    [InlineData("ftp://host/x")]
    [InlineData("file:///tmp/events")]
    public async Task Send_UrlNotHttp_ExitTwoSayingHttpOrHttps(string url)
    {
        await File.WriteAllTextAsync(file, "{}\n");

        var (exitCode, output) = await CliRunner.RunAsync("send", file, "--url", url);

        Assert.Equal(2, exitCode);
        Assert.Contains($"--url '{url}' is not an absolute http:// or https:// URL.", output);
    }

    [Fact]
    public async Task PostAsync_UrlWithKeyAnsweredWithAnError_MessageNamesTheEndpointWithoutTheKey()
    {
        using var http = new HttpClient(new Answer(HttpStatusCode.InternalServerError, "boom"));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() =>
            SendCommand.PostAsync(http, new Uri("https://app.example/api/events?code=the-function-key"), null, [], "application/json", CancellationToken.None));

        Assert.Equal("https://app.example/api/events answered 500: boom", error.Message);
    }

    [Fact]
    public async Task PostAsync_JsonAnswerWithoutResults_MessageNamesTheStatusAndAnswer()
    {
        // A gateway or proxy in front of the endpoint answering a 400 of its own: it failed as "The given key 'results'
        // was not present in the dictionary".
        using var http = new HttpClient(new Answer(HttpStatusCode.BadRequest, """{"error":"request blocked by policy"}"""));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() =>
            SendCommand.PostAsync(http, new Uri("https://app.example/api/events"), null, [], "application/json", CancellationToken.None));

        Assert.Equal("""https://app.example/api/events answered 400: {"error":"request blocked by policy"}""", error.Message);
    }

    [Fact]
    public async Task Send_EndpointFailsOnTheSecondBatch_ExitOneNamingTheLinesSentAndTheFirstNotSent()
    {
        // An outage in the middle of a long file: the error alone did not say how far the file got, so the operator could
        // only send all of it again.
        await File.WriteAllLinesAsync(file, ["""{"id":"a"}""", """{"id":"b"}""", "", """{"id":"c"}""", """{"id":"d"}""", """{"id":"e"}"""]);
        using var endpoint = ScriptedEndpoint.Start(
            (200, """{"accepted":1,"rejected":1,"results":[{"id":"a","status":"accepted","reason":null},{"id":"b","status":"rejected","reason":"no"}]}"""),
            (503, """{"title":"Service unavailable"}"""));

        var (exitCode, output) = await CliRunner.RunAsync("send", file, "--url", endpoint.Url, "--batch", "2");
        await endpoint.Served;

        Assert.Equal(1, exitCode);
        var text = output.ReplaceLineEndings(" ");
        Assert.Contains("answered 503", text);
        Assert.Contains("Lines 1 to 2 were sent (1 accepted, 1 rejected); nothing from line 3 on was: send those lines again (e.g. tail -n +3 FILE | brisa send …); an event sent twice is not counted twice.", text);
    }

    [Fact]
    public async Task Send_EventHubsPartitionKeyFieldInNoEvent_ExitTwoAndNothingSent()
    {
        // A mistyped --partition-key sent every event without a key: the hub spread each entity's events over every
        // partition, breaking "partition key = entity key" without a word. Refused before connecting (the namespace
        // here does not exist).
        await File.WriteAllLinesAsync(file, [
            """{"specversion":"1.0","id":"t1","source":"/t","type":"com.brisa.fraud.transaction","data":{"transaction_id":"t1","customer_id":"c1"}}""",
            """{"specversion":"1.0","id":"t2","source":"/t","type":"com.brisa.fraud.transaction","data":{"transaction_id":"t2","customer_id":"c2"}}""",
        ]);

        var (exitCode, output) = await CliRunner.RunProcessAsync(TimeSpan.FromMinutes(1), "send", file, "--namespace", "nowhere.invalid", "--partition-key", "custmer_id");

        Assert.True(exitCode == 2, output);
        var text = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
        Assert.Contains("error: nothing sent: none of the first 2 event(s) has data.custmer_id (a string or a number)", text);
        Assert.Contains("The first event's data has: transaction_id, customer_id. Check --partition-key (default customer_id: the entity's join key).", text);
    }

    [Theory]
    [InlineData(307)]
    [InlineData(301)]
    public async Task Send_EndpointRedirectsElsewhere_KeyNotSentThereAndExitOneNamingTheRedirect(int status)
    {
        // HttpClient follows redirects and drops only the Authorization header: x-functions-key went along to whatever
        // origin the Location named (a 307 with the events too), so an endpoint or a proxy that redirects got the key
        // to another host.
        await File.WriteAllLinesAsync(file, ["""{"id":"a"}"""]);
        using var elsewhere = new HttpListener();
        var elsewherePort = Serving.ServingFixture.FreePort();
        elsewhere.Prefixes.Add($"http://127.0.0.1:{elsewherePort}/");
        elsewhere.Start();
        var keysSeenElsewhere = new System.Collections.Concurrent.ConcurrentQueue<string?>();
        _ = Task.Run(async () =>
        {
            while (elsewhere.IsListening)
            {
                var context = await elsewhere.GetContextAsync();
                keysSeenElsewhere.Enqueue(context.Request.Headers["x-functions-key"]);
                context.Response.StatusCode = 200;
                await context.Response.OutputStream.WriteAsync("""{"accepted":1,"rejected":0,"results":[{"id":"a","status":"accepted","reason":null}]}"""u8.ToArray());
                context.Response.Close();
            }
        });
        using var redirecting = new HttpListener();
        var port = Serving.ServingFixture.FreePort();
        redirecting.Prefixes.Add($"http://127.0.0.1:{port}/");
        redirecting.Start();
        var served = Task.Run(async () =>
        {
            var context = await redirecting.GetContextAsync();
            context.Response.StatusCode = status;
            context.Response.RedirectLocation = $"http://127.0.0.1:{elsewherePort}/collect";
            context.Response.Close();
        });

        var (exitCode, output) = await CliRunner.RunAsync("send", file, "--url", $"http://127.0.0.1:{port}/api/events", "--key", "the-function-key");
        await served;

        Assert.DoesNotContain("the-function-key", keysSeenElsewhere);
        Assert.Empty(keysSeenElsewhere);
        Assert.Equal(1, exitCode);
        Assert.Contains($"answered {status}, a redirect to http://127.0.0.1:{elsewherePort}/collect, which is not followed (it would take the function key along): give that URL as --url if it is the endpoint", output.ReplaceLineEndings(" "));
    }

    private sealed class Answer(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body) });
    }
}
