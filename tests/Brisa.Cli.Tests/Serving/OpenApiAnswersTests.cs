using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Brisa.Cli.Serving;
using YamlDotNet.RepresentationModel;

namespace Brisa.Cli.Tests.Serving;

/// <summary>
/// docs/openapi.yaml describes the API as it is: its request examples are accepted, and every case of the shared HTTP
/// suite, served by <c>brisa serve</c>'s host, is answered with a status and media type the document lists for its
/// operation, and its JSON fits the documented schema: every field named, of its type, the required ones present,
/// enums respected.
/// (<c>OpenApiTests</c> in Brisa.Functions.Tests checks the routes and their auth.)
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class OpenApiAnswersTests(ServingFixture fixture)
{
    private static readonly OpenApiDocument Document = OpenApiDocument.Load();

    [Theory]
    [MemberData(nameof(HttpSuite.Names), MemberType = typeof(HttpSuite))]
    public async Task Suite_Case_AnswerFitsTheOpenApiDocument(string name)
    {
        var suiteCase = HttpSuite.Cases[name];
        var path = HttpCase.Fill(suiteCase.Path, fixture.Values);
        var body = suiteCase.Body is null ? null : Encoding.UTF8.GetBytes(HttpCase.Fill(suiteCase.Body, fixture.Values));

        var (status, mediaType, answer) = await SendAsync(suiteCase.Method, path, body, suiteCase.ContentType);

        var (schema, missing) = Document.AnswerSchema(suiteCase.Method, path, status, mediaType);
        Assert.True(schema is not null, $"{name}: {missing}");
        if (mediaType != "text/html")
        {
            using var json = JsonDocument.Parse(answer);
            var problems = Document.Validate(schema, json.RootElement);
            Assert.True(problems.Count == 0, $"{name}: {suiteCase.Method} {path} answered {status} {mediaType}, which docs/openapi.yaml does not describe:\n{string.Join('\n', problems)}\n\n{Encoding.UTF8.GetString(answer)}");
        }
    }

    public static TheoryData<string, string> RequestExamples()
    {
        var data = new TheoryData<string, string>();
        foreach (var (method, path, mediaType, _) in Document.RequestExamples())
        {
            data.Add($"{method} {path}", mediaType);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RequestExamples))]
    public async Task OpenApi_RequestExample_Accepted(string operation, string mediaType)
    {
        // The document's customer and merchant stand for the fixture's, whose features are served; {model} is the sample's.
        var (method, path, _, example) = Document.RequestExamples().Single(e => $"{e.Method} {e.Path}" == operation && e.MediaType == mediaType);
        var body = example.Replace("c000001", fixture.Values["customer"], StringComparison.Ordinal).Replace("m00001", fixture.Values["merchant"], StringComparison.Ordinal);

        var (status, _, answer) = await SendAsync(method, path.Replace("{model}", "fraud", StringComparison.Ordinal), Encoding.UTF8.GetBytes(body), mediaType);

        Assert.True(status == 200, $"{operation} with the example {body}: {status} {Encoding.UTF8.GetString(answer)}");
    }

    private async Task<(int Status, string MediaType, byte[] Body)> SendAsync(string method, string path, byte[]? body, string? contentType)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "api/" + path);
        foreach (var (header, value) in HttpCase.Headers)
        {
            request.Headers.Add(header, value);
        }

        request.Headers.Add(FunctionKeys.Header, ServingFixture.Key);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await fixture.Http.SendAsync(request);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", await response.Content.ReadAsByteArrayAsync());
    }
}

/// <summary>The validator itself, on made-up answers: what it must report.</summary>
public sealed class OpenApiDocumentTests
{
    private static readonly OpenApiDocument Document = OpenApiDocument.Load();

    [Theory]
    [InlineData("""{"checks":[{"service":"blob","healthy":true,"detail":null}],"healthy":true,"uptime":3}""", "$.uptime: in the answer, not in the document")]
    [InlineData("""{"checks":[{"service":"blob","healthy":"yes","detail":null}],"healthy":true}""", "$.checks[0].healthy: \"yes\", documented as a boolean")]
    [InlineData("""{"checks":[{"service":"blob","healthy":true,"detail":null}]}""", "$.healthy: required, not in the answer")]
    [InlineData("""{"checks":[{"service":null,"healthy":true,"detail":null}],"healthy":true}""", "$.checks[0].service: null, not nullable")]
    public void Validate_HealthAnswerThatDoesNotFit_SaysWhere(string answer, string expected)
    {
        var (schema, _) = Document.AnswerSchema("GET", "health", 200, "application/json");
        using var json = JsonDocument.Parse(answer);

        var problems = Document.Validate(schema!, json.RootElement);

        Assert.Contains(problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_FeaturesAnswerWithAnUnknownStatus_Reported()
    {
        var (schema, _) = Document.AnswerSchema("POST", "features/online", 200, "application/json");
        using var json = JsonDocument.Parse("""{"metadata":{"feature_names":["a"]},"results":[{"values":[1],"statuses":["FOUND"],"event_timestamps":[null]}]}""");

        var problems = Document.Validate(schema!, json.RootElement);

        Assert.Equal(["$.results[0].statuses[0]: \"FOUND\" is not one of the documented values"], problems);
    }

    [Fact]
    public void AnswerSchema_UndocumentedStatus_SaysSo()
    {
        var (schema, missing) = Document.AnswerSchema("GET", "health", 418, "application/json");

        Assert.Null(schema);
        Assert.Equal("GET /api/health documents no 418 answer", missing);
    }

    [Fact]
    public void AnswerSchema_LiteralRouteBesideATemplate_IsTheLiteralOnes()
    {
        var (schema, _) = Document.AnswerSchema("GET", "catalog/ui?q=pii", 200, "text/html");

        Assert.Equal("string", ((YamlScalarNode)((YamlMappingNode)schema!)["type"]).Value);
    }
}
