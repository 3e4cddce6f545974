using Brisa.Testing;
using YamlDotNet.RepresentationModel;

namespace Brisa.Functions.Tests;

/// <summary>docs/openapi.yaml describes exactly the HTTP functions of the generated functions.metadata, with their auth.</summary>
public sealed class OpenApiTests
{
    private static readonly Lazy<YamlMappingNode> Paths = new(LoadPaths);

    [Fact]
    public void OpenApi_EveryMetadataRoute_IsDocumentedWithItsMethods()
    {
        foreach (var (name, trigger) in FunctionsMetadataTests.HttpTriggers())
        {
            var path = "/api/" + trigger.GetProperty("route").GetString();
            Assert.True(Paths.Value.Children.ContainsKey(new YamlScalarNode(path)), $"{name}: {path} is not in docs/openapi.yaml");
            var operations = (YamlMappingNode)Paths.Value[path];
            foreach (var method in trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!))
            {
                Assert.True(operations.Children.ContainsKey(new YamlScalarNode(method)), $"{name}: {method} {path} is not in docs/openapi.yaml");
            }
        }
    }

    [Fact]
    public void OpenApi_EveryDocumentedOperation_IsAFunctionWithMatchingAuth()
    {
        var functions = FunctionsMetadataTests.HttpTriggers()
            .SelectMany(t => t.Trigger.GetProperty("methods").EnumerateArray().Select(m => (Key: $"{m.GetString()} /api/{t.Trigger.GetProperty("route").GetString()}", Auth: t.Trigger.GetProperty("authLevel").GetString())))
            .ToDictionary(x => x.Key, x => x.Auth);
        var documented = 0;
        foreach (var (path, node) in Paths.Value.Children)
        {
            foreach (var (method, operation) in ((YamlMappingNode)node).Children)
            {
                var key = $"{method} {path}";
                Assert.True(functions.TryGetValue(key, out var auth), $"docs/openapi.yaml documents {key}, which no function serves");

                // An operation with an empty 'security' list is anonymous; every other inherits the function key.
                var anonymous = ((YamlMappingNode)operation).Children.TryGetValue(new YamlScalarNode("security"), out var security)
                    && security is YamlSequenceNode { Children.Count: 0 };
                Assert.True(anonymous == (auth == "Anonymous"), $"{key}: documented {(anonymous ? "anonymous" : "with a key")}, function authLevel {auth}");
                documented++;
            }
        }

        Assert.Equal(functions.Count, documented);
    }

    private static YamlMappingNode LoadPaths()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, "docs", "openapi.yaml"));
        stream.Load(reader);
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.Equal("3.0.3", ((YamlScalarNode)root["openapi"]).Value);
        Assert.Equal("functionKey", ((YamlMappingNode)((YamlSequenceNode)root["security"])[0]).Children.Keys.Cast<YamlScalarNode>().First().Value);
        return (YamlMappingNode)root["paths"];
    }
}
