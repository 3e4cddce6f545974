using Brisa.Azure.Monitoring;
using Brisa.Core.Definitions;
using Brisa.Core.Modeling;
using Brisa.Core.Serving;
using Brisa.Testing;
using OpenQA.Selenium;

namespace Brisa.Cli.Tests.Serving;

/// <summary>
/// Brisa's HTML pages on a phone: headless Chromium emulating a 400 px wide mobile screen opens each page as a file.
/// A page must be laid out at the screen's width (not the 980 px a mobile browser assumes without a viewport), its wide
/// tables must scroll on their own rather than widen the page, and the browser must log no error or warning.
/// </summary>
public sealed class NarrowScreenBrowserTests : IDisposable
{
    private const int Width = 400;
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("brisa-narrow-");

    public void Dispose() => work.Delete(recursive: true);

    [Fact]
    public void Pages_OnA400PixelScreen_FitItsWidthAndLogNothing()
    {
        var definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
        var drift = ContentSecurityPolicyBrowserTests.DriftReport();
        var training = TrainingReports.Binary("fraud", Now) with
        {
            Inputs = [.. drift.Features.Select(f => new ModelInput(f.Name, FeatureKind.Numeric, "native_missing"))],
            Baseline = [FeatureStatistics.Numeric("amount", [.. Enumerable.Range(1, 200).Select(i => i * 1000.5f)])],
        };
        var pages = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["catalog.html"] = CatalogHtml.Render(definitions, Catalog.Views(definitions), Now),
            ["training.html"] = TrainingReportHtml.Render(training),
            ["drift.html"] = DriftReportHtml.Render(drift),
        };

        using var driver = CatalogPageBrowserTests.StartChromium();
        driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?> { ["width"] = Width, ["height"] = 800, ["deviceScaleFactor"] = 1, ["mobile"] = true });
        var seen = new List<string>();
        foreach (var (name, html) in pages)
        {
            var path = Path.Combine(work.FullName, name);
            File.WriteAllText(path, html);
            driver.Navigate().GoToUrl(new Uri(path));
            var widths = (IReadOnlyList<object>)((IJavaScriptExecutor)driver).ExecuteScript("return [document.documentElement.clientWidth, document.documentElement.scrollWidth];")!;
            seen.Add($"{name}: laid out {widths[0]} px wide, content {widths[1]} px wide");
            seen.AddRange(driver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= OpenQA.Selenium.LogLevel.Warning).Select(e => $"{name}: {e.Level} {e.Message}"));
        }

        Assert.Equal(pages.Keys.Select(name => $"{name}: laid out {Width} px wide, content {Width} px wide"), seen);
    }

    [Fact]
    public void CatalogPage_SearchBoxFocusedOnAWideScreenOnly()
    {
        // Before, `autofocus` focused the box on a phone too, which opened its keyboard over the page on arrival.
        var definitions = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
        var html = CatalogHtml.Render(definitions, Catalog.Views(definitions), Now);
        using var driver = CatalogPageBrowserTests.StartChromium();
        string Focused(string name)
        {
            var path = Path.Combine(work.FullName, name);
            File.WriteAllText(path, html);
            driver.Navigate().GoToUrl(new Uri(path));
            return (string)((IJavaScriptExecutor)driver).ExecuteScript("return window.innerWidth + ' px: ' + (document.activeElement ? document.activeElement.id : '');")!;
        }

        driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?> { ["width"] = Width, ["height"] = 800, ["deviceScaleFactor"] = 1, ["mobile"] = true });
        var narrow = Focused("narrow.html");
        driver.ExecuteCdpCommand("Emulation.clearDeviceMetricsOverride", []);
        var wide = Focused("wide.html");

        Assert.Equal(($"{Width} px: ", "1400 px: " + CatalogHtml.SearchBoxId), (narrow, wide));
    }
}
