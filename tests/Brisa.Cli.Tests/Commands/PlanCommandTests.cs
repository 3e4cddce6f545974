using Azure.Storage;
using Azure.Storage.Sas;
using Brisa.Azure.Registry;
using Brisa.Core.Definitions;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Commands;

/// <summary>
/// <c>brisa plan</c> only reads: against configured storage it runs with read-only data access (the identity a pull
/// request's plan can be given), so it creates nothing where containers are missing either.
/// </summary>
public sealed class PlanCommandTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Plan_ReadOnlyAccess_PlansAgainstTheDeployedRegistry()
    {
        var sample = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
        await DefinitionRegistry.For(azurite.Storage).ApplyAsync(sample, "deployed", DateTimeOffset.UtcNow);

        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(2), ReadOnly(), "plan", RepositoryPaths.FraudDefinitions);

        Assert.True(exitCode == 0, output);
        Assert.Contains("No changes.", output, StringComparison.Ordinal);
    }

    // An account SAS that can read and list, nothing else (Azurite checks a SAS's permissions as Azure does).
    private string ReadOnly()
    {
        var settings = azurite.ConnectionString.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var sas = new AccountSasBuilder(AccountSasPermissions.Read | AccountSasPermissions.List, DateTimeOffset.UtcNow.AddHours(1), AccountSasServices.All, AccountSasResourceTypes.All)
            .ToSasQueryParameters(new StorageSharedKeyCredential(settings["AccountName"], settings["AccountKey"]))
            .ToString();
        return $"BlobEndpoint={settings["BlobEndpoint"]};QueueEndpoint={settings["QueueEndpoint"]};TableEndpoint={settings["TableEndpoint"]};SharedAccessSignature={sas}";
    }
}
