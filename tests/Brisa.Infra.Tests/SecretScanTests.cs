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

    /// <summary>
    /// The whole repository (source, samples, docs, tests, scripts): no credential value. Names and templates of
    /// settings are fine there; a value is not. Azurite's documented development key is public and allowed.
    /// </summary>
    [Fact]
    public void Repository_HasNoCredentialValue()
    {
        var skipped = new[] { "bin", "obj", "node_modules", ".git", "TestResults" };
        var hits = new List<string>();
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Root, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepositoryPaths.Root, file).Replace('\\', '/');
            if (relative.Split('/').Any(part => skipped.Contains(part, StringComparer.Ordinal)) || new FileInfo(file).Length > 2_000_000)
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            hits.AddRange(lines.Select((line, i) => (line, i))
                .Where(x => CredentialValue().IsMatch(x.line.Replace(AzuriteDevelopmentKey, "", StringComparison.Ordinal)))
                .Select(x => $"{relative}:{x.i + 1}: {x.line.Trim()}"));
        }

        Assert.True(hits.Count == 0, "credential values in the repository:\n" + string.Join('\n', hits));
    }

    [Theory]
    [InlineData("AccountKey=" + "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0")]
    [InlineData("SharedAccessKey=" + "dGhpcyBpcyBhIHNoYXJlZCBhY2Nlc3Mga2V5IHZhbHVl")]
    [InlineData("https://x.blob.core.windows.net/c?sv=2022-11-02&sig=" + "abcDEF123%3D")]
    [InlineData("-----BEGIN RSA " + "PRIVATE KEY-----")]
    public void CredentialValue_CatchesRealLookingValues(string sample) => Assert.Matches(CredentialValue(), sample);

    [Theory]
    [InlineData("AzureWebJobsStorage=DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc==")]
    [InlineData("Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=abc")]
    [InlineData("https://x.blob.core.windows.net/c?sv=2022-11-02&sig=abc%3D")]
    [InlineData("value: storage.listKeys().keys[0].value")]
    [InlineData("client-secret: ${{ secrets.AZURE_CLIENT_SECRET }}")]
    [InlineData("InstrumentationKey=00000000-0000-0000-0000-000000000000")]
    [InlineData("publish-profile: ${{ secrets.PUBLISH_PROFILE }}")]
    public void Pattern_CatchesTypicalSecrets(string sample) => Assert.Matches(SecretPattern(), sample);

    private const string AzuriteDevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    // A key, a signature or a private key with its value: 20+ characters of base64 or a PEM header.
    [GeneratedRegex(@"(AccountKey|SharedAccessKey)\s*=\s*[A-Za-z0-9+/]{20,}|[?&]sig=[A-Za-z0-9%+/]{8,}|-----BEGIN [A-Z ]*PRIVATE KEY-----")]
    private static partial Regex CredentialValue();

    [GeneratedRegex(@"AccountKey\s*=|SharedAccessKey(Name)?\s*=|SharedAccessSignature|[?&]sig=|listKeys\s*\(|listkeys\b|list(Connection|Secret)s?\s*\(|client[-_]?secret|AZURE_CLIENT_SECRET|InstrumentationKey\s*=|DefaultEndpointsProtocol=|publish[-_]?profile|-----BEGIN [A-Z ]*PRIVATE KEY|\bsecrets\.(?!GITHUB_TOKEN\b)[A-Z_]+|password\s*[:=]\s*\S", RegexOptions.IgnoreCase)]
    private static partial Regex SecretPattern();
}
