using System.Net.Sockets;
using System.Text;
using Brisa.Cli.Serving;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Serving;

/// <summary>
/// <c>x-request-id</c> through Kestrel, as the Functions worker serves it: the echoed header must be one Kestrel can
/// write. Sent over a raw socket, since HttpClient refuses to send a header that is not ASCII.
/// </summary>
public sealed class RequestIdServedTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Predict_RequestIdNotAscii_BadRequestProblemNotABare500()
    {
        var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString };
        var url = new Uri($"http://127.0.0.1:{ServingFixture.FreePort()}/");
        await using var app = LocalFunctionsHost.Build(url, settings, functionKey: null);
        await app.StartAsync();

        var answer = await PostAsync(url, "api/models/fraud/predict", "x-request-id: \u00e9t\u00e9");

        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        Assert.Matches("(?im)^x-request-id: [0-9a-f]{32}\r$", answer);
        Assert.Contains("\"type\":\"https://brisa.dev/problems/bad-request-id\"", answer, StringComparison.Ordinal);
    }

    private static async Task<string> PostAsync(Uri url, string path, string header)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", url.Port);
        var stream = tcp.GetStream();
        const string Body = "{}";
        var request = $"POST /{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {Body.Length}\r\nConnection: close\r\n{header}\r\n\r\n{Body}";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
