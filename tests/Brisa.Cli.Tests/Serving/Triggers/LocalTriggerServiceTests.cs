using System.Diagnostics;
using Azure.Storage.Queues;
using Brisa.Azure.Offline;
using Brisa.Azure.Storage;
using Brisa.Cli.Serving;
using Brisa.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Brisa.Cli.Tests.Serving.Triggers;

/// <summary>
/// The timer and queue triggers as <c>brisa serve</c> runs them, against a real Azurite: Brisa's own functions
/// (materialization's timer and queue) and test-only ones where a test needs to count or slow down invocations.
/// Every test is bounded: it waits for an effect with a deadline, then stops its host.
/// </summary>
public sealed class LocalTriggerServiceTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Build_WithoutTriggerOptions_NoTriggerService()
    {
        await using var app = LocalFunctionsHost.Build(new Uri($"http://127.0.0.1:{ServingFixture.FreePort()}"), Settings(), functionKey: null);

        Assert.Null(app.Services.GetService<LocalTriggerService>());
    }

    [Fact]
    public async Task Timer_MaterializeFeaturesEverySecond_AdvancesWatermarkAndSliceQueueDrains()
    {
        var materializer = new IncrementalMaterializer(azurite.Storage, new Brisa.Azure.Registry.FixedDefinitionsSource(FraudHistory.Definitions), TimeProvider.System);
        Assert.Null((await materializer.ReadWatermarkAsync(null))?.Watermark);

        await using var app = await StartAsync(
            new LocalTriggerOptions { Include = name => name is "MaterializeFeatures" or "MaterializeSlice" },
            ("Brisa:MaterializeSchedule", "* * * * * *"),
            ("Brisa:Materialize:InitialLookback", "02:00:00"));

        await EventuallyAsync(async () => (await materializer.ReadWatermarkAsync(null))?.Watermark is not null, "the watermark was never written");
        var queue = azurite.Storage.Queues.GetQueueClient(StorageNames.MaterializeQueue);
        await EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "the slices were never all processed");
        Assert.False((await azurite.Storage.Queues.GetQueueClient(StorageNames.MaterializeQueue + "-poison").ExistsAsync()).Value);
    }

    [Fact]
    public async Task Timer_RunLongerThanInterval_NeverOverlapsAndCatchUpIsPastDue()
    {
        TestTriggerFunctions.Probe.Ticks.Clear();
        await using (var app = await StartAsync(TestFunctions("SlowTick")))
        {
            await EventuallyAsync(() => Task.FromResult(TestTriggerFunctions.Probe.Ticks.Count >= 3), "the slow timer did not run three times");
        }

        var ticks = TestTriggerFunctions.Probe.Ticks.ToArray();
        Assert.All(ticks, t => Assert.Equal(1, t.Running));
        Assert.False(ticks[0].Timer.IsPastDue);
        Assert.True(ticks[1].Timer.IsPastDue);
        Assert.True(ticks[1].At - ticks[0].At >= TimeSpan.FromSeconds(1.4), "the second run started before the first ended");
        Assert.True(ticks[1].Timer.ScheduleStatus!.Last >= ticks[0].Timer.ScheduleStatus!.Next);
    }

    [Fact]
    public async Task Queue_MessageAsProducersWriteIt_ProcessedWithItsTextAndDeleted()
    {
        TestTriggerFunctions.Probe.Messages.Clear();
        var queue = azurite.Storage.Queues.GetQueueClient(TestTriggerFunctions.RecordQueue);
        await queue.CreateIfNotExistsAsync();
        const string text = """{"model":"fraud","reason":"ñandú"}""";
        await queue.SendMessageAsync(text); // base64, as IncrementalMaterializer and DriftMonitor write

        await using (var app = await StartAsync(TestFunctions("RecordMessage")))
        {
            await EventuallyAsync(() => Task.FromResult(!TestTriggerFunctions.Probe.Messages.IsEmpty), "the message was never processed");
            await EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "the message was not deleted");
        }

        Assert.Equal([text], TestTriggerFunctions.Probe.Messages);
    }

    [Fact]
    public async Task Queue_FunctionAlwaysFails_PoisonAfterMaxDequeueCountAttempts()
    {
        TestTriggerFunctions.Probe.Failures = 0;
        var queue = azurite.Storage.Queues.GetQueueClient(TestTriggerFunctions.FailQueue);
        var poison = azurite.Storage.Queues.GetQueueClient(TestTriggerFunctions.FailQueue + "-poison");
        await queue.CreateIfNotExistsAsync();
        await poison.DeleteIfExistsAsync();
        await queue.SendMessageAsync("slice that never works");
        var options = TestFunctions("AlwaysFails") with { Queues = QueueTriggerOptions.FromHostJson() with { MaxDequeueCount = 3, VisibilityTimeout = TimeSpan.FromSeconds(1) } };

        var clock = Stopwatch.StartNew();
        await using (var app = await StartAsync(options))
        {
            await EventuallyAsync(async () => (await poison.ExistsAsync()).Value && (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount == 1, "the message never reached the poison queue");
        }

        Assert.Equal(3, TestTriggerFunctions.Probe.Failures);
        // Storage counts visibility in whole seconds: two retries, each after a one-second timeout.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), "failed attempts did not wait for the visibility timeout");
        Assert.Equal("slice that never works", (await poison.PeekMessageAsync()).Value.Body.ToString());
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Queue_MessageNotBase64_PoisonedIntactWithoutAnAttempt()
    {
        TestTriggerFunctions.Probe.Failures = 0;
        var raw = new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var queue = raw.GetQueueClient(StorageNames.MaterializeQueue);
        var poison = raw.GetQueueClient(StorageNames.MaterializeQueue + "-poison");
        await poison.DeleteIfExistsAsync();
        await queue.SendMessageAsync("{not base64}");

        await using (var app = await StartAsync(new LocalTriggerOptions { Include = name => name == "MaterializeSlice" }))
        {
            await EventuallyAsync(async () => (await poison.ExistsAsync()).Value && (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount == 1, "the message never reached the poison queue");
        }

        Assert.Equal("{not base64}", (await poison.PeekMessageAsync()).Value.MessageText);
        await poison.DeleteIfExistsAsync();
    }

    private static LocalTriggerOptions TestFunctions(string name) => new() { FunctionsAssembly = typeof(TestTriggerFunctions).Assembly, Include = n => n == name };

    private Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Brisa:DefinitionsFile"] = RepositoryPaths.FraudDefinitions,
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    private async Task<WebApplication> StartAsync(LocalTriggerOptions triggers, params (string Key, string Value)[] extra)
    {
        var app = LocalFunctionsHost.Build(new Uri($"http://127.0.0.1:{ServingFixture.FreePort()}"), Settings(extra), functionKey: null, triggers: triggers);
        await app.StartAsync();
        return app;
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Deadline, $"{failure} within {Deadline.TotalSeconds} s");
            await Task.Delay(100);
        }
    }
}
