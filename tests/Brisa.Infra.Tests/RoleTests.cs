using System.Text.RegularExpressions;
using Brisa.Testing;

namespace Brisa.Infra.Tests;

/// <summary>Role definition IDs live in one place (infra/modules/roles.bicep) and are the built-in IDs.</summary>
public sealed partial class RoleTests
{
    // Azure built-in role definition IDs, from the Azure built-in roles reference
    // (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
    private static readonly Dictionary<string, string> BuiltInRoles = new(StringComparer.Ordinal)
    {
        ["storageBlobDataOwner"] = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        ["storageBlobDataContributor"] = "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        ["storageQueueDataContributor"] = "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
        ["storageTableDataContributor"] = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
        ["eventHubsDataReceiver"] = "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
        ["monitoringMetricsPublisher"] = "3913510d-42f4-4e42-8a64-420c390055eb",
    };

    [Fact]
    public async Task RoleDefinitionIds_AreTheBuiltInIds()
    {
        var roles = await Bicep.CompileAsync("infra/modules/roles.bicep");
        var map = roles.GetProperty("variables").GetProperty("roleDefinitionIds");
        var actual = map.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        Assert.Equal(BuiltInRoles.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
    }

    [Fact]
    public void RoleDefinitionIds_AreWrittenOnlyInRolesBicep()
    {
        var offenders = new List<string>();
        foreach (var file in Bicep.Files.Where(f => f != "infra/modules/roles.bicep"))
        {
            var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, file));
            offenders.AddRange(Guid().Matches(text).Select(m => $"{file}: {m.Value}"));
        }

