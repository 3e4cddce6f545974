using System.Text;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace Brisa.Cli.Serving;

/// <summary>
/// Runs one queue function as the Functions queue extension does: receive a batch, invoke per message in parallel,
/// delete on success; on failure the message becomes visible again after <see cref="QueueTriggerOptions.VisibilityTimeout"/>,
/// and the attempt whose dequeue count reaches <see cref="QueueTriggerOptions.MaxDequeueCount"/> moves it to
/// <c>&lt;queue&gt;-poison</c>. A message that is not valid base64 cannot be bound and moves there at once.
/// </summary>
/// <remarks>
/// Messages are received undecoded (the <paramref name="queue"/> client has no message encoding) and decoded here, so
/// a message copied to the poison queue keeps the exact text it had, whether it decoded or not.
/// </remarks>
internal sealed partial class QueueTriggerListener(QueueFunction function, QueueClient queue, QueueClient poison, QueueTriggerOptions options, FunctionInvoker invoker, ILogger logger)
{
    /// <summary>Polls and processes until <paramref name="stopping"/> is signalled.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var idle = TimeSpan.Zero;
        var created = false;
        while (!stopping.IsCancellationRequested)
        {
            QueueMessage[] batch;
            try
            {
                if (!created)
                {
                    await queue.CreateIfNotExistsAsync(cancellationToken: stopping).ConfigureAwait(false);
                    created = true;
                }

                batch = (await queue.ReceiveMessagesAsync(options.BatchSize, options.Lease, stopping).ConfigureAwait(false)).Value;
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                // Storage unreachable for a moment: back off as after an empty poll.
                LogReceiveFailed(logger, ex, function.Name, function.Queue);
                batch = [];
            }

            if (batch.Length == 0)
            {
                idle = QueuePolling.NextInterval(idle, options.MaxPollingInterval);
                await Task.Delay(idle, stopping).ConfigureAwait(false);
                continue;
            }

            idle = TimeSpan.Zero;
            await Task.WhenAll(batch.Select(message => ProcessAsync(message, stopping))).ConfigureAwait(false);
        }
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken stopping)
    {
        try
        {
            if (message.DequeueCount > options.MaxDequeueCount)
            {
                // A serve process died while running it too often to count its failures: no further attempt.
                await MoveToPoisonAsync(message, "its dequeue count is past maxDequeueCount").ConfigureAwait(false);
                return;
            }

            if (Decode(message.MessageText) is not { } text)
            {
                await MoveToPoisonAsync(message, "it is not valid base64 (messageEncoding)").ConfigureAwait(false);
                return;
            }

            try
            {
                await invoker.InvokeAsync(function.Method, text, stopping).ConfigureAwait(false);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                // Stopped mid-run: not the message's fault. Visible again now, not after the whole lease.
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (message.DequeueCount >= options.MaxDequeueCount)
            {
                LogFailed(logger, ex, function.Name, message.MessageId, message.DequeueCount, options.MaxDequeueCount);
                await MoveToPoisonAsync(message, $"attempt {message.DequeueCount} of {options.MaxDequeueCount} failed").ConfigureAwait(false);
                return;
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex, function.Name, message.MessageId, message.DequeueCount, options.MaxDequeueCount);
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: options.VisibilityTimeout, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                return;
            }

            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            // Deleting or releasing failed (e.g. the lease ran out and another receive owns it): the message comes back.
            LogSettleFailed(logger, ex, function.Name, message.MessageId);
        }
    }

    private string? Decode(string text)
    {
        if (!options.Base64)
        {
            return text;
        }

        var bytes = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, bytes, out var written) ? Encoding.UTF8.GetString(bytes, 0, written) : null;
    }

    private async Task MoveToPoisonAsync(QueueMessage message, string reason)
    {
        await poison.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        await poison.SendMessageAsync(message.MessageText, CancellationToken.None).ConfigureAwait(false);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
        LogPoisoned(logger, function.Name, message.MessageId, function.PoisonQueue, reason);
    }

    [LoggerMessage(EventId = 9111, Level = LogLevel.Warning, Message = "Queue {Function}: message {MessageId} failed on attempt {DequeueCount} of {MaxDequeueCount}.")]
    private static partial void LogFailed(ILogger logger, Exception exception, string function, string messageId, long dequeueCount, int maxDequeueCount);

    [LoggerMessage(EventId = 9112, Level = LogLevel.Error, Message = "Queue {Function}: message {MessageId} moved to {PoisonQueue}: {Reason}.")]
    private static partial void LogPoisoned(ILogger logger, string function, string messageId, string poisonQueue, string reason);

    [LoggerMessage(EventId = 9113, Level = LogLevel.Warning, Message = "Queue {Function}: receiving from {Queue} failed; polling again.")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception, string function, string queue);

    [LoggerMessage(EventId = 9114, Level = LogLevel.Warning, Message = "Queue {Function}: message {MessageId} could not be deleted or released; it will be delivered again.")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, string function, string messageId);
}
