using System.Text;

namespace Brisa.Benchmarks;

/// <summary>
/// docs/benchmarks.md: a header (how to run, the machine of the latest run) and one <c>## name</c> section per
/// benchmark. A run replaces the sections it measured and leaves every other section as it is.
/// </summary>
internal static class BenchmarksDoc
{
    public const string Command = "dotnet run -c Release --project bench/Brisa.Benchmarks -- [name|all] [--quick]";

    /// <summary>Sections in their documented order; a section not listed goes after these.</summary>
    private static readonly string[] Order = ["ingest", "ingest-phases", "ingest-storage", "tiles-codec", "pit", "materialize", "train", "serving", "memory"];

    public static string Header(Machine machine) => $"""
        # Benchmarks

        Measured by `bench/Brisa.Benchmarks`, an in-process harness: per case, untimed preparation (fresh state, full GC),
        one or more discarded warm-up runs (JIT tiering, page cache), then N timed runs; we quote the **median** (min–max
        beside it). Managed allocations come from the runtime's GC counters, CPU time and peak working set from the
        process. Peers (DuckDB, raw SDK calls to the same Azurite) run in the same process, on the same data, in the same run, so ratios hold when the
        machine's speed drifts. The machines here are shared and noisy: trust medians and ratios over absolute numbers.

        How to run (Release; one benchmark, or all):

        ```
        {Command}
        ```

        `--quick` runs tiny sizes (a smoke run: nothing is written here). Each run rewrites the header and the sections
        of the benchmarks it ran; other sections are kept. Each section names its machine, date and exact command.

        Latest run's machine: {machine.Describe()}.

        """;

    /// <summary>Writes <paramref name="sections"/> (name → body without its heading) into the file.</summary>
    public static void Update(string path, Machine machine, IReadOnlyDictionary<string, string> sections)
    {
        var existing = File.Exists(path) ? Parse(File.ReadAllText(path)) : new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, body) in sections)
        {
            existing[name] = body;
        }

        foreach (var name in Order)
        {
            existing.TryAdd(name, "_Not measured yet._\n");
        }

        var text = new StringBuilder(Header(machine)).Append('\n');
        foreach (var name in existing.Keys.OrderBy(n => Array.IndexOf(Order, n) is var i && i < 0 ? int.MaxValue : i).ThenBy(n => n, StringComparer.Ordinal))
        {
            text.Append("## ").Append(name).Append("\n\n").Append(existing[name].Trim()).Append("\n\n");
        }

        File.WriteAllText(path, text.ToString().TrimEnd() + "\n");
    }

    private static Dictionary<string, string> Parse(string text)
    {
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        var body = new StringBuilder();
        var inFence = false;
        foreach (var line in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }

            if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
            {
                if (current is not null)
                {
                    sections[current] = body.ToString();
                }

                current = line[3..].Trim();
                body.Clear();
                continue;
            }

            if (current is not null)
            {
                body.Append(line).Append('\n');
            }
        }

        if (current is not null)
        {
            sections[current] = body.ToString();
        }

        return sections;
    }
}
