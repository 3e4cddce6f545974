using System.Globalization;
using System.Text;
using System.Text.Json;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Offline;
using Brisa.Azure.Online;
using Brisa.Azure.RawZone;
using Brisa.Azure.Storage;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using Brisa.Core.Materialization;
using Brisa.Core.Serving;
using Brisa.Core.Training;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Offline;

/// <summary>
/// Zero skew (DESIGN §4) under what <see cref="SkewTests"/> keeps fixed: one seeded event history is delivered to the
/// stream in random batches and messages, late (seconds to hours), a little early (within the decoder's 5 minutes),
/// with old batches redelivered, whole or regrouped, after newer ones; the online tiles are read at sampled times
/// (the ingestion time, later, exactly at an entity's TTL and just past it) and must give the point-in-time builder's
/// values and statuses over the raw zone as it stands; then the batch materializer, run as two consecutive ranges,
/// must give the builder's values in its offline rows and the batch view's online values and statuses. A naive
/// reference written from DESIGN §4 checks the builder itself. Events tie on time (different ids), sit on tile
/// boundaries, carry nulls, and one entity has more distinct values in its window than the tiles' dictionary holds.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BatchSplitSkewTests(AzuriteFixture azurite)
{
    private const string Yaml = """
        project: skewlab
        entities:
          - { name: device, join_key: device_id }
        sources:
          - name: reading
            event_type: com.example.skewlab.reading
            id_field: reading_id
            timestamp_field: timestamp
            fields:
              - { name: reading_id, type: string, required: true }
              - { name: device_id, type: string, required: true }
              - { name: amount, type: double }
              - { name: level, type: long }
              - { name: tag, type: string }
              - { name: timestamp, type: timestamp, required: true }
        feature_views:
          - name: device_fast
            entity: device
            source: reading
            tile: 1m
            ttl: 4m
            features:
              - { name: n_1m, aggregation: count, window: 1m }
              - { name: n_10m, aggregation: count, window: 10m }
              - { name: amount_sum_3m, field: amount, aggregation: sum, window: 3m }
              - { name: amount_mean_10m, field: amount, aggregation: mean, window: 10m }
              - { name: amount_std_3m, field: amount, aggregation: stddev, window: 3m }
              - { name: amount_min_10m, field: amount, aggregation: min, window: 10m }
              - { name: amount_max_1m, field: amount, aggregation: max, window: 1m }
              - { name: tag_last_3m, field: tag, aggregation: last, window: 3m }
              - { name: level_last_10m, field: level, aggregation: last, window: 10m }
              - { name: tag_distinct_10m, field: tag, aggregation: distinct_count, window: 10m }
          - name: device_slow
            entity: device
            source: reading
            tile: 5m
            ttl: 1h
            features:
              - { name: n_15m, aggregation: count, window: 15m }
              - { name: level_std_30m, field: level, aggregation: stddev, window: 30m }
              - { name: level_sum_5m, field: level, aggregation: sum, window: 5m }
              - { name: amount_max_30m, field: amount, aggregation: max, window: 30m }
              - { name: tag_distinct_30m, field: tag, aggregation: distinct_count, window: 30m }
              - { name: tag_last_30m, field: tag, aggregation: last, window: 30m }
          - name: device_batch
            entity: device
            source: reading
            tile: 5m
            ttl: 45m
            streaming: false
            features:
              - { name: n_10m, aggregation: count, window: 10m }
              - { name: amount_mean_30m, field: amount, aggregation: mean, window: 30m }
              - { name: amount_std_10m, field: amount, aggregation: stddev, window: 10m }
              - { name: level_min_30m, field: level, aggregation: min, window: 30m }
              - { name: tag_last_10m, field: tag, aggregation: last, window: 10m }
              - { name: tag_distinct_30m, field: tag, aggregation: distinct_count, window: 30m }
        """;

    private static readonly FeatureRepositoryDefinition Definitions = DefinitionLoader.Parse(Yaml, "skewlab.yaml").Definitions
        ?? throw new InvalidOperationException("the test definitions are invalid");

    // Days no other test writes (one per case): each case's raw and offline partitions are its own.
    private static readonly DateTimeOffset FirstDay = new(2041, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private DateTimeOffset Day { get; set; }

    private static readonly long Minute = TimeSpan.TicksPerMinute;

    private sealed record Reading(string Id, string Device, double? Amount, long? Level, string? Tag, long Ticks, long Arrival);

    [Theory]
    [InlineData(20261207, 0)]
    [InlineData(7, 1)]
    public async Task ThreePaths_RandomBatchSplitsLateEventsAndRedeliveries_AgreeOnValuesAndStatuses(int seed, int day)
    {
        Day = FirstDay.AddDays(day);
        var rng = new Random(seed);
        var prefix = $"sk{Guid.NewGuid():N}"[..10];
        var plan = FeaturePlan.Compile(Definitions, trackEventIds: true);
        var schema = plan.Schemas.Single();
        var streaming = plan.Views.Where(v => v.Definition.Streaming).ToArray();
        var batchView = plan.FindView("device_batch")!;
        var history = Generate(rng, prefix);
        var devices = history.Select(r => r.Device).Distinct().Order(StringComparer.Ordinal).Append($"{prefix}-never").ToArray();

        // 1. Stream: batches in arrival order, each ingested at its newest arrival; old batches come again now and then.
        var batches = Split(rng, history);
        var ingested = new Dictionary<string, Reading>(StringComparer.Ordinal);
        var reader = OnlineFeatureReader.For(azurite.Storage);
        var streamCompared = 0;
        var redelivered = 0;
        for (var b = 0; b < batches.Count; b++)
        {
            var now = batches[b].Max(r => r.Arrival);
            await IngestAsync(rng, batches[b], now);
            if (b > 3 && rng.NextDouble() < 0.25)
            {
                var old = batches[rng.Next(b)];
                await IngestAsync(rng, rng.NextDouble() < 0.5 ? old : old.Where(_ => rng.NextDouble() < 0.6).ToList(), now);
                redelivered++;
            }

            foreach (var r in batches[b])
            {
                ingested[r.Id] = r;
            }

            if (b % 6 != 5 && b != batches.Count - 1)
            {
                continue;
            }

            // Read the tiles at sampled times no earlier than this ingestion: now, later, and at TTL edges of some entity.
            var newest = ingested.Values.GroupBy(r => r.Device).ToDictionary(g => g.Key, g => g.Max(r => r.Ticks), StringComparer.Ordinal);
            var times = new List<long> { now, now + (rng.NextInt64(20 * Minute / 10) * 10) };
            foreach (var ttl in streaming.Select(v => v.Definition.Ttl.Ticks))
            {
                var edge = newest.Values.Where(t => t + ttl >= now).OrderBy(_ => rng.Next()).FirstOrDefault();
                if (edge != 0)
                {
                    times.Add(edge + ttl);
                    times.Add(edge + ttl + 10);
                }
            }

            var raw = await ReadRawAsync(schema);
            Assert.Equal(ingested.Count, raw.Sum(x => x.Count) - Duplicates(raw));
            foreach (var at in times.Distinct())
            {
                streamCompared += await CompareStreamAsync(plan, reader, raw, streaming, devices, newest, at, ingested.Values.ToList());
            }
        }

        Assert.Equal(history.Count, ingested.Count);

        // 2. Batch: two consecutive runs (an incremental schedule's), then the offline rows and the batch view's online values.
        var end = Day.AddHours(13);
        var split = Day.AddHours(rng.Next(10, 13));
        var materializer = new FeatureMaterializer(azurite.Storage, Definitions);
        await materializer.MaterializeAsync(Day.AddHours(9), split);
        await materializer.MaterializeAsync(split, end);
        var rawAll = await ReadRawAsync(schema);
        var atEnd = TiledView.ToUnixTicks(end) - 1;

        var batchRows = await reader.ReadAsync(devices, [batchView], atEnd);
        var batchServed = OnlineFeatureResponse.Build(Request(plan, [batchView], devices), (k, v) => batchRows.GetValueOrDefault((k, v.Name)), TiledView.FromUnixTicks(atEnd));
        var expectedEnd = Expected(plan, rawAll, [batchView], devices.Select(d => (d, atEnd)).ToArray(), history);
        for (var d = 0; d < devices.Length; d++)
        {
            var (values, status) = expectedEnd[(batchView.Name, devices[d], atEnd)];
            var stored = batchRows.GetValueOrDefault((devices[d], batchView.Name));
            for (var f = 0; f < batchView.View.FeatureCount; f++)
            {
                var context = $"seed {seed}: batch online {batchView.Name}:{batchView.View.Features[f].Name} {devices[d]} at {TiledView.FromUnixTicks(atEnd):O}";
                Assert.True(status[f] == batchServed.Results[1 + f].Statuses[d], $"{context}: status {batchServed.Results[1 + f].Statuses[d]}, training {status[f]}");
                if (status[f] == "PRESENT" || status[f] == "NULL_VALUE")
                {
                    AssertSame(batchView.View.Features[f].Kind, values[f], stored!.Values[f], context);
                }
            }
        }

        var offline = await ReadOfflineAsync(plan);
        var samples = new List<(string Device, long At)>();
        foreach (var device in devices)
        {
            for (var i = 0; i < 12; i++)
            {
                var t = TiledView.ToUnixTicks(Day.AddHours(10)) + (rng.NextInt64(170 * Minute / 10) * 10);
                samples.Add((device, rng.Next(3) switch { 0 => t - (t % Minute), 1 => t, _ => history[rng.Next(history.Count)].Ticks }));
            }
        }

        var expected = Expected(plan, rawAll, plan.Views, samples.Distinct().ToArray(), history);
        var offlineCompared = 0;
        foreach (var view in plan.Views)
        {
            foreach (var (device, at) in samples.Distinct())
            {
                var (values, _) = expected[(view.Name, device, at)];
                var row = OfflineAsOf.Latest(offline[view.Name], view, device, at);
                for (var f = 0; f < view.View.FeatureCount; f++)
                {
                    AssertSame(view.View.Features[f].Kind, values[f], row[f], $"seed {seed}: offline {view.Name}:{view.View.Features[f].Name} {device} at {TiledView.FromUnixTicks(at):O}");
                }

                offlineCompared++;
            }
        }

        Assert.True(redelivered > 0 && streamCompared > 2000 && offlineCompared > 300, $"redelivered {redelivered}, stream {streamCompared}, offline {offlineCompared}");
    }

    /// <summary>
    /// Reads every device's streaming views at <paramref name="at"/> and compares values and statuses with the builder
    /// at max(at, the device's newest event): the stream evaluates at that time (src/Brisa.Core/Aggregation/README.md,
    /// exactness rule), since an event may be up to 5 minutes ahead of its arrival.
    /// </summary>
    private static async Task<int> CompareStreamAsync(
        FeaturePlan plan, OnlineFeatureReader reader, List<SourceEventBatch> raw, ViewPlan[] views, string[] devices, Dictionary<string, long> newest, long at, List<Reading> ingested)
    {
        var rows = await reader.ReadAsync(devices, views, at);
        var served = OnlineFeatureResponse.Build(Request(plan, views, devices), (k, v) => rows.GetValueOrDefault((k, v.Name)), TiledView.FromUnixTicks(at));
        var observed = devices.Select(d => (d, Math.Max(at, newest.GetValueOrDefault(d, long.MinValue)))).ToArray();
        var expected = Expected(plan, raw, views, observed, ingested);
        var compared = 0;
        var column = 1;
        foreach (var view in views)
        {
            for (var f = 0; f < view.View.FeatureCount; f++, column++)
            {
                for (var d = 0; d < devices.Length; d++)
                {
                    var (values, status) = expected[(view.Name, devices[d], observed[d].Item2)];
                    var context = $"stream {view.Name}:{view.View.Features[f].Name} {devices[d]} read at {TiledView.FromUnixTicks(at):O}";
                    Assert.True(status[f] == served.Results[column].Statuses[d], $"{context}: status {served.Results[column].Statuses[d]}, training {status[f]}");
                    if (rows.GetValueOrDefault((devices[d], view.Name)) is { } read)
                    {
                        AssertSame(view.View.Features[f].Kind, values[f], read.Values[f], context);

                        // The TTL is measured from the newest event, whatever the batch it came in.
                        Assert.True(newest[devices[d]] == read.EventTicks, $"{context}: event time {read.EventTicks}, newest ingested {newest[devices[d]]}");
                    }

                    compared++;
                }
            }
        }

        return compared;
    }

    /// <summary>
    /// The builder's values (TTL not applied) and statuses for each (device, time), checked against the naive
    /// reference over <paramref name="reference"/> (DESIGN §4 written out), keyed by (view, device, time).
    /// </summary>
    private static Dictionary<(string View, string Device, long At), (FieldValue[] Values, string[] Statuses)> Expected(
        FeaturePlan plan, List<SourceEventBatch> raw, IReadOnlyList<ViewPlan> views, (string Device, long At)[] observations, IReadOnlyList<Reading> reference)
    {
        var features = views.SelectMany(v => v.Definition.Features.Select(f => new FeatureReference(v.Name, f.Name))).ToArray();
        var set = new ObservationSet(["device_id"], [], null);
        for (var i = 0; i < observations.Length; i++)
        {
            set.Add(i.ToString(CultureInfo.InvariantCulture), observations[i].At, [observations[i].Device], [], FieldValue.Null);
        }

        var options = new TrainingSetOptions { PointInTime = PointInTimeMode.AtObservation };
        var values = new TrainingSetBuilder(plan, features, options: options with { ApplyTtl = false }).Build(set, raw);
        var withTtl = new TrainingSetBuilder(plan, features, options: options).Build(set, raw);
        var result = new Dictionary<(string, string, long), (FieldValue[], string[])>();
        for (var r = 0; r < values.RowCount; r++)
        {
            var (device, at) = observations[int.Parse(values.RowIds[r], CultureInfo.InvariantCulture)];
            foreach (var view in views)
            {
                var names = view.Definition.Features.Select(f => FeatureRequirements.ColumnNameOf(view.Name, f.Name)).ToArray();
                var row = names.Select(n => values.Column(n)[r]).ToArray();

                // Count is never null when the view is present: a null count with the TTL applied means missing.
                var missing = withTtl.Column(names[view.View.Features.ToList().FindIndex(f => f.Kind == AggregationKind.Count)])[r].IsNull;
                string status;
                if (missing)
                {
                    // One row alone tells which kind of missing it is.
                    var single = new ObservationSet(["device_id"], [], null);
                    single.Add("o", at, [device], [], FieldValue.Null);
                    var counts = new TrainingSetBuilder(plan, features, options: options).Build(single, raw).ViewCounts[view.Name];
                    status = counts.NotFound == 1 ? "NOT_FOUND" : "OUTSIDE_MAX_AGE";
                }
                else
                {
                    status = "PRESENT";
                }

                var statuses = row.Select(v => status == "PRESENT" && v.IsNull ? "NULL_VALUE" : status).ToArray();
                var naive = Naive(view, reference.Where(x => x.Device == device), at);
                for (var f = 0; f < row.Length; f++)
                {
                    AssertSame(view.View.Features[f].Kind, naive[f], row[f], $"builder vs reference {view.Name}:{view.View.Features[f].Name} {device} at {TiledView.FromUnixTicks(at):O}");
                }

                result[(view.Name, device, at)] = (row, statuses);
            }
        }

        return result;
    }

    /// <summary>DESIGN §4 as plain code: the events of the device with e ≤ t whose tile is within k tiles of tile(t).</summary>
    private static FieldValue[] Naive(ViewPlan view, IEnumerable<Reading> events, long t)
    {
        var g = view.View.TileTicks;
        long Tile(long x) => x / g; // times here are after the epoch
        var upTo = events.Where(e => e.Ticks <= t).ToList();
        return view.View.Features.Select(f =>
        {
            var inWindow = upTo.Where(e => Tile(e.Ticks) >= Tile(t) - f.WindowTiles + 1).ToList();
            var field = f.Kind == AggregationKind.Count ? null : view.Source.Fields[f.FieldIndex].Name;
            var numbers = inWindow.Select(e => field == "amount" ? e.Amount : field == "level" ? e.Level : null).Where(x => x.HasValue).Select(x => x!.Value).ToList();
            return f.Kind switch
            {
                AggregationKind.Count => FieldValue.FromNumber(inWindow.Count),
                AggregationKind.Sum => FieldValue.FromNumber(numbers.Sum()),
                AggregationKind.Mean => numbers.Count == 0 ? FieldValue.Null : FieldValue.FromNumber(numbers.Average()),
                AggregationKind.Min => numbers.Count == 0 ? FieldValue.Null : FieldValue.FromNumber(numbers.Min()),
                AggregationKind.Max => numbers.Count == 0 ? FieldValue.Null : FieldValue.FromNumber(numbers.Max()),
                AggregationKind.StdDev => numbers.Count < 2 ? FieldValue.Null : FieldValue.FromNumber(Math.Sqrt(numbers.Sum(x => (x - numbers.Average()) * (x - numbers.Average())) / (numbers.Count - 1))),
                AggregationKind.DistinctCount => FieldValue.FromNumber(inWindow.Where(e => e.Tag is not null).Select(e => e.Tag).Distinct().Count()),
                AggregationKind.Last => field == "tag"
                    ? inWindow.Where(e => e.Tag is not null).OrderBy(e => e.Ticks).ThenBy(e => e.Id, StringComparer.Ordinal).Select(e => FieldValue.FromText(e.Tag)).LastOrDefault(FieldValue.Null)
                    : inWindow.Where(e => e.Level is not null).OrderBy(e => e.Ticks).ThenBy(e => e.Id, StringComparer.Ordinal).Select(e => FieldValue.FromNumber(e.Level!.Value)).LastOrDefault(FieldValue.Null),
                _ => throw new InvalidOperationException(f.Kind.ToString()),
            };
        }).ToArray();
    }

    /// <summary>
    /// Ten devices over 10:00–12:50 (one far busier, with ~200 tags), times on tile boundaries, tied with another event
    /// of the device, or anywhere (µs); arrivals mostly seconds later, some minutes, some hours, a few up to 4 minutes early.
    /// </summary>
    private List<Reading> Generate(Random rng, string prefix)
    {
        var start = TiledView.ToUnixTicks(Day.AddHours(10));
        var span = 170 * Minute;
        var list = new List<Reading>();
        for (var i = 0; i < 700; i++)
        {
            var busy = i % 3 == 0;
            var device = busy ? $"{prefix}-d0" : $"{prefix}-d{1 + (int)(9 * Math.Pow(rng.NextDouble(), 1.5))}";
            var same = list.Where(r => r.Device == device).ToList();
            var ticks = rng.Next(10) switch
            {
                < 3 => start + (rng.NextInt64(span / Minute) * Minute),
                < 5 when same.Count > 0 => same[rng.Next(same.Count)].Ticks,
                _ => start + (rng.NextInt64(span / 10) * 10),
            };
            var arrival = rng.Next(20) switch
            {
                0 => ticks - (rng.NextInt64(4 * Minute / 10) * 10),
                < 4 => ticks + Minute + rng.NextInt64(15 * Minute),
                < 6 => ticks + (20 * Minute) + rng.NextInt64(150 * Minute),
                _ => ticks + rng.NextInt64(30 * TimeSpan.TicksPerSecond),
            };
            list.Add(new Reading(
                $"{prefix}-r{rng.Next(100_000):D5}-{i}",
                device,
                rng.Next(10) == 0 ? null : Math.Round(rng.NextDouble() * 100, 2),
                rng.Next(10) == 0 ? null : rng.Next(-5, 20),
                rng.Next(10) == 0 ? null : busy ? $"t{rng.Next(200)}" : ((char)('a' + rng.Next(4))).ToString(),
                ticks,
                arrival));
        }

        return list;
    }

    /// <summary>Batches of 1 to 40 readings in arrival order.</summary>
    private static List<List<Reading>> Split(Random rng, List<Reading> history)
    {
        var byArrival = history.OrderBy(r => r.Arrival).ToList();
        var batches = new List<List<Reading>>();
        for (var i = 0; i < byArrival.Count;)
        {
            var n = Math.Min(byArrival.Count - i, 1 + rng.Next(40));
            batches.Add(byArrival.GetRange(i, n));
            i += n;
        }

        return batches;
    }

    /// <summary>Ingests readings shuffled over one to three messages, at <paramref name="now"/>.</summary>
    private async Task IngestAsync(Random rng, List<Reading> readings, long now)
    {
        var shuffled = readings.OrderBy(_ => rng.Next()).ToList();
        var parts = 1 + rng.Next(3);
        var messages = shuffled.Chunk(Math.Max(1, (shuffled.Count + parts - 1) / parts)).Select(Message).ToArray();
        var result = await new EventIngestor(azurite.Storage, Definitions, new FixedTimeProvider(TiledView.FromUnixTicks(now))).IngestAsync(messages, CancellationToken.None);
        Assert.True(readings.Count == result.Accepted, string.Join("; ", result.Outcomes.Where(o => !o.Accepted).Select(o => o.Reason)));
    }

    private async Task<List<SourceEventBatch>> ReadRawAsync(EventSchema schema)
    {
        var raw = new List<SourceEventBatch>();
        await foreach (var batch in RawZoneReader.For(azurite.Storage).ReadRangeAsync(schema, TiledView.ToUnixTicks(Day), TiledView.ToUnixTicks(Day.AddDays(1))))
        {
            raw.Add(batch);
        }

        return raw;
    }

    private async Task<Dictionary<string, List<OfflineRows>>> ReadOfflineAsync(FeaturePlan plan)
    {
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.OfflineContainer);
        var result = new Dictionary<string, List<OfflineRows>>();
        foreach (var view in plan.Views)
        {
            result[view.Name] = [];
            await foreach (var blob in container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, $"{view.Name}/date={Day:yyyy-MM-dd}/", CancellationToken.None))
            {
                var bytes = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
                result[view.Name].Add(await OfflineFeatureParquet.ReadAsync(view, Definitions, new MemoryStream(bytes)));
            }
        }

        return result;
    }

    private static int Duplicates(List<SourceEventBatch> raw)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = 0;
        foreach (var batch in raw)
        {
            for (var row = 0; row < batch.Count; row++)
            {
                duplicates += ids.Add(batch.Id(row)) ? 0 : 1;
            }
        }

        return duplicates;
    }

    private static OnlineFeatureRequest Request(FeaturePlan plan, IEnumerable<ViewPlan> views, string[] devices)
    {
        var names = views.SelectMany(v => v.Definition.Features.Select(f => $"{v.Name}:{f.Name}"));
        var body = JsonSerializer.Serialize(new { features = names, entities = new Dictionary<string, string[]> { ["device_id"] = devices } });
        return OnlineFeatureRequest.Parse(Encoding.UTF8.GetBytes(body), plan);
    }

    /// <summary>Exact for count, min, max, last and distinct count; 1e-9 relative (floor 1) otherwise.</summary>
    private static void AssertSame(AggregationKind kind, FieldValue expected, FieldValue actual, string context)
    {
        if (expected.IsNull || actual.IsNull || expected.IsText || actual.IsText)
        {
            Assert.True(expected.Equals(actual), $"{context}: expected {expected}, got {actual}");
            return;
        }

        var tolerance = kind is AggregationKind.Count or AggregationKind.Min or AggregationKind.Max or AggregationKind.Last or AggregationKind.DistinctCount
            ? 0
            : 1e-9 * Math.Max(Math.Abs(expected.Number), 1.0);
        Assert.True(Math.Abs(expected.Number - actual.Number) <= tolerance, $"{context}: expected {expected}, got {actual}");
    }

    private static IncomingMessage Message(IEnumerable<Reading> readings) =>
        new(Encoding.UTF8.GetBytes("[" + string.Join(",", readings.Select(r =>
        {
            var data = new Dictionary<string, object?>
            {
                ["reading_id"] = r.Id,
                ["device_id"] = r.Device,
                ["timestamp"] = TiledView.FromUnixTicks(r.Ticks).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
            };
            if (r.Amount is { } amount)
            {
                data["amount"] = amount;
            }

            if (r.Level is { } level)
            {
                data["level"] = level;
            }

            if (r.Tag is { } tag)
            {
                data["tag"] = tag;
            }

            return $$"""{"specversion":"1.0","id":{{JsonSerializer.Serialize(r.Id)}},"source":"/tests","type":"com.example.skewlab.reading","data":{{JsonSerializer.Serialize(data)}}}""";
        })) + "]"));
}
