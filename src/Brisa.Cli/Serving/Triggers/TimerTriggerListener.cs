using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Brisa.Cli.Serving;

/// <summary>
/// Runs one timer function on its <see cref="TimerSchedule"/> until stopped: one run at a time (the next tick is
/// planned only when a run has ended), a failing run logged and the schedule kept.
/// </summary>
internal sealed partial class TimerTriggerListener(TimerFunction function, FunctionInvoker invoker, TimeProvider time, ILogger logger)
{
    // Task.Delay takes at most about 49 days; a yearly schedule waits in steps.
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(24);

    /// <summary>Fires the function on schedule until <paramref name="stopping"/> is signalled.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        DateTimeOffset? last = null;
        var now = time.GetUtcNow();
        // RunOnStartup (none of Brisa's timers sets it) fires once at once, not past due, as the host does.
        var tick = function.RunOnStartup ? new TimerTick(now, CatchUp: false) : function.Schedule.First(now);
        while (!stopping.IsCancellationRequested)
        {
            for (var wait = tick.Due - time.GetUtcNow(); wait > TimeSpan.Zero; wait = tick.Due - time.GetUtcNow())
            {
                await Task.Delay(wait < LongestWait ? wait : LongestWait, time, stopping).ConfigureAwait(false);
            }

            var started = time.GetUtcNow();
            await FireAsync(tick, started, last, stopping).ConfigureAwait(false);
            last = tick.Due > started ? tick.Due : started;
            tick = function.Schedule.After(tick.Due, started, time.GetUtcNow());
        }
    }

    private async Task FireAsync(TimerTick tick, DateTimeOffset started, DateTimeOffset? last, CancellationToken stopping)
    {
        // As the host hands it over: the status before this run (last run, this occurrence as next).
        var timer = new TimerInfo
        {
            IsPastDue = TimerSchedule.IsPastDue(tick, started),
            ScheduleStatus = new ScheduleStatus
            {
                Last = last?.UtcDateTime ?? default,
                Next = tick.Due.UtcDateTime,
                LastUpdated = last?.UtcDateTime ?? default,
            },
        };
        if (timer.IsPastDue)
        {
            LogPastDue(logger, function.Name, tick.Due);
        }

        try
        {
            await invoker.InvokeAsync(function.Method, timer, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // The host's rule: a failing run never stops the schedule.
            LogFailed(logger, ex, function.Name, tick.Due);
        }
    }

    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "Timer {Function}: the run due at {Due:O} is past due.")]
    private static partial void LogPastDue(ILogger logger, string function, DateTimeOffset due);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Error, Message = "Timer {Function}: the run due at {Due:O} failed; the schedule goes on.")]
    private static partial void LogFailed(ILogger logger, Exception exception, string function, DateTimeOffset due);
}
