using Brisa.Core.Definitions;

namespace Brisa.Functions;

/// <summary>
/// A timer tick's work over every model (<c>RetrainModels</c>, <c>MonitorDrift</c>): a model whose run fails is logged
/// and the others still run (one broken model must not stop the rest); the tick then fails with every failure, so the
/// host records it. A cancellation is not a model's failure: it ends the tick at once.
/// </summary>
internal static class EveryModel
{
    /// <summary>Runs <paramref name="run"/> for each model in turn; throws one <see cref="AggregateException"/> for all that failed.</summary>
    /// <param name="models">The models, in the order they run.</param>
    /// <param name="run">One model's work.</param>
    /// <param name="logFailure">Logs one model's failure, as it happens.</param>
    /// <param name="failure">The tick's failure, from the models that failed and all models counted, e.g. "MonitorDrift: 1 of 2 model(s) failed their drift check".</param>
    /// <exception cref="AggregateException">One or more models failed; its inner exceptions in model order.</exception>
    public static async Task RunAsync(IReadOnlyList<ModelDefinition> models, Func<ModelDefinition, Task> run, Action<ModelDefinition, Exception> logFailure, Func<int, int, string> failure)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(logFailure);
        ArgumentNullException.ThrowIfNull(failure);
        var failures = new List<Exception>();
        foreach (var model in models)
        {
            try
            {
                await run(model);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logFailure(model, ex);
                failures.Add(ex);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException($"{failure(failures.Count, models.Count)}; the others ran.", failures);
        }
    }
}
