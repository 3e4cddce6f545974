using Brisa.Azure.Offline;
using Brisa.Azure.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Brisa.Functions.Materialization;

/// <summary>
/// <c>MaterializeSlice</c>: the queue trigger on <c>materialize</c> (connection <c>AzureWebJobsStorage</c>). A thin
/// adapter onto <see cref="IncrementalMaterializer.RunSliceAsync(string, CancellationToken)"/>: one view over one
/// range of at most a UTC day, so the work scales out per message.
/// </summary>
/// <remarks>
/// Nothing is caught. A failure (storage, or a malformed message: <see cref="FormatException"/> with what is wrong)
/// fails the invocation; the host makes the message visible again and, after <c>maxDequeueCount</c> attempts
/// (<c>host.json</c>: 5), moves it to <c>materialize-poison</c>, where it stays for inspection — never silently
/// dropped. Re-running a slice is safe: materialization is idempotent.
/// </remarks>
public sealed partial class MaterializeSliceFunction(IncrementalMaterializer materializer, ILogger<MaterializeSliceFunction> logger)
{
    /// <summary>Materializes the slice a message names.</summary>
    /// <param name="message">The message: <c>{"view", "from", "to", "online"}</c>.</param>
    /// <param name="cancellationToken">Signalled when the host shuts down.</param>
    /// <returns>A task.</returns>
    [Function("MaterializeSlice")]
    public async Task Run([QueueTrigger(StorageNames.MaterializeQueue, Connection = "AzureWebJobsStorage")] string message, CancellationToken cancellationToken)
    {
        var result = await materializer.RunSliceAsync(message, cancellationToken);
        var view = result.Summary.Views.Single();
        LogSlice(logger, result.Slice.View, result.Slice.From, result.Slice.To, result.Summary.From, view.Rows, view.Files, view.OnlineRows, result.Summary.Events);
    }

    [LoggerMessage(EventId = 21, Level = LogLevel.Information,
        Message = "MaterializeSlice {View} [{From:O}, {To:O}) (recomputed from {ActualFrom:O}): {Rows} offline rows in {Files} files, {OnlineRows} online rows, {Events} events read")]
    private static partial void LogSlice(ILogger logger, string view, DateTimeOffset from, DateTimeOffset to, DateTimeOffset actualFrom, long rows, int files, int onlineRows, long events);
}
