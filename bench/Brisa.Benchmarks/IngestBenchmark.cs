using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Generation;
using Brisa.Core.Ingestion;
using DuckDB.NET.Data;

namespace Brisa.Benchmarks;

/// <summary>
/// Decode + validate + tile update in memory, on one thread, for the sample fraud stream; DuckDB (all threads)
/// reads the same JSON lines and computes the same tiles in the same run; a check compares both on sampled entities.
/// </summary>
internal sealed class IngestBenchmark : IBenchmark
{
    /// <summary>Events per JSON-array message, as a producer batching CloudEvents into Event Hubs messages would send.</summary>
    internal const int EventsPerMessage = 500;

    /// <summary>Messages per trigger invocation (one <see cref="CloudEventDecoder.Decode(IReadOnlyList{IncomingMessage}, DateTimeOffset, DecodedBatch)"/> call).</summary>
    internal const int MessagesPerDelivery = 10;

    public string Name => "ingest";

    public string Description => "decode + validate + tile update in memory, events/s on one core, vs DuckDB";

    public BenchmarkReport Run(BenchmarkContext context)
    {
        var log = context.Log;
        var (customers, merchants, days, warmup, runs) = context.Quick ? (200, 30, 3, 1, 2) : (20_000, 2_000, 14, 1, 5);
        if (int.TryParse(Environment.GetEnvironmentVariable("BRISA_BENCH_CUSTOMERS"), CultureInfo.InvariantCulture, out var scaled) && scaled > 0)
        {
            // For iterating on a smaller stream while optimizing; the documented numbers use the defaults.
            (customers, merchants) = (scaled, Math.Max(10, scaled / 10));
        }

        if (int.TryParse(Environment.GetEnvironmentVariable("BRISA_BENCH_RUNS"), CultureInfo.InvariantCulture, out var moreRuns) && moreRuns > 0)
        {
            // For profiling a small stream long enough to sample it.
            runs = moreRuns;
        }

        var definitions = LoadSample(context.RepositoryRoot);
        var plan = FeaturePlan.Compile(definitions, trackEventIds: true);
        var views = plan.StreamingViewsOf("transaction").ToArray();

        var clock = Stopwatch.StartNew();
        var stream = FraudBatches.Generate(customers, merchants, days);

        // Transactions only: chargebacks are a label source that feeds no streaming view.
        var transactions = stream.Events.OfType<TransactionEvent>().ToArray();
        var n = transactions.Length;
        var deliveries = BuildDeliveries(transactions, out var messageBytes);

        // Event Hubs routes by partition key (`brisa send`: the customer id) and the Functions host runs one consumer per
        // partition, each with its own entities: one partition per core, as DuckDB gets every core.
        var partitionCount = Environment.ProcessorCount;
        var partitions = Enumerable.Range(0, partitionCount)
            .Select(p => BuildDeliveries([.. transactions.Where(t => PartitionOf(t.CustomerId, partitionCount) == p)], out _))
            .ToArray();
        var jsonLines = Path.Combine(Path.GetTempPath(), $"brisa-bench-ingest-{Environment.ProcessId}.jsonl");
        var fileBytes = WriteJsonLines(transactions, jsonLines);
        var now = stream.End + TimeSpan.FromHours(1);
        log.WriteLine($"  generated {n:N0} transactions ({customers:N0} customers, {merchants:N0} merchants, {days} days) in {clock.Elapsed.TotalSeconds:F1} s; " +
            $"{deliveries.Count:N0} deliveries of {MessagesPerDelivery} messages × {EventsPerMessage} events, {messageBytes / (double)n:F0} bytes/event");

        try
        {
            // ---- Floor: only tokenizing the same messages with Utf8JsonReader (no values read, nothing kept). ----
            var floor = Harness.Measure("json-tokenize-floor", n, warmup, runs, singleThreaded: true, () => figures =>
            {
                long tokens = 0;
                foreach (var delivery in deliveries)
                {
                    foreach (var message in delivery)
                    {
                        var reader = new Utf8JsonReader(message.Body.Span);
                        while (reader.Read())
                        {
                            tokens++;
                        }
                    }
                }

                figures.Add("tokens", tokens);
            }, log);

            // ---- Brisa on one thread (decode then apply per delivery) and DuckDB on all threads (same JSON lines from a
            // file, same tiles), in turn run after run, so both meet the same load on this shared machine. ----
            using var duck = new DuckDBConnection("Data Source=:memory:");
            duck.Open();
            var duckVersion = Scalar(duck, "SELECT version()");
            var duckThreads = Scalar(duck, "SELECT current_setting('threads')");
            var sql = DuckDbTiles.Build(plan.Schemas.Single(s => s.SourceName == "transaction"), views, jsonLines);
            ViewAggregator[] lastAggregators = [];

            // A running consumer already holds its entities' tiles: the warm case applies the first half of the stream
            // untimed, then times the second half, so it leaves out what building state from nothing costs.
            var held = deliveries.Count / 2;
            var (earlier, later) = (deliveries[..held], deliveries[held..]);
            // Every delivery but the last is full, and the last is among the later ones.
            var laterEvents = n - ((long)held * MessagesPerDelivery * EventsPerMessage);
            var measured = Harness.MeasureAlternating(warmup, runs, log,
                new BenchmarkCase("brisa", n, SingleThreaded: true, () =>
                {
                    var decoder = new CloudEventDecoder(plan.Schemas);
                    var aggregators = views.Select(v => new ViewAggregator(v.View)).ToArray();
                    lastAggregators = aggregators;
                    return figures => RunBrisa(decoder, views, aggregators, deliveries, now, figures);
                }),
                new BenchmarkCase("brisa-warm", laterEvents, SingleThreaded: true, () =>
                {
                    var decoder = new CloudEventDecoder(plan.Schemas);
                    var aggregators = views.Select(v => new ViewAggregator(v.View)).ToArray();
                    RunBrisa(decoder, views, aggregators, earlier, now, new RunFigures());
                    return figures => RunBrisa(decoder, views, aggregators, later, now, figures);
                }),
                new BenchmarkCase("brisa-partitions", n, SingleThreaded: false, () =>
                {
                    var consumers = partitions
                        .Select(d => (Decoder: new CloudEventDecoder(plan.Schemas), Aggregators: views.Select(v => new ViewAggregator(v.View)).ToArray(), Deliveries: d))
                        .ToArray();
                    return figures =>
                    {
                        var perConsumer = new RunFigures[consumers.Length];
                        Parallel.For(0, consumers.Length, new ParallelOptions { MaxDegreeOfParallelism = consumers.Length }, p =>
                        {
                            perConsumer[p] = new RunFigures();
                            RunBrisa(consumers[p].Decoder, views, consumers[p].Aggregators, consumers[p].Deliveries, now, perConsumer[p]);
                        });
                        foreach (var (name, value) in perConsumer.SelectMany(f => f.Values))
                        {
                            figures.Add(name, value);
                        }
                    };
                }),
                new BenchmarkCase("duckdb", n, SingleThreaded: false, () =>
                {
                    foreach (var drop in sql.Drops)
                    {
                        Execute(duck, drop);
                    }

                    return figures =>
                    {
                        foreach (var statement in sql.Statements)
                        {
                            Execute(duck, statement);
                        }
                    };
                }));
            var (brisa, warm, partitioned, duckdb) = (measured[0], measured[1], measured[2], measured[3]);
            var duckRows = long.Parse(Scalar(duck, "SELECT count(*) FROM ev"), CultureInfo.InvariantCulture);

            // ---- Correctness: Brisa's tiles vs DuckDB's tiles on sampled entities. ----
            var check = DuckDbTiles.Check(duck, views, lastAggregators, sql, context.Quick ? 4 : 8);
            var brisaAccepted = brisa.Figure("accepted");
            var rowsOk = brisaAccepted == n && brisa.Figure("rejected") == 0 && warm.Figure("accepted") == laterEvents && partitioned.Figure("accepted") == n && duckRows == n;
            var checkLine = $"check: accepted {brisaAccepted:N0}/{n:N0} (DuckDB rows {duckRows:N0}); {check.Entities} sampled entities × features = {check.Values} values compared with DuckDB's tiles, {check.Mismatches.Count} mismatches" +
                (check.Mismatches.Count == 0 ? "" : ": " + string.Join("; ", check.Mismatches.Take(5)));
            log.WriteLine("  " + checkLine);

            // What one page fault costs in this run, to weigh the runs' page faults (the memory benchmark measures it at length).
            var firstTouch = MemoryProbe.TouchPages((context.Quick ? 8 : 64) * 1024 * 1024).FirstTouchMicroseconds;
            var section = Report(context, brisa, warm, partitioned, partitionCount, duckdb, floor, n, messageBytes, fileBytes, views, duckVersion, duckThreads, checkLine, customers, merchants, days, firstTouch);
            return new BenchmarkReport(section, rowsOk && check.Mismatches.Count == 0);
        }
        finally
        {
            File.Delete(jsonLines);
        }
    }

