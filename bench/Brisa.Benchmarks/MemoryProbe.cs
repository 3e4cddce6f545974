using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Brisa.Benchmarks;

/// <summary>
/// What the machine's memory costs, measured the way the ingest path meets it: a load that depends on the one before
/// (a pointer chase: the latency of one miss), independent random loads (how many misses overlap), and the first touch
/// of fresh pages (a minor page fault each, which a virtual machine may pay dearly for).
/// </summary>
internal static class MemoryProbe
{
    private const int LineInts = 64 / sizeof(int);
    private const int PageBytes = 4096;

    /// <summary>Builds a chase over <paramref name="bytes"/>: every 64-byte line holds the index of the next, all lines in one random cycle.</summary>
    public static int[] BuildChase(long bytes, int seed)
    {
        var lines = checked((int)(bytes / 64));
        var order = new int[lines];
        for (var i = 0; i < lines; i++)
        {
            order[i] = i;
        }

        // Sattolo's shuffle gives a single cycle through every line, so the chase cannot fall into a short loop that stays in cache.
        var random = new Random(seed);
        for (var i = lines - 1; i > 0; i--)
        {
            var j = random.Next(i);
            (order[i], order[j]) = (order[j], order[i]);
        }

        var chase = new int[lines * LineInts];
        for (var i = 0; i < lines; i++)
        {
            chase[order[i] * LineInts] = order[(i + 1) % lines];
        }

        return chase;
    }

    /// <summary>Length of the cycle through line 0 (equals the line count when the chase is one cycle).</summary>
    public static int CycleLength(int[] chase)
    {
        var n = 0;
        var line = 0;
        do
        {
            line = chase[line * LineInts];
            n++;
        }
        while (line != 0 && n <= chase.Length);
        return n;
    }

    /// <summary>Follows the chase for <paramref name="steps"/> loads, each waiting for the one before; ns per load.</summary>
    public static double DependentLoadNanoseconds(int[] chase, int steps, out int last)
    {
        var line = 0;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < steps; i++)
        {
            line = chase[line * LineInts];
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        last = line;
        return elapsed.TotalNanoseconds / steps;
    }

    /// <summary>Reads <paramref name="reads"/> random lines of the chase whose addresses do not depend on each other; ns per load.</summary>
    public static double IndependentLoadNanoseconds(int[] chase, int reads, out long sum)
    {
        var lines = (ulong)(chase.Length / LineInts);
        ulong x = 0x9E3779B97F4A7C15;
        long s = 0;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < reads; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s += chase[(int)(x % lines) * LineInts];
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        sum = s;
        return elapsed.TotalNanoseconds / reads;
    }

    /// <summary>
    /// Touches every 4 KiB page of a fresh native block (one write each), then touches them all again.
    /// Large blocks come straight from the kernel (glibc maps them), so every first touch is a page fault.
    /// </summary>
    public static (double FirstTouchMicroseconds, double SecondTouchNanoseconds, double FaultsPerPage) TouchPages(long bytes)
    {
        var pages = bytes / PageBytes;
        var block = Marshal.AllocHGlobal((nint)bytes);
        try
        {
            var faults0 = MinorFaults();
            var start = Stopwatch.GetTimestamp();
            for (long p = 0; p < pages; p++)
            {
                Marshal.WriteByte(block, (int)(p * PageBytes), 1);
            }

            var first = Stopwatch.GetElapsedTime(start);
            var faults = MinorFaults() - faults0;
            start = Stopwatch.GetTimestamp();
            for (long p = 0; p < pages; p++)
            {
                Marshal.WriteByte(block, (int)(p * PageBytes), 2);
            }

            var second = Stopwatch.GetElapsedTime(start);
            return (first.TotalMicroseconds / pages, second.TotalNanoseconds / pages, faults is { } f ? f / (double)pages : double.NaN);
        }
        finally
        {
            Marshal.FreeHGlobal(block);
        }
    }

    /// <summary>Minor page faults of this process so far (field 10 of /proc/self/stat), or null where that file does not exist.</summary>
    public static long? MinorFaults()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");

            // The command name (field 2) may hold spaces; fields after it start two characters past its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[7], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
