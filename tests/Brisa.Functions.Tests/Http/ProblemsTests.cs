using Brisa.Functions.Http;
using Brisa.Functions.Tests.Reliability;
using Brisa.Testing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Tests.Http;

public sealed class ProblemsTests
{
    [Fact]
    public async Task Guard_RequestAborted_CancellationPropagatesUnlogged()
    {
        var logs = new ListLoggerProvider();
        using var aborted = new CancellationTokenSource();
        await aborted.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Problems.Guard(logs.CreateLogger<ProblemsTests>(), () => Task.FromException<IActionResult>(new OperationCanceledException(aborted.Token)), aborted.Token));

        Assert.Empty(logs.Entries);
    }

    [Fact]
    public async Task Guard_CanceledButNotTheRequest_InternalErrorProblemAndLogged()
    {
        // A dependency's own timeout (the SDK's TaskCanceledException) is a failure, not the caller going away.
        var logs = new ListLoggerProvider();

        var result = await Problems.Guard(logs.CreateLogger<ProblemsTests>(), () => Task.FromException<IActionResult>(new TaskCanceledException("storage timed out")), CancellationToken.None);

        var problem = BadInputTests.AssertProblem(result, 500);
        var logged = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.IsType<TaskCanceledException>(logged.Exception);
        Assert.Equal(problem.Extensions["error_id"], logged.Properties["ErrorId"]);
        Assert.DoesNotContain("storage timed out", problem.Detail, StringComparison.Ordinal);
    }
}
