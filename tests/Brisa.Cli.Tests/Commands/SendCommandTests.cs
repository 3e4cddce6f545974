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

    private sealed class Answer(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body) });
    }
}
