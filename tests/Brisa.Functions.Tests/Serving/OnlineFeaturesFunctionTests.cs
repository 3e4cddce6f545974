using Brisa.Azure.Registry;
using Brisa.Core.Definitions;
using Brisa.Functions.Serving;
using Brisa.Functions.Tests.Reliability;
using Brisa.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Tests.Serving;

/// <summary>Answers that are not the request's fault: nothing applied yet, or a failure nobody expected.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class OnlineFeaturesFunctionTests(AzuriteFixture azurite)
{
    private const string Body = """{"features":["customer_7d:txn_count_7d"],"entities":{"customer_id":["c1"]}}""";

    [Fact]
    public async Task Run_NoDefinitionsApplied_ServiceUnavailableProblem()
    {
        // No test in this collection applies definitions to the shared account.
        Assert.Null(await DefinitionRegistry.For(azurite.Storage).GetPointerAsync());
        using var services = new FunctionServices(azurite.ConnectionString);

        var result = await services.Create<OnlineFeaturesFunction>().Run(ServingFixture.Request(Body), CancellationToken.None);

        var problem = BadInputTests.AssertProblem(result, 503);
        Assert.Equal("https://brisa.dev/problems/no-definitions-deployed", problem.Type);
        Assert.Equal("No definitions are deployed: run 'brisa apply <file>' first.", problem.Detail);
    }

    [Fact]
    public async Task Run_UnexpectedFailure_InternalErrorProblemAndTheErrorLoggedWithItsId()
    {
        using var services = new FunctionServices(azurite.ConnectionString, s => s.AddSingleton<IDefinitionsSource>(new BrokenDefinitions()));

        var result = await services.Create<OnlineFeaturesFunction>().Run(ServingFixture.Request(Body), CancellationToken.None);

        var problem = BadInputTests.AssertProblem(result, 500);
        Assert.Equal("https://brisa.dev/problems/internal-error", problem.Type);
        Assert.DoesNotContain("secret", problem.Detail, StringComparison.OrdinalIgnoreCase);
        var id = Assert.IsType<string>(problem.Extensions["error_id"]);
        Assert.Contains(id, problem.Detail, StringComparison.Ordinal);
        var logged = Assert.Single(services.Logs.Entries, e => e.Level == LogLevel.Error);
        Assert.IsType<ArithmeticException>(logged.Exception);
        Assert.Equal(id, logged.Properties["ErrorId"]);
        Assert.Equal(typeof(OnlineFeaturesFunction).FullName, logged.Category);
    }

    [Fact]
    public async Task Run_RequestAborted_CancellationIsNotTurnedIntoAProblem()
    {
        using var services = new FunctionServices(azurite.ConnectionString, s => s.AddSingleton<IDefinitionsSource>(new WaitingDefinitions()));
        using var aborted = new CancellationTokenSource();
        await aborted.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => services.Create<OnlineFeaturesFunction>().Run(ServingFixture.Request(Body), aborted.Token));

        Assert.DoesNotContain(services.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    private sealed class BrokenDefinitions : IDefinitionsSource
    {
        public ValueTask<FeatureRepositoryDefinition> GetAsync(CancellationToken cancellationToken) => throw new ArithmeticException("secret internals");
    }

    private sealed class WaitingDefinitions : IDefinitionsSource
    {
        public async ValueTask<FeatureRepositoryDefinition> GetAsync(CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
