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
}
