using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Web;
using Azure.Storage.Blobs;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Monitoring;
using Brisa.Azure.Storage;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Monitoring;

[Collection(AzuriteCollection.Name)]
public sealed class LabelArrivalReaderTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 3, 20, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ReadAsync_LongLabelKey_ReturnsKeysAsInvariantIntegers()
    {
        var (sample, source, suffix) = LongKeySource("labels_");
        var model = sample.Models.Single() with { Label = sample.Models.Single().Label with { Source = source.Name } };
        var definitions = sample with { LabelSources = [source], Models = [model] };

        await IngestAsync(definitions, source, suffix, [(1234567890123L, 10, Now.AddHours(-1)), (42, 10, Now.AddHours(-1))]);

        var labels = await LabelArrivalReader.For(azurite.Storage).ReadAsync(definitions, model, Now.AddDays(-1), Now);

        Assert.Equal(["1234567890123", "42"], labels.Select(l => l.Key).Order(StringComparer.Ordinal));
        Assert.All(labels, l => Assert.Equal(Now.AddHours(-1), l.Time));
    }

    [Fact]
    public async Task ReadIndexAsync_RegressionOnTheLabelValue_IndexesValuesByLongKeyFromSinceDayOn()
    {
        // A regression on the chargeback amount under a fresh source name, its label key a long; one event three days old.
        var (sample, source, suffix) = LongKeySource("values_");
        var model = sample.Models.Single() with
        {
            Task = ModelTask.Regression,
            Cost = null,
            Label = sample.Models.Single().Label with { Source = source.Name, Value = "amount" },
        };
        var definitions = sample with { LabelSources = [source], Models = [model] };
        (long Tx, double Amount, DateTimeOffset At)[] chargebacks = [(1234567890123L, 10, Now.AddHours(-1)), (42, 25.5, Now.AddHours(-2)), (7, 3, Now.AddDays(-3))];
        await IngestAsync(definitions, source, suffix, chargebacks);

        var index = await LabelArrivalReader.For(azurite.Storage).ReadIndexAsync(definitions, model, Now.AddDays(-1), Now);

        Assert.Equal(2, index.Count);
        Assert.True(index.TryFind("42", long.MinValue, long.MaxValue, out var amount));
        Assert.Equal(25.5, amount.AsNumber());
        Assert.True(index.TryFind("1234567890123", long.MinValue, long.MaxValue, out var big));
        Assert.Equal(10, big.AsNumber());
        Assert.False(index.TryFind("7", long.MinValue, long.MaxValue, out _));
    }

    [Fact]
    public async Task ReadAsync_LabelsOnManyDaysOutsideTheSpan_ListsAndReadsOnlyTheSpansDays()
    {
        // Three days of span (since's day through until) amid 20 days of label history before and 5 after.
        var (sample, source, suffix) = LongKeySource("span_");
        var model = sample.Models.Single() with { Label = sample.Models.Single().Label with { Source = source.Name } };
        var definitions = sample with { LabelSources = [source], Models = [model] };
        var (since, until) = (Now.AddDays(-2).AddHours(-5), Now);
        (long Tx, double Amount, DateTimeOffset At)[] inSpan = [(1, 10, Now.AddDays(-2).AddHours(-11)), (2, 10, Now.AddDays(-1)), (3, 10, Now.AddHours(-1)), (4, 10, Now.AddMinutes(20))];
        var outside = Enumerable.Range(1, 20).Select(d => (100L + d, 10.0, Now.AddDays(-2 - d)))
            .Concat(Enumerable.Range(1, 5).Select(d => (200L + d, 10.0, Now.AddDays(d))))
            .Append((300L, 10.0, Now.AddHours(2)));
        await IngestAsync(definitions, source, suffix, [.. inSpan, .. outside]);
        var requests = new RequestLog();
        var raw = new BlobServiceClient(azurite.ConnectionString, requests.Recording(new BlobClientOptions())).GetBlobContainerClient(StorageNames.RawContainer);

        var labels = await new LabelArrivalReader(raw).ReadAsync(definitions, model, since, until);

        var days = Enumerable.Range(0, 3).Select(d => $"{source.Name}/date={since.AddDays(d):yyyy-MM-dd}/").ToArray();
        var listings = requests.Uris.Select(u => HttpUtility.ParseQueryString(u.Query)).Where(q => q["comp"] == "list").ToArray();
        Assert.Equal(days, listings.Where(q => q["delimiter"] is null).Select(q => q["prefix"]));
        Assert.Equal(inSpan.Length, requests.Uris.Count(u => u.Query.Length == 0));
        Assert.Equal(inSpan.Select(c => (c.Tx.ToString(CultureInfo.InvariantCulture), c.At)), labels.Select(l => (l.Key, l.Time)).Order());
    }

    // The sample's chargeback source under a fresh name, with its label key (transaction_id) declared as a long.
    private static (FeatureRepositoryDefinition Sample, SourceDefinition Source, string Suffix) LongKeySource(string prefix)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var sample = DriftMonitorTests.Definitions(prefix + suffix, retrainOnAlert: false);
        var chargeback = sample.LabelSources.Single();
        var source = chargeback with
        {
            Name = "cb_" + suffix,
            EventType = "com.brisa.test.chargeback." + suffix,
            Fields = [.. chargeback.Fields.Select(f => f.Name == "transaction_id" ? f with { Type = FieldType.Long } : f)],
        };
        return (sample, source, suffix);
    }

    private async Task IngestAsync(FeatureRepositoryDefinition definitions, SourceDefinition source, string suffix, IEnumerable<(long Tx, double Amount, DateTimeOffset At)> chargebacks)
    {
        var events = chargebacks.Select(c => JsonSerializer.Serialize(new
        {
            specversion = "1.0",
            id = $"cb-{suffix}-{c.Tx}",
            source = "/test",
            type = source.EventType,
            data = new
            {
                chargeback_id = $"cb-{suffix}-{c.Tx}",
                transaction_id = c.Tx,
                customer_id = "c1",
                amount = c.Amount,
                timestamp = c.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            },
        })).ToArray();
        var ingested = await new EventIngestor(azurite.Storage, definitions).IngestAsync([new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(",", events) + "]"))], CancellationToken.None);
        Assert.Equal(events.Length, ingested.Accepted);
    }
}
