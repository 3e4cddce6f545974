using Azure;
using Azure.Data.Tables;
using Brisa.Azure.Storage;
using Brisa.Testing;
using Microsoft.Extensions.Configuration;

namespace Brisa.Azure.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class BrisaStorageTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Blob_UploadThenDownload_ReturnsSameBytes()
    {
        var blob = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.RawContainer).GetBlobClient("roundtrip/a.bin");
        var bytes = new byte[] { 0, 1, 2, 254, 255 };

        await blob.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);
        var downloaded = await blob.DownloadContentAsync();

        Assert.Equal(bytes, downloaded.Value.Content.ToArray());
    }

    [Fact]
    public async Task Queue_SendThenReceive_ReturnsSameMessage()
    {
        var queue = azurite.Storage.Queues.GetQueueClient(StorageNames.MaterializeQueue);

        await queue.SendMessageAsync("{\"view\":\"customer_1h\"}");
        var received = await queue.ReceiveMessageAsync();

        Assert.Equal("{\"view\":\"customer_1h\"}", received.Value.Body.ToString());
        await queue.DeleteMessageAsync(received.Value.MessageId, received.Value.PopReceipt);
    }

    [Fact]
    public async Task Table_UpsertThenGet_ReturnsSameEntity()
    {
        var table = azurite.Storage.Tables.GetTableClient(StorageNames.OnlineTable);
        var entity = new TableEntity("customer-c1", "customer_1h") { ["count"] = 3L, ["tiles"] = new byte[] { 1, 2, 3 } };

        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace);
        var read = await table.GetEntityAsync<TableEntity>("customer-c1", "customer_1h");

        Assert.Equal(3L, read.Value.GetInt64("count"));
        Assert.Equal(new byte[] { 1, 2, 3 }, read.Value.GetBinary("tiles"));
        Assert.NotEqual(default(ETag), read.Value.ETag);
    }

    [Fact]
    public async Task CheckHealth_RunningEmulator_AllServicesHealthy()
    {
        var health = await azurite.Storage.CheckHealthAsync();

        Assert.True(health.Healthy, string.Join(", ", health.Checks));
        Assert.Equal(["blob", "queue", "table"], health.Checks.Select(c => c.Service));
    }

    [Fact]
    public async Task CheckHealth_NothingListening_ReportsEveryServiceDown()
    {
        var storage = BrisaStorage.FromConnectionString(
            azurite.ConnectionString.Replace($":{azurite.Azurite.BlobPort}/", ":1/").Replace($":{azurite.Azurite.QueuePort}/", ":1/").Replace($":{azurite.Azurite.TablePort}/", ":1/"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var health = await storage.CheckHealthAsync(timeout.Token);

        Assert.False(health.Healthy);
        Assert.All(health.Checks, c => Assert.False(c.Healthy));
    }

    [Fact]
    public void FromConfiguration_NoConnection_ExplainsWhatToSet()
    {
        var configuration = new ConfigurationBuilder().Build();

        var error = Assert.Throws<InvalidOperationException>(() => BrisaStorage.FromConfiguration(configuration));

        Assert.Contains("AzureWebJobsStorage__blobServiceUri", error.Message);
    }

    [Fact]
    public void FromConfiguration_ServiceUris_UsesIdentityEndpoints()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:blobServiceUri"] = "https://acct.blob.core.windows.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://acct.queue.core.windows.net",
            ["AzureWebJobsStorage:tableServiceUri"] = "https://acct.table.core.windows.net",
        }).Build();

        var storage = BrisaStorage.FromConfiguration(configuration);

        Assert.Equal("acct", storage.Blobs.AccountName);
        Assert.Equal(new Uri("https://acct.table.core.windows.net/"), storage.Tables.Uri);
    }

    [Fact]
    public void EndpointsFromConfiguration_ConnectionString_EveryServiceFromTheConnectionStringSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage"] = azurite.ConnectionString,
        }).Build();

        var endpoints = BrisaStorage.EndpointsFromConfiguration(configuration, "Storage");

        Assert.Equal(
            [
                new StorageEndpoint("Blob", new Uri($"http://127.0.0.1:{azurite.Azurite.BlobPort}/devstoreaccount1"), "Storage"),
                new StorageEndpoint("Queue", new Uri($"http://127.0.0.1:{azurite.Azurite.QueuePort}/devstoreaccount1"), "Storage"),
                new StorageEndpoint("Table", new Uri($"http://127.0.0.1:{azurite.Azurite.TablePort}/devstoreaccount1"), "Storage"),
            ],
            endpoints);
    }

    [Fact]
    public void EndpointsFromConfiguration_ServiceUris_EachFromItsOwnSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:blobServiceUri"] = "https://acct.blob.core.windows.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://acct.queue.core.windows.net",
            ["AzureWebJobsStorage:tableServiceUri"] = "https://acct.table.core.windows.net",
        }).Build();

        var endpoints = BrisaStorage.EndpointsFromConfiguration(configuration);

        Assert.Equal(
            [
                new StorageEndpoint("Blob", new Uri("https://acct.blob.core.windows.net"), "AzureWebJobsStorage__blobServiceUri"),
                new StorageEndpoint("Queue", new Uri("https://acct.queue.core.windows.net"), "AzureWebJobsStorage__queueServiceUri"),
                new StorageEndpoint("Table", new Uri("https://acct.table.core.windows.net"), "AzureWebJobsStorage__tableServiceUri"),
            ],
            endpoints);
    }
}