    internal static FeatureRepositoryDefinition LoadSample(string root)
    {
        var path = Path.Combine(root, "samples", "fraud", "features.yaml");
        var loaded = DefinitionLoader.Load(path);
        return loaded.Definitions ?? throw new InvalidOperationException($"{path} does not load: {string.Join("; ", loaded.Errors)}");
    }

    internal static void RunBrisa(CloudEventDecoder decoder, ViewPlan[] views, ViewAggregator[] aggregators, List<IncomingMessage[]> deliveries, DateTimeOffset now, RunFigures figures)
    {
        long decodeTicks = 0, applyTicks = 0, decodeBytes = 0, applyBytes = 0, accepted = 0, rejected = 0, applied = 0;

        // One batch reused delivery after delivery (its rows are applied before the next decode), as a partition's consumer does.
        var decoded = new DecodedBatch();
        var hashes = Array.Empty<ulong>();
        var pause0 = GC.GetTotalPauseDuration();
        foreach (var delivery in deliveries)
        {
            var t0 = Stopwatch.GetTimestamp();
            var a0 = GC.GetAllocatedBytesForCurrentThread();
            decoder.Decode(delivery, now, decoded);
            var t1 = Stopwatch.GetTimestamp();
            var a1 = GC.GetAllocatedBytesForCurrentThread();
            foreach (var batch in decoded.Sources)
            {
                applied += Apply(views, aggregators, batch, ref hashes);
            }

            var t2 = Stopwatch.GetTimestamp();
            var a2 = GC.GetAllocatedBytesForCurrentThread();
            decodeTicks += t1 - t0;
            applyTicks += t2 - t1;
            decodeBytes += a1 - a0;
            applyBytes += a2 - a1;
            accepted += decoded.AcceptedCount;
            rejected += decoded.Rejected.Count;
        }

        figures.Add("gc_pause_s", (GC.GetTotalPauseDuration() - pause0).TotalSeconds);
        figures.Add("decode_s", decodeTicks / (double)Stopwatch.Frequency);
        figures.Add("apply_s", applyTicks / (double)Stopwatch.Frequency);
        figures.Add("decode_bytes", decodeBytes);
        figures.Add("apply_bytes", applyBytes);
        figures.Add("accepted", accepted);
        figures.Add("rejected", rejected);
        figures.Add("applied", applied);
    }

    /// <summary>
    /// Applies a decoded batch to the tiles of every streaming view of its source, keyed by each view's entity join key;
    /// the event id is hashed once per row for all views, into a buffer reused batch after batch.
    /// </summary>
    internal static int Apply(ViewPlan[] views, ViewAggregator[] aggregators, SourceEventBatch batch, ref ulong[] hashes)
    {
        if (hashes.Length < batch.Count)
        {
            hashes = new ulong[batch.Count];
        }

        for (var row = 0; row < batch.Count; row++)
        {
            hashes[row] = StableHash.EventIdentity(batch.Id(row), batch.EventTicks(row));
        }

        var applied = 0;
        for (var v = 0; v < views.Length; v++)
        {
            if (ReferenceEquals(views[v].Source, batch.Schema))
            {
                applied += aggregators[v].Apply(batch, views[v].EntityKeyField, hashes.AsSpan(0, batch.Count)).Applied;
            }
        }

        return applied;
    }

    private static int PartitionOf(string key, int partitions) => (int)(StableHash.Fnv1a64(key) % (ulong)partitions);

