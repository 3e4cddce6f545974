using System.Runtime.InteropServices;

namespace Brisa.Cli;

/// <summary>
/// Turns Ctrl+C (and SIGTERM: <c>kill</c>, <c>docker stop</c>) into a cancellation, so commands stop Azurite and the
/// server on their way out.
/// </summary>
public sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration terminate;

    private ConsoleCancellation()
    {
        Console.CancelKeyPress += OnCancel;
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminate);
    }

    /// <summary>Cancelled on the first Ctrl+C or SIGTERM.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>Starts listening for Ctrl+C.</summary>
    public static ConsoleCancellation Install() => new();

    /// <inheritdoc />
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        terminate.Dispose();
        source.Dispose();
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        // The first Ctrl+C asks for a clean stop; a second one kills the process.
        if (!source.IsCancellationRequested)
        {
            e.Cancel = true;
            source.Cancel();
        }
    }

    private void OnTerminate(PosixSignalContext context)
    {
        // Same as Ctrl+C: stop cleanly instead of the runtime's immediate exit.
        if (!source.IsCancellationRequested)
        {
            context.Cancel = true;
            source.Cancel();
        }
    }
}
