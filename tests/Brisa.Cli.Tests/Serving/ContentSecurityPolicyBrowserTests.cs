using Brisa.Azure.Monitoring;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;
using Brisa.Core.Serving;
using Brisa.Testing;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Brisa.Cli.Tests.Serving;

/// <summary>
/// The HTML pages Brisa renders (catalog, drift report, training report) hold untrusted text: descriptions and tags from
/// a definitions file, category values from producers' events. Each is escaped; in case an escaping slip lets markup
/// through, each page's Content-Security-Policy must stop it from running a script, while the page itself keeps working.
/// Headless Chromium opens each page as a file with hostile markup spliced into its body.
/// </summary>
public sealed class ContentSecurityPolicyBrowserTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    // What a slip would let through: an inline script, and an event handler on an image that fails to load.
    private const string Hostile = """<script>document.body.setAttribute('data-pwned','script')</script><img id="hostile" src="x" onerror="document.body.setAttribute('data-pwned','onerror')">""";

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("brisa-csp-");

    public void Dispose() => work.Delete(recursive: true);

    [Fact]
    public void CatalogPage_HostileMarkupInBody_DoesNotRunButSearchStillWorks()
    {
        var definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
        var html = CatalogHtml.Render(definitions, Catalog.Views(definitions), Now);

        using var driver = Open(Splice(html), "catalog.html");

        Assert.Null(driver.FindElement(By.TagName("body")).GetAttribute("data-pwned"));
        var all = driver.FindElements(By.CssSelector("tr.feature")).Count;
        driver.FindElement(By.Id(CatalogHtml.SearchBoxId)).SendKeys("merchant mean");
        Assert.Equal($"1 of {all} features", driver.FindElement(By.Id("match-count")).Text);
    }

    [Fact]
    public void DriftReport_HostileMarkupInBody_DoesNotRunButChartsStillShow()
    {
        using var driver = Open(Splice(DriftReportHtml.Render(DriftReport())), "drift.html");

        Assert.Null(driver.FindElement(By.TagName("body")).GetAttribute("data-pwned"));
        var chart = driver.FindElement(By.CssSelector("img[alt='amount']"));
        Assert.True(Convert.ToInt64(((IJavaScriptExecutor)driver).ExecuteScript("return arguments[0].naturalWidth;", chart), System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public void TrainingReport_HostileMarkupInBody_DoesNotRun()
    {
        using var driver = Open(Splice(TrainingReportHtml.Render(TrainingReports.Binary("fraud", Now))), "training.html");

        Assert.Null(driver.FindElement(By.TagName("body")).GetAttribute("data-pwned"));
        Assert.StartsWith("Model fraud", driver.FindElement(By.TagName("h1")).Text, StringComparison.Ordinal);
    }

    private static string Splice(string html)
    {
        var body = html.IndexOf("<body>", StringComparison.Ordinal) + "<body>".Length;
        return html[..body] + Hostile + html[body..];
    }

    private ChromeDriver Open(string html, string name)
    {
        var path = Path.Combine(work.FullName, name);
        File.WriteAllText(path, html);
        var driver = CatalogPageBrowserTests.StartChromium();

        // Navigation returns after the load event, which waits for the hostile image to fail: its handler had its chance.
        driver.Navigate().GoToUrl(new Uri(path));
        return driver;
    }

    // Also the narrow-screen test's drift report: a numeric feature shifted ×3, charts and tables.
    internal static DriftReport DriftReport()
    {
        var amounts = Enumerable.Range(1, 200).Select(i => (float)i).ToArray();
        var baseline = TrainingReports.Binary("fraud", Now.AddDays(-10)) with
        {
            Inputs = [new ModelInput("amount", FeatureKind.Numeric, "raw")],
            Baseline = [FeatureStatistics.Numeric("amount", amounts)],
            ScoreBaseline = FeatureStatistics.Numeric("score", [.. amounts.Select(a => a / 200)]),
        };
        var columns = new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal) { ["amount"] = [.. amounts.Select(a => (object?)(double)(a * 3))] };
        return DriftAnalyzer.Analyze(baseline, new DriftInput(Now.AddDays(-1), Now, amounts.Length, columns, [.. amounts.Select(a => a / 200.0)]), new DriftPolicy());
    }
}
