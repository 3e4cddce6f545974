using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Brisa.Azure.Storage;

/// <summary>The clients of Brisa's one storage account: blobs, queues and tables.</summary>
public sealed class BrisaStorage
{
    /// <summary>Creates the clients from explicit service clients.</summary>
    public BrisaStorage(BlobServiceClient blobs, QueueServiceClient queues, TableServiceClient tables)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(tables);
        Blobs = blobs;
        Queues = queues;
        Tables = tables;
    }

    private static readonly TimeSpan HealthProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The blob service.</summary>
    public BlobServiceClient Blobs { get; }

    /// <summary>The queue service.</summary>
    public QueueServiceClient Queues { get; }

    /// <summary>The table service.</summary>
    public TableServiceClient Tables { get; }

    /// <summary>Clients for a connection string (Azurite, or a local development account).</summary>
    public static BrisaStorage FromConnectionString(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return new BrisaStorage(
            new BlobServiceClient(connectionString),
            new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }),
            new TableServiceClient(connectionString));
    }

    /// <summary>Identity-based clients for the three service endpoints (production: no keys anywhere).</summary>
    public static BrisaStorage FromServiceUris(Uri blobServiceUri, Uri queueServiceUri, Uri tableServiceUri, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(blobServiceUri);
        ArgumentNullException.ThrowIfNull(queueServiceUri);
        ArgumentNullException.ThrowIfNull(tableServiceUri);
        ArgumentNullException.ThrowIfNull(credential);
        return new BrisaStorage(
            new BlobServiceClient(blobServiceUri, credential),
            new QueueServiceClient(queueServiceUri, credential, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }),
            new TableServiceClient(tableServiceUri, credential));
    }

    /// <summary>
    /// Reads the Functions-style connection named <paramref name="name"/>: either a connection string
    /// (<c>AzureWebJobsStorage</c>) or identity-based settings (<c>AzureWebJobsStorage__blobServiceUri</c>,
    /// <c>__queueServiceUri</c>, <c>__tableServiceUri</c>, optional <c>__clientId</c> for a user-assigned identity).
    /// </summary>
    public static BrisaStorage FromConfiguration(IConfiguration configuration, string name = "AzureWebJobsStorage")
    {
        var connection = StorageConnection.Read(configuration, name);
        return connection.ConnectionString is { } connectionString
            ? FromConnectionString(connectionString)
            : FromServiceUris(connection.BlobServiceUri!, connection.QueueServiceUri!, connection.TableServiceUri!, connection.Credential!);
    }

    /// <summary>
    /// A queue service client for the connection named <paramref name="name"/> (as <see cref="FromConfiguration"/>
    /// reads it) with the caller's options: <c>brisa serve</c>'s queue triggers receive messages undecoded, as the
    /// Functions queue extension does, so a message that is not valid base64 can be moved to the poison queue intact.
    /// </summary>
    public static QueueServiceClient QueuesFromConfiguration(IConfiguration configuration, QueueClientOptions options, string name = "AzureWebJobsStorage")
    {
        var connection = StorageConnection.Read(configuration, name);
        return connection.ConnectionString is { } connectionString
            ? new QueueServiceClient(connectionString, options)
            : new QueueServiceClient(connection.QueueServiceUri!, connection.Credential!, options);
    }

    /// <summary>
    /// The blob, queue and table endpoints of the connection named <paramref name="name"/> (as <see cref="FromConfiguration"/>
    /// reads it), each with the setting it came from: <paramref name="name"/> for a connection string, else
    /// <c>&lt;name&gt;__blobServiceUri</c> and so on. For messages that say where a command went.
    /// </summary>
    public static IReadOnlyList<StorageEndpoint> EndpointsFromConfiguration(IConfiguration configuration, string name = "AzureWebJobsStorage")
    {
        var connection = StorageConnection.Read(configuration, name);
        if (connection.ConnectionString is { } connectionString)
        {
            var storage = FromConnectionString(connectionString);
            return [new("Blob", storage.Blobs.Uri, name), new("Queue", storage.Queues.Uri, name), new("Table", storage.Tables.Uri, name)];
        }

        return
        [
            new("Blob", connection.BlobServiceUri!, $"{name}__blobServiceUri"),
            new("Queue", connection.QueueServiceUri!, $"{name}__queueServiceUri"),
            new("Table", connection.TableServiceUri!, $"{name}__tableServiceUri"),
        ];
    }

    // A Functions-style connection: a connection string, or the three service URIs and the identity to use.
    private sealed record StorageConnection(string? ConnectionString, Uri? BlobServiceUri, Uri? QueueServiceUri, Uri? TableServiceUri, TokenCredential? Credential)
    {
        public static StorageConnection Read(IConfiguration configuration, string name)
        {
            ArgumentNullException.ThrowIfNull(configuration);
            var connectionString = configuration[name];
            if (!string.IsNullOrWhiteSpace(connectionString))
            {
                return new StorageConnection(connectionString, null, null, null, null);
            }

            var section = configuration.GetSection(name);
            var blob = section["blobServiceUri"];
            var queue = section["queueServiceUri"];
            var table = section["tableServiceUri"];
            if (blob is null || queue is null || table is null)
            {
                // Name what is missing: with one or two of the three set, "not configured" sends the reader to the wrong setting.
                var missing = new[] { ("blobServiceUri", blob), ("queueServiceUri", queue), ("tableServiceUri", table) }
                    .Where(s => s.Item2 is null).Select(s => $"'{name}__{s.Item1}'").ToArray();
                throw new InvalidOperationException(missing.Length == 3
                    ? $"Storage connection '{name}' is not configured. Set '{name}' to a connection string (local), " +
                      $"or '{name}__blobServiceUri', '{name}__queueServiceUri' and '{name}__tableServiceUri' (Azure, managed identity)."
                    : $"Storage connection '{name}' is incomplete: {string.Join(" and ", missing)} not set. Identity-based storage needs " +
                      $"'{name}__blobServiceUri', '{name}__queueServiceUri' and '{name}__tableServiceUri' (or set '{name}' to a connection string).");
            }

            var clientId = section["clientId"];
            TokenCredential credential = clientId is null
                ? new DefaultAzureCredential()
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
            return new StorageConnection(null, ServiceUri(name, "blobServiceUri", blob), ServiceUri(name, "queueServiceUri", queue), ServiceUri(name, "tableServiceUri", table), credential);
        }

        private static Uri ServiceUri(string name, string key, string value)
        {
            // new Uri's own message ("Invalid URI: …") names neither the setting nor the form it wants.
            return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
                ? uri
                : throw new InvalidOperationException($"'{name}__{key}' is '{value}', not a service URL: write e.g. 'https://<account>.{key[..^"ServiceUri".Length]}.core.windows.net/'.");
        }
    }

    /// <summary>Creates every container, queue and the online table if missing. Idempotent.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        var work = new List<Task>();
        work.AddRange(StorageNames.Containers.Select(c => Blobs.GetBlobContainerClient(c).CreateIfNotExistsAsync(cancellationToken: cancellationToken)));
        work.AddRange(StorageNames.Queues.Select(q => Queues.GetQueueClient(q).CreateIfNotExistsAsync(cancellationToken: cancellationToken)));
        work.Add(Tables.CreateTableIfNotExistsAsync(StorageNames.OnlineTable, cancellationToken));
        await Task.WhenAll(work);
    }

    /// <summary>Checks that blob, queue and table services answer.</summary>
    public async Task<StorageHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        // A health probe must answer quickly: do not wait out the SDK's full retry policy.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HealthProbeTimeout);
        cancellationToken = timeout.Token;
        var blob = Probe("blob", () => Blobs.GetBlobContainerClient(StorageNames.RegistryContainer).ExistsAsync(cancellationToken));
        var queue = Probe("queue", () => Queues.GetQueueClient(StorageNames.RetrainQueue).ExistsAsync(cancellationToken));
        var table = Probe("table", async () =>
        {
            await foreach (var page in Tables.QueryAsync(t => t.Name == StorageNames.OnlineTable, maxPerPage: 1, cancellationToken).AsPages())
            {
                break;
            }
        });
        var checks = await Task.WhenAll(blob, queue, table);
        return new StorageHealth(checks);
    }

    private static async Task<HealthCheck> Probe(string service, Func<Task> call)
    {
        try
        {
            await call();
            return new HealthCheck(service, true, null);
        }
        catch (Exception ex) when (ex is global::Azure.RequestFailedException or AggregateException or AuthenticationFailedException or OperationCanceledException)
        {
            var message = ex is OperationCanceledException ? $"no answer within {HealthProbeTimeout.TotalSeconds:0} s" : ex.Message.Split('\n')[0];
            return new HealthCheck(service, false, message);
        }
    }
}

/// <summary>One health check: a storage service, the definitions, or a model's champion.</summary>
/// <param name="Service">blob, queue, table, definitions or <c>model:&lt;name&gt;</c>.</param>
/// <param name="Healthy">True when the check passed; what alerts should read.</param>
/// <param name="Detail">Why it failed (the first line of the error), or what a passing check found (e.g. the champion's version); null when there is nothing to add.</param>
public sealed record HealthCheck(string Service, bool Healthy, string? Detail);

/// <summary>The result of probing every storage service.</summary>
/// <param name="Checks">One entry per service.</param>
public sealed record StorageHealth(IReadOnlyList<HealthCheck> Checks)
{
    /// <summary>True when every service answered.</summary>
    public bool Healthy => Checks.All(c => c.Healthy);
}
