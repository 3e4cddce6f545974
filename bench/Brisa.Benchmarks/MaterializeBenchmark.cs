using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Brisa.Azure.Offline;
using Brisa.Azure.RawZone;
using Brisa.Core.Aggregation;
using Brisa.Core.Features;
using Brisa.Core.Generation;
using Brisa.Core.Ingestion;
using Brisa.Core.Materialization;
using DuckDB.NET.Data;

namespace Brisa.Benchmarks;

/// <summary>
/// Batch materialization of the sample's transaction views from raw Parquet hour partitions on local disk, one child
/// process per run so each size has its own heap: time, CPU and peak memory as the number of events grows with
/// the number of days (same customers), which must stay flat.
/// </summary>
internal sealed class MaterializeBenchmark : IBenchmark
{
    /// <summary>The hidden first argument that makes the program a child measuring one run.</summary>
    public const string ChildFlag = "--materialize-child";

    private const string ResultPrefix = "RESULT ";

    public string Name => "materialize";

    public string Description => "batch materialization from raw Parquet (local disk), peak memory per size in a child process";

    public BenchmarkReport Run(BenchmarkContext context)
    {
        var log = context.Log;
        var (customers, merchants, dayCounts, runs) = context.Quick ? (300, 40, new[] { 2, 4 }, 1) : (20_000, 2_000, new[] { 35, 70, 140 }, 1);
        var definitions = IngestBenchmark.LoadSample(context.RepositoryRoot);
        var plan = FeaturePlan.Compile(definitions, trackEventIds: false);
        var schema = plan.Schemas.Single(s => s.SourceName == "transaction");
        var work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"brisa-bench-materialize-{Environment.ProcessId}"));
        try
        {
            var clock = Stopwatch.StartNew();

            // For iterating: raw files left by an earlier run of the same sizes (writing 10M events takes minutes).
            var raw = Environment.GetEnvironmentVariable("BRISA_BENCH_MATERIALIZE_RAW") is { Length: > 0 } kept && Directory.Exists(kept) && !context.Quick
                ? kept
                : Path.Combine(work.FullName, "raw");
            var (eventsPerDay, rawBytes) = Directory.Exists(raw) ? CountRaw(raw, dayCounts.Max()) : WriteRaw(customers, merchants, dayCounts.Max(), schema, raw);
            log.WriteLine($"  {eventsPerDay.Sum():N0} transactions ({customers:N0} customers, {dayCounts.Max()} days) as hourly raw Parquet files in {raw} ({rawBytes / (1024.0 * 1024):N0} MiB), ready in {clock.Elapsed.TotalSeconds:F1} s");

            var sizes = new List<SizeResult>();
            foreach (var days in dayCounts)
            {
                var from = TiledView.ToUnixTicks(FraudBatches.Start);
                var to = TiledView.ToUnixTicks(FraudBatches.Start.AddDays(days));
                var results = new List<ChildResult>();
                for (var run = 0; run < runs; run++)
                {
                    var output = Path.Combine(work.FullName, "offline");
                    var result = RunChild(context, raw, output, from, to, log);
                    log.WriteLine($"  {days} days: run {run + 1}/{runs} {result.Seconds:F1} s, cpu {result.CpuSeconds:F1} s, {result.Events:N0} events, {result.Rows:N0} rows, " +
                        $"peak working set {result.PeakWorkingSet / (1024.0 * 1024):N0} MiB, managed heap peak {result.ManagedPeak / (1024.0 * 1024):N0} MiB, peak entities {result.PeakEntities:N0}");
                    if (run == 0 && days == dayCounts[0])
                    {
                        result = result with { DuckDbRows = CountWithDuckDb(output) };
                    }

                    results.Add(result);
                    Directory.Delete(output, recursive: true);
                }

                sizes.Add(new SizeResult(days, eventsPerDay.Take(days).Sum(), results));
            }

            var checksPassed = sizes.All(s => s.Runs.All(r => r.Events == s.Events && r.Duplicates == 0)) && sizes[0].Runs[0].DuckDbRows == sizes[0].Runs[0].Rows;
            return new BenchmarkReport(Report(context, customers, merchants, sizes, plan), checksPassed);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The child: materializes [from, to) from local raw files into local offline files and prints one result line.</summary>
    public static int RunChild(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var (root, raw, offline) = (args[0], args[1], args[2]);
        var from = long.Parse(args[3], CultureInfo.InvariantCulture);
        var to = long.Parse(args[4], CultureInfo.InvariantCulture);
        var definitions = IngestBenchmark.LoadSample(root);
        var plan = FeaturePlan.Compile(definitions, trackEventIds: false);
        var schema = plan.Schemas.Single(s => s.SourceName == "transaction");
        var views = plan.Views.Where(v => v.Definition.Source == schema.SourceName).ToArray();

        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        var materializer = new SourceMaterializer(views, from, to);
        long events = 0, duplicates = 0, rows = 0, files = 0, bytes = 0, managedPeak = 0, readTicks = 0, processTicks = 0, writeTicks = 0;
        while (!materializer.IsComplete)
        {
            var hour = materializer.NextHourTicks;
            var t0 = Stopwatch.GetTimestamp();
            var batches = ReadHour(raw, schema, hour);
            var t1 = Stopwatch.GetTimestamp();
            var result = materializer.ProcessHour(batches);
            var t2 = Stopwatch.GetTimestamp();
            events += result.Events;
            duplicates += result.Duplicates;
            foreach (var viewRows in result.Rows.Where(r => r.Count > 0))
            {
                var path = Path.Combine(offline, FeatureMaterializer.BlobName(viewRows.View.Name, hour));
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using var file = File.Create(path);
                OfflineFeatureParquet.WriteAsync(viewRows, definitions, file).GetAwaiter().GetResult();
                rows += viewRows.Count;
                files++;
                bytes += file.Length;
            }

            writeTicks += Stopwatch.GetTimestamp() - t2;
            readTicks += t1 - t0;
            processTicks += t2 - t1;
            managedPeak = Math.Max(managedPeak, GC.GetTotalMemory(forceFullCollection: false));
        }

        var t3 = Stopwatch.GetTimestamp();
        var online = materializer.LatestValues().Where(l => l.View.Definition.Online && !l.View.Definition.Streaming).Sum(l => l.Rows.Count);
        processTicks += Stopwatch.GetTimestamp() - t3;
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        process.Refresh();
        var result1 = new ChildResult(
            seconds,
            (process.TotalProcessorTime - cpu0).TotalSeconds,
            events,
            duplicates,
            rows,
            files,
            bytes,
            online,
            materializer.PeakEntityCount,
            process.PeakWorkingSet64,
            managedPeak,
            GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes,
            GC.CollectionCount(0),
            GC.CollectionCount(2),
            readTicks / (double)Stopwatch.Frequency,
            processTicks / (double)Stopwatch.Frequency,
            writeTicks / (double)Stopwatch.Frequency,
            null);
        output.WriteLine(ResultPrefix + JsonSerializer.Serialize(result1));
        return 0;
    }

    /// <summary>What <c>RawZoneReader.ReadHourAsync</c> does, on a local directory: every file of the hour partition, in name order.</summary>
    private static List<SourceEventBatch> ReadHour(string raw, EventSchema schema, long hour)
    {
        var directory = Path.Combine(raw, RawZoneReader.HourPrefix(schema.SourceName, hour));
        var batches = new List<SourceEventBatch>();
        if (!Directory.Exists(directory))
        {
            return batches;
        }

        foreach (var path in Directory.GetFiles(directory, "*.parquet").Order(StringComparer.Ordinal))
        {
            using var file = File.OpenRead(path);
            batches.Add(RawEventParquet.ReadAsync(file, schema).GetAwaiter().GetResult());
        }

        return batches;
    }

    private static ChildResult RunChild(BenchmarkContext context, string raw, string output, long from, long to, TextWriter log)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("Unknown process path.");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(MaterializeBenchmark).Assembly.Location);
        }

        foreach (var arg in new[] { ChildFlag, context.RepositoryRoot, raw, output, from.ToString(CultureInfo.InvariantCulture), to.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("Cannot start the child process.");
        var stderr = child.StandardError.ReadToEndAsync();
        ChildResult? result = null;
        while (child.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith(ResultPrefix, StringComparison.Ordinal))
            {
                result = JsonSerializer.Deserialize<ChildResult>(line[ResultPrefix.Length..]);
            }
            else
            {
                log.WriteLine("    child: " + line);
            }
        }

        child.WaitForExit();
        if (child.ExitCode != 0 || result is null)
        {
            throw new InvalidOperationException($"The materialization child failed (exit {child.ExitCode}): {stderr.Result}");
        }

        return result;
    }

    /// <summary>Generates the stream and writes one raw Parquet file per hour, as the raw zone holds it; returns the events per day.</summary>
    private static (List<long> EventsPerDay, long Bytes) WriteRaw(int customers, int merchants, int days, EventSchema schema, string raw)
    {
        var stream = FraudBatches.Generate(customers, merchants, days);
        var perDay = new List<long>(new long[days]);
        long bytes = 0;
        var hour = long.MinValue;
        var pending = new List<GeneratedEvent>();
        void Flush()
        {
            if (pending.Count == 0)
            {
                return;
            }

            var batch = FraudBatches.Transactions(pending, schema);
            var directory = Directory.CreateDirectory(Path.Combine(raw, RawZoneReader.HourPrefix(schema.SourceName, hour)));
            using var file = File.Create(Path.Combine(directory.FullName, "part-0.parquet"));
            RawEventParquet.WriteAsync(batch, [.. Enumerable.Range(0, batch.Count)], file).GetAwaiter().GetResult();
            bytes += file.Length;
            pending.Clear();
        }

        foreach (var e in stream.Events.OfType<TransactionEvent>())
        {
            var ticks = TiledView.ToUnixTicks(e.Time);
            var eventHour = SourceMaterializer.FloorHour(ticks);
            if (eventHour != hour)
            {
                Flush();
                hour = eventHour;
            }

            pending.Add(e);
            perDay[(int)((ticks - TiledView.ToUnixTicks(FraudBatches.Start)) / TimeSpan.TicksPerDay)]++;
        }

        Flush();
        return (perDay, bytes);
    }

    /// <summary>Events per day of existing raw files, from the Parquet footers.</summary>
    private static (List<long> EventsPerDay, long Bytes) CountRaw(string raw, int days)
    {
        var perDay = new List<long>(new long[days]);
        long bytes = 0;
        var start = TiledView.ToUnixTicks(FraudBatches.Start);
        for (var hour = 0; hour < days * 24; hour++)
        {
            var directory = Path.Combine(raw, RawZoneReader.HourPrefix("transaction", start + (hour * TimeSpan.TicksPerHour)));
            foreach (var path in Directory.Exists(directory) ? Directory.GetFiles(directory, "*.parquet") : [])
            {
                using var file = File.OpenRead(path);
                var reader = Parquet.ParquetReader.CreateAsync(file).GetAwaiter().GetResult();
                perDay[hour / 24] += Enumerable.Range(0, reader.RowGroupCount).Sum(g => reader.OpenRowGroupReader(g).RowCount);
                reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
                bytes += file.Length;
            }
        }

        return (perDay, bytes);
    }

    private static long CountWithDuckDb(string offline)
    {
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        var pattern = Path.Combine(offline, "*", "date=*", "*.parquet").Replace("'", "''", StringComparison.Ordinal);
        return long.Parse(IngestBenchmark.Scalar(duck, $"SELECT count(*) FROM read_parquet('{pattern}')"), CultureInfo.InvariantCulture);
    }

    private static string Report(BenchmarkContext context, int customers, int merchants, List<SizeResult> sizes, FeaturePlan plan)
    {
        var inv = CultureInfo.InvariantCulture;
        const double MiB = 1024.0 * 1024;
        var views = plan.Views.Where(v => v.Definition.Source == "transaction").ToArray();
        var text = new StringBuilder();
        text.AppendSectionHeader(context);
        text.AppendLine(inv, $"Data: the sample fraud stream (`FraudStreamGenerator`, seed 42, {customers:N0} customers, {merchants:N0} merchants), transactions written as one raw Parquet file per hour (`RawEventParquet`, the raw zone's format and `<source>/date=…/hour=…/` layout) on local disk; " +
            $"the sizes are the first {string.Join(" / ", sizes.Select(s => s.Days))} days of the same stream, so the entities stay the same while events grow. " +
            $"Views materialized: every view of the `transaction` source ({string.Join(", ", views.Select(v => $"`{v.Name}`"))}).");
        text.AppendLine();
        text.AppendLine("| days | events | s/run (median) | min–max | CPU s/run | events/s | events per CPU-s | offline rows | peak working set | managed heap peak | peak entities (all views) |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in sizes)
        {
            var seconds = Stats.Median(s.Runs.Select(r => r.Seconds).ToArray());
            var cpu = Stats.Median(s.Runs.Select(r => r.CpuSeconds).ToArray());
            text.AppendLine(inv, $"| {s.Days} | **{s.Events:N0}** | {seconds:F1} | {s.Runs.Min(r => r.Seconds):F1}–{s.Runs.Max(r => r.Seconds):F1} | {cpu:F1} | {s.Events / seconds:N0} | {s.Events / cpu:N0} | {s.Runs[0].Rows:N0} | " +
                $"**{s.Runs.Max(r => r.PeakWorkingSet) / MiB:N0} MiB** | {s.Runs.Max(r => r.ManagedPeak) / MiB:N0} MiB | {s.Runs[0].PeakEntities:N0} |");
        }

        var largest = sizes[^1];
        var smallest = sizes[0];
        var growth = largest.Runs.Max(r => r.PeakWorkingSet) / (double)smallest.Runs.Max(r => r.PeakWorkingSet);
        text.AppendLine();
        text.AppendLine(inv, $"Peak working set and managed heap peak are the maximum over runs; each run is its own process (the benchmark starts itself with a hidden argument), so sizes never share a heap. " +
            $"From {smallest.Events:N0} to {largest.Events:N0} events ({largest.Events / (double)smallest.Events:F1}×) the peak working set grew {growth:F2}×. " +
            $"{largest.Runs.Count} run(s) per size (a 10M-event run takes minutes on this shared machine, so min–max is the run itself).");
        text.AppendLine();
        text.AppendLine("Split of the largest size (median run):");
        text.AppendLine();
        text.AppendLine("| phase | s | share |");
        text.AppendLine("|---|---|---|");
        var med = largest.Runs.OrderBy(r => r.Seconds).ElementAt(largest.Runs.Count / 2);
        foreach (var (name, s) in new[] { ("read raw Parquet (`RawEventParquet.ReadAsync`)", med.ReadSeconds), ("engine (`SourceMaterializer.ProcessHour`: dedup, sort, tiles, offline rows; latest values)", med.ProcessSeconds), ("write offline Parquet (`OfflineFeatureParquet.WriteAsync`, local files)", med.WriteSeconds) })
        {
            text.AppendLine(inv, $"| {name} | {s:F1} | {s / med.Seconds:P0} |");
        }

        text.AppendLine();
        text.AppendLine(inv, $"check: every run read each event once (no duplicate, none misplaced); DuckDB read the offline files of the first {smallest.Days}-day run: {smallest.Runs[0].DuckDbRows:N0} rows (Brisa wrote {smallest.Runs[0].Rows:N0}). " +
            $"Largest run: {med.Files:N0} offline files, {med.Bytes / MiB:N0} MiB; {med.OnlineRows:N0} latest values of online batch-only views computed (not written: no Table storage here); {med.Gen0} gen0 and {med.Gen2} gen2 collections.");
        text.AppendLine();
        text.AppendLine("What is measured, exactly: the loop of `FeatureMaterializer.MaterializeAsync` for one source with the blob client replaced by local files — per hour of the range (plus the longest window's lookback): read the hour's raw Parquet files, `SourceMaterializer.ProcessHour`, write each view's offline rows as `offline/<view>/date=…/part-HH.parquet`; then the latest values. " +
            "Not measured: Azurite/Azure Blob round trips and the online Table upserts (Azurite is too slow for 10M events in a benchmark, and network time is not the engine's). Each run starts cold (JIT included), as a Functions run would. " +
            "Peak working set is the process's (`Process.PeakWorkingSet64`, runtime and JIT included); managed heap peak is the largest `GC.GetTotalMemory(false)` sampled after each hour.");
        text.AppendLine();
        text.AppendLine(inv, $"Goal (issue 4): under 1 GiB and flat as events grow — **{(largest.Runs.Max(r => r.PeakWorkingSet) < 1024 * MiB && growth < 1.25 ? "met" : "not met")}** ({largest.Runs.Max(r => r.PeakWorkingSet) / MiB:N0} MiB at {largest.Events:N0} events).");
        return text.ToString();
    }

    private sealed record SizeResult(int Days, long Events, List<ChildResult> Runs);

    internal sealed record ChildResult(
        double Seconds,
        double CpuSeconds,
        long Events,
        long Duplicates,
        long Rows,
        long Files,
        long Bytes,
        long OnlineRows,
        long PeakEntities,
        long PeakWorkingSet,
        long ManagedPeak,
        long HeapSizeAtLastGc,
        int Gen0,
        int Gen2,
        double ReadSeconds,
        double ProcessSeconds,
        double WriteSeconds,
        long? DuckDbRows);
}
