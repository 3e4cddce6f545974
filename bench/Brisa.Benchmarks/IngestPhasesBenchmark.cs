using System.Globalization;
using System.Text;
using Brisa.Core.Aggregation;
using Brisa.Core.Features;
using Brisa.Core.Generation;
using Brisa.Core.Ingestion;

namespace Brisa.Benchmarks;

/// <summary>
/// Where the ingest benchmark's time goes: decoding alone, each streaming view's tile update alone (on batches decoded
/// beforehand), all views alone, and both phases interleaved delivery by delivery as <see cref="IngestBenchmark"/> runs
/// them, all in alternating rounds; once at the documented stream size and once at a tenth of it, whose tiles fit in the
/// caches. The engine's next step is chosen from these numbers, so they come from a command, not a scratch program.
/// </summary>
internal sealed class IngestPhasesBenchmark : IBenchmark
{
    public string Name => "ingest-phases";

    public string Description => "where ingest time goes: decode and each view's tile update apart, and interleaved";

    public BenchmarkReport Run(BenchmarkContext context)
    {
        var definitions = IngestBenchmark.LoadSample(context.RepositoryRoot);
        var plan = FeaturePlan.Compile(definitions, trackEventIds: true);
        var views = plan.StreamingViewsOf("transaction").ToArray();
        var sizes = context.Quick
            ? new[] { new StreamSize(200, 20, 3, Warmup: 1, Runs: 2), new StreamSize(50, 10, 3, Warmup: 1, Runs: 2) }
            : [new StreamSize(20_000, 2_000, 14, Warmup: 1, Runs: 5), new StreamSize(2_000, 200, 14, Warmup: 2, Runs: 15)];

        var text = new StringBuilder();
        text.AppendSectionHeader(context);
        text.AppendLine("The ingest benchmark's Brisa path taken apart, on one thread. Each case starts from empty tiles; the cases run in turn, round after round, so load from elsewhere falls on all alike. " +
            "*apart*: decoding every delivery without updating tiles, and updating tiles from batches decoded before the run (one view, or all). " +
            "*interleaved*: decode a delivery, update its tiles, then the next delivery, as `ingest` does; its two phases are timed inside the run.");
        var passed = true;
        foreach (var size in sizes)
        {
            var (section, ok) = Measure(context, plan, views, size);
            text.AppendLine();
            text.Append(section);
            passed &= ok;
        }

        return new BenchmarkReport(text.ToString(), passed);
    }

