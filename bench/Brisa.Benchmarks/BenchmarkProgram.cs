using System.Globalization;
using System.Text;

namespace Brisa.Benchmarks;

/// <summary>A benchmark: measures, prints a Markdown table and returns its docs/benchmarks.md section.</summary>
internal interface IBenchmark
{
    string Name { get; }

    string Description { get; }

    BenchmarkReport Run(BenchmarkContext context);
}

/// <summary>What a run needs: sizes, output, where the repository is.</summary>
internal sealed record BenchmarkContext(bool Quick, TextWriter Log, Machine Machine, string RepositoryRoot, string CommandLine);

/// <summary>The lines every docs section starts with.</summary>
internal static class SectionText
{
    /// <summary>Appends when and where the section was measured (the machine, and the peer's version when there is one) and the exact command.</summary>
    public static StringBuilder AppendSectionHeader(this StringBuilder text, BenchmarkContext context, string? duckDbVersion = null, string? setting = null)
    {
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"Measured {BenchmarkProgram.Today()} on {context.Machine.Describe(duckDbVersion)}{setting}.");
        text.AppendLine();
        text.AppendLine(inv, $"Command: `{context.CommandLine}`");
        return text.AppendLine();
    }
}

/// <summary>The outcome of a benchmark: its docs section (Markdown, no heading) and whether its checks passed.</summary>
internal sealed record BenchmarkReport(string Section, bool ChecksPassed);

/// <summary>Entry point: <c>[name|all] [--quick] [--no-docs]</c>.</summary>
public static class BenchmarkProgram
{
    private static readonly IBenchmark[] All = [new IngestBenchmark(), new IngestPhasesBenchmark(), new IngestStorageBenchmark(), new TilesCodecBenchmark(), new PointInTimeBenchmark(), new MaterializeBenchmark(), new TrainBenchmark(), new ServingBenchmark(), new MemoryBenchmark()];

    /// <summary>Runs the benchmarks named in <paramref name="args"/>; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        if (args.Length > 0 && args[0] == MaterializeBenchmark.ChildFlag)
        {
            return MaterializeBenchmark.RunChild(args[1..], output);
        }

        var quick = args.Contains("--quick");
        var noDocs = args.Contains("--no-docs") || quick;
        var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        if (args.Contains("--help") || args.Contains("-h"))
        {
            PrintUsage(output);
            return 0;
        }

        var unknownFlag = args.FirstOrDefault(a => a.StartsWith("--", StringComparison.Ordinal) && a is not ("--quick" or "--no-docs"));
        if (unknownFlag is not null)
        {
            output.WriteLine($"error: unknown option '{unknownFlag}'");
            PrintUsage(output);
            return 2;
        }

        if (names.Count == 0 || names.Contains("all"))
        {
            names = [.. All.Select(b => b.Name)];
        }

        var selected = new List<IBenchmark>();
        foreach (var name in names)
        {
            var benchmark = All.FirstOrDefault(b => b.Name == name);
            if (benchmark is null)
            {
                output.WriteLine($"error: unknown benchmark '{name}'");
                PrintUsage(output);
                return 2;
            }

            selected.Add(benchmark);
        }

        var root = FindRepositoryRoot();
        var machine = Machine.Current();
        var commandLine = "dotnet run -c Release --project bench/Brisa.Benchmarks -- " + string.Join(' ', args.Length == 0 ? ["all"] : args);
        output.WriteLine($"# Brisa benchmarks{(quick ? " (quick: tiny sizes, docs not written)" : "")}");
        output.WriteLine($"machine: {machine.Describe()}");
        output.WriteLine($"command: {commandLine}");
        var context = new BenchmarkContext(quick, output, machine, root, commandLine);
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        var passed = true;
        foreach (var benchmark in selected)
        {
            output.WriteLine();
            output.WriteLine($"## {benchmark.Name}: {benchmark.Description}");
            var report = benchmark.Run(context);
            sections[benchmark.Name] = report.Section;
            passed &= report.ChecksPassed;
            output.WriteLine();
            output.WriteLine(report.Section);
        }

        if (!noDocs)
        {
            var path = Path.Combine(root, "docs", "benchmarks.md");
            BenchmarksDoc.Update(path, machine, sections);
            output.WriteLine($"updated {Path.GetRelativePath(Directory.GetCurrentDirectory(), path)} ({string.Join(", ", sections.Keys)})");
        }

        if (!passed)
        {
            output.WriteLine("error: a correctness check failed (see above)");
        }

        return passed ? 0 : 1;
    }

    internal static string Today() => DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static void PrintUsage(TextWriter output)
    {
        output.WriteLine("usage: " + BenchmarksDoc.Command.Replace("[--quick]", "[--quick] [--no-docs]", StringComparison.Ordinal));
        foreach (var b in All)
        {
            output.WriteLine($"  {b.Name,-12} {b.Description}");
        }
    }

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (Functions.sln) from the current directory or the program's.");
    }
}
