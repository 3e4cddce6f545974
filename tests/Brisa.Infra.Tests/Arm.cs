using System.Text.Json;

namespace Brisa.Infra.Tests;

/// <summary>Walks compiled ARM JSON (nested module deployments included).</summary>
public static class Arm
{
    /// <summary>The compiled main.bicep.</summary>
    public static Task<JsonElement> MainAsync() => Bicep.CompileAsync("infra/main.bicep");

    /// <summary>Every resource of a template and of its nested inline templates, with the template that declares it.</summary>
    public static IEnumerable<(JsonElement Resource, JsonElement Template)> Resources(JsonElement template)
    {
        if (!template.TryGetProperty("resources", out var resources))
        {
            yield break;
        }

        // languageVersion 2.0 templates hold resources as an object keyed by symbolic name.
        var items = resources.ValueKind == JsonValueKind.Array ? resources.EnumerateArray().ToList() : resources.EnumerateObject().Select(p => p.Value).ToList();
        foreach (var resource in items)
        {
            yield return (resource, template);
            if (resource.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
                && properties.TryGetProperty("template", out var nested))
            {
                foreach (var inner in Resources(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>Resources of one type (case-insensitive).</summary>
    public static List<(JsonElement Resource, JsonElement Template)> OfType(JsonElement template, string type) =>
        Resources(template).Where(r => string.Equals(r.Resource.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>True when a resource is declared with <c>existing</c> (a reference, not a deployment).</summary>
    public static bool IsExisting(JsonElement resource) =>
        resource.TryGetProperty("existing", out var existing) && existing.ValueKind == JsonValueKind.True;

    /// <summary>
    /// The Function App's app settings that the templates set: name → value (a literal or an ARM expression). The site
    /// takes them from the <c>managedAppSettings</c> variable of its template, plus the environment's <c>extraAppSettings</c>.
    /// </summary>
    public static Dictionary<string, string> AppSettings(JsonElement main)
    {
        var (site, template) = Assert.Single(OfType(main, "Microsoft.Web/sites"), s => !IsExisting(s.Resource));
        var expression = site.GetProperty("properties").GetProperty("siteConfig").GetProperty("appSettings").GetString()!;
        Assert.Contains("concat(variables('managedAppSettings'), map(items(parameters('extraAppSettings'))", expression, StringComparison.Ordinal);
        var settings = template.GetProperty("variables").GetProperty("managedAppSettings");
        Assert.Equal(JsonValueKind.Array, settings.ValueKind);
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in settings.EnumerateArray())
        {
            var name = setting.GetProperty("name").GetString()!;
            Assert.False(name.StartsWith('[') && name.EndsWith(']'), $"app setting names must be literals so they can be checked: {name}");
            Assert.True(result.TryAdd(name, setting.GetProperty("value").ToString()), $"app setting {name} is set twice");
        }

        return result;
    }
}
