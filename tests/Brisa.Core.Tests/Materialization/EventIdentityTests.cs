using System.Globalization;
using System.Text;
using System.Text.Json;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;
using Brisa.Core.Materialization;
using Brisa.Core.Tests.Training;
using Brisa.Core.Training;
using FeaturePlan = Brisa.Core.Features.FeaturePlan;
using ViewPlan = Brisa.Core.Features.ViewPlan;

namespace Brisa.Core.Tests.Materialization;

/// <summary>
/// An event is (source, id, event time) on every path: a producer that reuses an id at another time sends another
/// event, which the stream, the batch materializer and the training set all count, whatever tile, hour or delivery
/// the two fall in; a redelivery (same id, same time) counts once everywhere.
/// </summary>
public class EventIdentityTests
{
    private static readonly FeaturePlan Streaming = FeaturePlan.Compile(FraudStream.Definitions, trackEventIds: true);
    private static readonly ViewPlan[] Views = FraudStream.Plan.Views.Where(v => v.Definition.Source == "transaction").ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ThreePaths_IdsReusedAtOtherTimesAndRedelivered_SameValues(int seed)
    {
        var span = TimeSpan.FromDays(2);
        var start = TiledView.ToUnixTicks(FraudStream.Start);
        var end = start + span.Ticks;
        var rng = new Random(seed);
        var (messages, reusedWithin) = Sent(FraudStream.GenerateTransactions(seed, count: 700, span: span, customers: 8, merchants: 3), rng, start, end);

        // Ingestion: each delivery decoded on its own (the within-delivery rule), its accepted rows landed as its files.
        var decoder = new CloudEventDecoder([FraudStream.Transactions]);
        var now = FraudStream.Start.Add(span).AddDays(1);
        var deliveries = new List<SourceEventBatch>();
        for (var i = 0; i < messages.Count;)
        {
            var size = rng.Next(1, 80);
            var decoded = decoder.Decode(messages.Skip(i).Take(size).Select(m => new IncomingMessage(m)).ToArray(), now);
            Assert.DoesNotContain(decoded.Rejected, r => !r.Reason.StartsWith("duplicate event id", StringComparison.Ordinal));
            deliveries.AddRange(decoded.Sources);
            i += size;
        }

        var accepted = deliveries.SelectMany(d => Enumerable.Range(0, d.Count).Select(r => (d.Id(r), d.EventTicks(r)))).ToList();
        var identities = accepted.Distinct().Count();
        Assert.True(accepted.Count > identities, "some redeliveries were accepted twice (in different deliveries)");
        Assert.True(accepted.Select(a => a.Item1).Distinct().Count() < identities, "some ids were reused at another time");
        Assert.True(reusedWithin > 0);
        Assert.Contains(deliveries, d => Enumerable.Range(0, d.Count).Select(d.Id).Distinct().Count() < d.Count); // taken within a delivery too

        // Batch: the raw files of each hour (one per delivery), materialized over the whole range.
        var hours = new SortedDictionary<long, List<SourceEventBatch>>();
        foreach (var delivery in deliveries)
        {
            foreach (var byHour in Enumerable.Range(0, delivery.Count).GroupBy(r => SourceMaterializer.FloorHour(delivery.EventTicks(r))))
            {
                var file = new SourceEventBatch(delivery.Schema);
                foreach (var r in byHour)
                {
                    file.Add(delivery.Id(r), delivery.EventTicks(r), delivery.Row(r));
                }

                if (!hours.TryGetValue(byHour.Key, out var files))
                {
                    hours[byHour.Key] = files = [];
                }

                files.Add(file);
            }
        }

        var (output, _) = SourceMaterializerTests.Run(hours, start, end + TimeSpan.TicksPerHour);
        Assert.Equal(identities, output.Sum(h => h.Events));
        var blocks = output.SelectMany(h => h.Rows).ToList();

        // Training: observations of every customer (with a merchant), some a microsecond past an hour or tile edge (on
        // an edge the README's reader rule reads the window before it slid: off edges it is exactly training's).
        var customers = Keys(deliveries, "customer_id");
        var merchants = Keys(deliveries, "merchant_id");
        var observations = new ObservationSet(["customer_id", "merchant_id"], [], null);
        for (var i = 0; i < 30; i++)
        {
            var t = start + TimeSpan.TicksPerHour + (rng.NextInt64((end - start) / 10) * 10);
            t -= i % 3 == 0 ? (t % TimeSpan.TicksPerHour) - 10 : i % 3 == 1 ? (t % TimeSpan.FromMinutes(5).Ticks) - 10 : 0;
            for (var c = 0; c < customers.Length; c++)
            {
                observations.Add($"o{i}-{c}", t, [customers[c], merchants[(c + i) % merchants.Length]], [], FieldValue.Null);
            }
        }

        var features = Views.SelectMany(v => v.Definition.Features.Select(f => new FeatureReference(v.Name, f.Name))).ToArray();
        var training = new TrainingSetBuilder(FraudStream.Plan, features).Build(observations, deliveries);

        // Stream (its streaming views): the deliveries in order through the tiles (ids tracked, state encoded between
        // deliveries), up to t.
        var streams = new Dictionary<(string View, long T), ViewAggregator>();
        for (var r = 0; r < training.RowCount; r++)
        {
            var t = training.ObservationTicks[r];
            foreach (var view in Views)
            {
                var key = training.Column(view.Definition.Entity == "customer" ? "customer_id" : "merchant_id")[r].Text!;
                var context = $"seed {seed}, {key} at {TiledView.FromUnixTicks(t):O}";
                var trained = view.Definition.Features.Select(f => training.Column(FeatureRequirements.ColumnNameOf(view.Name, f.Name))[r]).ToArray();
                FraudStream.AssertSame(view, trained, SourceMaterializerTests.ReaderRule(blocks, view, key, t), "batch vs training, " + context);
                if (view.Definition.Streaming)
                {
                    if (!streams.TryGetValue((view.Name, t), out var stream))
                    {
                        streams[(view.Name, t)] = stream = Stream(view, deliveries, t);
                    }

                    FraudStream.AssertSame(view, trained, Served(view, stream, key, t), "stream vs training, " + context);
                }
            }
        }
    }

