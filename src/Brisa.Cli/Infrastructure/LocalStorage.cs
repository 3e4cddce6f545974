using Brisa.Azure.Local;
using Brisa.Azure.Storage;
using Microsoft.Extensions.Configuration;

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

    /// <summary>The connection string in use; empty with identity-based settings.</summary>
    public string ConnectionString { get; }

    /// <summary>The emulator this command started, if any.</summary>
    public AzuriteProcess? Azurite { get; }

    /// <summary>A short description for the console.</summary>
    public string Description => Azurite is null
        ? "configured storage (AzureWebJobsStorage)"
        : $"Azurite in memory on 127.0.0.1 (blob {Azurite.BlobPort}, queue {Azurite.QueuePort}, table {Azurite.TablePort})";

    /// <summary>
    /// True when the environment names a storage account: <c>AzureWebJobsStorage</c> (a connection string) or any of the
    /// identity-based <c>AzureWebJobsStorage__blobServiceUri</c>, <c>__queueServiceUri</c>, <c>__tableServiceUri</c>
    /// (one set without the others is then reported, rather than a private Azurite used in place of that account).
    /// </summary>
    public static bool IsConfigured =>
        StorageSettings.Any(name => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(name)));

    private static readonly string[] StorageSettings =
        ["AzureWebJobsStorage", "AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri"];

    /// <summary>Opens configured storage or starts Azurite, and creates Brisa's containers, queues and table.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <param name="readOnly">
    /// The command only reads: configured storage is left as it is (nothing created), so a principal with read access
    /// alone can run it, as a pull request's <c>brisa plan</c> should be able to.
    /// </param>
    /// <exception cref="BadInputException">AzureWebJobsStorage is not a connection string, or identity-based settings are incomplete or not URLs.</exception>
    /// <exception cref="StorageUnreachableException">Configured storage does not answer (refused, unknown host, no answer in time).</exception>
    public static Task<LocalStorage> OpenAsync(CancellationToken cancellationToken, bool readOnly = false) => OpenAsync(privateAzurite: false, readOnly, cancellationToken);

    /// <summary>
    /// Starts a private Azurite whatever the environment names, and creates Brisa's containers, queues and table: for
    /// the demo, whose sample definitions and synthetic events have no place in anyone's account.
    /// </summary>
    public static Task<LocalStorage> StartPrivateAsync(CancellationToken cancellationToken) => OpenAsync(privateAzurite: true, readOnly: false, cancellationToken);

    private static async Task<LocalStorage> OpenAsync(bool privateAzurite, bool readOnly, CancellationToken cancellationToken)
    {
        var configured = privateAzurite ? null : Environment.GetEnvironmentVariable("AzureWebJobsStorage");
        var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        AzuriteProcess? azurite = null;
        BrisaStorage storage;
        if (!privateAzurite && string.IsNullOrWhiteSpace(configured) && IsConfigured)
        {
            // Identity-based settings (CI after an OIDC login, or a developer after 'az login'): no connection string.
            try
            {
                storage = BrisaStorage.FromConfiguration(environment);
            }
            catch (InvalidOperationException ex)
            {
                // A setting the user gave is missing or not a URL: their input, said as such (exit 2), not a failure.
                throw new BadInputException(ex.Message, ex);
            }

            configured = "";
        }
        else
        {
            if (string.IsNullOrWhiteSpace(configured))
            {
                azurite = await AzuriteProcess.StartAsync(cancellationToken: cancellationToken);
                configured = azurite.ConnectionString;
            }

            try
            {
                storage = BrisaStorage.FromConnectionString(configured);
            }
            catch (FormatException ex) when (azurite is null)
            {
                // The SDK's message ("Settings must be of the form name=value") does not say which setting is wrong.
                throw new BadInputException(
                    $"AzureWebJobsStorage is not a storage connection string ({ex.Message.TrimEnd('.')}). Set it to 'DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…' without quotes, or use the identity-based AzureWebJobsStorage__blobServiceUri, __queueServiceUri and __tableServiceUri.",
                    ex);
            }
        }

        if (azurite is null)
        {
            // Someone else's account: a refused connection or an unknown host would be retried for about 30 s and then
            // reported without saying which endpoint, from which setting. One quick request per service says it at once.
            await StorageReachability.EnsureReachableAsync(BrisaStorage.EndpointsFromConfiguration(environment), StorageReachability.DefaultTimeout, cancellationToken);
        }

        if (readOnly && azurite is null)
        {
            return new LocalStorage(storage, configured, azurite);
        }

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
