using System.Text.Json;

namespace Brisa.Cli.Serving;

/// <summary>
/// The app settings' local defaults: the <c>Values</c> of Brisa.Functions' <c>local.settings.json</c>, which Core Tools
/// would load. <c>brisa serve</c> puts them beneath everything else (the environment, then its own options), so a
/// schedule such as <c>Brisa:MaterializeSchedule</c> has its local value unless <c>Brisa__MaterializeSchedule</c> is set.
/// </summary>
public static class LocalSettings
{
    // Storage is chosen by the command (AzureWebJobsStorage in the environment, else its own Azurite), never by the
    // file's UseDevelopmentStorage=true, which points at an emulator on fixed ports that may not be running.
    private static readonly HashSet<string> Excluded = new(StringComparer.OrdinalIgnoreCase) { "AzureWebJobsStorage" };

    /// <summary>The embedded file's values, as configuration keys.</summary>
    public static IReadOnlyDictionary<string, string?> Defaults() => Parse(EmbeddedFiles.Read(EmbeddedFiles.LocalSettingsJson));

    /// <summary>
    /// The values of a <c>local.settings.json</c> text. Core Tools turn each into an environment variable, so a
    /// <c>__</c> in a name is a section separator as in any environment variable: it becomes <c>:</c> here.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Parse(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (document.RootElement.TryGetProperty("Values", out var section))
        {
            foreach (var value in section.EnumerateObject().Where(v => !Excluded.Contains(v.Name)))
            {
                values[value.Name.Replace("__", ":", StringComparison.Ordinal)] = value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString() : value.Value.GetRawText();
            }
        }

        return values;
    }
}
