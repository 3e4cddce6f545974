using System.Text.Json;
using Brisa.Testing;

namespace Brisa.Functions.Tests;

/// <summary>
/// src/Brisa.Functions/README.md's table of functions is the generated <c>functions.metadata</c>: one row per function,
/// each naming its trigger as bound (HTTP route, timer schedule, queue, event hub), and no function that does not exist.
/// </summary>
public sealed class FunctionsReadmeTests
{
    [Fact]
    public void Readme_FunctionTable_NamesEveryFunctionWithItsTrigger()
    {
        var rows = TableRows();
        var functions = Metadata().ToList();

        Assert.Equal(functions.Select(f => f.Name).Order(), rows.SelectMany(r => r.Names).Order());
        foreach (var (name, trigger) in functions)
        {
            var row = rows.Single(r => r.Names.Contains(name)).Text;
            var shown = trigger.GetProperty("type").GetString() switch
            {
                "httpTrigger" => "/api/" + trigger.GetProperty("route").GetString(),
                "timerTrigger" => trigger.GetProperty("schedule").GetString(),
                "queueTrigger" => "queue `" + trigger.GetProperty("queueName").GetString() + "`",
                "eventHubTrigger" => "hub `" + trigger.GetProperty("eventHubName").GetString() + "`",
                var type => throw new InvalidOperationException($"{name}: a {type} the README test does not know"),
            };
            Assert.True(row.Contains(shown!, StringComparison.Ordinal), $"{name}: its README row does not show {shown}:\n{row}");
        }
    }

    // Rows of the table under "| function | trigger | calls |": the backticked names of the first column, and the row.
    private static List<(string[] Names, string Text)> TableRows()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "src", "Brisa.Functions", "README.md"));
        var header = Array.IndexOf(lines, "| function | trigger | calls |");
        Assert.True(header >= 0, "src/Brisa.Functions/README.md has no '| function | trigger | calls |' table");
        return [.. lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => (l.Split('|')[1].Split(',').Select(n => n.Trim().Trim('`')).ToArray(), l))];
    }

    private static IEnumerable<(string Name, JsonElement Trigger)> Metadata()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));
        foreach (var function in document.RootElement.EnumerateArray())
        {
            var trigger = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            yield return (function.GetProperty("name").GetString()!, trigger.Clone());
        }
    }
}
