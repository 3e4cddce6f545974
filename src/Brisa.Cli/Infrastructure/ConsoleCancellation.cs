namespace Brisa.Cli;

/// <summary>Turns Ctrl+C into a cancellation, so commands stop Azurite and the server on their way out.</summary>
public sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource source = new();

    private ConsoleCancellation()
    {
        Console.CancelKeyPress += OnCancel;
    }

    /// <summary>Cancelled on the first Ctrl+C.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>Starts listening for Ctrl+C.</summary>
    public static ConsoleCancellation Install() => new();

    /// <inheritdoc />
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
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
}
