using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Offline;
using Brisa.Azure.Storage;
using Brisa.Azure.Tests.Ingestion;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Materialization;
using Brisa.Core.Modeling;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Offline;

/// <summary>
/// Every materialization run stores per-feature statistics of the rows it wrote (DESIGN §8); they match a direct
/// computation over the offline Parquet files of the same run.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MaterializationStatisticsTests(AzuriteFixture azurite)
{
    private static readonly FeatureRepositoryDefinition Definitions =
        DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions ?? throw new InvalidOperationException("sample definitions are invalid");

    // A range no other test writes: the offline files of these dates are this test's alone.
    private static readonly DateTimeOffset Start = new(2031, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Countries = ["ES", "FR", "DE", "GB", "PT", "IT"];

    [Fact]
    public async Task MaterializeAsync_Stream_StatisticsStoredAndMatchDirectComputationOverOfflineRows()
    {
        var end = Start.AddDays(2);
        await IngestAsync(Start, end, 900, seed: 5);
        var finished = end.AddMinutes(30);

        var summary = await new FeatureMaterializer(azurite.Storage, Definitions, new FixedTimeProvider(finished)).MaterializeAsync(Start, end);

        var store = FeatureStatisticsStore.For(azurite.Storage);
        var plan = FeaturePlan.Compile(Definitions, trackEventIds: false);
        foreach (var view in plan.Views)
        {
            var run = summary.Views.Single(v => v.View == view.Name).Statistics;
            var latest = await store.ReadLatestAsync(view.Name);
            var stored = await store.ReadRunAsync(view.Name, run.RunId);
            Assert.NotNull(latest);
            Assert.NotNull(stored);
            Assert.Equal(run.RunId, latest.RunId);
            Assert.Equal(finished, latest.ComputedAt);
            Assert.Equal((Start, end), (latest.From, latest.To));

            var rows = await ReadOfflineAsync(view);
            Assert.True(rows.Count > 0, view.Name);
            Assert.Equal(rows.Count, latest.Rows);
            Assert.Equal(TiledView.FromUnixTicks(rows.Max(r => r.EventTicks)), latest.NewestEventTime);
            var source = Definitions.FindSource(view.Definition.Source)!;
            for (var f = 0; f < view.Definition.Features.Count; f++)
            {
                var feature = view.Definition.Features[f];
                var actual = latest.Features[f];
                Assert.Equal(feature.Name, actual.Name);
                var column = rows.Select(r => r.Values[f]).ToArray();
                if (feature.GetValueType(source) == FieldType.String)
                {
                    AssertCategorical(column.Select(v => v.AsText()).ToArray(), actual);
                }
                else
                {
                    AssertNumeric(column.Select(v => v.AsNumber()).ToArray(), actual);
                }
            }
        }
    }

    [Fact]
    public async Task WriteAsync_OlderRangeAfterNewer_LatestKeepsNewerButRunIsStored()
    {
        var store = FeatureStatisticsStore.For(azurite.Storage);
        var view = $"v{Guid.NewGuid():N}"[..12];
        var newer = Run(view, Start.AddDays(1), Start.AddDays(2), rows: 10);
        var older = Run(view, Start, Start.AddDays(1), rows: 10);
        var empty = Run(view, Start.AddDays(2), Start.AddDays(3), rows: 0);

        Assert.True(await store.WriteAsync(newer));
        Assert.False(await store.WriteAsync(older));
        Assert.False(await store.WriteAsync(empty));

        Assert.Equal(newer.RunId, (await store.ReadLatestAsync(view))!.RunId);
        Assert.Equal(older.RunId, (await store.ReadRunAsync(view, older.RunId))!.RunId);
        Assert.Equal(empty.RunId, (await store.ReadRunAsync(view, empty.RunId))!.RunId);
        Assert.Null(await store.ReadLatestAsync(view + "x"));
    }

    [Fact]
    public async Task WriteAsync_MoreRunsThanKept_KeepsTheNewestRunFilesAndTheLatestOnes()
    {
        // Six runs finishing one after the other; the second covers the range ending last, so it stays the latest while
        // four later runs of older ranges (the last without rows) push it out of the newest three.
        var store = FeatureStatisticsStore.For(azurite.Storage, runsKept: 3);
        var view = $"v{Guid.NewGuid():N}"[..12];
        var finished = Start.AddDays(5);
        ViewStatistics At(int minute, DateTimeOffset from, long rows = 10) =>
            new(view, ViewStatistics.RunIdOf(finished.AddMinutes(minute), from, from.AddDays(1)), from, from.AddDays(1), finished.AddMinutes(minute), rows, rows == 0 ? null : from, []);
        ViewStatistics[] runs = [At(1, Start), At(2, Start.AddDays(2)), At(3, Start), At(4, Start), At(5, Start.AddDays(1)), At(6, Start, rows: 0)];

        foreach (var run in runs)
        {
            await store.WriteAsync(run);
        }

        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        var stored = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"_stats/{view}/runs/", CancellationToken.None))
        {
            stored.Add(blob.Name);
        }

        Assert.Equal(runs[1].RunId, (await store.ReadLatestAsync(view))!.RunId);
        Assert.Equal(new[] { runs[1], runs[3], runs[4], runs[5] }.Select(r => FeatureStatisticsStore.RunBlobName(view, r.RunId)), stored.Order(StringComparer.Ordinal));
        Assert.Null(await store.ReadRunAsync(view, runs[0].RunId));
    }

    private static ViewStatistics Run(string view, DateTimeOffset from, DateTimeOffset to, long rows) =>
        new(view, ViewStatistics.RunIdOf(to, from, to), from, to, to, rows, rows == 0 ? null : to, []);

    private static void AssertNumeric(double?[] column, FeatureStatistics actual)
    {
        var present = column.OfType<double>().Order().ToArray();
        Assert.Equal(FeatureKind.Numeric, actual.Kind);
        Assert.Equal(column.Length, actual.Count);
        Assert.Equal(column.Length - present.Length, actual.Missing);
        Assert.Equal((double)(column.Length - present.Length) / column.Length, actual.MissingFraction, 12);
        Assert.True(present.Length > 1, actual.Name);
        var mean = present.Sum() / present.Length;
        var std = Math.Sqrt(present.Sum(v => (v - mean) * (v - mean)) / (present.Length - 1));
        Assert.Equal(mean, actual.Mean!.Value, Math.Max(1e-9, Math.Abs(mean) * 1e-9));
        Assert.Equal(std, actual.Std!.Value, Math.Max(1e-9, std * 1e-9));
        Assert.Equal(present[0], actual.Min);
        Assert.Equal(present[^1], actual.Max);

        // Nearest rank, the rows are fewer than the reservoir: exact.
        var quantiles = FeatureStatistics.QuantileLevels.Select(q => present[Math.Clamp((int)Math.Ceiling(q * present.Length) - 1, 0, present.Length - 1)]);
        Assert.Equal(quantiles, actual.Quantiles);
        var bins = new long[actual.BinEdges.Count + 1];
        foreach (var v in present)
        {
            bins[actual.BinEdges.Count(e => e <= v)]++;
        }

        Assert.Equal(bins, actual.BinCounts);
    }

    private static void AssertCategorical(string?[] column, FeatureStatistics actual)
    {
        var counts = column.Where(v => !string.IsNullOrEmpty(v)).GroupBy(v => v!, StringComparer.Ordinal)
            .Select(g => new CategoryCount(g.Key, g.LongCount()))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Value, StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(FeatureKind.Categorical, actual.Kind);
        Assert.Equal(column.Length, actual.Count);
        Assert.Equal(column.Count(string.IsNullOrEmpty), actual.Missing);
        Assert.Equal(counts, actual.Categories);
        Assert.Equal(0, actual.OtherCount);
    }

    private async Task<List<(long EventTicks, FieldValue[] Values)>> ReadOfflineAsync(ViewPlan view)
    {
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        var rows = new List<(long, FieldValue[])>();
        for (var day = Start; day < Start.AddDays(2); day = day.AddDays(1))
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"{view.Name}/date={day:yyyy-MM-dd}/");
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, CancellationToken.None))
            {
                var bytes = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
                var block = await OfflineFeatureParquet.ReadAsync(view, Definitions, new MemoryStream(bytes));
                for (var r = 0; r < block.Count; r++)
                {
                    rows.Add((block.EventTicksOf(r), block.ValuesOf(r).ToArray()));
                }
            }
        }

        return rows;
    }

    private async Task IngestAsync(DateTimeOffset from, DateTimeOffset to, int count, int seed)
    {
        var rng = new Random(seed);
        var prefix = $"st{Guid.NewGuid():N}"[..10];
        var span = (to - from).Ticks;
        var events = Enumerable.Range(0, count).Select(i => (
            Id: $"{prefix}-t{i:D5}",
            Customer: $"{prefix}-c{rng.Next(30)}",
            Merchant: $"{prefix}-m{rng.Next(8)}",
            Amount: Math.Round(Math.Exp(rng.NextDouble() * 6), 2),
            Country: Countries[rng.Next(rng.Next(1, Countries.Length + 1))],
            Time: from.AddTicks(rng.NextInt64(span / 10) * 10)))
            .OrderBy(e => e.Time)
            .ToArray();
        var json = events.Select(e => Envelope(e.Id, JsonSerializer.Serialize(new
        {
            transaction_id = e.Id,
            customer_id = e.Customer,
            merchant_id = e.Merchant,
            amount = e.Amount,
            currency = "EUR",
            country = e.Country,
            channel = "online",
            timestamp = e.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
        })));
        var messages = json.Chunk(200).Select(c => new IncomingMessage(Encoding.UTF8.GetBytes("[" + string.Join(",", c) + "]"))).ToArray();
        var result = await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(to)).IngestAsync(messages, CancellationToken.None);
        Assert.Equal(count, result.Accepted);
    }

    private static string Envelope(string id, string data) =>
        $$"""{"specversion":"1.0","id":{{JsonSerializer.Serialize(id)}},"source":"/tests","type":"com.brisa.fraud.transaction","data":{{data}}}""";
}
