using Azure.Core;
using Brisa.Azure.Serving;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Reliability;

/// <summary>The prediction log outlives a storage outage: records appended during it are written once storage is back.</summary>
public sealed class PredictionLogFaultTests
{
    [Fact]
    public async Task Append_DuringStorageOutage_WrittenAfterRestartAndLogKeepsRunning()
    {
        var azurite = new DurableAzurite();
        await azurite.InitializeAsync();
        try
        {
            var log = PredictionLog.For(azurite.Storage, TimeSpan.FromMilliseconds(100));
            log.Append(Record("before"));
            await WaitForAsync(log, 1);

            await azurite.StopAsync();
            log.Append(Record("during"));
            await Task.Delay(1500); // several flush attempts fail while storage is away
            await azurite.StartAsync();
            log.Append(Record("after"));
            await WaitForAsync(log, 3);
            await log.DisposeAsync();

            var logged = await log.ReadAllAsync("fraud");
            Assert.Equal(["after", "before", "during"], logged.Select(r => r.Id).Order(StringComparer.Ordinal));
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    [Fact]
    public async Task Flush_StorageStopsBetweenTwoHoursFiles_RetryWritesEachRecordOnce()
    {
        var azurite = new DurableAzurite();
        await azurite.InitializeAsync();
        try
        {
            // A full batch (1,000 records) over two hours is two blobs: storage stops before the second one is sent.
            var log = PredictionLog.For(azurite.Storage, TimeSpan.FromHours(1));
            azurite.StopWhen(request => request.Method == RequestMethod.Put && Uri.UnescapeDataString(request.Uri.Path).Contains("/hour=11/", StringComparison.Ordinal));
            var hour = new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
            for (var i = 0; i < 1000; i++)
            {
                log.Append(Record($"p{i:D4}") with { Time = hour.AddSeconds(i * 7.2) });
            }

            for (var i = 0; i < 300 && azurite.IsRunning; i++)
            {
                await Task.Delay(100);
            }

            Assert.False(azurite.IsRunning);
            await azurite.StartAsync();
            await log.DisposeAsync(); // the last flush writes the batch that failed

            var logged = await log.ReadAllAsync("fraud");
            Assert.Equal(1000, logged.Count);
            Assert.Equal(1000, logged.Select(r => r.Id).Distinct().Count());
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    private static PredictionRecord Record(string id) =>
        new("req", id, "fraud", "v20261129000000000-00000000", DateTimeOffset.UtcNow, 0.5, false, new Dictionary<string, object?> { ["amount"] = 1.0 });

    // Bounded wait for the background flush (no timing assertion: the count is what is checked).
    private static async Task WaitForAsync(PredictionLog log, int count)
    {
        for (var i = 0; i < 100 && (await log.ReadAllAsync("fraud")).Count < count; i++)
        {
            await Task.Delay(100);
        }
    }
}
