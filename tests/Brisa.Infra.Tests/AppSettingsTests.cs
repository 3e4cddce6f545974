using System.Text.Json;
using System.Text.RegularExpressions;
using Brisa.Testing;

namespace Brisa.Infra.Tests;

/// <summary>
/// The Function App in main.bicep sets every app setting the code needs: the ones bindings name in the generated
/// functions.metadata (connections, <c>%…%</c> expressions, timer schedules) and the ones the code reads.
/// </summary>
public sealed partial class AppSettingsTests
{
    /// <summary>
    /// Configuration keys the code reads that are deliberately not set in Azure, and why. A new key the code reads
    /// must either be set by infra/modules/functionapp.bicep or be added here with its reason.
    /// </summary>
    private static readonly Dictionary<string, string> OptionalKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Brisa:DefinitionsFile"] = "local runs pin a YAML file; in Azure the app follows the registry that `brisa apply` publishes",
        ["Brisa:Push"] = "PushOptions (push endpoint limits) has defaults; override per environment (extraAppSettings in infra/<env>.bicepparam) only when needed",
        ["Brisa:Online"] = "OnlineStoreOptions (tile writes: parallelism, cached rows, conflict retries) has defaults checked at startup; override per environment (extraAppSettings in infra/<env>.bicepparam) only when needed",
        ["Brisa:Materialize"] = "IncrementalMaterializer options (lateness, first lookback, lease) have defaults; override per environment (extraAppSettings in infra/<env>.bicepparam) only when needed",
        ["Brisa:Models:MaxZipBytes"] = "the largest model.zip serving and retraining read has a default (256 MiB) checked at startup; override per environment (extraAppSettings in infra/<env>.bicepparam) only for a genuinely larger model",
        ["Brisa:Serving:OnlineCacheTtl"] = "the online row cache is opt-in (off when unset): an app that trades up to this much freshness for fewer Table reads of hot keys sets it",
        ["BRISA_AZURITE"] = "local tooling only: where the Azurite emulator script is (AzuriteProcess); never used in Azure",
    };

    // Optional keys that have no place in Azure's app settings (extraAppSettings).
    private static readonly string[] LocalOnlyKeys = ["Brisa:DefinitionsFile", "BRISA_AZURITE"];

    // Storage binding types and the identity-based service URI setting each needs on its connection.
    private static readonly Dictionary<string, string> StorageServiceByBindingType = new(StringComparer.OrdinalIgnoreCase)
    {
        ["queueTrigger"] = "queueServiceUri",
        ["queue"] = "queueServiceUri",
        ["blobTrigger"] = "blobServiceUri",
        ["blob"] = "blobServiceUri",
        ["table"] = "tableServiceUri",
    };

    [Fact]
    public async Task BindingSettings_AreAllSetByBicep()
    {
        var settings = Arm.AppSettings(await Arm.MainAsync());
        var missing = new List<string>();
        foreach (var (function, binding) in FunctionsBuild.Bindings())
        {
            var type = binding.GetProperty("type").GetString()!;
            foreach (var property in binding.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
            {
                foreach (Match match in PercentExpression().Matches(property.Value.GetString()!))
                {
                    Require(settings, ToAppSettingName(match.Groups[1].Value), $"{function}: {type}.{property.Name}", missing);
                }
            }

            var connection = binding.TryGetProperty("connection", out var c) ? c.GetString() : null;
            if (type.StartsWith("eventHub", StringComparison.OrdinalIgnoreCase))
            {
                Assert.False(string.IsNullOrEmpty(connection), $"{function}: an Event Hubs binding must name its connection");
                Require(settings, $"{ToAppSettingName(connection!)}__fullyQualifiedNamespace", $"{function}: {type}.connection (identity-based)", missing);
            }
            else if (StorageServiceByBindingType.TryGetValue(type, out var service))
            {
                Require(settings, $"{ToAppSettingName(string.IsNullOrEmpty(connection) ? "AzureWebJobsStorage" : connection)}__{service}", $"{function}: {type}.connection (identity-based)", missing);
            }
            else if (!string.IsNullOrEmpty(connection))
            {
                var name = ToAppSettingName(connection);
                if (!settings.ContainsKey(name) && !settings.Keys.Any(k => k.StartsWith(name + "__", StringComparison.OrdinalIgnoreCase)))
                {
                    missing.Add($"{name} or {name}__* ({function}: {type}.connection)");
                }
            }
        }

        Assert.True(missing.Count == 0, "App settings that bindings name but infra/modules/functionapp.bicep does not set:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void Bindings_AreFoundInFunctionsMetadata()
    {
        // Guards the test above against reading an empty or wrong file.
        var bindings = FunctionsBuild.Bindings().ToList();
        Assert.Contains(bindings, b => b.Binding.GetProperty("type").GetString() == "eventHubTrigger");
        Assert.Contains(bindings, b => b.Binding.GetProperty("type").GetString() == "httpTrigger");
    }

    [Fact]
    public async Task HostStorage_IsIdentityBased()
    {
        var settings = Arm.AppSettings(await Arm.MainAsync());
        foreach (var service in new[] { "blobServiceUri", "queueServiceUri", "tableServiceUri" })
        {
            Assert.True(settings.ContainsKey($"AzureWebJobsStorage__{service}"), $"AzureWebJobsStorage__{service} is not set");
        }

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("managedidentity", settings["EventHub__credential"]);
        Assert.Equal("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.False(settings.ContainsKey("AzureWebJobsStorage"), "AzureWebJobsStorage as a connection string: use the identity-based __serviceUri settings");

        // Flex Consumption takes the worker runtime from functionAppConfig.runtime and rejects these as app settings.
        Assert.False(settings.ContainsKey("FUNCTIONS_WORKER_RUNTIME"));
        Assert.False(settings.ContainsKey("FUNCTIONS_EXTENSION_VERSION"));
        Assert.DoesNotContain(settings, s => s.Key.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase) && s.Key != "APPLICATIONINSIGHTS_CONNECTION_STRING");
    }

    [Fact]
    public async Task AppSettingValues_NameTheResourcesTheTemplatesCreate()
    {
        // A setting with the right name but another module's output (the hub name in the consumer group setting, the
        // queue endpoint as the blob one) passes every name check and fails only in Azure.
        var main = await Arm.MainAsync();
        var settings = Arm.AppSettings(main);
        var module = Assert.Single(Arm.Resources(main), r => r.Resource.GetProperty("type").GetString() == "Microsoft.Resources/deployments"
                                                            && r.Resource.GetProperty("name").GetString() == "functionapp").Resource;
        var moduleParameters = module.GetProperty("properties").GetProperty("parameters");
        var expected = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AzureWebJobsStorage__blobServiceUri"] = "storage: blobEndpoint",
            ["AzureWebJobsStorage__queueServiceUri"] = "storage: queueEndpoint",
            ["AzureWebJobsStorage__tableServiceUri"] = "storage: tableEndpoint",
            ["EventHub__fullyQualifiedNamespace"] = "eventhubs: fullyQualifiedNamespace",
            ["EventHubName"] = "eventhubs: hubName",
            ["EventHubConsumerGroup"] = "eventhubs: consumerGroupName",
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "monitoring: connectionString",
            ["Brisa__MaterializeSchedule"] = "parameter materializeSchedule",
            ["Brisa__RetrainSchedule"] = "parameter retrainSchedule",
            ["Brisa__MonitorDriftSchedule"] = "parameter monitorDriftSchedule",
        };

        foreach (var (name, source) in expected)
        {
            Assert.True(settings.TryGetValue(name, out var value), $"{name} is not set");
            var parameter = Parameter().Match(value);
            Assert.True(parameter.Success, $"{name} = {value}: expected a parameter of the functionapp module");
            var passed = moduleParameters.GetProperty(parameter.Groups[1].Value).GetProperty("value").GetString()!;
            var actual = ModuleOutput().Match(passed) is { Success: true } output ? $"{output.Groups[1].Value}: {output.Groups[2].Value}"
                : Parameter().Match(passed) is { Success: true } mainParameter ? $"parameter {mainParameter.Groups[1].Value}"
                : passed;
            Assert.True(source == actual, $"{name} is set from {actual}, expected {source}");
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task TimerSchedules_InEachEnvironment_AreSixFieldNcrontab(string environment)
    {
        // The timer extension reads six fields, seconds first; a five-field cron stops the host from indexing the function.
        var parameters = (await Bicep.CompileAsync($"infra/{environment}.bicepparam")).GetProperty("parameters");
        foreach (var name in new[] { "materializeSchedule", "retrainSchedule", "monitorDriftSchedule" })
        {
            var value = parameters.GetProperty(name).GetProperty("value").GetString()!;
            Assert.Equal(6, value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.NotNull(Cronos.CronExpression.Parse(value, Cronos.CronFormat.IncludeSeconds).GetNextOccurrence(DateTime.UtcNow));
        }
    }

    [Fact]
    public async Task SettingsTheCodeReads_AreSetOrDeclaredOptional()
    {
        var settings = Arm.AppSettings(await Arm.MainAsync());
        var keys = KeysReadByCode();
        Assert.Contains("AzureWebJobsStorage", keys.Keys); // the scan works
        var missing = new List<string>();
        foreach (var (key, where) in keys)
        {
            if (OptionalKeys.ContainsKey(key))
            {
                continue;
            }

            var name = ToAppSettingName(key);
            if (!settings.ContainsKey(name) && !settings.Keys.Any(k => k.StartsWith(name + "__", StringComparison.OrdinalIgnoreCase)))
            {
                missing.Add($"{key} (read in {where})");
            }
        }

        Assert.True(missing.Count == 0,
            "Configuration keys the Function App's code reads that infra/modules/functionapp.bicep does not set " +
            "(set them, or list them in AppSettingsTests.OptionalKeys with the reason):\n" + string.Join('\n', missing));
    }

    [Fact]
    public async Task ExtraAppSettings_ComeFromAParameterOfEachEnvironment()
    {
        // ARM replaces the app settings on every deployment: an optional setting set by hand (docs/operations.md tells
        // operators to tune some) is gone after the next push to main. The parameter files are where they live.
        var main = await Arm.MainAsync();
        var parameter = main.GetProperty("parameters").GetProperty("extraAppSettings");
        Assert.Equal("object", parameter.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Object, parameter.GetProperty("defaultValue").ValueKind);
        Assert.Empty(parameter.GetProperty("defaultValue").EnumerateObject());

        var module = Assert.Single(Arm.OfType(main, "Microsoft.Resources/deployments"), d => d.Resource.GetProperty("name").GetString() == "functionapp").Resource;
        Assert.Equal("[parameters('extraAppSettings')]", module.GetProperty("properties").GetProperty("parameters").GetProperty("extraAppSettings").GetProperty("value").GetString());

        // A name the template sets itself fails the deployment instead of replacing it (or being set twice).
        var (site, template) = Assert.Single(Arm.OfType(main, "Microsoft.Web/sites"));
        var expression = site.GetProperty("properties").GetProperty("siteConfig").GetProperty("appSettings").GetString()!;
        Assert.StartsWith("[if(empty(variables('extraAppSettingClashes')), concat(variables('managedAppSettings'), ", expression, StringComparison.Ordinal);
        Assert.Contains("fail(", expression, StringComparison.Ordinal);
        var clashes = template.GetProperty("variables").GetProperty("extraAppSettingClashes").GetString()!;
        Assert.Contains("variables('managedAppSettings')", clashes, StringComparison.Ordinal);
        Assert.Contains("objectKeys(parameters('extraAppSettings'))", clashes, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task ExtraAppSettings_InEachEnvironment_AreOptionalSettingsTheCodeReads(string environment)
    {
        // A misspelt name would be set and ignored by the app; a managed one fails the deployment (checked here first).
        var parameters = (await Bicep.CompileAsync($"infra/{environment}.bicepparam")).GetProperty("parameters");
        if (!parameters.TryGetProperty("extraAppSettings", out var extra))
        {
            return;
        }

        var managed = Arm.AppSettings(await Arm.MainAsync());
        foreach (var setting in extra.GetProperty("value").EnumerateObject())
        {
            var key = setting.Name.Replace("__", ":", StringComparison.Ordinal);
            Assert.False(managed.ContainsKey(setting.Name), $"{environment}: extraAppSettings.{setting.Name} is set by the template itself");
            Assert.True(OptionalKeys.Keys.Except(LocalOnlyKeys).Any(k => key.Equals(k, StringComparison.OrdinalIgnoreCase) || key.StartsWith(k + ":", StringComparison.OrdinalIgnoreCase)),
                $"{environment}: extraAppSettings.{setting.Name} is not an optional setting the code reads (AppSettingsTests.OptionalKeys)");
            Assert.True(setting.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False,
                $"{environment}: extraAppSettings.{setting.Name} must be a string, number or boolean");
        }
    }

    [Fact]
    public void OptionalKeys_AreStillReadByTheCode()
    {
        var keys = KeysReadByCode();
        foreach (var key in OptionalKeys.Keys)
        {
            Assert.True(keys.ContainsKey(key), $"{key} is listed as optional but no code reads it any more: remove it from OptionalKeys");
        }
    }

    /// <summary>Configuration keys read by the projects the Function App runs (Functions, Azure, Core) → first file that reads it.</summary>
    private static Dictionary<string, string> KeysReadByCode()
    {
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var project in new[] { "Brisa.Functions", "Brisa.Azure", "Brisa.Core" })
        {
            var dir = Path.Combine(RepositoryPaths.Root, "src", project);
            foreach (var file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
                         .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            {
                var text = File.ReadAllText(file);
                foreach (Match match in ConfigurationRead().Matches(text))
                {
                    var key = match.Groups["key"].Value;
                    keys.TryAdd(key, Path.GetRelativePath(RepositoryPaths.Root, file));
                }
            }
        }

        return keys;
    }

    private static void Require(Dictionary<string, string> settings, string name, string usedBy, List<string> missing)
    {
        if (!settings.ContainsKey(name))
        {
            missing.Add($"{name} ({usedBy})");
        }
    }

    // Configuration keys use ':' as the separator; app settings use '__'.
    private static string ToAppSettingName(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    // "[parameters('eventHubName')]" → eventHubName.
    [GeneratedRegex(@"^\[parameters\('(\w+)'\)\]$")]
    private static partial Regex Parameter();

    // "[reference(resourceId('Microsoft.Resources/deployments', 'storage'), '…').outputs.blobEndpoint.value]" → storage, blobEndpoint.
    [GeneratedRegex(@"^\[reference\(resourceId\('Microsoft\.Resources/deployments', '([\w-]+)'\), '[^']+'\)\.outputs\.(\w+)\.value\]$")]
    private static partial Regex ModuleOutput();

    [GeneratedRegex(@"%([^%\s]+)%")]
    private static partial Regex PercentExpression();

    // configuration["Key"], Configuration["Key"], GetSection("Key"), GetValue<T>("Key"), GetConnectionString("Key"),
    // GetEnvironmentVariable("Key"), and a connection-name parameter default (string name = "AzureWebJobsStorage").
    [GeneratedRegex("""(?:[Cc]onfiguration\s*\[\s*"(?<key>[^"]+)"\s*\]|GetSection\(\s*"(?<key>[^"]+)"|GetValue<[^>]+>\(\s*"(?<key>[^"]+)"|GetConnectionString\(\s*"(?<key>[^"]+)"|GetEnvironmentVariable\(\s*"(?<key>[^"]+)"|string\s+name\s*=\s*"(?<key>[^"]+)")""")]
    private static partial Regex ConfigurationRead();
}
