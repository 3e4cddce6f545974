using System.Net;
using Azure.Storage.Blobs.Models;
using Brisa.Azure.Monitoring;
using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Cli.Serving;
using Brisa.Core.Definitions;
using Brisa.Core.Serving;
using Brisa.Testing;
using OpenQA.Selenium;

namespace Brisa.Cli.Tests.Serving;

/// <summary>
/// The HTML pages the API serves carry their Content-Security-Policy as a response header too: a drift report is served
/// as it is stored in Blob, so a page that is not the one Brisa rendered (written by whoever can write the monitoring
/// container) runs no script in an operator's browser, whose address bar may hold the function key.
/// </summary>
public sealed class HtmlSecurityHeadersTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Hostile = """<!DOCTYPE html><html><head><title>report</title></head><body><h1>Drift</h1><script>document.body.setAttribute('data-pwned','script')</script><img src="x" onerror="document.body.setAttribute('data-pwned','onerror')"></body></html>""";

    [Fact]
    public async Task MonitoringPage_StoredMarkupWithoutPolicy_ServedUnderThePolicyHeaderAndRunsNoScript()
    {
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.MonitoringContainer);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("fraud/latest.html").UploadAsync(BinaryData.FromString(Hostile), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "text/html" } });
        await using var api = await ServeAsync();

        using var response = await GetHtmlAsync(api.Url, "api/monitoring/fraud");
        AssertHeaders(response, DriftReportHtml.ContentSecurityPolicy);

        using var driver = CatalogPageBrowserTests.StartChromium();
        driver.Navigate().GoToUrl(new Uri(api.Url, "api/monitoring/fraud"));
        Assert.Equal("Drift", driver.FindElement(By.TagName("h1")).Text);
        Assert.Null(driver.FindElement(By.TagName("body")).GetAttribute("data-pwned"));
    }

    [Theory]
    [InlineData("api/catalog")]
    [InlineData("api/catalog/ui")]
    public async Task CatalogPage_Html_ServedUnderItsPolicyHeader(string path)
    {
        await DefinitionRegistry.For(azurite.Storage).ApplyAsync(DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!, "test", DateTimeOffset.UtcNow);
        await using var api = await ServeAsync();

        using var response = await GetHtmlAsync(api.Url, path);

        AssertHeaders(response, CatalogHtml.ContentSecurityPolicy);
    }

    private static void AssertHeaders(HttpResponseMessage response, string pagePolicy)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(pagePolicy + "; frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    private static async Task<HttpResponseMessage> GetHtmlAsync(Uri url, string path)
    {
        using var http = new HttpClient { BaseAddress = url };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html");
        return await http.SendAsync(request);
    }

    private async Task<Served> ServeAsync()
    {
        var url = new Uri($"http://127.0.0.1:{ServingFixture.FreePort()}/");
        var app = LocalFunctionsHost.Build(url, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }, functionKey: null);
        await app.StartAsync();
        return new Served(url, app);
    }

    private sealed record Served(Uri Url, Microsoft.AspNetCore.Builder.WebApplication App) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => App.DisposeAsync();
    }
}