    /// <summary>
    /// The CloudEvents sent, one per message: every event once, some again (a redelivery: same id, time and content),
    /// and some ids again at another time with other values, in the same tile, across a 5-minute tile edge, across an
    /// hour edge, or hours away; half of those repeats right after the first (likely the same delivery).
    /// </summary>
    private static (List<byte[]> Messages, int ReusedRightAfter) Sent(SourceEventBatch events, Random rng, long start, long end)
    {
        var schema = events.Schema;
        var sent = new List<(string Id, long Ticks, FieldValue[] Row)>();
        var later = new List<(string Id, long Ticks, FieldValue[] Row)>();
        var reusedRightAfter = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var row = events.Row(i).ToArray();
            sent.Add((events.Id(i), events.EventTicks(i), row));
            var roll = rng.NextDouble();
            if (roll < 0.1)
            {
                (rng.Next(2) == 0 ? sent : later).Add((events.Id(i), events.EventTicks(i), row));
                continue;
            }

            if (roll >= 0.35)
            {
                continue;
            }

            var ticks = events.EventTicks(i);
            var g = TimeSpan.FromMinutes(5).Ticks;
            var other = rng.Next(4) switch
            {
                0 => ticks + 10,
                1 => ticks - (ticks % g) + g + (rng.Next(1, 30) * 10),
                2 => ticks - (ticks % TimeSpan.TicksPerHour) - (rng.Next(1, 30) * 10),
                _ => ticks + (rng.NextInt64(-6, 7) * TimeSpan.TicksPerHour) + (rng.Next(1000) * 10),
            };
            if (other < start || other >= end)
            {
                continue;
            }

            var changed = row.ToArray();
            changed[schema.IndexOf("amount")] = FieldValue.FromNumber(Math.Round(rng.NextDouble() * 500, 2) + 0.01);
            changed[schema.IndexOf("country")] = FieldValue.FromText("IT");
            changed[schema.IndexOf("timestamp")] = FieldValue.FromNumber(other / 10);
            if (rng.Next(2) == 0)
            {
                sent.Add((events.Id(i), other, changed));
                reusedRightAfter++;
            }
            else
            {
                later.Add((events.Id(i), other, changed));
            }
        }

        // The later ones spread over the rest of the stream (another delivery, mostly).
        foreach (var e in later)
        {
            sent.Insert(rng.Next(sent.Count / 2, sent.Count + 1), e);
        }

        return ([.. sent.Select(e => CloudEvent(schema, e.Id, e.Ticks, e.Row))], reusedRightAfter);
    }

    private static byte[] CloudEvent(EventSchema schema, string id, long ticks, FieldValue[] row)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("specversion", "1.0");
            json.WriteString("id", id);
            json.WriteString("source", "/test");
            json.WriteString("type", schema.EventType);
            json.WriteStartObject("data");
            for (var f = 0; f < schema.Fields.Count; f++)
            {
                var name = schema.Fields[f].Name;
                if (f == schema.TimestampIndex)
                {
                    json.WriteString(name, TiledView.FromUnixTicks(ticks).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture));
                }
                else if (row[f].IsNumber)
                {
                    json.WriteNumber(name, row[f].Number);
                }
                else if (row[f].IsText)
                {
                    json.WriteString(name, row[f].Text);
                }
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string[] Keys(IEnumerable<SourceEventBatch> batches, string field) =>
        [.. batches.SelectMany(b => Enumerable.Range(0, b.Count).Select(r => b.Value(r, b.Schema.IndexOf(field)).Text!)).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The stream's tiles after every delivery's events before t (as the stream holds them at t), hashed as ingestion hashes them.</summary>
    private static ViewAggregator Stream(ViewPlan view, IEnumerable<SourceEventBatch> deliveries, long t)
    {
        var tiles = Streaming.Views.Single(v => v.Name == view.Name).View;
        var aggregator = new ViewAggregator(tiles);
        foreach (var delivery in deliveries)
        {
            var before = new SourceEventBatch(delivery.Schema);
            for (var r = 0; r < delivery.Count; r++)
            {
                if (delivery.EventTicks(r) < t)
                {
                    before.Add(delivery.Id(r), delivery.EventTicks(r), delivery.Row(r));
                }
            }

            var hashes = Enumerable.Range(0, before.Count).Select(r => StableHash.EventIdentity(before.Id(r), before.EventTicks(r))).ToArray();
            aggregator.Apply(before, view.EntityKeyField, hashes);
            foreach (var key in aggregator.DirtyKeys)
            {
                Assert.True(aggregator.TryGet(key, out var state));
                aggregator.Load(key, state.Encode());
            }

            aggregator.ClearDirty();
        }

        return aggregator;
    }

    /// <summary>What serving reads from the stream's tiles at t: values over events before t, missing beyond the TTL.</summary>
    private static FieldValue[] Served(ViewPlan view, ViewAggregator stream, string key, long t)
    {
        var values = new FieldValue[view.View.FeatureCount];
        var newest = stream.Evaluate(key, t, values);
        return newest is { } e && t - e <= view.Definition.Ttl.Ticks ? values : new FieldValue[values.Length];
    }
}
