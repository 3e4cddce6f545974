using Brisa.Azure.Serving;
using Brisa.Azure.Storage;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Serving;

[Collection(AzuriteCollection.Name)]
public sealed class PredictionLogTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 3, 20, 12, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task ReadAsync_Span_RecordsOfItsHoursOnlyAndOlderBlobsNotRead()
    {
        var model = "log_" + Guid.NewGuid().ToString("N")[..8];
        await using (var log = PredictionLog.For(azurite.Storage, TimeSpan.FromMinutes(10)))
        {
            foreach (var (id, age) in new[] { ("old", TimeSpan.FromDays(3)), ("hour-before", TimeSpan.FromHours(27)), ("first-hour", TimeSpan.FromHours(26)), ("recent", TimeSpan.FromHours(2)), ("now", TimeSpan.Zero) })
            {
                log.Append(new PredictionRecord("req", id, model, "v1", Now - age, 0.5, false, new Dictionary<string, object?>()));
            }

            await log.FlushAsync();
        }

        // The log is never pruned: a reader of a window must not download (or choke on) what lies before it.
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.PredictionsContainer);
        await container.GetBlobClient($"{model}/date=2026-01-01/hour=00/unreadable.jsonl").UploadAsync(BinaryData.FromString("not json\n"));

        var read = new List<string>();
        await foreach (var record in PredictionLog.For(azurite.Storage).ReadAsync(model, Now.AddHours(-26), Now))
        {
            read.Add(record.Id);
        }

        Assert.Equal(["first-hour", "now", "recent"], read.Order(StringComparer.Ordinal));
    }
}
