using System.Text.Json;
using System.Text.RegularExpressions;
using Brisa.Core.Definitions;
using Brisa.Testing;

namespace Brisa.Infra.Tests;

/// <summary>
/// The CI workflow's problem matcher (<c>.github/brisa-definitions.json</c>) reads what <c>brisa validate</c> prints:
/// every loader diagnostic must give GitHub its file, line, column, severity, code and message.
/// </summary>
public sealed class ProblemMatcherTests
{
    private static readonly string MatcherPath = Path.Combine(RepositoryPaths.Root, ".github", "brisa-definitions.json");

    [Fact]
    public void DefinitionsMatcher_LoaderDiagnostics_YieldFileLineColumnSeverityCodeAndMessage()
    {
        using var matcher = JsonDocument.Parse(File.ReadAllText(MatcherPath));
        var pattern = matcher.RootElement.GetProperty("problemMatcher")[0].GetProperty("pattern")[0];
        var regex = new Regex(pattern.GetProperty("regexp").GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1));
        string Group(Match match, string name) => match.Groups[pattern.GetProperty(name).GetInt32()].Value;
        const string FileName = "samples/broken/features.yaml";
        var broken = "project: x\nentities:\n  - name: customer\n    join_key: customer_id\nfeature_views:\n  - name: v\n    entity: custmer\n    tile: 90s\n";

        var diagnostics = DefinitionLoader.Parse(broken, FileName).Diagnostics;

        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, diagnostic =>
        {
            var match = regex.Match(diagnostic.ToString());
            Assert.True(match.Success, diagnostic.ToString());
            Assert.Equal(FileName, Group(match, "file"));
            Assert.Equal(diagnostic.Line > 0 ? diagnostic.Line.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty, Group(match, "line"));
            Assert.Equal(diagnostic.Line > 0 ? diagnostic.Column.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty, Group(match, "column"));
            Assert.Equal(diagnostic.IsError ? "error" : "warning", Group(match, "severity"));
            Assert.Equal(diagnostic.Code, Group(match, "code"));
            Assert.StartsWith(diagnostic.Message, Group(match, "message"), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void CiWorkflow_ValidateStep_AddsTheMatcherFirst()
    {
        var ci = File.ReadAllText(Path.Combine(RepositoryPaths.Root, ".github", "workflows", "ci.yml"));

        var added = ci.IndexOf("::add-matcher::.github/brisa-definitions.json", StringComparison.Ordinal);
        var validated = ci.IndexOf("-- validate samples/fraud/features.yaml", StringComparison.Ordinal);

        Assert.True(added >= 0 && validated > added, "ci.yml must add the problem matcher before 'brisa validate' runs");
        Assert.True(File.Exists(MatcherPath));
    }
}
