using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Brisa.Azure.Offline;
using Brisa.Azure.Registry;
using Brisa.Cli.Commands;
using Brisa.Cli.Serving;
using Brisa.Core.Definitions;
using Brisa.Core.Generation;
using Brisa.Testing;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Brisa.Cli.Tests.Serving;

/// <summary>
/// The catalog page in a real browser: the sample definitions applied to Azurite, a generated stream pushed through
/// <c>POST /api/events</c> and materialized, the functions served on Kestrel by <see cref="LocalFunctionsHost"/>, and
/// headless Chromium driven by Selenium typing into the search box.
/// </summary>
public sealed class CatalogPageBrowserTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly FeatureRepositoryDefinition Definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;

    [Fact]
    public async Task CatalogPage_SearchTagInChromium_OnlyMatchingRowsShown()
    {
        await DefinitionRegistry.For(azurite.Storage).ApplyAsync(Definitions, "test", DateTimeOffset.UtcNow);
        var url = new Uri($"http://127.0.0.1:{FreePort()}/");
        await using var api = LocalFunctionsHost.Build(url, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }, functionKey: null);
        await api.StartAsync();
        await IngestAndMaterializeAsync(url);

        // Content negotiation over real HTTP: a browser's Accept gets the page, an API client JSON with the statistics.
        using var http = new HttpClient { BaseAddress = url };
        using var page = new HttpRequestMessage(HttpMethod.Get, "api/catalog");
        page.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
        using var pageResponse = await http.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, pageResponse.StatusCode);
        Assert.Equal("text/html", pageResponse.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await http.GetStringAsync("api/catalog"));
        var meanCount = json.RootElement.EnumerateArray().Single(v => v.GetProperty("name").GetString() == "customer_7d")
            .GetProperty("features").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "customer_7d:amount_mean_7d")
            .GetProperty("statistics").GetProperty("count").GetInt64();
        Assert.True(meanCount > 0);

        var allFeatures = Definitions.FeatureViews.SelectMany(v => v.Features.Select(f => $"{v.Name}:{f.Name}")).ToArray();
        var customerFeatures = allFeatures.Where(f => f.StartsWith("customer_", StringComparison.Ordinal)).ToArray();
        using var driver = StartChromium();
        driver.Navigate().GoToUrl(new Uri(url, "api/catalog"));

        Assert.Equal("Brisa feature catalog", driver.Title);
        Assert.Equal(allFeatures, VisibleFeatures(driver));
        var meanRow = driver.FindElement(By.CssSelector("tr[data-feature='customer_7d:amount_mean_7d']"));
        Assert.Equal(meanCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), meanRow.FindElements(By.TagName("td"))[4].Text);

        var search = driver.FindElement(By.Id("search"));
        search.SendKeys("pii:false");
        Assert.Equal(customerFeatures, VisibleFeatures(driver));
        Assert.False(driver.FindElement(By.Id("view-merchant_7d")).Displayed);
        Assert.False(driver.FindElement(By.CssSelector("tr.entity[data-entity='merchant']")).Displayed);
        Assert.Equal($"{customerFeatures.Length} of {allFeatures.Length} features", driver.FindElement(By.Id("match-count")).Text);

        search.SendKeys(Keys.Control + "a");
        search.SendKeys(Keys.Backspace);
        search.SendKeys("merchant mean");
        Assert.Equal(["merchant_7d:merchant_amount_mean_7d"], VisibleFeatures(driver));

        search.SendKeys(Keys.Control + "a");
        search.SendKeys("nothing-like-this");
        Assert.Empty(VisibleFeatures(driver));
        Assert.True(driver.FindElement(By.Id("no-match")).Displayed);

        search.SendKeys(Keys.Control + "a");
        search.SendKeys(Keys.Backspace);
        driver.FindElement(By.CssSelector("#view-merchant_1h button.tag[data-tag='domain:fraud']")).Click();
        Assert.Equal("domain:fraud", search.GetAttribute("value"));
        Assert.Equal(allFeatures, VisibleFeatures(driver));
    }

    private static string[] VisibleFeatures(ChromeDriver driver) =>
        [.. driver.FindElements(By.CssSelector("tr.feature")).Where(r => r.Displayed).Select(r => r.GetAttribute("data-feature")!)];

    private async Task IngestAndMaterializeAsync(Uri url)
    {
        var now = DateTimeOffset.UtcNow;
        var stream = FraudStreamGenerator.Generate(new FraudStreamOptions { Customers = 20, Days = 2, Seed = 3 });
        var arrived = stream.Events.Where(e => e.Time <= now).ToList();
        using var lines = new StringWriter();
        FraudStreamJson.WriteJsonLines(arrived, lines);
        var (accepted, rejected) = await SendCommand.PushAsync(new Uri(url, "api/events"), key: null, lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), 1000, CancellationToken.None);
        Assert.Equal((arrived.Count, 0), (accepted, rejected));
        var lastHour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        await new FeatureMaterializer(azurite.Storage, Definitions).MaterializeAsync(stream.Start, lastHour);
    }

    // Chromium and chromedriver from Debian's packages; BRISA_CHROMIUM / BRISA_CHROMEDRIVER point elsewhere.
    internal static ChromeDriver StartChromium()
    {
        var browser = Find("BRISA_CHROMIUM", "/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
        var driverPath = Find("BRISA_CHROMEDRIVER", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
        if (browser is null || driverPath is null)
        {
            throw new InvalidOperationException(
                "The catalog browser test needs Chromium and chromedriver, and " + (browser is null ? "Chromium" : "chromedriver") + " was not found. "
                + "Install them with 'apt-get install -y chromium chromium-driver' ('./build.sh test' does it when run as root), "
                + "or set BRISA_CHROMIUM and BRISA_CHROMEDRIVER to their paths.");
        }

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driverPath)!, Path.GetFileName(driverPath));
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = browser };
        options.SetLoggingPreference(LogType.Browser, OpenQA.Selenium.LogLevel.All);
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-dev-shm-usage", "--window-size=1400,1000");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    private static string? Find(string variable, params string[] candidates) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } path ? path : candidates.FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
