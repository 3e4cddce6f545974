using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Brisa.Azure.Registry;
using Brisa.Cli.Serving;
using Brisa.Core.Definitions;
using Brisa.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brisa.Cli.Tests.Serving;

/// <summary>
/// Errors that are not the request's fault, from <c>brisa serve</c>'s host and from the function classes invoked
/// directly, over an Azurite where nothing was applied: 503 problem details before <c>brisa apply</c>, and a 500
/// problem details naming an error id that the log has, with the exception, for an unexpected failure.
/// </summary>
public sealed class LocalFunctionsHostProblemsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Event = """{"specversion":"1.0","id":"p-1","source":"/p","type":"com.brisa.fraud.transaction","data":{"transaction_id":"p-1","customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos","timestamp":"2026-01-01T00:00:00Z"}}""";

    private const string Secret = "AccountKey=do-not-show-me";

    public static TheoryData<string, string, string?, string?> Requests => new()
    {
        { "POST", "features/online", """{"features":["customer_7d:txn_count_7d"],"entities":{"customer_id":["c1"]}}""", "application/json" },
        { "POST", "models/fraud/predict", """{"customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos"}""", "application/json" },
        { "GET", "catalog", null, null },
        { "GET", "catalog/ui", null, null },
        { "GET", "catalog/customer_7d", null, null },
        { "POST", "events", Event, "application/cloudevents+json" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Serve_NoDefinitionsApplied_ServiceUnavailableProblemAlike(string method, string path, string? body, string? contentType)
    {
        var (served, direct) = await BothAsync(method, path, body, contentType, configure: null);

        foreach (var answer in new[] { served, direct })
        {
            using var problem = AssertProblem(answer, 503, "no-definitions-deployed", "No definitions deployed");
            Assert.Equal("No definitions are deployed: run 'brisa apply <file>' first.", problem.RootElement.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Serve_NoDefinitionsApplied_HealthIsTheServiceUnavailableReport()
    {
        var (served, direct) = await BothAsync("GET", "health", null, null, configure: null);

        foreach (var answer in new[] { served, direct })
        {
            Assert.Equal(503, answer.Status);
            Assert.StartsWith("application/json", answer.ContentType, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(answer.Body);
            Assert.False(json.RootElement.GetProperty("healthy").GetBoolean());
            var check = Assert.Single(json.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetProperty("service").GetString() == "definitions");
            Assert.Equal("No definitions are deployed: run 'brisa apply <file>' first.", check.GetProperty("detail").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Serve_UnexpectedFailure_InternalErrorProblemWithTheIdOfALoggedError(string method, string path, string? body, string? contentType)
    {
        var servedLogs = new ListLoggerProvider();
        var directLogs = new ListLoggerProvider();

        var (served, direct) = await BothAsync(method, path, body, contentType, configure: logs => services =>
        {
            services.AddSingleton<IDefinitionsSource>(new BrokenDefinitions());
            services.AddSingleton<ILoggerProvider>(logs);
        }, servedLogs, directLogs);

        foreach (var (answer, logs) in new[] { (served, servedLogs), (direct, directLogs) })
        {
            var text = Encoding.UTF8.GetString(answer.Body);
            Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(nameof(FormatException), text, StringComparison.Ordinal);
            using var problem = AssertProblem(answer, 500, "internal-error", "Internal error");
            var id = problem.RootElement.GetProperty("error_id").GetString();
            Assert.False(string.IsNullOrWhiteSpace(id));
            Assert.Contains(id!, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            var logged = Assert.Single(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains(id!, StringComparison.Ordinal));
            Assert.Equal(Secret, Assert.IsType<FormatException>(logged.Exception).Message);
        }
    }

    private static JsonDocument AssertProblem(HttpAnswer answer, int status, string type, string title)
    {
        var text = Encoding.UTF8.GetString(answer.Body);
        Assert.True(answer.Status == status, $"expected {status}, got {answer.Status}: {text}");
        Assert.StartsWith("application/problem+json", answer.ContentType, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        var json = JsonDocument.Parse(answer.Body);
        Assert.Equal("https://brisa.dev/problems/" + type, json.RootElement.GetProperty("type").GetString());
        Assert.Equal(title, json.RootElement.GetProperty("title").GetString());
        Assert.Equal(status, json.RootElement.GetProperty("status").GetInt32());
        return json;
    }

    private async Task<(HttpAnswer Served, HttpAnswer Direct)> BothAsync(
        string method,
        string path,
        string? body,
        string? contentType,
        Func<ListLoggerProvider, Action<IServiceCollection>>? configure,
        ListLoggerProvider? servedLogs = null,
        ListLoggerProvider? directLogs = null)
    {
        var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString };
        var bytes = body is null ? null : Encoding.UTF8.GetBytes(body);
        var url = new Uri($"http://127.0.0.1:{ServingFixture.FreePort()}/");
        await using var app = LocalFunctionsHost.Build(url, settings, functionKey: null, configure?.Invoke(servedLogs!));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = url };
        using var request = new HttpRequestMessage(new HttpMethod(method), "api/" + path);
        if (bytes is not null)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await http.SendAsync(request);
        var served = new HttpAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsByteArrayAsync());

        await using var functions = DirectFunctions.Create(settings, TimeProvider.System, configure?.Invoke(directLogs!));
        var direct = await functions.SendAsync(method, path, bytes, contentType, new Dictionary<string, string>());
        return (served, direct);
    }

    private sealed class BrokenDefinitions : IDefinitionsSource
    {
        public ValueTask<FeatureRepositoryDefinition> GetAsync(CancellationToken cancellationToken) => throw new FormatException(Secret);
    }
}
