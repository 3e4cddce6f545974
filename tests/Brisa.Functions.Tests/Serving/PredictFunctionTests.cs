using Brisa.Azure.Registry;
using Brisa.Functions.Serving;
using Brisa.Functions.Tests.Reliability;
using Brisa.Testing;

namespace Brisa.Functions.Tests.Serving;

[Collection(AzuriteCollection.Name)]
public sealed class PredictFunctionTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Run_NoDefinitionsApplied_ServiceUnavailableProblem()
    {
        // No test in this collection applies definitions to the shared account.
        Assert.Null(await DefinitionRegistry.For(azurite.Storage).GetPointerAsync());
        using var services = new FunctionServices(azurite.ConnectionString);
        var body = """{"customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos"}""";

        var result = await services.Create<PredictFunction>().Run(ServingFixture.Request(body), "fraud", CancellationToken.None);

        var problem = BadInputTests.AssertProblem(result, 503);
        Assert.Equal("https://brisa.dev/problems/no-definitions-deployed", problem.Type);
        Assert.Equal("No definitions are deployed: run 'brisa apply <file>' first.", problem.Detail);
    }

    [Fact]
    public async Task Run_RequestIdGivenOrNot_EchoedAsHeaderAlsoOnProblems()
    {
        using var services = new FunctionServices(azurite.ConnectionString);
        var function = services.Create<PredictFunction>();
        var given = ServingFixture.Request("{}");
        given.Headers["x-request-id"] = "r-7";
        var notGiven = ServingFixture.Request("{}");

        BadInputTests.AssertProblem(await function.Run(given, "fraud", CancellationToken.None), 503);
        BadInputTests.AssertProblem(await function.Run(notGiven, "fraud", CancellationToken.None), 503);

        Assert.Equal("r-7", given.HttpContext.Response.Headers["x-request-id"].ToString());
        Assert.Matches("^[0-9a-f]{32}$", notGiven.HttpContext.Response.Headers["x-request-id"].ToString());
    }
}
