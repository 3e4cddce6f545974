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

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Guid();
}
