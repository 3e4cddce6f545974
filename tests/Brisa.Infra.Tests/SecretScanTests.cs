using System.Text.RegularExpressions;
using Brisa.Testing;

namespace Brisa.Infra.Tests;

/// <summary>No secret-looking value in infra/ or .github/: every connection is identity-based, every login is OIDC.</summary>
public sealed partial class SecretScanTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "infra", ".github" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, dir), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(RepositoryPaths.Root, file).Replace('\\', '/'));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void File_HasNoSecretLookingValue(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, file));
        var hits = lines.Select((line, i) => (line, i))
            .Where(x => SecretPattern().IsMatch(x.line))
            .Select(x => $"{file}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(hits.Count == 0, "secret-looking values:\n" + string.Join('\n', hits));
    }

    [Theory]
    [InlineData("AzureWebJobsStorage=DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc==")]
    [InlineData("Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=abc")]
    [InlineData("https://x.blob.core.windows.net/c?sv=2022-11-02&sig=abc%3D")]
    [InlineData("value: storage.listKeys().keys[0].value")]
    [InlineData("client-secret: ${{ secrets.AZURE_CLIENT_SECRET }}")]
    [InlineData("InstrumentationKey=00000000-0000-0000-0000-000000000000")]
    [InlineData("publish-profile: ${{ secrets.PUBLISH_PROFILE }}")]
    public void Pattern_CatchesTypicalSecrets(string sample) => Assert.Matches(SecretPattern(), sample);

    [GeneratedRegex(@"AccountKey\s*=|SharedAccessKey(Name)?\s*=|SharedAccessSignature|[?&]sig=|listKeys\s*\(|listkeys\b|list(Connection|Secret)s?\s*\(|client[-_]?secret|AZURE_CLIENT_SECRET|InstrumentationKey\s*=|DefaultEndpointsProtocol=|publish[-_]?profile|-----BEGIN [A-Z ]*PRIVATE KEY|\bsecrets\.(?!GITHUB_TOKEN\b)[A-Z_]+|password\s*[:=]\s*\S", RegexOptions.IgnoreCase)]
    private static partial Regex SecretPattern();
}