        Assert.True(offenders.Count == 0, "GUID literals outside infra/modules/roles.bicep:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public async Task RoleAssignments_AllTakeTheirRoleFromTheRolesMap()
    {
        var main = await Arm.MainAsync();
        var assignments = Arm.OfType(main, "Microsoft.Authorization/roleAssignments");
        Assert.NotEmpty(assignments);
        foreach (var (resource, template) in assignments)
        {
            var expression = resource.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!;
            Assert.StartsWith("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ", expression, StringComparison.Ordinal);
            Assert.True(template.GetProperty("variables").TryGetProperty("roleDefinitionIds", out _), "the template with role assignments must import roleDefinitionIds");
            Assert.DoesNotMatch(Guid(), expression);
            Assert.Equal("ServicePrincipal", resource.GetProperty("properties").GetProperty("principalType").GetString() switch
            {
                "[parameters('deployerPrincipalType')]" => "ServicePrincipal",
                var other => other,
            });
        }
    }

    [Fact]
    public async Task FunctionIdentity_GetsExactlyTheLeastPrivilegeRoles()
    {
        var main = await Arm.MainAsync();
        var variables = Arm.OfType(main, "Microsoft.Authorization/roleAssignments").First().Template.GetProperty("variables");
        Assert.Equal(
            ["[variables('roleDefinitionIds').storageBlobDataOwner]", "[variables('roleDefinitionIds').storageQueueDataContributor]", "[variables('roleDefinitionIds').storageTableDataContributor]"],
            variables.GetProperty("storageRolesForFunction").EnumerateArray().Select(e => e.GetString()));

        var expressions = Arm.OfType(main, "Microsoft.Authorization/roleAssignments")
            .Select(a => a.Resource.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!)
            .ToList();
        Assert.Contains(expressions, e => e.Contains(".eventHubsDataReceiver", StringComparison.Ordinal));
        Assert.Contains(expressions, e => e.Contains(".monitoringMetricsPublisher", StringComparison.Ordinal));
        Assert.DoesNotContain(expressions, e => e.Contains("Owner)", StringComparison.Ordinal) && !e.Contains("storageBlobDataOwner", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RoleAssignments_AreExactlyWhatEachUseNeeds_AtTheNarrowestScope()
    {
        // Function App: host storage and Brisa's data (blobs incl. the Flex deployment container, the materialize and
        // retrain queues, the online table), receive from the `events` hub only, publish telemetry. Deployer:
        // `brisa apply` writes the registry and, as every command against configured storage, creates containers,
        // queues and the table where missing. Anything else (a sender, an owner, a namespace-wide scope) is a change
        // to make here on purpose.
        string[] expected =
        [
            "function storageBlobDataOwner on Microsoft.Storage/storageAccounts",
            "function storageQueueDataContributor on Microsoft.Storage/storageAccounts",
            "function storageTableDataContributor on Microsoft.Storage/storageAccounts",
            "function eventHubsDataReceiver on Microsoft.EventHub/namespaces/eventhubs",
            "function monitoringMetricsPublisher on Microsoft.Insights/components",
            "deployer storageBlobDataContributor on Microsoft.Storage/storageAccounts (if deployerPrincipalId is set)",
            "deployer storageQueueDataContributor on Microsoft.Storage/storageAccounts (if deployerPrincipalId is set)",
            "deployer storageTableDataContributor on Microsoft.Storage/storageAccounts (if deployerPrincipalId is set)",
        ];

        var actual = new List<string>();
        foreach (var (resource, template) in Arm.OfType(await Arm.MainAsync(), "Microsoft.Authorization/roleAssignments"))
        {
            var properties = resource.GetProperty("properties");
            var principal = properties.GetProperty("principalId").GetString() switch
            {
                "[parameters('functionPrincipalId')]" => "function",
                "[parameters('deployerPrincipalId')]" => "deployer",
                var other => other,
            };
            var scope = ScopeType().Match(resource.GetProperty("scope").GetString()!) is { Success: true } m ? m.Groups[1].Value : resource.GetProperty("scope").GetString();
            var condition = resource.TryGetProperty("condition", out var c) ? c.GetString() : null;
            var suffix = condition switch
            {
                null => "",
                "[not(empty(parameters('deployerPrincipalId')))]" => " (if deployerPrincipalId is set)",
                var other => $" (if {other})",
            };
            actual.AddRange(RoleKeys(properties.GetProperty("roleDefinitionId").GetString()!, template).Select(role => $"{principal} {role} on {scope}{suffix}"));
        }

        var extra = actual.Except(expected, StringComparer.Ordinal).ToList();
        var lacking = expected.Except(actual, StringComparer.Ordinal).ToList();
        Assert.True(extra.Count == 0 && lacking.Count == 0 && actual.Count == expected.Length,
            $"role assignments differ from what each use needs.\nNot expected:\n  {string.Join("\n  ", extra)}\nMissing:\n  {string.Join("\n  ", lacking)}\nAll:\n  {string.Join("\n  ", actual)}");
    }

    // The roleDefinitionIds keys a roleDefinitionId expression names: one directly, or each element of a copy loop's array variable.
    private static IEnumerable<string> RoleKeys(string expression, System.Text.Json.JsonElement template)
    {
        if (RoleKey().Match(expression) is { Success: true } direct)
        {
            return [direct.Groups[1].Value];
        }

        var loop = LoopVariable().Match(expression);
        Assert.True(loop.Success, $"unexpected roleDefinitionId expression: {expression}");
        return template.GetProperty("variables").GetProperty(loop.Groups[1].Value).EnumerateArray()
            .Select(e => RoleKey().Match(e.GetString()!) is { Success: true } k ? k.Groups[1].Value : e.GetString()!);
    }

    [GeneratedRegex(@"variables\('roleDefinitionIds'\)\.(\w+)")]
    private static partial Regex RoleKey();

    [GeneratedRegex(@"variables\('(\w+)'\)\[copyIndex\(\)\]")]
    private static partial Regex LoopVariable();

    // "[resourceId('Microsoft.EventHub/namespaces/eventhubs', ...)]" → the scope's resource type.
    [GeneratedRegex(@"^\[resourceId\('([^']+)'")]
    private static partial Regex ScopeType();

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Guid();
}
