using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Brisa.Cli.Tests.Serving;

/// <summary>
/// docs/http-api.md's examples cannot rot: each curl request it shows is sent, as written, to <c>brisa serve</c>'s
/// host over the serving fixture (its <c>c000001</c> and <c>m00001</c> standing for the fixture's customer and merchant
/// with recent history), and must be answered with the status of the answer shown after it (200 unless that is a
/// problem) and with that answer's shape (<see cref="HttpApiDoc.Compare"/>).
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class HttpApiDocTests(ServingFixture fixture)
{
    public static TheoryData<int> Requests()
    {
        var data = new TheoryData<int>();
        foreach (var example in HttpApiDoc.Examples)
        {
            data.Add(example.Request.Line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task HttpApiDoc_Request_AnsweredWithTheStatusAndShapeShown(int line)
    {
        var example = HttpApiDoc.Examples.Single(e => e.Request.Line == line);
        using var shown = example.Answer is null ? null : JsonDocument.Parse(Fill(example.Answer));
        var expectedStatus = shown is not null && IsProblem(shown.RootElement) ? shown.RootElement.GetProperty("status").GetInt32() : 200;

        var (status, body) = await SendAsync(example.Request);

        Assert.True(status == expectedStatus, $"{example}: answered {status}, the doc says {expectedStatus}:\n{body}");
        if (shown is not null)
        {
            using var answer = JsonDocument.Parse(body);
            var differences = HttpApiDoc.Compare(shown.RootElement, answer.RootElement);
            Assert.True(differences.Count == 0, $"{example}: the answer at docs/http-api.md:{example.AnswerLine} differs from the real one:\n{string.Join('\n', differences)}\n\nreal answer:\n{body}");
        }
    }

    /// <summary>Whether the JSON is a problem details document of Brisa.</summary>
    internal static bool IsProblem(JsonElement json) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty("type", out var type) && type.GetString()?.StartsWith("https://brisa.dev/problems/", StringComparison.Ordinal) == true;

    // The doc's customer and merchant are the fixture's; its key and host the served API's.
    private string Fill(string text) => text
        .Replace("c000001", fixture.Values["customer"], StringComparison.Ordinal)
        .Replace("m00001", fixture.Values["merchant"], StringComparison.Ordinal)
        .Replace("$" + Curl.KeyVariable, ServingFixture.Key, StringComparison.Ordinal)
        .Replace("http://127.0.0.1:7071/", fixture.ServeUrl.ToString(), StringComparison.Ordinal);

    private async Task<(int Status, string Body)> SendAsync(DocRequest documented)
    {
        using var request = new HttpRequestMessage(new HttpMethod(documented.Method), Fill(documented.Url));
        string? contentType = null;
        foreach (var (name, value) in documented.Headers)
        {
            if (name.Equals("content-type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
            }
            else
            {
                request.Headers.Add(name, Fill(value));
            }
        }

        if (documented.Body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Fill(documented.Body)));
            request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await fixture.Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
