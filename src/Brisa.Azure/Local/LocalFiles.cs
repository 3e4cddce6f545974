namespace Brisa.Azure.Local;

/// <summary>Finds files of a Brisa checkout (samples, node_modules) from wherever the tool runs.</summary>
public static class LocalFiles
{
    /// <summary>
    /// The first existing <paramref name="relativePath"/> in the current folder, next to the program, or in a folder
    /// above either; null when there is none.
    /// </summary>
    public static string? FindAbove(string relativePath)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