    internal static List<IncomingMessage[]> BuildDeliveries(TransactionEvent[] events, out long bytes)
    {
        var deliveries = new List<IncomingMessage[]>();
        var messages = new List<IncomingMessage>();
        var buffer = new ArrayBufferWriter<byte>(EventsPerMessage * 512);
        using var writer = new Utf8JsonWriter(buffer);
        bytes = 0;
        for (var i = 0; i < events.Length; i += EventsPerMessage)
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            writer.WriteStartArray();
            for (var j = i; j < Math.Min(i + EventsPerMessage, events.Length); j++)
            {
                events[j].WriteTo(writer);
            }

            writer.WriteEndArray();
            writer.Flush();
            bytes += buffer.WrittenCount;
            messages.Add(new IncomingMessage(buffer.WrittenSpan.ToArray(), "0", i / EventsPerMessage));
            if (messages.Count == MessagesPerDelivery)
            {
                deliveries.Add([.. messages]);
                messages.Clear();
            }
        }

        if (messages.Count > 0)
        {
            deliveries.Add([.. messages]);
        }

        return deliveries;
    }

    private static long WriteJsonLines(TransactionEvent[] events, string path)
    {
        using var file = File.Create(path);
        using var writer = new Utf8JsonWriter(file);
        foreach (var e in events)
        {
            e.WriteTo(writer);
            writer.Flush();
            file.WriteByte((byte)'\n');
            writer.Reset();
        }

        file.Flush();
        return file.Length;
    }

    internal static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static string Scalar(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    }

    private static string Report(BenchmarkContext context, Measurement brisa, Measurement warm, Measurement partitioned, int partitionCount, Measurement duckdb, Measurement floor, int n, long messageBytes, long fileBytes, ViewPlan[] views,
        string duckVersion, string duckThreads, string checkLine, int customers, int merchants, int days, double firstTouchMicroseconds)
    {
        var inv = CultureInfo.InvariantCulture;
        var decode = brisa.Figure("decode_s");
        var apply = brisa.Figure("apply_s");
        var gcPause = brisa.Figure("gc_pause_s");
        var decodeAlloc = brisa.Figure("decode_bytes") / n;
        var applyAlloc = brisa.Figure("apply_bytes") / n;
        var ratio = brisa.Rate / duckdb.Rate;

        // Round i ran Brisa's run i then DuckDB's: the ratio of the pair is what one moment of this machine says.
        var paired = brisa.Seconds.Zip(duckdb.Seconds, (b, d) => d / b).ToArray();
        var brisaFaster = paired.Count(r => r > 1);
        var viewList = string.Join(", ", views.Select(v => $"`{v.Name}` ({v.Definition.Tile.TotalMinutes:0} min tiles, {v.View.FeatureCount} features, {v.View.MaxWindowTiles} tiles)"));
        var text = new StringBuilder();
        text.AppendSectionHeader(context, duckVersion);
        text.AppendLine(inv, $"Data: the sample fraud stream (`FraudStreamGenerator`, seed 42, {customers:N0} customers, {merchants:N0} merchants, {days} days), " +
            $"transactions only: **{n:N0} events**, {messageBytes / (double)n:F0} bytes each as CloudEvents JSON, held in memory as " +
            $"JSON-array messages of {EventsPerMessage} events, {MessagesPerDelivery} messages per delivery (one `CloudEventDecoder.Decode` call).");
        text.AppendLine(inv, $"Streaming views of `samples/fraud/features.yaml` updated per event: {viewList}; event ids tracked per tile (redelivery).");
        text.AppendLine();
        text.AppendLine("| engine | threads | events/s (median) | min–max | s/run (median) | CPU s/run | events per CPU-s | CPU/wall | alloc/event | GCs/run | page faults/run |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        text.AppendLine(inv, $"| Brisa: decode + validate + tile update | 1 | **{brisa.Rate:N0}** | {brisa.RateMin:N0}–{brisa.RateMax:N0} | {brisa.Median:F3} | {brisa.CpuSeconds:F3} | {brisa.RatePerCpuSecond:N0} | {brisa.CpuPerWall:F2} | {brisa.AllocatedBytes / n:F0} B | {brisa.Collections / (double)brisa.Seconds.Length:F1} | {brisa.PageFaults:N0} |");
        text.AppendLine(inv, $"| Brisa, warm: the same on the stream's second half, the first half's tiles already held (a running consumer) | 1 | {warm.Rate:N0} | {warm.RateMin:N0}–{warm.RateMax:N0} | {warm.Median:F3} | {warm.CpuSeconds:F3} | {warm.RatePerCpuSecond:N0} | {warm.CpuPerWall:F2} | {warm.AllocatedBytes / warm.Items:F0} B | {warm.Collections / (double)warm.Seconds.Length:F1} | {warm.PageFaults:N0} |");
        text.AppendLine(inv, $"| Brisa, {partitionCount} partitions: the stream split by customer id as Event Hubs routes it, one consumer per partition on its own thread, each with its own decoder and tiles | {partitionCount} | {partitioned.Rate:N0} | {partitioned.RateMin:N0}–{partitioned.RateMax:N0} | {partitioned.Median:F3} | {partitioned.CpuSeconds:F3} | {partitioned.RatePerCpuSecond:N0} | {partitioned.CpuPerWall:F2} | {partitioned.AllocatedBytes / n:F0} B | {partitioned.Collections / (double)partitioned.Seconds.Length:F1} | {partitioned.PageFaults:N0} |");
        text.AppendLine(inv, $"| DuckDB: `read_ndjson` + same tiles (GROUP BY) | {duckThreads} (all) | **{duckdb.Rate:N0}** | {duckdb.RateMin:N0}–{duckdb.RateMax:N0} | {duckdb.Median:F3} | {duckdb.CpuSeconds:F3} | {duckdb.RatePerCpuSecond:N0} | {duckdb.CpuPerWall:F2} | n/a (native) | | {duckdb.PageFaults:N0} |");
        text.AppendLine();
        text.AppendLine(inv, $"**Ratio Brisa / DuckDB (events/s, wall clock): {ratio:F2}×** (Brisa on one core, DuckDB on all {duckThreads}); per CPU-second: {brisa.RatePerCpuSecond / duckdb.RatePerCpuSecond:F2}×. " +
            $"The two ran in turn, run after run, so each round's pair met the same load: ratio per round {Stats.Median(paired):F2}× median ({paired.Min():F2}–{paired.Max():F2}×), Brisa faster in {brisaFaster} of {paired.Length} rounds. " +
            $"CPU/wall below 1 for Brisa means the machine was shared and the thread waited for a core: events per CPU-second is then the better estimate of one dedicated core.");
        text.AppendLine();
        var partitionedPaired = partitioned.Seconds.Zip(duckdb.Seconds, (b, d) => d / b).ToArray();
        text.AppendLine(inv, $"With as many threads as DuckDB ({partitionCount} partitions, one consumer each, as a Functions instance runs an event hub's partitions): **{partitioned.Rate / duckdb.Rate:F2}× DuckDB** (per round {Stats.Median(partitionedPaired):F2}× median, {partitionedPaired.Min():F2}–{partitionedPaired.Max():F2}×), " +
            $"{partitioned.Rate / brisa.Rate:F2}× the one-core run. The partitions share no entity state but the merchants' (each consumer holds the merchant tiles of its own customers' events, as each instance's writes meet in the merchant's Table row), one GC and the memory bus.");
        text.AppendLine();
        text.AppendLine("Brisa split (median of per-run sums):");
        text.AppendLine();
        text.AppendLine("| phase | s/run | share | events/s alone | alloc/event |");
        text.AppendLine("|---|---|---|---|---|");
        text.AppendLine(inv, $"| decode + validate (`CloudEventDecoder.Decode`) | {decode:F3} | {decode / (decode + apply):P0} | {n / decode:N0} | {decodeAlloc:F0} B |");
        text.AppendLine(inv, $"| tile update ({views.Length} views, `ViewAggregator.Apply(SourceEventBatch, …)`) | {apply:F3} | {apply / (decode + apply):P0} | {n / apply:N0} | {applyAlloc:F0} B |");
        text.AppendLine(inv, $"| of the two: GC pauses (`GC.GetTotalPauseDuration`) | {gcPause:F3} | {gcPause / (decode + apply):P0} | | |");
        text.AppendLine(inv, $"| for scale: only tokenizing the same messages (`Utf8JsonReader.Read` loop, {floor.Figure("tokens") / n:F0} tokens/event) | {floor.Median:F3} | | {floor.Rate:N0} | {floor.AllocatedBytes / n:F0} B |");
        text.AppendLine();
        text.AppendLine(inv, $"Peak working set of the process: {brisa.PeakWorkingSet / (1024.0 * 1024):N0} MiB (messages, JSON file and both engines' state included, the two having run in turn).");
        text.AppendLine();
        text.AppendLine(checkLine);
        text.AppendLine();
        text.AppendLine("What each side does, so the comparison is fair:");
        text.AppendLine();
        text.AppendLine("- Brisa, timed: parse each message, validate every event (envelope, types, required fields, allowed values, ranges, timestamp skew, duplicate ids in the delivery), keep rejected events with their reason, " +
            "lay accepted rows out typed, then apply every row to each streaming view's tiles (count, sum, Welford mean/M2, min, max, exact distinct set, last value by time and id, and the event-id hash set per tile that makes redelivery idempotent; tiles beyond the longest window are dropped). " +
            "Not timed: Parquet, Table storage, network; the messages are already in memory.");
        text.AppendLine(inv, $"- DuckDB, timed: `read_ndjson` of the same JSON lines ({fileBytes / (1024.0 * 1024):N0} MiB file, in the page cache after the warm-up) with explicit column types, the same validation as SQL filters (required fields, allowed values, range), " +
            $"materialized once, then one `GROUP BY entity, tile` per streaming view computing that view's tile aggregates (count, count/sum, avg and var_pop·n for M2, min, max, `list(DISTINCT …)`, `arg_max` for last). " +
            $"It does not track event ids, give per-event reasons, or drop old tiles.");
        text.AppendLine("- Goal (issue 3): at least 1,000,000 events/s on one core and faster than DuckDB with all its threads.");
        text.AppendLine();
        var met = brisa.Rate >= 1_000_000 && ratio > 1;
        text.AppendLine(inv, $"**{(met ? "Goal met" : "Goal not met")}** in this run: {brisa.Rate:N0} events/s on one core ({brisa.RatePerCpuSecond:N0} per CPU-second) against 1,000,000, " +
            $"and {ratio:F2}× DuckDB on wall clock ({brisa.RatePerCpuSecond / duckdb.RatePerCpuSecond:F2}× per CPU-second; faster in {brisaFaster} of {paired.Length} rounds). " +
            $"Runs of the same code move by ±25 % on this shared VM, so compare ratios within a run.");
        text.AppendLine();
        var faults = double.IsNaN(brisa.PageFaults) ? "" : string.Create(inv,
            $"Building it also means writing fresh memory: a cold run took {brisa.PageFaults:N0} page faults (the warm run {warm.PageFaults:N0}), and a first touch cost {firstTouchMicroseconds:F1} µs per page in this run " +
            $"(one write per page of a fresh block; see [memory](#memory)), so about {brisa.PageFaults * firstTouchMicroseconds / 1e6:F2} s of the {brisa.Median:F3} s run went to page faults. ");
        text.AppendLine("### Where the time goes");
        text.AppendLine();
        text.AppendLine(inv, $"Within these runs, decode + validate goes at {n / decode:N0} events/s and the tile update at {n / apply:N0}: {(apply > decode ? "the tile update" : "decoding")} is the larger part in this run. " +
            $"Holding the first half's tiles before timing the second (the warm row, what a running consumer sees) gives {warm.Rate:N0} events/s, {warm.Rate / brisa.Rate:F2}× the cold run in the same rounds. " +
            $"On the AMD EPYC machine of the earlier runs, at the documented size the tile update waited on memory more than on arithmetic: {customers:N0} customers' and {merchants:N0} merchants' tiles do not fit in a core's own caches " +
            $"(the same code on a 2,000-customer stream of 102,639 events updated tiles at 1,457,733 events/s on 2026-12-05, with no GC pause). " +
            $"{faults}Building that state from nothing every run is also what the GC pays for: {gcPause:F3} s of pauses per run ({gcPause / (decode + apply):P0}), the tile arrays being young, live and copied on promotion. " +
            $"The pauses are not what limits it, though: a gen0 budget big enough to halve them (2026-12-05, `DOTNET_GCgen0size` = 4 GiB: 0.39 → 0.17 s per run) left throughput where it was (415,649 events/s). " +
            $"Even with every tile in the caches (the 2,000-customer stream) the whole path ran at about 830,000 events/s, so 1,000,000 needs the per-event work itself to shrink on both sides, not only the cache misses. On the Intel machine of 2026-12-06 (its shared last-level cache holds the whole state), the 2,000-customer stream's tile update ran no faster than this one (about 744,000 events/s, median of 150 runs of a scratch harness at a busy hour): there it is the work per event, not memory, that bounds it. " +
            $"[ingest-phases](#ingest-phases) takes this path apart: what each view's tile update costs, and how much slower each phase runs when the other has just been through the caches. What is left would be a different engine layout (all of an entity's state for its views in one or two blocks, so that an event misses once or twice rather than once per object and array it reaches; interning entity keys alone measured no gain, see below) together with a faster decoder, or one partition consumer per core, which the partitions row above measures (so it is not one core's rate). " +
            $"A scratch spike bounds the first (2026-12-06, AMD host, not in the repository): `customer_7d`'s update alone, with one struct per entity and each entity's tile words in one array. " +
            $"Its medians first looked 1.66× faster than the engine's `customer_7d` (474–507 against 800–841 ns/event), but that harness's runs differ mostly by page faults, about 16 µs each there and from 200 to 28,000 per run; " +
            $"at equal faults the spike was 1.15–1.27× faster (about 8,000 faults: 495–578 against 600–663 ns/event; about 18,600: 653–660 against 783–839), and a line through each one's runs gives 360 against 505 ns/event with none. " +
            $"It leaves out late events, id tables, distinct overflow and dirty tracking, so 1.2–1.4× is an upper bound for that layout: with today's decoder the whole path would stay well short of 1,000,000 events/s at this size.");
        text.AppendLine();
        text.AppendLine("Tried and reverted, each with alternating A/B runs of the whole benchmark:");
        text.AppendLine();
        text.AppendLine("- One contiguous record per tile instead of parallel arrays; one entity lookup for all views of a key (2026-11-30): no measurable gain.");
        text.AppendLine("- An open-addressing entity table whose slots are read ahead with the tiles (2026-12-05): tile update 610,584 / 553,363 events/s against 561,473 / 559,223 with `Dictionary`, no measurable gain.");
        text.AppendLine("- Tile arrays on the pinned object heap so the GC never copies them (2026-12-05): 3× slower; that heap's allocator is not built for many small arrays.");
        text.AppendLine("- Also reading the oldest tile and the next free slot ahead (2026-12-05): no measurable gain.");
        text.AppendLine("- Every entity's tile ring rented from large pages shared by the aggregator, so the GC neither copies nor traces the rings (2026-12-05): GC pauses 0.37 → 0.19 s per run, yet tile update 559,671 / 581,612 events/s against 662,498 / 602,056. " +
            "No gain: the pauses' time went to slower updates, probably because an entity's rings no longer sit next to its object as they do after the GC compacts them. " +
            "Again on 2026-12-06 (AMD host), with a free list per ring length so outgrown rings are reused: segments of 1 MiB land on the large object heap, whose budget then starts full collections (GC pauses 0.18 → 0.24 s per run, tile update 1.27 → 1.71 s); with 64 KiB segments, three alternating pairs of `ingest` gave the cold case 543,520 / 542,306 / 516,863 events/s against 490,948 / 361,063 / 533,422 and GC pauses 0.10–0.11 against 0.18–0.23 s per run, but the warm case 446,031 / 433,978 / 417,501 against 560,953 / 332,115 / 616,834: a reused run is cold in the caches, where a new array comes warm from the allocator's clearing. Reverted again.");
        text.AppendLine("- The batch applied to the three views in slices of 256 rows, so a row's fields are still in the cache when the next view reads them (2026-12-05): tile update 1.72 / 1.87 s per run against 1.72 / 1.68 s for whole deliveries, no gain.");
        text.AppendLine("- Tile rings grown 4× instead of 2× (2026-12-05): tile update 1.62 / 2.00 s per run against 1.40 / 1.71 s, no gain and more memory.");
        text.AppendLine("- Software prefetch in stages instead of the blocking read-ahead (2026-12-06): for a chunk of 32 rows, `Sse.Prefetch0` of every entity's object, then of its newest tile, the slot a new tile takes and the oldest tile in every array (and the arrays' lengths), none of which waits. " +
            "Tile update 580,882 / 580,774 events/s against 515,682 / 577,387, whole path 382,989 / 388,370 against 384,815 / 404,856: no gain, so overlapping more misses is not what is missing.");
        text.AppendLine("- Keeping the GC from returning memory to the kernel (`DOTNET_GCRetainVM=1`), so that a run would reuse the pages the run before it faulted in (2026-12-06, AMD host, scratch harness, alternating): page faults per run unchanged (30,148–39,603 against 31,022–40,646), no gain. " +
            "In that harness page faults moved runs of one binary the most: consecutive runs took 6,649 faults at 1,897 ns/event and 45,856 at 2,731, 16–21 µs per extra fault (a line through 8 runs of one view, or this pair), more than a bare first touch (see [memory](#memory)). " +
            "This benchmark's runs take far fewer (the table's last column), so faults are not what bounds the numbers above.");
        text.AppendLine("- Server GC with one heap (`DOTNET_gcServer=1`, `DOTNET_GCHeapCount=1`; 2026-12-06, alternating with the workstation GC used here): GC pauses 0.26 → 0.12 s per run, yet whole path 396,034 / 389,412 events/s against 421,444 / 439,359. No gain, like the gen0 budget above.");
        text.AppendLine("- Tile rings that start at 32 slots instead of 4, so a customer's rings are not grown and copied as its first events arrive (2026-12-06, Intel machine, alternating builds): whole path 281,865 / 235,673 / 268,032 events/s against 299,092 / 304,016 / 247,762. No gain: growing is not what the cold start pays for.");
        text.AppendLine("- Tile rings grown 1.5× instead of 2× (2026-12-06, AMD host, customer_7d alone, one run each): its state 114 → 95 MiB, yet its tile update 485 → 629 ns/event and GC pauses 0.05 → 0.18 s per run: smaller steps mean more grows, so more is allocated and copied in all. No gain.");
        text.AppendLine("- A tile's last-value event id held as bytes in the slot (short ASCII ids; others as strings) instead of as the decoder's string, so that no young string per event is kept alive through GC promotions (2026-12-06, AMD host, `ingest-phases`, alternating builds): customer_7d alone 515 / 462 → 877 / 891 ns/event (the slot grew from 32 to 80 bytes), interleaved 2,001 / 1,772 → 1,858 / 1,971, GC pauses unchanged. No gain. As a bound, the same path keeping no id for ties at all (2026-12-06, scratch harness, a measurement only: it breaks the tie-break): whole path, medians of 5 runs, alternating, 2,815 / 3,102 / 2,192 ns/event against 2,175 / 3,421 / 2,300 with the ids kept, so the id strings the tiles keep alive are not what the path pays for.");
        text.AppendLine("- No read of the oldest or the newest tile when an event starts a new tile (2026-12-06, AMD host): the oldest tile's index kept in the state for the drop check, the append decided against the newest tile index ever created, and the free slot read ahead instead of the newest tile. Whole path 2,393 / 3,606 / 2,360 ns/event against 2,348 / 2,261 / 2,271 (the two builds run side by side, one per core), tile update alone 1,981 / 2,202 / 1,598 against 1,537 / 2,488 / 1,653 (in turn): no gain above a noise that moved one build by 60 % between runs. With, in addition, no read of a tile's id table while it has none: `customer_7d` alone 822 / 1,176 ns/event against 800 / 841 (in turn), no gain either.");
        text.AppendLine("- Asking the kernel for transparent huge pages on the GC's reserved range (`madvise(MADV_HUGEPAGE)` at start, 2026-12-06): `AnonHugePages` stayed at 0 kB, the GC committing its regions in ways that do not keep the advice; nothing to measure, dropped.");
        text.AppendLine("- To bound what redelivery bookkeeping costs, the same code without event-id tracking (2026-12-05, one run each): tile update 1.35 s against 1.41 s per run, about 4 %. " +
            "Recording the last applied Event Hubs sequence number instead of ids per tile would not buy much.");
        text.AppendLine("- Again on 2026-12-07 (AMD host, scratch harness, 20,000 customers, whole path), three ideas already listed above, tried anew before reading this list, with the same outcome: one entity lookup for all the views keyed by the same field (a `SourceAggregator` over the source's views): 1.05× and 1.01× the time of three separate aggregators, alternating in one process; the last-value event id packed into the slot (now 56 bytes): 332 → 368 B allocated per event and no gain at equal run index; tile rings on the pinned object heap: 2,680 against 2,275 ns/event, full collections each run.");
        text.AppendLine("- A distinct-count dictionary held as a struct in the entity's array instead of an object of its own (one dependent read fewer per event, 2026-12-07, same harness, six alternating pairs at equal run index): ratios 0.87–1.11, median about 0.99. No gain.");
        text.AppendLine("- Reading the next delivery's message bytes ahead with `prefetchnta`, so that streaming the JSON through the caches would evict less of the tiles (2026-12-07): within the noise (2,100–2,214 ns/event against 2,076–2,402).");
        text.AppendLine("- Transparent huge pages switched to `always` for the whole machine for one run (2026-12-07): page faults per run unchanged (10,866–43,528), the GC committing its memory in pieces the kernel does not back with huge pages.");
        text.AppendLine("- A gen0 budget of 256 MiB (`DOTNET_GCgen0size=0x10000000`, 2026-12-07, same harness, two alternating pairs at equal run index): 2,202 → 2,162 ns/event mean, about 2 %, fewer GCs per run (2–3 → 2). Not kept: too small to be sure of, and a setting the Functions host would have to carry.");
        text.AppendLine("- A first tile ring of 16 slots instead of 4 for views holding more than 100 tiles (2026-12-07, same harness, five alternating pairs): about 3 % faster and 332 → 298 B allocated per event, but not kept: an entity with one event a week in a long window would then hold 16 slots, so sparse entities would cost several times their memory.");
        text.AppendLine("- Entity lookups by a hint from the decoder (2026-12-07, later the same day): the instruction-level profile below put a fifth of `ViewAggregator.Apply`'s samples on the entity dictionary's entries and an eighth on the first read of the key string. So the decoder's string cache passed each cached value's hash on with the value, and the aggregator kept a two-way table of (key string, state) indexed by it and matched by reference, so that a hit read neither the string nor the dictionary (93 % of lookups hit). Whole path, scratch harness with the GC heap on 2 MiB pages so that page faults do not blur it (next entry), six alternating pairs: within the noise (1,350–1,571 against 1,397–1,506 ns/event in the quiet pairs). As a bound, dense entity ordinals computed before the run (lookups at no cost): about 10 % faster in a first three rounds, then no clear difference in four more rounds alternating with the baseline and the hints. The lookups of a chunk overlap the state misses that follow them, so taking them away does not shorten the chunk. Reverted.");
        text.AppendLine("- The GC heap on 2 MiB pages, to see what page faults and TLB misses cost together (2026-12-07; `DOTNET_GCLargePages=1` with a 4 GiB `DOTNET_GCHeapHardLimit` and 4,096 huge pages reserved by root: a measurement, not a setting a Functions host offers): the heap is committed up front, so runs take no page faults. In the scratch harness, whose runs take 14,000–45,000 faults each with 4 KiB pages (far more than this benchmark's): whole path 1,458–1,662 ns/event against 1,859–2,466, `customer_7d` alone 403–487 against 570–961. About 650,000 events/s even so: the memory system's bookkeeping is not what stands between this path and 1,000,000.");
        text.AppendLine("- Where the tile update stalls, instruction by instruction (2026-12-07, 20,000 customers, tile update alone): `perf record` with `DOTNET_PerfMapEnabled=3` gives each JIT-compiled method's address range, and the JIT's own listing (`DOTNET_JitDisasm`, `DOTNET_JitDisasmWithCodeBytes=1`, `DOTNET_JitStdOutFile`) gives each instruction's bytes, so a sample's offset in its method names its instruction. In `ViewAggregator.Apply` (the chunk's lookups and read-ahead): 24 % of its samples on the first read of an entity's state object, 20 % on the dictionary's entries, 12 % on the key string. In `EntityTiles.Apply`: 41 % on the first read of the tile's header (mostly a new tile's slot, which the read-ahead does not reach), 11 % on the distinct-value dictionary's array, 12 % on the numeric slots. What is left are misses on the entity's own state, about one per object or array it spans; fewer of them needs fewer, larger blocks per entity, the layout change named above.");
        text.AppendLine("- A measuring pitfall found on the way (2026-12-07): alternating two variants run by run inside one process misleads when they change how much memory stays live. Not keeping last-value event ids looked 0.68× the time that way (six rounds of 12 runs, 0.68–0.79), yet packing them, which keeps no id string either, was no faster in separate processes compared at equal run index; there, each run's time follows its page faults, which depend on what the run before it left committed. Comparisons above are of separate processes unless they say otherwise.");
        text.AppendLine("- The newest tile apart from the older ones (2026-12-07, session of 16:56 UTC; AMD host loaded by other builds, load average 5–9, so only the ratios within a round count; scratch harness, `customer_7d` alone on the 20,000-customer stream, one dense array of per-entity records holding each entity's current tile, entity found through a `Dictionary<string, int>`; late events, prune, id tables and distinct overflow left out; separate processes alternating, three rounds of 5 runs, median ns/event): (a) older tiles sealed into a per-entity ring, as today: 548 / 608 / 837 against 1,445 / 903 / 900 for the engine, about 1.1–2.6×, the spread of the earlier per-entity spike; (b) older tiles sealed into one append-only log shared by all entities, each record pointing back to the entity's previous one: 128 / 303 / 531, about 1.7–11×; (c) the current tile only, nothing sealed (a floor): 154 / 169 / 232. So the update is bound by writing older tiles into per-entity memory, and a shared sequential log takes most of that away. Not pursued: the stream encodes every entity its batch changed (about 4.5 µs per `customer_7d` row at p50, [tiles-codec](#tiles-codec), several times the update itself), and from a log that encode would gather the entity's tiles one dependent read each (about 25 at p50) instead of reading one contiguous ring. A layout that is faster only inside the part this benchmark times, and slower in the encode that follows every batch, is not a faster stream.");
        text.AppendLine();
        text.AppendLine("### What changed (perf pass on the ingest hot path)");
        text.AppendLine();
        text.AppendLine("Before, on the same machine and command (2026-11-29, first run): 87,132 events per CPU-second, 34,374 events/s wall, 995 B allocated/event (decode 551 B, tile update 444 B), 14 GCs per run, 1,479 MiB peak working set; tile update slowed as state grew (many small long-lived objects per tile).");
        text.AppendLine();
        text.AppendLine("- Row bounds checks and one timestamp reader (2026-12-08, later): `SourceEventBatch`'s row accessors (read per event and view by the tile update) check the row against the batch's count, and the decoder's timestamp read became one method, shared with the conversion of stored strings to timestamps. Builds before (4f481e8) and after in alternating processes, `ingest --no-docs`, nothing else running: whole path 561,233 / 511,503 events/s before against 471,933 / 567,060 after (DuckDB in the same runs 581,126 / 559,698 against 534,247 / 577,024), decode 0.535 / 0.533 s per run against 0.579 / 0.521, tile update 1.311 / 1.369 against 1.573 / 1.287: no cost above the noise. The build before them measured 0.97× and 0.91× DuckDB in that hour, so the documented run's 0.93× against the previous run's 1.02× is the machine's, not these changes'.");
        text.AppendLine("- Event identity (id, event time) (2026-12-08): the tiles hash each event's id with its time (`StableHash.EventIdentity`: one multiply and one XOR more per row), and the decoder's within-delivery duplicate check takes an id and a time. Keyed by a (string, long) tuple, that check hashed every id with .NET's randomized string hash, where a set keyed by the string alone takes the faster ordinal one: `ingest --no-docs`, builds before (d382769) and after in alternating processes on a machine shared with one build, decode 0.584 / 0.586 s per run before against 0.756 / 0.733 after (DuckDB in the same rounds 18 % slower too, so partly load). Now the id string is the key and (id, time) is looked up only for an id met again at another time (`DeliveryIds`): two more alternating pairs, decode 0.612 / 0.636 before against 0.560 / 0.584 after, whole path 508,596 / 454,732 against 500,820 / 515,358 events/s: no cost left above the noise.");
        text.AppendLine("- Decoder, deferred strings and row clearing (2026-12-07, later the same day; found with the instruction-level profile described above): a cached field's string waiting for its lookup (customer, merchant, country: three per event) was recorded as a struct holding its rows and its cache, so each cost two write barriers and a copy through the stack that stalled on store forwarding, and the list was cleared after every message; it now holds indices only and is written in place. And a row appended to a batch is no longer cleared first: values past a batch's count are always default already (new and grown arrays are, and truncation clears what it drops), so decoding cleared every row twice. Decode alone (`ingest-phases`, documented runs the same day): 444 → 386 ns/event at 20,000 customers and 383 → 340 at 2,000, where the interleaved path went from 933,137 to 988,375 events/s. On the documented stream's whole path, no gain beyond the noise (560,578 → 562,084 events/s, decode inside it 0.515 → 0.521 s/run on a machine 6 % slower by the tokenizing floor): interleaved with the tile update, the decoder waits on its string cache's slots, which the tile update has pushed out of the caches, more than it works.");
        text.AppendLine("- Engine, two event-id hashes inline and uncleared word rings (2026-12-07): a tile header holds its first two id hashes (48 bytes instead of 40), so an id table, with the entity's array of tables and two dependent reads per event, is needed only from a tile's third event on; on this stream 12 % of `customer_7d`'s hourly tiles hold two events and 1.3 % more (81 % of customers had some table before). And a grown ring's word array is not cleared (`GC.AllocateUninitializedArray`): a free slot's words are never read, so the ring's free half is not written until tiles fill it. Tried alone on 2026-12-06 with no gain in the tile update alone (1,495 / 1,352 ns/event before against 1,552 / 1,401 after); kept now because the two together measured faster on the whole path: scratch harness, 20,000 customers, builds before and after in alternating processes, compared at equal run index (a run's page faults, and so its time, depend on its index): 2,217 → 2,125 ns/event (−4 %) over 5 run indices × 2 processes, GC pauses 0.14–0.23 → 0.12–0.18 s per run. Two `ingest` runs that day: 563,605 and 560,578 events/s, 332 B/event (538,826 and 340 B in the documented run of 2026-12-06; different runs, so within the noise). Encoded bytes unchanged.");
        text.AppendLine("- Engine, one run of words per tile (2026-12-06): a tile's header (index, count, newest time, the id set's inline hash and count), its numeric slots and its distinct masks are one run of 64-bit words in one `ulong[]` per entity, which holds no references, so the GC copies it but never traces it; id tables leave the header and are allocated only once a tile holds a second id, and the per-tile distinct-set array only once a field overflows its 64-value dictionary. Tile update alone (scratch harness, alternating builds, medians of 7, ns/event): all three views 1,321 / 1,412 → 1,214 / 1,353, customer_7d alone 611 / 601 / 808 → 598 / 593 / 566; whole path within the noise (565,980 events/s the run before, 561,225 after). Encoded bytes unchanged.");
        text.AppendLine("- Engine, ring upkeep (2026-12-06): a growing tile ring copies its live tiles in at most two runs per array (the ring's two halves) instead of five `Array.Copy` calls per tile, and dropped tiles are cleared the same way; a tile appended after the newest no longer clears references that are already clear. Apply-only scratch harness, alternating builds, best pass: 2,000 customers 690 → 510–565 ns/event, 20,000 customers 1,391 / 1,475 → 1,172 / 1,119 ns/event.");
        text.AppendLine("- Decoder, members matched whole (2026-12-06): compact JSON puts the next member right after a value, so the scanner compares the comma, the next expected name with its quotes and the colon in one 32-byte vector comparison (`Utf8Prefix`) instead of skipping whitespace, checking the comma, comparing the name and finding the colon in turn; anything else takes those steps as before. String-cache keys read their first 16 bytes with two loads from the message instead of a stack copy. Decode-only microbenchmark (100,000 events decoded 150 times, alternating builds, best pass): 580 → 490 ns/event; whole path, alternating builds on the 20,000-customer stream: decode 1,299,093 / 1,007,824 / 985,043 → 1,559,512 / 1,179,395 / 1,127,327 events/s.");
        text.AppendLine("- Engine, read-ahead (2026-12-05): `ViewAggregator.Apply(SourceEventBatch, …)` takes rows in chunks of 32: it first looks up every row's entity state, then reads the memory each row's newest tile will touch (header, numeric and last slots, distinct mask, the id set's probe slot), and only then applies the rows one by one. The reads of a chunk do not depend on each other, so their cache misses overlap instead of queueing behind each other. Results are the same as applying row by row (property test). Alternating runs the same day: tile update 574,715 / 704,462 events/s against 427,574 / 381,636 row by row; whole path 408,187 / 438,178 against 331,116 / 268,111 events/s.");
        text.AppendLine("- Decoder, batched string lookups (2026-12-05): the scanner no longer looks up a cached field's string (entity keys, countries) as it meets it; it notes where the bytes are and, once the whole message is accepted, looks them up 16 at a time, reading the cache slots of the 16 first so their misses overlap. A message that is rolled back never looks them up. Alternating runs: whole path 417,475 / 426,674 against 388,029 / 392,915 events/s before.");
        text.AppendLine("- Decoder string cache (2026-12-05, later): its slot hash had no finalizer, so keys differing only in their last characters (such as `customer-000120` … `customer-000129`) shared a two-way set and evicted each other; " +
            "and a table that grew started empty. Now the hash ends with MurmurHash3's `fmix64` and growth keeps what the table holds. Customer keys now come back as one string instance each, so the engine's entity dictionary matches them by reference " +
            "(its key comparison fell from 4.6 % to 1.6 % of the profile) and decoding allocates 68 B/event instead of 77 B. Throughput moved within the noise (alternating runs, medians of 15: 412,698 and 397,432 against 427,394 and 297,568 events/s, the machine busy in the last).");
        text.AppendLine("- Engine: a tile's event-id hash set (`IdSet`) is now a struct held by value inside the tile header (one array per entity, next to the count and max time an event updates anyway) instead of an object per tile: a tile with one event allocates nothing, and the heap holds far fewer long-lived objects for the GC to trace. Encoded format unchanged.");
        text.AppendLine("- Decoder: outcomes are kept compactly (id + index of the rejection; `EventOutcome` made when read) instead of one object per accepted event; the per-delivery seen-id set and per-message id list are reused; a `DecodedBatch` can be reused delivery after delivery (`Decode(messages, now, into)`, used here), so row arrays are not reallocated (they were large-object-heap allocations per delivery).");
        text.AppendLine("- Decoder strings: allowed-value fields match the raw UTF-8 against the allowed values (no string made); other short string fields go through a per-field, bounded, two-way set-associative cache looked up from UTF-8, which pauses itself for a field whose values are mostly unique (transaction ids) instead of filling a 200,000-entry pool with them.");
        text.AppendLine("- Decoder parsing: `yyyy-MM-ddTHH:mm:ss[.f{1,7}]Z` timestamps and plain decimals of at most 15 digits are parsed by hand (exact, with fallback to `System.Text.Json` for any other form; property tests compare both); CloudEvents attributes and data fields are matched on raw bytes (fields tried in the order last seen first).");
        text.AppendLine("- Decoder fast path (second pass; before it, on this machine: decode + validate alone 281,586 events/s, 143 B/event): a validating UTF-8 scanner for the usual shape (`CloudEventScanner`: an object or array of objects, scalar attributes, a `data` object of scalar fields) finds strings with a vectorized `SearchValues<byte>` search, matches attribute and field names in their usual order by comparing the quoted name, and parses with the hand-rolled timestamp and decimal parsers, writing rows in place (no scratch row copy). " +
            "It only ever accepts: a message with anything unusual (an escape or non-ASCII text, a nested value, a repeated attribute, a number it does not parse exactly) or any event that would be rejected is rolled back and decoded by the `Utf8JsonReader` path, which gives the reasons, so results are identical (a differential test compares both paths on generated, boundary and mutated deliveries). " +
            "A string field equal to the event id (the id field) shares the id's string, and the string cache keeps each value's first 16 bytes in its slot, so a hit does not touch the string.");
        text.AppendLine();
        text.AppendLine("<details><summary>DuckDB SQL (timed part)</summary>");
        text.AppendLine();
        text.AppendLine("```sql");
        foreach (var statement in DuckDbTiles.Build(views[0].Source, views, "events.jsonl").Statements)
        {
            text.AppendLine(statement + ";");
        }

        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine("</details>");

        return text.ToString();
    }
}
