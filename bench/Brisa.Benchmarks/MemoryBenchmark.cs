using System.Globalization;
using System.Text;

namespace Brisa.Benchmarks;

/// <summary>
/// The machine's memory, for reading the other sections: how long one cache miss takes as the working set grows, how
/// many misses overlap, and what the first touch of a fresh page costs. The ingest path at the documented size
/// waits on exactly these (its state does not fit in the caches, and each run builds it in fresh memory).
/// </summary>
internal sealed class MemoryBenchmark : IBenchmark
{
    private const long KiB = 1024;
    private const long MiB = 1024 * KiB;

    public string Name => "memory";

    public string Description => "the machine's memory: load latency by working set, overlapping misses, first touch of a page";

    public BenchmarkReport Run(BenchmarkContext context)
    {
        var log = context.Log;
        var (sizes, steps, reads, touchBytes, runs) = context.Quick
            ? (new[] { 256 * KiB, 4 * MiB }, 200_000, 200_000, 16 * MiB, 2)
            : (new[] { 256 * KiB, 4 * MiB, 32 * MiB, 256 * MiB }, 2_000_000, 8_000_000, 256 * MiB, 5);
        var inv = CultureInfo.InvariantCulture;
        var checksPassed = true;
        var rows = new List<string>();
        int[]? largest = null;
        var dependentLargest = 0.0;
        foreach (var size in sizes)
        {
            var chase = MemoryProbe.BuildChase(size, seed: 42);
            if (size <= 4 * MiB && MemoryProbe.CycleLength(chase) != chase.Length / 16)
            {
                log.WriteLine($"  check failed: the {size / KiB:N0} KiB chase is not one cycle through every line");
                checksPassed = false;
            }

            MemoryProbe.DependentLoadNanoseconds(chase, steps / 4, out _);
            var ns = new double[runs];
            for (var r = 0; r < runs; r++)
            {
                ns[r] = MemoryProbe.DependentLoadNanoseconds(chase, steps, out _);
            }

            log.WriteLine($"  dependent loads over {Describe(size)}: {Stats.Median(ns):F1} ns ({string.Join(", ", ns.Select(v => v.ToString("F1", inv)))})");
            dependentLargest = Stats.Median(ns);
            rows.Add($"| {Describe(size)} | {dependentLargest:F1} | {ns.Min():F1}–{ns.Max():F1} |");
            largest = chase;
        }

        var independent = new double[runs];
        for (var r = 0; r < runs; r++)
        {
            independent[r] = MemoryProbe.IndependentLoadNanoseconds(largest!, reads, out _);
        }

        log.WriteLine($"  independent loads over {Describe(sizes[^1])}: {Stats.Median(independent):F1} ns");
        largest = null;
        GC.Collect();

        var touches = new (double FirstTouchMicroseconds, double SecondTouchNanoseconds, double FaultsPerPage)[runs];
        for (var r = 0; r < runs; r++)
        {
            touches[r] = MemoryProbe.TouchPages(touchBytes);
            log.WriteLine($"  first touch of {Describe(touchBytes)}: {touches[r].FirstTouchMicroseconds:F2} µs/page, again {touches[r].SecondTouchNanoseconds:F0} ns/page, {touches[r].FaultsPerPage:F2} faults/page");
        }

        var firstTouch = Stats.Median(touches.Select(t => t.FirstTouchMicroseconds).ToArray());
        var secondTouch = Stats.Median(touches.Select(t => t.SecondTouchNanoseconds).ToArray());
        var faultsPerPage = Stats.Median(touches.Select(t => t.FaultsPerPage).ToArray());

        var text = new StringBuilder();
        text.AppendSectionHeader(context);
        text.AppendLine(inv, $"What one cache miss costs on this machine, for reading the other sections. One thread; median of " +
            $"{runs} runs (min–max). *Dependent loads*: a pointer chase through every 64-byte line of the working set in one random cycle " +
            $"(`int[]`, each line holding the next line's index), so each load waits for the one before: the latency of one access. " +
            $"*Independent loads*: random lines of the largest working set whose addresses do not depend on each other, so the core overlaps their misses. " +
            $"*First touch*: one write per 4 KiB page of a fresh native block (glibc maps large blocks straight from the kernel), then the same writes again.");
        text.AppendLine();
        text.AppendLine("| working set | dependent load, ns (median) | min–max |");
        text.AppendLine("|---|---|---|");
        foreach (var row in rows)
        {
            text.AppendLine(row);
        }

        text.AppendLine();
        var independentMedian = Stats.Median(independent);
        text.AppendLine(inv, $"- Independent loads over {Describe(sizes[^1])}: **{independentMedian:F1} ns** per load ({independent.Min():F1}–{independent.Max():F1}), " +
            $"{dependentLargest / independentMedian:F1}× faster than dependent ones: about that many misses in flight at once.");
        text.AppendLine(inv, $"- First touch of a page: **{firstTouch:F2} µs** ({faultsPerPage:F2} minor faults per page); touching the same pages again: {secondTouch:F0} ns per page.");
        text.AppendLine();
        text.AppendLine(inv, $"So on this machine a state that does not fit in the caches costs about {dependentLargest:F0} ns per access that waits on the one before, and every 4 KiB of fresh memory about {firstTouch:F1} µs the first time it is written: building 100 MiB of new state pays about {firstTouch * 100 * MiB / 4096 / 1e6:F2} s in page faults alone. See [ingest](#ingest) for the page faults its runs take. Why a fault is so dear here: this VM's kernel runs under PVM, a paravirtual hypervisor that keeps the guest's page tables in software (kernel log: \"Hypervisor detected: PVM\"; `pvm_irq_enable` shows in every profile), with free page reporting on (`page_reporting.page_reporting_order=11`), so a fresh page is a trip to the host. On hardware with nested paging a minor fault typically costs one or two microseconds (not measured here), so figures that depend on page faults should be lower there.");
        return new BenchmarkReport(text.ToString(), checksPassed);
    }

    private static string Describe(long bytes) => bytes >= MiB ? $"{bytes / MiB:N0} MiB" : $"{bytes / KiB:N0} KiB";
}