    private static (string Section, bool ChecksPassed) Measure(BenchmarkContext context, FeaturePlan plan, ViewPlan[] views, StreamSize size)
    {
        var log = context.Log;
        var stream = FraudBatches.Generate(size.Customers, size.Merchants, size.Days);
        var transactions = stream.Events.OfType<TransactionEvent>().ToArray();
        var n = transactions.Length;
        var deliveries = IngestBenchmark.BuildDeliveries(transactions, out _);
        var now = stream.End + TimeSpan.FromHours(1);
        log.WriteLine($"  {size.Customers:N0} customers: {n:N0} transactions in {deliveries.Count:N0} deliveries");

        // Decoded once, before any run: the tile-update-alone cases read these.
        var predecoder = new CloudEventDecoder(plan.Schemas);
        var decoded = deliveries.Select(d =>
        {
            var batch = new DecodedBatch();
            predecoder.Decode(d, now, batch);
            return batch;
        }).ToList();

        var cases = new List<BenchmarkCase>
        {
            new("decode", n, SingleThreaded: true, () =>
            {
                var decoder = new CloudEventDecoder(plan.Schemas);
                var batch = new DecodedBatch();
                return figures => Timed(figures, () =>
                {
                    foreach (var delivery in deliveries)
                    {
                        decoder.Decode(delivery, now, batch);
                        figures.Add("accepted", batch.AcceptedCount);
                    }
                });
            }),
        };
        var subsets = views.Select(v => (Label: $"tile update, `{v.Name}` alone", Views: new[] { v }))
            .Append(("tile update, all views", views));
        foreach (var (label, subset) in subsets)
        {
            cases.Add(new(label, n, SingleThreaded: true, () =>
            {
                var aggregators = subset.Select(v => new ViewAggregator(v.View)).ToArray();
                var hashes = Array.Empty<ulong>();
                return figures => Timed(figures, () =>
                {
                    foreach (var delivery in decoded)
                    {
                        foreach (var batch in delivery.Sources)
                        {
                            figures.Add("applied", IngestBenchmark.Apply(subset, aggregators, batch, ref hashes));
                        }
                    }
                });
            }));
        }

        cases.Add(new("interleaved (as `ingest`)", n, SingleThreaded: true, () =>
        {
            var decoder = new CloudEventDecoder(plan.Schemas);
            var aggregators = views.Select(v => new ViewAggregator(v.View)).ToArray();
            return figures => IngestBenchmark.RunBrisa(decoder, views, aggregators, deliveries, now, figures);
        }));

        var measured = Harness.MeasureAlternating(size.Warmup, size.Runs, log, [.. cases]);
        var decodeAlone = measured[0];
        var allAlone = measured[^2];
        var interleaved = measured[^1];

        // Every case saw the same events: all accepted, every event applied once per view, apart and interleaved alike.
        var applied = measured.Skip(1).Take(views.Length).Sum(m => m.Figure("applied"));
        var ok = decodeAlone.Figure("accepted") == n && interleaved.Figure("accepted") == n
            && allAlone.Figure("applied") == applied && interleaved.Figure("applied") == applied;
        log.WriteLine($"  check: accepted {decodeAlone.Figure("accepted"):N0}/{n:N0}; applied {applied:N0} (views one by one), {allAlone.Figure("applied"):N0} (all), {interleaved.Figure("applied"):N0} (interleaved)");

        var inv = CultureInfo.InvariantCulture;
        double Ns(double seconds) => seconds * 1e9 / n;
        var text = new StringBuilder();
        text.AppendLine(inv, $"### {size.Customers:N0} customers, {size.Merchants:N0} merchants, {size.Days} days: {n:N0} events, median of {size.Runs} runs");
        text.AppendLine();
        text.AppendLine("| case | ns/event (median) | min–max | events/s | alloc/event | GC pauses/run | page faults/run |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var m in measured)
        {
            text.AppendLine(inv, $"| {m.Name} | {Ns(m.Median):N0} | {Ns(m.Min):N0}–{Ns(m.Max):N0} | {m.Rate:N0} | {m.AllocatedBytes / n:F0} B | {m.Figure("gc_pause_s"):F3} s | {m.PageFaults:N0} |");
        }

        var decodeInside = Ns(interleaved.Figure("decode_s"));
        var applyInside = Ns(interleaved.Figure("apply_s"));
        var apart = Ns(decodeAlone.Median) + Ns(allAlone.Median);
        text.AppendLine();
        text.AppendLine(inv, $"Interleaved, decoding took {decodeInside:N0} ns/event and the tile update {applyInside:N0} (alone: {Ns(decodeAlone.Median):N0} and {Ns(allAlone.Median):N0}): " +
            $"the whole path costs {Ns(interleaved.Median) / apart:F2}× the sum of its phases run apart ({apart:N0} ns/event, {1e9 / apart:N0} events/s), " +
            $"and took {interleaved.PageFaults:N0} page faults per run against {decodeAlone.PageFaults + allAlone.PageFaults:N0} for the two apart (each costs microseconds on this VM: see [memory](#memory)). " +
            $"check: {(ok ? "every case accepted every event and applied each once per view" : "**counts differ between cases**")}.");
        return (text.ToString(), ok);
    }

    /// <summary>Runs a body and adds its GC pause time to the run's figures.</summary>
    private static void Timed(RunFigures figures, Action body)
    {
        var pause0 = GC.GetTotalPauseDuration();
        body();
        figures.Add("gc_pause_s", (GC.GetTotalPauseDuration() - pause0).TotalSeconds);
    }

    private sealed record StreamSize(int Customers, int Merchants, int Days, int Warmup, int Runs);
}
