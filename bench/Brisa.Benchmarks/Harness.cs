using System.Diagnostics;
using System.Globalization;

namespace Brisa.Benchmarks;

/// <summary>Per-run figures a benchmark body reports besides its wall time (e.g. a decode/apply split), by name.</summary>
internal sealed class RunFigures
{
    private readonly Dictionary<string, double> figures = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, double> Values => figures;

    public void Add(string name, double value) => figures[name] = figures.GetValueOrDefault(name) + value;
}

/// <summary>The result of one measured benchmark case: every run's wall time and figures.</summary>
internal sealed class Measurement
{
    public required string Name { get; init; }

    /// <summary>Items (events, operations) processed by one run; rates are items / seconds.</summary>
    public required double Items { get; init; }

    public required double[] Seconds { get; init; }

    /// <summary>Managed bytes allocated per run (median); on the measuring thread when single-threaded.</summary>
    public required double AllocatedBytes { get; init; }

    /// <summary>Process CPU time / wall time (median): about 1 for a single-threaded body on an idle machine, less when it had to share the core.</summary>
    public required double CpuPerWall { get; init; }

    /// <summary>Process CPU seconds per run (median), all threads.</summary>
    public required double CpuSeconds { get; init; }

    /// <summary>Items per CPU second (median run): less sensitive than <see cref="Rate"/> to other load on a shared machine.</summary>
    public double RatePerCpuSecond => Items / CpuSeconds;

    /// <summary>Garbage collections (of any generation) during the timed runs, in total.</summary>
    public required int Collections { get; init; }

    /// <summary>Minor page faults of the process per run (median): fresh pages written for the first time; NaN where the OS does not report them.</summary>
    public required double PageFaults { get; init; }

    /// <summary>Peak working set of the process so far, after the runs.</summary>
    public required long PeakWorkingSet { get; init; }

    public required IReadOnlyList<RunFigures> Figures { get; init; }

    public double Median => Stats.Median(Seconds);

    public double Min => Seconds.Min();

    public double Max => Seconds.Max();

    /// <summary>Items per second at the median run (and at the fastest and slowest).</summary>
    public double Rate => Items / Median;

    public double RateMin => Items / Max;

    public double RateMax => Items / Min;

    /// <summary>The median of a per-run figure over the runs.</summary>
    public double Figure(string name) => Stats.Median(Figures.Select(f => f.Values.GetValueOrDefault(name)).ToArray());
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

/// <summary>One case to measure: a name, the items one run processes, and the untimed preparation that returns the timed body.</summary>
/// <param name="Name">The case name.</param>
/// <param name="Items">Items one run processes.</param>
/// <param name="SingleThreaded">True when the body runs on the calling thread only (allocations are then counted on it).</param>
/// <param name="Prepare">Untimed: builds fresh state and returns the timed body, which may add figures.</param>
internal sealed record BenchmarkCase(string Name, double Items, bool SingleThreaded, Func<Action<RunFigures>> Prepare);

/// <summary>
/// A small, honest harness: untimed preparation before each run (fresh state, full GC), warm-up runs that are
/// discarded (tiered JIT, page cache), then N timed runs; wall time by <see cref="Stopwatch"/>, managed allocations
/// by <see cref="GC.GetAllocatedBytesForCurrentThread"/> (single-threaded bodies) or
/// <see cref="GC.GetTotalAllocatedBytes(bool)"/>, CPU time and peak working set from <see cref="Process"/>, page faults
/// from /proc/self/stat.
/// </summary>
internal static class Harness
{
    /// <summary>Measures a case.</summary>
    /// <param name="name">The case name.</param>
    /// <param name="items">Items one run processes.</param>
    /// <param name="warmup">Discarded runs.</param>
    /// <param name="runs">Timed runs.</param>
    /// <param name="singleThreaded">True when the body runs on the calling thread only (allocations are then counted on it).</param>
    /// <param name="prepare">Untimed: builds fresh state and returns the timed body, which may add figures.</param>
    /// <param name="log">Progress output.</param>
    public static Measurement Measure(string name, double items, int warmup, int runs, bool singleThreaded, Func<Action<RunFigures>> prepare, TextWriter log) =>
        MeasureAlternating(warmup, runs, log, new BenchmarkCase(name, items, singleThreaded, prepare))[0];

