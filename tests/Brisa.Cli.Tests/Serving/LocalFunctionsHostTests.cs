using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Brisa.Azure.Models;
using Brisa.Azure.Online;
using Brisa.Cli.Serving;
using Brisa.Functions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Brisa.Cli.Tests.Serving;

/// <summary>
/// The shared HTTP suite against <c>brisa serve</c>'s host (Kestrel on a free port, with a function key) and against
/// the Functions classes invoked directly: same status, same content type, same body for every case; and the served
/// API's function keys.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class LocalFunctionsHostTests(ServingFixture fixture)
{
    [Theory]
    [MemberData(nameof(HttpSuite.Names), MemberType = typeof(HttpSuite))]
    public async Task Suite_Case_ServeAndFunctionsAnswerAlike(string name)
    {
        var suiteCase = HttpSuite.Cases[name];
        var path = HttpCase.Fill(suiteCase.Path, fixture.Values);
        var body = suiteCase.Body is null ? null : Encoding.UTF8.GetBytes(HttpCase.Fill(suiteCase.Body, fixture.Values));

        var served = await ServeAsync(suiteCase.Method, path, body, suiteCase.ContentType, withKey: true);
        var direct = await fixture.Direct.SendAsync(suiteCase.Method, path, body, suiteCase.ContentType, HttpCase.Headers);

        var servedText = Encoding.UTF8.GetString(served.Body);
        Assert.True(suiteCase.Status == served.Status, $"{name}: served {served.Status}, expected {suiteCase.Status}: {servedText}");
        Assert.Equal(served.Status, direct.Status);
        Assert.Equal(served.ContentType, direct.ContentType);
        if (served.ContentType?.StartsWith("text/html", StringComparison.Ordinal) == true)
        {
            // A page: the same bytes from both, and a whole document.
            Assert.Equal(servedText, Encoding.UTF8.GetString(direct.Body));
            Assert.StartsWith("<!doctype html>", servedText.TrimStart(), StringComparison.OrdinalIgnoreCase);
            return;
        }

        Assert.Equal(Normalize(served.Body), Normalize(direct.Body));

        using var json = JsonDocument.Parse(served.Body);
        if (suiteCase.Problem is { } problem)
        {
            Assert.StartsWith("application/problem+json", served.ContentType, StringComparison.Ordinal);
            Assert.Equal("https://brisa.dev/problems/" + problem.Type, json.RootElement.GetProperty("type").GetString());
            Assert.Equal(problem.Title, json.RootElement.GetProperty("title").GetString());
            Assert.Equal(suiteCase.Status, json.RootElement.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("detail").GetString()));
            Assert.DoesNotContain("   at ", servedText, StringComparison.Ordinal);
        }
        else
        {
            Assert.StartsWith("application/json", served.ContentType, StringComparison.Ordinal);
        }

        suiteCase.Check?.Invoke(json.RootElement, fixture.Values);
    }

    [Fact]
    public void Suite_Cases_CoverEveryHttpFunctionButMonitoring()
    {
        // Monitoring has its own tests (it needs a drift report); every other HTTP function is in the suite.
        var routes = LocalFunctionsHost.Discover(typeof(HostingExtensions).Assembly).Where(f => f.Name != "Monitoring").Select(f => f.Route).ToHashSet();
        var covered = HttpSuite.Cases.Values.Select(c => c.Path.Split('?')[0]).Select(p => routes.FirstOrDefault(r => r == p) ?? routes.FirstOrDefault(r => RouteMatches(r, p))).ToHashSet();
        Assert.Equal(routes.Order(), covered.OfType<string>().Order());
    }

    [Theory]
    [InlineData("POST", "features/online")]
    [InlineData("POST", "models/fraud/predict")]
    [InlineData("GET", "catalog")]
    [InlineData("GET", "catalog/customer_7d")]
    [InlineData("GET", "models/fraud")]
    [InlineData("GET", "monitoring/fraud")]
    [InlineData("POST", "events")]
    public async Task Serve_NoKey_UnauthorizedProblem(string method, string path)
    {
        var answer = await ServeAsync(method, path, method == "POST" ? "{}"u8.ToArray() : null, "application/json", withKey: false);

        Assert.Equal(401, answer.Status);
        Assert.StartsWith("application/problem+json", answer.ContentType, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(answer.Body);
        Assert.Equal("https://brisa.dev/problems/unauthorized", json.RootElement.GetProperty("type").GetString());
        Assert.Contains("x-functions-key", json.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WrongKey_Unauthorized()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/catalog");
        request.Headers.Add(FunctionKeys.Header, ServingFixture.Key + "x");

        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Serve_KeyInCodeQuery_Ok()
    {
        using var response = await fixture.Http.GetAsync($"api/models/fraud?code={ServingFixture.Key}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Serve_HealthWithoutKey_Ok()
    {
        using var response = await fixture.Http.GetAsync("api/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Build_WithoutKey_ServesWithoutKeys()
    {
        var url = new Uri($"http://127.0.0.1:{ServingFixture.FreePort()}/");
        await using var app = LocalFunctionsHost.Build(url, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString }, functionKey: null);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = url };

        using var response = await http.GetAsync("api/catalog/customer_7d");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("rebound.example")]
    [InlineData("rebound.example:{port}")]
    [InlineData("127.0.0.1.rebound.example:{port}")]
    public async Task Build_WithoutKeyRequestForAnotherHostName_MisdirectedProblemAndNothingServed(string host)
    {
        // DNS rebinding: a web page on rebound.example points its name at 127.0.0.1, and the browser then treats the API
        // as that page's own origin. Without keys (--no-auth) every answer was the page's to read and every POST its to
        // send; its requests carry its own name as Host, which a loopback server does not answer to.
        var (status, mediaType, body) = await GetCatalogViewWithHostAsync(host);

        Assert.Equal(HttpStatusCode.MisdirectedRequest, status);
        Assert.Equal("application/problem+json", mediaType);
        Assert.DoesNotContain("customer_7d", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost:{port}")]
    [InlineData("127.0.0.1:{port}")]
    [InlineData("[::1]:{port}")]
    [InlineData("LOCALHOST:{port}")]
    public async Task Build_WithoutKeyRequestForALoopbackName_Served(string host)
    {
        var (status, mediaType, body) = await GetCatalogViewWithHostAsync(host);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    // GET api/catalog/customer_7d from a keyless host on a free port, with the Host header given ({port}: the host's port).
    private async Task<(HttpStatusCode Status, string? MediaType, string Body)> GetCatalogViewWithHostAsync(string host)
    {
        var port = ServingFixture.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/");
        await using var app = LocalFunctionsHost.Build(url, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString }, functionKey: null);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = url };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/catalog/customer_7d");
        request.Headers.Host = host.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Build_OnlineSettings_BoundFromConfiguration()
    {
        await using var app = LocalFunctionsHost.Build(new Uri("http://127.0.0.1:1/"), new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString,
            ["Brisa:Online:MaxParallelism"] = "64",
            ["Brisa:Online:CachedRows"] = "100000",
        }, functionKey: null);

        var options = app.Services.GetRequiredService<OnlineStoreOptions>();

        Assert.Equal(64, options.MaxParallelism);
        Assert.Equal(100_000, options.CachedRows);
        Assert.Equal(new OnlineStoreOptions().MaxConflictRetries, options.MaxConflictRetries);
    }

    [Theory]
    [InlineData("00:00:01", 1.0)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public async Task Build_OnlineCacheTtl_ReaderCachesRowsOnlyWhenSet(string? value, double? seconds)
    {
        await using var app = LocalFunctionsHost.Build(new Uri("http://127.0.0.1:1/"), new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString,
            ["Brisa:Serving:OnlineCacheTtl"] = value,
        }, functionKey: null);

        var reader = app.Services.GetRequiredService<OnlineFeatureReader>();

        Assert.Equal(seconds, reader.Cache?.Ttl.TotalSeconds);
    }

    [Fact]
    public void Build_OnlineParallelismZero_FailsNamingTheSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => LocalFunctionsHost.Build(new Uri("http://127.0.0.1:1/"), new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString,
            ["Brisa:Online:MaxParallelism"] = "0",
        }, functionKey: null));

        Assert.Contains("Brisa:Online", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxParallelism (0)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_PushBodyLimitZero_FailsNamingTheSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => LocalFunctionsHost.Build(new Uri("http://127.0.0.1:1/"), new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString,
            ["Brisa:Push:MaxBodyBytes"] = "0",
        }, functionKey: null));

        Assert.Contains("Brisa:Push", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxBodyBytes (0)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData(null, ModelRegistry.DefaultMaxModelZipBytes)]
    public async Task Build_ModelZipLimit_BoundFromConfiguration(string? value, long expected)
    {
        await using var app = LocalFunctionsHost.Build(new Uri("http://127.0.0.1:1/"), new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString,
            ["Brisa:Models:MaxZipBytes"] = value,
        }, functionKey: null);

        Assert.Equal(expected, app.Services.GetRequiredService<ModelRegistry>().MaxModelZipBytes);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("4294967296")]
    public void Build_ModelZipLimitOutOfRange_FailsNamingTheSetting(string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => LocalFunctionsHost.Build(new Uri("http://127.0.0.1:1/"), new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString,
            ["Brisa:Models:MaxZipBytes"] = value,
        }, functionKey: null));

        Assert.Contains($"Brisa:Models:MaxZipBytes ({value}) must be between 1 and ", error.Message, StringComparison.Ordinal);
    }

    private static bool RouteMatches(string route, string path)
    {
        var a = route.Split('/');
        var b = path.Split('/');
        return a.Length == b.Length && a.Zip(b).All(p => p.First.StartsWith('{') || p.First == p.Second);
    }

    // Problem details may carry a per-request trace id; nothing else may differ.
    private static string Normalize(byte[] body)
    {
        var node = JsonNode.Parse(body)!;
        if (node is JsonObject obj)
        {
            obj.Remove("traceId");
        }

        return node.ToJsonString();
    }

    private async Task<HttpAnswer> ServeAsync(string method, string path, byte[]? body, string? contentType, bool withKey)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "api/" + path);
        foreach (var (name, value) in HttpCase.Headers)
        {
            request.Headers.Add(name, value);
        }

        if (withKey)
        {
            request.Headers.Add(FunctionKeys.Header, ServingFixture.Key);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await fixture.Http.SendAsync(request);
        return new HttpAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsByteArrayAsync());
    }
}
