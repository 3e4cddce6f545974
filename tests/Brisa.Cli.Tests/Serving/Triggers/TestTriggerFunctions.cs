using System.Collections.Concurrent;
using Microsoft.Azure.Functions.Worker;

namespace Brisa.Cli.Tests.Serving.Triggers;

/// <summary>
/// Test-only functions the local trigger host discovers in this assembly (each test includes only its own by name):
/// a timer that overruns its one-second schedule, a queue function that records what it was given, and one that always fails.
/// </summary>
public sealed class TestTriggerFunctions
{
    /// <summary>The queue <see cref="Record"/> listens on.</summary>
    public const string RecordQueue = "serve-test-record";

    /// <summary>The queue <see cref="Fail"/> listens on.</summary>
    public const string FailQueue = "serve-test-fails";

    /// <summary>Runs 1.5 s on a 1 s schedule.</summary>
    [Function("SlowTick")]
    public async Task Tick([TimerTrigger("* * * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var running = Interlocked.Increment(ref Probe.Running);
        Probe.Ticks.Enqueue((timer, running, DateTimeOffset.UtcNow));
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref Probe.Running);
        }
    }

    /// <summary>Records the message text.</summary>
    [Function("RecordMessage")]
    public Task Record([QueueTrigger(RecordQueue, Connection = "AzureWebJobsStorage")] string message)
    {
        Probe.Messages.Enqueue(message);
        return Task.CompletedTask;
    }

    /// <summary>Counts the attempt and fails.</summary>
    [Function("AlwaysFails")]
    public Task Fail([QueueTrigger(FailQueue, Connection = "AzureWebJobsStorage")] string message)
    {
        Interlocked.Increment(ref Probe.Failures);
        throw new InvalidOperationException($"always fails: {message}");
    }

    /// <summary>What the functions saw (tests of one class run one at a time; each resets what it reads).</summary>
    public static class Probe
    {
        public static int Running;
        public static int Failures;
        public static readonly ConcurrentQueue<(TimerInfo Timer, int Running, DateTimeOffset At)> Ticks = new();
        public static readonly ConcurrentQueue<string> Messages = new();
    }
}
