namespace Brisa.Testing;

/// <summary>Finds files of the repository from a test's output folder.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder that holds Functions.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The fraud sample's definitions file.</summary>
    public static string FraudDefinitions => Path.Combine(Root, "samples", "fraud", "features.yaml");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Functions.sln not found above " + AppContext.BaseDirectory);
    }
}
