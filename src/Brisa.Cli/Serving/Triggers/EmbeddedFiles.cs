using System.Reflection;

namespace Brisa.Cli.Serving;

/// <summary>
/// Files of the Function App embedded in the CLI (see Brisa.Cli.csproj): <c>brisa serve</c> runs wherever the tool is
/// installed, far from the repository, and still reads the very <c>host.json</c> and <c>local.settings.json</c> the
/// Functions project ships.
/// </summary>
internal static class EmbeddedFiles
{
    /// <summary>The repository's <c>host.json</c>.</summary>
    public const string HostJson = "Brisa.host.json";

    /// <summary>Brisa.Functions' <c>local.settings.json</c>.</summary>
    public const string LocalSettingsJson = "Brisa.local.settings.json";

    /// <summary>The text of an embedded file.</summary>
    public static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The CLI was built without its embedded {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
