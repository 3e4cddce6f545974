using System.Reflection;
using System.Text.Json;
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

    /// <summary>Every binding of every function in the generated functions.metadata, with its function's name.</summary>
    public static IEnumerable<(string Function, JsonElement Binding)> Bindings()
    {
        using var stream = File.OpenRead(Path.Combine(OutputDirectory, "functions.metadata"));
        using var document = JsonDocument.Parse(stream);
        foreach (var function in document.RootElement.Clone().EnumerateArray())
        {
            var name = function.GetProperty("name").GetString()!;
            foreach (var binding in function.GetProperty("bindings").EnumerateArray())
            {
                yield return (name, binding);
            }
        }
    }
}