    /// <summary>
    /// Measures cases run after run in turn (A, B, A, B, …) rather than one block after the other, so that load from
    /// elsewhere on a shared machine falls on all of them alike and run i of one case pairs with run i of the others.
    /// </summary>
    /// <param name="warmup">Discarded runs of each case.</param>
    /// <param name="runs">Timed runs of each case.</param>
    /// <param name="log">Progress output.</param>
    /// <param name="cases">The cases, in the order each round runs them.</param>
    /// <returns>One measurement per case, in the same order.</returns>
    public static Measurement[] MeasureAlternating(int warmup, int runs, TextWriter log, params BenchmarkCase[] cases)
    {
        var recorders = cases.Select(c => new Recorder(c)).ToArray();
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < warmup + runs; i++)
        {
            foreach (var recorder in recorders)
            {
                recorder.RunOnce(process, i < warmup ? "warm-up" : $"run {i - warmup + 1}/{runs}", timed: i >= warmup, log);
            }
        }

        process.Refresh();
        return [.. recorders.Select(r => r.Result(process.PeakWorkingSet64))];
    }

    private static int GcCount() => GC.CollectionCount(0);

    private sealed class Recorder(BenchmarkCase benchmarkCase)
    {
        private readonly List<double> seconds = [];
        private readonly List<double> allocated = [];
        private readonly List<double> cpu = [];
        private readonly List<double> cpuTotal = [];
        private readonly List<RunFigures> figures = [];
        private readonly List<double> pageFaults = [];
        private int collections;

        public void RunOnce(Process process, string label, bool timed, TextWriter log)
        {
            var singleThreaded = benchmarkCase.SingleThreaded;
            var body = benchmarkCase.Prepare();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var run = new RunFigures();
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;

            // Read before the allocation counter and after it, as reading the file allocates.
            var faults0 = MemoryProbe.MinorFaults();
            var alloc0 = singleThreaded ? GC.GetAllocatedBytesForCurrentThread() : GC.GetTotalAllocatedBytes(precise: true);
            var gc0 = GcCount();
            var start = Stopwatch.GetTimestamp();
            body(run);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var gcDelta = GcCount() - gc0;
            var alloc1 = singleThreaded ? GC.GetAllocatedBytesForCurrentThread() : GC.GetTotalAllocatedBytes(precise: true);
            var faults = MemoryProbe.MinorFaults() - faults0;
            process.Refresh();
            var cpuSeconds = (process.TotalProcessorTime - cpu0).TotalSeconds;
            log.WriteLine($"  {benchmarkCase.Name}: {label} {elapsed:F3} s, {benchmarkCase.Items / elapsed:N0}/s, cpu {cpuSeconds:F3} s, page faults {(faults is { } f ? f.ToString("N0", CultureInfo.InvariantCulture) : "n/a")}");
            if (!timed)
            {
                return;
            }

            seconds.Add(elapsed);
            collections += gcDelta;
            allocated.Add(alloc1 - alloc0);
            cpu.Add(cpuSeconds / elapsed);
            cpuTotal.Add(cpuSeconds);
            figures.Add(run);
            pageFaults.Add(faults ?? double.NaN);
        }

        public Measurement Result(long processPeakWorkingSet) => new()
        {
            Name = benchmarkCase.Name,
            Items = benchmarkCase.Items,
            Seconds = [.. seconds],
            AllocatedBytes = Stats.Median(allocated),
            CpuPerWall = Stats.Median(cpu),
            CpuSeconds = Stats.Median(cpuTotal),
            Collections = collections,
            PageFaults = Stats.Median(pageFaults),
            PeakWorkingSet = processPeakWorkingSet,
            Figures = figures,
        };
    }
}
