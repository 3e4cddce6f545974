using System.Text.Json;
using Brisa.Azure.Storage;

namespace Brisa.Infra.Tests;

/// <summary>The resources in main.bicep have the shape DESIGN §5 and §9 ask for.</summary>
public sealed class ResourceTests
{
    [Fact]
    public async Task Storage_HasBrisasContainersQueuesAndTable()
    {
        var main = await Arm.MainAsync();
        var (_, template) = Arm.OfType(main, "Microsoft.Storage/storageAccounts").First(s => !Arm.IsExisting(s.Resource));
        var variables = template.GetProperty("variables");
        Assert.Equal(StorageNames.Containers.Order(), Strings(variables.GetProperty("containerNames")).Order());
        Assert.Equal(StorageNames.Queues.Order(), Strings(variables.GetProperty("queueNames")).Order());
        Assert.Equal([StorageNames.OnlineTable], Strings(variables.GetProperty("tableNames")));
    }

    [Fact]
    public async Task Storage_HasNoKeysNoPublicBlobsAndTls12()
    {
        var account = Properties(await Arm.MainAsync(), "Microsoft.Storage/storageAccounts");
        Assert.False(account.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(account.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.Equal("TLS1_2", account.GetProperty("minimumTlsVersion").GetString());
        Assert.True(account.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
    }

    [Fact]
    public async Task Storage_LifecycleDeletesOnlyDeadLettersAndPredictions()
    {
        var main = await Arm.MainAsync();
        var policy = Assert.Single(Arm.OfType(main, "Microsoft.Storage/storageAccounts/managementPolicies")).Resource;
        var deleted = new Dictionary<string, string>();
        var cooled = new HashSet<string>();
        foreach (var rule in policy.GetProperty("properties").GetProperty("policy").GetProperty("rules").EnumerateArray())
        {
            var definition = rule.GetProperty("definition");
            var actions = definition.GetProperty("actions").GetProperty("baseBlob");
            foreach (var prefix in Strings(definition.GetProperty("filters").GetProperty("prefixMatch")))
            {
                var container = prefix.TrimEnd('/');
                Assert.Contains(container, StorageNames.Containers);
                if (actions.TryGetProperty("delete", out var delete))
                {
                    deleted[container] = delete.GetProperty("daysAfterModificationGreaterThan").GetString()!;
                }

                if (actions.TryGetProperty("tierToCool", out _))
                {
                    cooled.Add(container);
                }
            }
        }

        // The raw zone is what training, backfills and tile rebuilds read: a rule may cool it, never delete it.
        Assert.Equal([StorageNames.DeadLetterContainer, StorageNames.PredictionsContainer], deleted.Keys.Order());
        Assert.Equal("[parameters('deadLetterRetentionDays')]", deleted[StorageNames.DeadLetterContainer]);
        Assert.Equal("[parameters('predictionLogRetentionDays')]", deleted[StorageNames.PredictionsContainer]);
        Assert.Contains(StorageNames.RawContainer, cooled);

        // The label window (30 days in the sample) must pass before a prediction's live performance is known.
        var parameters = main.GetProperty("parameters");
        Assert.True(parameters.GetProperty("predictionLogRetentionDays").GetProperty("minValue").GetInt32() >= 60);
        Assert.Equal("[parameters('predictionLogRetentionDays')]", StorageModuleParameter(main, "predictionLogRetentionDays"));
        Assert.Equal("[parameters('deadLetterRetentionDays')]", StorageModuleParameter(main, "deadLetterRetentionDays"));
        Assert.Equal("[parameters('coolAfterDays')]", StorageModuleParameter(main, "coolAfterDays"));
    }

    [Fact]
    public async Task EventHubs_HasLocalAuthDisabledAndAPartitionCountParameter()
    {
        var main = await Arm.MainAsync();
        Assert.True(Properties(main, "Microsoft.EventHub/namespaces").GetProperty("disableLocalAuth").GetBoolean());
        Assert.Equal("[parameters('partitionCount')]", Properties(main, "Microsoft.EventHub/namespaces/eventhubs").GetProperty("partitionCount").GetString());
        Assert.Single(Arm.OfType(main, "Microsoft.EventHub/namespaces/eventhubs/consumergroups"));
        Assert.True(main.GetProperty("parameters").TryGetProperty("eventHubPartitionCount", out _));
    }

    [Fact]
    public async Task EventHubs_AutoInflateFollowsItsMaximumParameter()
    {
        var main = await Arm.MainAsync();
        var properties = Properties(main, "Microsoft.EventHub/namespaces");
        Assert.Equal("[greater(parameters('maximumThroughputUnits'), 0)]", properties.GetProperty("isAutoInflateEnabled").GetString());
        Assert.Contains("parameters('maximumThroughputUnits')", properties.GetProperty("maximumThroughputUnits").GetString(), StringComparison.Ordinal);
        Assert.Equal("[parameters('eventHubsMaximumThroughputUnits')]", ModuleParameter(main, "eventhubs", "maximumThroughputUnits"));
        Assert.Equal(40, main.GetProperty("parameters").GetProperty("eventHubsMaximumThroughputUnits").GetProperty("maxValue").GetInt32());
    }

    [Fact]
    public async Task EventHubs_ProdAutoInflatesAboveItsCapacityUpToOneUnitPerPartition()
    {
        // Two throughput units take about 2,000 events/s (2 MB/s) in; past that, producers are throttled unless the
        // namespace inflates. A partition takes at most one unit's ingress, so units past the partition count idle.
        var prod = (await Bicep.CompileAsync("infra/prod.bicepparam")).GetProperty("parameters");
        var capacity = Value(prod, "eventHubsCapacity");
        var maximum = Value(prod, "eventHubsMaximumThroughputUnits");
        Assert.True(maximum > capacity, $"prod: auto-inflate maximum {maximum} must be above the capacity {capacity}");
        Assert.True(maximum <= Value(prod, "eventHubPartitionCount"), $"prod: auto-inflate maximum {maximum} is above the partition count");
    }

    [Fact]
    public async Task AppInsights_HasLocalAuthDisabled()
    {
        Assert.True(Properties(await Arm.MainAsync(), "Microsoft.Insights/components").GetProperty("DisableLocalAuth").GetBoolean());
    }

    [Fact]
    public async Task FunctionApp_IsFlexConsumptionDotnetIsolatedWithIdentityDeploymentStorage()
    {
        var main = await Arm.MainAsync();
        var plan = Assert.Single(Arm.OfType(main, "Microsoft.Web/serverfarms")).Resource;
        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());
        Assert.Equal("FC1", plan.GetProperty("sku").GetProperty("name").GetString());

        var site = Assert.Single(Arm.OfType(main, "Microsoft.Web/sites")).Resource;
        Assert.Equal("SystemAssigned", site.GetProperty("identity").GetProperty("type").GetString());
        var config = site.GetProperty("properties").GetProperty("functionAppConfig");
        Assert.Equal("dotnet-isolated", config.GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("SystemAssignedIdentity", config.GetProperty("deployment").GetProperty("storage").GetProperty("authentication").GetProperty("type").GetString());
        Assert.Equal("[parameters('instanceMemoryMB')]", config.GetProperty("scaleAndConcurrency").GetProperty("instanceMemoryMB").GetString());
        Assert.Equal("[parameters('maximumInstanceCount')]", config.GetProperty("scaleAndConcurrency").GetProperty("maximumInstanceCount").GetString());
        Assert.True(site.GetProperty("properties").GetProperty("httpsOnly").GetBoolean());
    }

    [Fact]
    public async Task Outputs_NameTheAppItsHostAndStorageEndpoints()
    {
        var outputs = (await Arm.MainAsync()).GetProperty("outputs");
        foreach (var name in new[] { "functionAppName", "functionAppHostName", "storageBlobEndpoint", "storageQueueEndpoint", "storageTableEndpoint" })
        {
            Assert.True(outputs.TryGetProperty(name, out _), $"output {name} is missing");
        }
    }

    private static JsonElement Properties(JsonElement main, string type) =>
        Arm.OfType(main, type).First(r => !Arm.IsExisting(r.Resource)).Resource.GetProperty("properties");

    private static string StorageModuleParameter(JsonElement main, string name) => ModuleParameter(main, "storage", name);

    private static string ModuleParameter(JsonElement main, string module, string name)
    {
        var deployment = Assert.Single(Arm.OfType(main, "Microsoft.Resources/deployments"), d => d.Resource.GetProperty("name").GetString() == module).Resource;
        return deployment.GetProperty("properties").GetProperty("parameters").GetProperty(name).GetProperty("value").GetString()!;
    }

    private static int Value(JsonElement parameters, string name) => parameters.GetProperty(name).GetProperty("value").GetInt32();

    private static IEnumerable<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!);
}
