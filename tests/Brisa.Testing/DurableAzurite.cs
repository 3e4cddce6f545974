using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Brisa.Azure.Local;
using Brisa.Azure.Storage;

namespace Brisa.Testing;

/// <summary>
/// An on-disk Azurite on fixed ports that a fault test can stop and start again with the same data and endpoints,
/// and storage clients with a short SDK retry policy, so an outage surfaces in a second rather than a minute.
/// </summary>
public sealed class DurableAzurite : IAsyncLifetime
{
    private readonly string location = Path.Combine(Path.GetTempPath(), "brisa-durable-" + Guid.NewGuid().ToString("N"));
    private AzuriteProcess? azurite;
    private (int Blob, int Queue, int Table) ports;
    private Func<Request, bool>? stopWhen;

    /// <summary>Storage clients with a short retry policy (2 retries, 3 s network timeout).</summary>
    public BrisaStorage Storage { get; private set; } = null!;

    /// <summary>The connection string (the same endpoints across restarts).</summary>
    public string ConnectionString { get; private set; } = null!;

    /// <summary>True while the emulator runs.</summary>
    public bool IsRunning => azurite?.IsRunning ?? false;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        azurite = await AzuriteProcess.StartAsync(location);
        ports = (azurite.BlobPort, azurite.QueuePort, azurite.TablePort);
        ConnectionString = azurite.ConnectionString;
        Storage = ShortRetryStorage(ConnectionString, new FaultPolicy(this));
        await Storage.EnsureCreatedAsync();
    }

    /// <summary>
    /// Arms a fault: the first request of <see cref="Storage"/> that matches stops the emulator just before it is sent,
    /// so storage goes away at an exact point of a run (e.g. between two blobs of a model version).
    /// </summary>
    public void StopWhen(Func<Request, bool> predicate) => Volatile.Write(ref stopWhen, predicate);

    /// <summary>Stops the emulator (cleanly: what it acknowledged stays on disk, as in real storage).</summary>
    public async Task StopAsync()
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
            azurite = null;
        }
    }

    /// <summary>Starts it again on the same folder and ports.</summary>
    public async Task StartAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                azurite = await AzuriteProcess.StartAsync(location, ports);
                return;
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                // A port still held by the previous process for a moment: try again.
                await Task.Delay(200);
            }
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(location, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    /// <summary>Clients for a connection string whose SDK retry policy gives up within about a second.</summary>
    public static BrisaStorage ShortRetryStorage(string connectionString, HttpPipelinePolicy? perCall = null)
    {
        static void Configure(RetryOptions retry)
        {
            retry.MaxRetries = 2;
            retry.Delay = TimeSpan.FromMilliseconds(50);
            retry.MaxDelay = TimeSpan.FromMilliseconds(200);
            retry.NetworkTimeout = TimeSpan.FromSeconds(3);
        }

        var blob = new BlobClientOptions();
        Configure(blob.Retry);
        var queue = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        Configure(queue.Retry);
        var table = new TableClientOptions();
        Configure(table.Retry);
        if (perCall is not null)
        {
            blob.AddPolicy(perCall, HttpPipelinePosition.PerCall);
            queue.AddPolicy(perCall, HttpPipelinePosition.PerCall);
            table.AddPolicy(perCall, HttpPipelinePosition.PerCall);
        }

        return new BrisaStorage(new BlobServiceClient(connectionString, blob), new QueueServiceClient(connectionString, queue), new TableServiceClient(connectionString, table));
    }

    private sealed class FaultPolicy(DurableAzurite owner) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            StopIfArmed(message).GetAwaiter().GetResult();
            ProcessNext(message, pipeline);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await StopIfArmed(message);
            await ProcessNextAsync(message, pipeline);
        }

        private async Task StopIfArmed(HttpMessage message)
        {
            if (Volatile.Read(ref owner.stopWhen) is { } predicate && predicate(message.Request)
                && Interlocked.CompareExchange(ref owner.stopWhen, null, predicate) == predicate)
            {
                await owner.StopAsync();
            }
        }
    }
}
