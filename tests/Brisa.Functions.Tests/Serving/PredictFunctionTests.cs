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

    [Theory]
    [InlineData("\u00e9t\u00e9")]
    [InlineData("tab\tinside")]
    [InlineData("r-129")]
    public async Task Run_RequestIdNotPrintableAsciiOrTooLong_BadRequestUnderANewId(string id)
    {
        using var services = new FunctionServices(azurite.ConnectionString);
        var request = ServingFixture.Request("{}");
        request.Headers["x-request-id"] = id == "r-129" ? new string('r', 129) : id;

        var problem = BadInputTests.AssertProblem(await services.Create<PredictFunction>().Run(request, "fraud", CancellationToken.None), 400);

        var answeredAs = request.HttpContext.Response.Headers["x-request-id"].ToString();
        Assert.Matches("^[0-9a-f]{32}$", answeredAs);
        Assert.Equal("https://brisa.dev/problems/bad-request-id", problem.Type);
        Assert.Contains("must be 1 to 128 printable ASCII characters", problem.Detail, StringComparison.Ordinal);
        Assert.Contains(answeredAs, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RequestIdOf128PrintableCharacters_Echoed()
    {
        using var services = new FunctionServices(azurite.ConnectionString);
        var request = ServingFixture.Request("{}");
        var id = string.Concat(Enumerable.Repeat("a-Z_0:9/", 16));
        request.Headers["x-request-id"] = id;

        BadInputTests.AssertProblem(await services.Create<PredictFunction>().Run(request, "fraud", CancellationToken.None), 503);

        Assert.Equal(id, request.HttpContext.Response.Headers["x-request-id"].ToString());
    }
}
