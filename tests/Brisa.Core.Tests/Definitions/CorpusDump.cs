using Brisa.Core.Definitions;
using Xunit.Abstractions;

namespace Brisa.Core.Tests.Definitions;

public class CorpusDump(ITestOutputHelper output)
{
    [Fact]
    public void Dump()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Definitions", "Corpus"), "*.yaml").Order())
        {
            output.WriteLine("=== " + Path.GetFileName(file));
            foreach (var d in DefinitionLoader.Load(file).Diagnostics)
            {
                output.WriteLine("#! " + d);
            }
        }
    }
}
