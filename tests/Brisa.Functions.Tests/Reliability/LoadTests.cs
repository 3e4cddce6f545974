using System.Collections.Concurrent;
using System.Diagnostics;
using Brisa.Azure.Offline;
using Brisa.Azure.Registry;
using Brisa.Azure.Serving;
using Brisa.Core.Materialization;
using Brisa.Core.Serving;
using Brisa.Functions.Ingestion;
using Brisa.Testing;
using Microsoft.AspNetCore.Mvc;
using Xunit.Abstractions;

namespace Brisa.Functions.Tests.Reliability;

/// <summary>
/// Concurrent pushes, online reads and predictions while the champion is swapped twice and a materialization runs,
/// all on loopback, bounded in count (and in time: BRISA_LOAD_SECONDS stretches it into a soak). No request may fail;
/// latencies are reported, not asserted.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class LoadTests(ServingFixture serving, ITestOutputHelper output)
{
    [Fact]
    public async Task Serve_WhileIngestingMaterializingAndSwappingChampion_NoFailedRequest()
    {
        var soak = int.TryParse(Environment.GetEnvironmentVariable("BRISA_LOAD_SECONDS"), out var seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
        var latencies = new ConcurrentDictionary<string, ConcurrentBag<double>>();
        var failures = new ConcurrentBag<string>();
        var versions = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();
        var started = Stopwatch.StartNew();
        var rounds = 0;

        async Task Client(string kind, Func<int, Task> call)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    await call(i);
                    latencies.GetOrAdd(kind, _ => []).Add(watch.Elapsed.TotalMilliseconds);
                }
                catch (Exception ex)
                {
                    failures.Add($"{kind} {i}: {ex.GetType().Name}: {ex.Message}");
                }
            }
        }

        var push = serving.Push();
        var online = serving.Online();
        var predict = serving.Predict();
        var run = Guid.NewGuid().ToString("N")[..6];
        var clients = new List<Task>
        {
            Client("push", async i =>
            {
                var events = Enumerable.Range(0, 20).Select(k => new TestTransaction($"load-{run}-{i}-{k}", serving.Customer, serving.Merchant, 10 + k, DateTimeOffset.UtcNow.AddSeconds(-k)));
                var result = await push.Run(ServingFixture.Request("[" + string.Join(",", events.Select(e => e.ToJson())) + "]", "application/cloudevents-batch+json"), CancellationToken.None);
                Assert.Equal(20, Assert.IsType<PushResponse>(Assert.IsType<OkObjectResult>(result).Value).Accepted);
            }),
            Client("online", async _ =>
            {
                var body = $$$"""{"feature_service":"fraud","entities":{"customer_id":["{{{serving.Customer}}}"],"merchant_id":["{{{serving.Merchant}}}"]}}""";
                var result = await online.Run(ServingFixture.Request(body), CancellationToken.None);
                Assert.Equal("PRESENT", Assert.IsType<OnlineFeatureResponse>(Assert.IsType<OkObjectResult>(result).Value).Results[1].Statuses[0]);
            }),
        };
        clients.AddRange(Enumerable.Range(0, 4).Select(_ => Client("predict", async _ =>
        {
            var result = await predict.Run(ServingFixture.Request(serving.ValidInstance()), "fraud", CancellationToken.None);
            var response = Assert.IsType<PredictResponse>(Assert.IsType<OkObjectResult>(result).Value);
            Assert.InRange(response.Predictions[0].Score, 0, 1);
            versions.AddOrUpdate(response.Version, 1, (_, n) => n + 1);
        })));

        // The background work the clients must not notice: champion swaps, and a materialization slice rewriting the
        // online values of merchant_7d, a batch view that every prediction reads.
        var materializer = new IncrementalMaterializer(serving.Azurite.Storage, new FixedDefinitionsSource(FraudHistory.Definitions), TimeProvider.System);
        var hour = DateTimeOffset.UtcNow.UtcTicks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour;
        var slice = new MaterializationSlice("merchant_7d", new DateTimeOffset(hour - TimeSpan.TicksPerHour, TimeSpan.Zero), new DateTimeOffset(hour, TimeSpan.Zero), Online: true);
        do
        {
            rounds++;
            await SwapAsync(serving.Other, serving.Champion, versions);
            var materialized = await materializer.RunSliceAsync(slice);
            Assert.True(materialized.WroteOnline);
            await SwapAsync(serving.Champion, serving.Other, versions);
        }
        while (started.Elapsed < soak);

        await stop.CancelAsync();
        await Task.WhenAll(clients);

        foreach (var (kind, values) in latencies.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            var sorted = values.Order().ToArray();
            output.WriteLine($"{kind,-8} {sorted.Length,6} requests  p50 {Percentile(sorted, 0.50),7:F1} ms  p99 {Percentile(sorted, 0.99),7:F1} ms");
        }

        output.WriteLine($"{rounds} round(s) of swap + materialization in {started.Elapsed.TotalSeconds:F1} s; versions served: {string.Join(", ", versions.Select(v => $"{v.Key} x{v.Value}"))}");
        Assert.Empty(failures);
        Assert.Contains(serving.Champion, versions.Keys);
        Assert.Contains(serving.Other, versions.Keys);
        Assert.All(new[] { "push", "online", "predict" }, k => Assert.NotEmpty(latencies[k]));
    }

    // Promotes a version and waits (bounded) until the clients are served by it.
    private async Task SwapAsync(string to, string from, ConcurrentDictionary<string, int> versions)
    {
        await serving.Registry.PromoteAsync("fraud", to, from, "load test swap", "test");
        var seen = versions.GetValueOrDefault(to);
        for (var wait = 0; wait < 200 && versions.GetValueOrDefault(to) <= seen + 5; wait++)
        {
            await Task.Delay(50);
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
