using System.Text.Json;
using System.Text.RegularExpressions;

namespace Brisa.Infra.Tests;

/// <summary>
/// The storage account and its blob, queue and table services, the Event Hubs namespace and the Function App send
/// their diagnostics to the one Log Analytics workspace that Application Insights already uses (docs/deploy.md,
/// "Diagnostics").
/// </summary>
public sealed partial class DiagnosticsTests
{
    private const string DiagnosticSettings = "Microsoft.Insights/diagnosticSettings";

    // Resource type → (log categories, metric categories) its diagnostic setting sends. Never StorageRead: a row per
    // feature lookup and model load, by far the largest category and the least useful.
    private static readonly Dictionary<string, (string[] Logs, string[] Metrics)> Expected = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.Storage/storageAccounts"] = ([], ["Transaction"]),
        ["Microsoft.Storage/storageAccounts/blobServices"] = (["StorageDelete", "StorageWrite"], ["Transaction"]),
        ["Microsoft.Storage/storageAccounts/queueServices"] = (["StorageDelete", "StorageWrite"], ["Transaction"]),
        ["Microsoft.Storage/storageAccounts/tableServices"] = (["StorageDelete"], ["Transaction"]),
        ["Microsoft.EventHub/namespaces"] = (["AutoScaleLogs", "OperationalLogs", "RuntimeAuditLogs"], ["AllMetrics"]),
        ["Microsoft.Web/sites"] = ([], ["AllMetrics"]),
    };

    [Fact]
    public async Task DiagnosticSettings_CoverStorageEventHubsAndTheFunctionApp_WithTheirCategories()
    {
        var settings = Arm.OfType(await Arm.MainAsync(), DiagnosticSettings);

        var byTarget = settings.GroupBy(s => TargetType(s.Resource), StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(Expected.Keys.Order(StringComparer.OrdinalIgnoreCase), byTarget.Keys.Order(StringComparer.OrdinalIgnoreCase));
        foreach (var (type, (logs, metrics)) in Expected)
        {
            var setting = Assert.Single(byTarget[type]);
            Assert.True(logs.SequenceEqual(EnabledCategories(setting, "logs")), $"{type}: logs {string.Join(", ", EnabledCategories(setting, "logs"))}");
            Assert.True(metrics.SequenceEqual(EnabledCategories(setting, "metrics")), $"{type}: metrics {string.Join(", ", EnabledCategories(setting, "metrics"))}");
        }
    }

    [Fact]
    public async Task DiagnosticSettings_SendToTheWorkspaceApplicationInsightsUses()
    {
        var main = await Arm.MainAsync();
        var (appInsights, monitoring) = Assert.Single(Arm.OfType(main, "Microsoft.Insights/components"), c => !Arm.IsExisting(c.Resource));
        var workspace = monitoring.GetProperty("outputs").GetProperty("workspaceId").GetProperty("value").GetString();
        Assert.Equal(appInsights.GetProperty("properties").GetProperty("WorkspaceResourceId").GetString(), workspace);

        var modules = Arm.OfType(main, "Microsoft.Resources/deployments").Select(d => d.Resource).ToList();
        foreach (var (setting, template) in Arm.OfType(main, DiagnosticSettings))
        {
            Assert.Equal("[parameters('workspaceId')]", setting.GetProperty("properties").GetProperty("workspaceId").GetString());
            var module = Assert.Single(modules, m => m.GetProperty("properties").GetProperty("template").GetRawText() == template.GetRawText());
            var passed = module.GetProperty("properties").GetProperty("parameters").GetProperty("workspaceId").GetProperty("value").GetString();
            Assert.StartsWith("[reference(resourceId('Microsoft.Resources/deployments', 'monitoring'), ", passed, StringComparison.Ordinal);
            Assert.EndsWith(").outputs.workspaceId.value]", passed, StringComparison.Ordinal);
        }
    }

    private static string TargetType(JsonElement setting)
    {
        // Bicep compiles `scope: <resource>` to "[resourceId('<type>', <name segments>)]".
        var scope = setting.GetProperty("scope").GetString()!;
        var match = ScopeType().Match(scope);
        Assert.True(match.Success, $"diagnostic setting scope is not a resource of this template: {scope}");
        return match.Groups["type"].Value;
    }

    private static string[] EnabledCategories((JsonElement Resource, JsonElement Template) setting, string kind)
    {
        if (!setting.Resource.GetProperty("properties").TryGetProperty(kind, out var entries))
        {
            return [];
        }

        // A list shared by several settings of a module compiles to "[variables('name')]".
        if (entries.ValueKind == JsonValueKind.String && VariableReference().Match(entries.GetString()!) is { Success: true } variable)
        {
            entries = setting.Template.GetProperty("variables").GetProperty(variable.Groups["name"].Value);
        }

        return entries.EnumerateArray()
            .Where(e => e.GetProperty("enabled").GetBoolean())
            .Select(e => e.GetProperty("category").GetString()!)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    [GeneratedRegex(@"^\[variables\('(?<name>[^']+)'\)\]$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^\[resourceId\('(?<type>[^']+)'")]
    private static partial Regex ScopeType();
}
