using System.Text.RegularExpressions;
using Brisa.Testing;

namespace Brisa.Infra.Tests;

/// <summary>
/// Every action a workflow runs from another repository is pinned to a full commit: a tag can be moved to other code,
/// and the deploy jobs run their actions with an Azure session (OIDC) that reaches prod. The exceptions are pinned to
/// a full release tag at least, never a moving major tag such as <c>@v1</c>.
/// </summary>
public sealed partial class WorkflowActionsTests
{
    // Pinned to a release tag, not yet to a commit, each with its reason (docs/deploy.md, "Pinned actions").
    private static readonly Dictionary<string, string> TagPinned = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Azure/functions-action"] = "its release commit could not be looked up where it was pinned (no network)",
    };

    [Theory]
    [MemberData(nameof(WorkflowPermissionsTests.Workflows), MemberType = typeof(WorkflowPermissionsTests))]
    public void Actions_FromOtherRepositories_PinnedToACommit(string workflow)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, ".github", "workflows", workflow));

        var unpinned = Uses().Matches(text)
            .Select(m => m.Groups["ref"].Value)
            .Where(reference => !reference.StartsWith("./", StringComparison.Ordinal))
            .Where(reference => !Pinned().IsMatch(reference) && !(TagPinned.ContainsKey(reference.Split('@')[0]) && ReleaseTag().IsMatch(reference)))
            .ToList();

        Assert.True(unpinned.Count == 0, $"{workflow}: pin to a full commit SHA, with the version as a comment (uses: owner/action@<40 hex> # vX.Y.Z), or for the listed exceptions to a full release tag (@vX.Y.Z): {string.Join(", ", unpinned)}");
    }

    [Theory]
    [MemberData(nameof(WorkflowPermissionsTests.Workflows), MemberType = typeof(WorkflowPermissionsTests))]
    public void Checkout_LeavesNoTokenInTheClone(string workflow)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, ".github", "workflows", workflow));

        var checkouts = Uses().Matches(text).Count(m => m.Groups["ref"].Value.StartsWith("actions/checkout@", StringComparison.Ordinal));

        // Restore, build and (on pull requests) the branch's own code run after the checkout: none of them needs the token.
        Assert.Equal(checkouts, Regex.Matches(text, @"actions/checkout@\S+[^\n]*\n\s+with:\n\s+persist-credentials: false\n").Count);
    }

    [GeneratedRegex(@"^\s*(?:-\s+)?uses:\s*(?<ref>\S+)", RegexOptions.Multiline)]
    private static partial Regex Uses();

    [GeneratedRegex("^[^@]+@[0-9a-f]{40}$")]
    private static partial Regex Pinned();

    [GeneratedRegex(@"^[^@]+@v\d+\.\d+\.\d+$")]
    private static partial Regex ReleaseTag();
}
