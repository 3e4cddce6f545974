using Brisa.Azure.Local;
using Brisa.Azure.Storage;

namespace Brisa.Cli;

/// <summary>
/// The storage a command works against: the account named by <c>AzureWebJobsStorage</c> when set,
/// otherwise a private in-memory Azurite that lives as long as this object.
/// </summary>
public sealed class LocalStorage : IAsyncDisposable
{
    private LocalStorage(BrisaStorage storage, string connectionString, AzuriteProcess? azurite)
    {
        Storage = storage;
        ConnectionString = connectionString;
        Azurite = azurite;
    }

    /// <summary>The storage clients.</summary>
    public BrisaStorage Storage { get; }

    /// <summary>The connection string in use.</summary>
    public string ConnectionString { get; }

    /// <summary>The emulator this command started, if any.</summary>
    public AzuriteProcess? Azurite { get; }

    /// <summary>A short description for the console.</summary>
    public string Description => Azurite is null
        ? "configured storage (AzureWebJobsStorage)"
        : $"Azurite in memory on 127.0.0.1 (blob {Azurite.BlobPort}, queue {Azurite.QueuePort}, table {Azurite.TablePort})";

    /// <summary>Opens configured storage or starts Azurite, and creates Brisa's containers, queues and table.</summary>
    public static async Task<LocalStorage> OpenAsync(CancellationToken cancellationToken)
    {
        var configured = Environment.GetEnvironmentVariable("AzureWebJobsStorage");
        AzuriteProcess? azurite = null;
        if (string.IsNullOrWhiteSpace(configured))
        {
            azurite = await AzuriteProcess.StartAsync(cancellationToken: cancellationToken);
            configured = azurite.ConnectionString;
        }

        var storage = BrisaStorage.FromConnectionString(configured);
        try
        {
            await storage.EnsureCreatedAsync(cancellationToken);
        }
        catch
        {
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }

            throw;
        }

        return new LocalStorage(storage, configured, azurite);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Azurite is not null)
        {
            await Azurite.DisposeAsync();
        }
    }
}
