namespace Brisa.Cli;

/// <summary>Locates the samples shipped with Brisa (in a clone, or next to the installed tool).</summary>
public static class SamplePaths
{
    /// <summary>The fraud sample's definitions file.</summary>
    public static string FraudDefinitions()
    {
        var relative = Path.Combine("samples", "fraud", "features.yaml");
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException($"The sample definitions ({relative}) were not found; pass --definitions <file>.");
    }
}
