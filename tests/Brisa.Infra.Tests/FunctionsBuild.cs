using System.Reflection;
using Brisa.Testing;

namespace Brisa.Infra.Tests;

/// <summary>The build output of src/Brisa.Functions (this project references it, so it is built first, in the same configuration).</summary>
public static class FunctionsBuild
{
    /// <summary>The output folder, e.g. src/Brisa.Functions/bin/Debug/net10.0; fails the test if it was not built.</summary>
    public static string OutputDirectory
    {
        get
        {
            var configuration = typeof(FunctionsBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
            var path = Path.Combine(RepositoryPaths.Root, "src", "Brisa.Functions", "bin", configuration, "net10.0");
            Assert.True(File.Exists(Path.Combine(path, "functions.metadata")), $"{path}/functions.metadata not found: build src/Brisa.Functions ({configuration}) first.");
            return path;
        }
    }
}
