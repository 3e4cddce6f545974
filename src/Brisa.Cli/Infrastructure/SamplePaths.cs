using Brisa.Azure.Local;

namespace Brisa.Cli;

/// <summary>Locates the samples shipped with Brisa (in a clone, or next to the installed tool).</summary>
public static class SamplePaths
{
    /// <summary>The fraud sample's definitions file.</summary>
    public static string FraudDefinitions()
    {
        var relative = Path.Combine("samples", "fraud", "features.yaml");
        return LocalFiles.FindAbove(relative)
            ?? throw new FileNotFoundException($"The sample definitions ({relative}) were not found; pass --definitions <file>.");
    }
}
