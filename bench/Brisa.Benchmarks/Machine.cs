using System.Globalization;
using System.Runtime.InteropServices;

namespace Brisa.Benchmarks;

/// <summary>What the numbers were measured on.</summary>
internal sealed record Machine(string Cpu, int Cores, string Memory, string Os, string Runtime)
{
    public static Machine Current()
    {
        return new Machine(CpuModel(), Environment.ProcessorCount, MemoryTotal(), OsName(), RuntimeInformation.FrameworkDescription);
    }

    public string Describe(string? duckDbVersion = null) =>
        $"{Cpu}, {Cores} cores, {Memory} RAM, {Os}, {Runtime}" + (duckDbVersion is null ? "" : $", DuckDB {duckDbVersion}");

    private static string CpuModel()
    {
        // `lscpu` "Model name", read from /proc/cpuinfo (the same source) so no process is started.
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string MemoryTotal()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                    return string.Create(CultureInfo.InvariantCulture, $"{kb / 1024.0 / 1024.0:F1} GiB");
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return string.Create(CultureInfo.InvariantCulture, $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB");
    }

    private static string OsName()
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/os-release"))
            {
                if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                {
                    return line["PRETTY_NAME=".Length..].Trim('"') + $" ({RuntimeInformation.OSArchitecture})";
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return RuntimeInformation.OSDescription;
    }
}
