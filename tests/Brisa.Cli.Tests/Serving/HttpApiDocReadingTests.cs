using System.Text.Json;
using System.Text.RegularExpressions;

namespace Brisa.Cli.Tests.Serving;

/// <summary>How docs/http-api.md is read and compared (no server needed): its examples and the comparison itself.</summary>
public sealed partial class HttpApiDocReadingTests
{
    [Fact]
    public void HttpApiDoc_Examples_RequestEveryEndpointButTheHtmlPages()
    {
        // Monitoring needs a drift report (its answer is the report) and catalog/ui is a page; every other route has an example.
        var shown = HttpApiDoc.Examples.Select(e => $"{e.Request.Method} {Route().Match(e.Request.Url).Groups[1].Value}").ToHashSet();

        foreach (var endpoint in new[] { "POST features/online", "POST models/fraud/predict", "GET models/fraud", "GET catalog", "POST events", "GET health" })
        {
            Assert.Contains(endpoint, shown);
        }
    }

    [Fact]
    public void HttpApiDoc_AnswersWithoutARequest_AreProblemsOfTheStatusTable()
    {
        // The examples no request can produce here (a 500, a store without definitions) must at least be problems the
        // status table lists with their status.
        var table = File.ReadAllText(HttpApiDoc.Path).Split('\n').Where(l => StatusRow().IsMatch(l)).ToList();

        Assert.NotEmpty(HttpApiDoc.UnpairedAnswers);
        foreach (var (line, json) in HttpApiDoc.UnpairedAnswers)
        {
            using var document = JsonDocument.Parse(json);
            Assert.True(HttpApiDocTests.IsProblem(document.RootElement), $"docs/http-api.md:{line}: an answer without a request before it");
            var status = document.RootElement.GetProperty("status").GetInt32();
            var type = document.RootElement.GetProperty("type").GetString()!["https://brisa.dev/problems/".Length..];
            Assert.Contains(table, row => row.StartsWith($"| {status} |", StringComparison.Ordinal) && row.Contains($"`{type}`", StringComparison.Ordinal));
            Assert.Equal(type, document.RootElement.GetProperty("title").GetString()!.ToLowerInvariant().Replace(' ', '-'));
        }
    }

    [Theory]
    [InlineData("""{"a":1,"b":"x"}""", """{"a":2,"b":"x","c":true}""", "$.c: in the answer, not documented")]
    [InlineData("""{"a":1,"…":"…"}""", """{"b":2}""", "$.a: documented, not in the answer")]
    [InlineData("""{"status":"PRESENT"}""", """{"status":"NOT_FOUND"}""", "$.status: documented \"PRESENT\"")]
    [InlineData("""{"a":[1,"x"]}""", """{"a":[1,2]}""", "$.a[1]: documented String")]
    [InlineData("""{"v":"v20261129165351123-de75ea65 ok"}""", """{"v":"v20270101000000000-0123abcd ko"}""", "$.v: documented")]
    [InlineData("""{"status":404}""", """{"status":400}""", "$.status: documented 404, answered 400")]
    public void Compare_AnswerThatDiffers_SaysWhere(string documented, string actual, string expected)
    {
        using var a = JsonDocument.Parse(documented);
        using var b = JsonDocument.Parse(actual);

        var differences = HttpApiDoc.Compare(a.RootElement, b.RootElement);

        Assert.Contains(differences, d => d.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"a":1,"…":"…"}""", """{"a":2,"b":3}""")]
    [InlineData("""{"v":"v20261129165351123-de75ea65","t":"2026-11-29T16:53:51+00:00","d":"Its features: a, ..."}""", """{"v":"v20270101000000000-0123abcd","t":"2027-01-01T00:00:00Z","d":"Its features: a, b, c."}""")]
    [InlineData("""{"a":[{"x":1}],"n":null}""", """{"a":[{"x":5},{"x":6}],"n":"now a value"}""")]
    public void Compare_AnswerOfTheShapeShown_NoDifference(string documented, string actual)
    {
        using var a = JsonDocument.Parse(documented);
        using var b = JsonDocument.Parse(actual);

        Assert.Empty(HttpApiDoc.Compare(a.RootElement, b.RootElement));
    }

    [GeneratedRegex(@"/api/([^?]*)")]
    private static partial Regex Route();

    [GeneratedRegex(@"^\| \d{3} \|")]
    private static partial Regex StatusRow();
}
