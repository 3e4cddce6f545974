using Brisa.Core.Definitions;
using Brisa.Testing;

namespace Brisa.Functions.Tests;

public sealed class EveryModelTests
{
    private static readonly ModelDefinition[] Models = [.. new[] { "a", "b", "c" }.Select(name => FraudHistory.Definitions.Models[0] with { Name = name })];

    [Fact]
    public async Task RunAsync_SomeModelsFail_OthersRunAndOneAggregateOfTheFailuresInModelOrder()
    {
        var ran = new List<string>();
        var logged = new List<string>();

        var error = await Assert.ThrowsAsync<AggregateException>(() => EveryModel.RunAsync(
            Models,
            model =>
            {
                ran.Add(model.Name);
                return model.Name == "b" ? Task.CompletedTask : Task.FromException(new InvalidDataException(model.Name + " broke"));
            },
            (model, ex) => logged.Add($"{model.Name}: {ex.Message}"),
            (failed, models) => $"Tick: {failed} of {models} model(s) failed"));

        Assert.Equal(["a", "b", "c"], ran);
        Assert.Equal(["a: a broke", "c: c broke"], logged);
        Assert.Equal(["a broke", "c broke"], error.InnerExceptions.Select(e => e.Message));
        Assert.StartsWith("Tick: 2 of 3 model(s) failed; the others ran.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Canceled_PropagatesAtOnceUnlogged()
    {
        var ran = new List<string>();
        var logged = new List<string>();

        await Assert.ThrowsAsync<OperationCanceledException>(() => EveryModel.RunAsync(
            Models,
            model =>
            {
                ran.Add(model.Name);
                return Task.FromException(new OperationCanceledException());
            },
            (model, _) => logged.Add(model.Name),
            (failed, models) => "unused"));

        Assert.Equal(["a"], ran);
        Assert.Empty(logged);
    }

    [Fact]
    public async Task RunAsync_EveryModelSucceeds_Completes()
    {
        var ran = new List<string>();

        await EveryModel.RunAsync(Models, model => { ran.Add(model.Name); return Task.CompletedTask; }, (_, ex) => throw ex, (_, _) => "unused");

        Assert.Equal(["a", "b", "c"], ran);
    }
}
