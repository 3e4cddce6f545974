using System.Text.Json;

namespace Brisa.Cli.Tests.Serving;

/// <summary>
/// One request of the shared HTTP suite and what must come back. <c>{customer}</c>, <c>{merchant}</c>,
/// <c>{version}</c> and <c>{now}</c> in the path and body are replaced by the fixture's values.
/// </summary>
/// <param name="Name">The case name (the theory's data).</param>
/// <param name="Method">GET or POST.</param>
/// <param name="Path">Path under <c>/api/</c>, with its query.</param>
/// <param name="Body">The body, or null.</param>
/// <param name="ContentType">The body's content type.</param>
/// <param name="Status">Expected status.</param>
/// <param name="Problem">Expected problem type suffix (after <c>https://brisa.dev/problems/</c>) and title; null for success.</param>
/// <param name="Check">Checks on the JSON body with the fixture's values.</param>
public sealed record HttpCase(
    string Name,
    string Method,
    string Path,
    string? Body,
    string? ContentType,
    int Status,
    (string Type, string Title)? Problem = null,
    Action<JsonElement, IReadOnlyDictionary<string, string>>? Check = null)
{
    /// <summary>Headers every case sends (a fixed request id keeps predict answers comparable).</summary>
    public static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string> { ["x-request-id"] = "suite-request" };

    /// <summary>The text with the fixture's values filled in.</summary>
    public static string Fill(string text, IReadOnlyDictionary<string, string> values) =>
        values.Aggregate(text, (t, v) => t.Replace("{" + v.Key + "}", v.Value, StringComparison.Ordinal));
}
