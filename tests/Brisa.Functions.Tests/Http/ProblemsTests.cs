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

    public static TheoryData<string> Answers => new() { "object", "json" };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Guard_AnswerThatCannotBeSerialized_InternalErrorProblemAndLogged(string kind)
    {
        // MVC serializes after the function returned: there a failure escaped as a bare 500, without problem details.
        var logs = new ListLoggerProvider();
        IActionResult answer = kind == "object" ? new OkObjectResult(new Unserializable()) : new JsonResult(new Unserializable());

        var result = await Problems.Guard(logs.CreateLogger<ProblemsTests>(), () => Task.FromResult(answer), CancellationToken.None);

        var problem = BadInputTests.AssertProblem(result, 500);
        var logged = Assert.Single(logs.Entries);
        Assert.Equal(problem.Extensions["error_id"], logged.Properties["ErrorId"]);
        Assert.DoesNotContain("secret", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Guard_Answer_ExecutedAsTheJsonMadeInsideTheGuard(string kind)
    {
        var value = new { name = "x", ratio = double.PositiveInfinity, count = 3 };
        IActionResult answer = kind == "object" ? new OkObjectResult(value) : new JsonResult(value);

        var result = await Problems.Guard(new ListLoggerProvider().CreateLogger<ProblemsTests>(), () => Task.FromResult(answer), CancellationToken.None);

        Assert.Same(answer, result);
        var executed = await ExecutedResult.ExecuteAsync(result);
        Assert.Equal(200, executed.Status);
        Assert.Equal("application/json; charset=utf-8", executed.ContentType);
        Assert.Equal("""{"name":"x","ratio":"Infinity","count":3}""", executed.Text);
    }

    private sealed class Unserializable
    {
        public int Value => throw new InvalidOperationException("secret internals");
    }
}
