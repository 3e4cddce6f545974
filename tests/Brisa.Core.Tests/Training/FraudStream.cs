using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using FeaturePlan = Brisa.Core.Features.FeaturePlan;
using Brisa.Core.Tests.Aggregation;
using Brisa.Core.Tests.Definitions;

namespace Brisa.Core.Tests.Training;

/// <summary>A generated stream of the fraud sample's transactions and chargebacks, plus the naive reference over it.</summary>
internal static class FraudStream
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Countries = ["ES", "FR", "DE", "GB", "PT"];

    public static FeatureRepositoryDefinition Definitions { get; } = SampleDefinitionsTests.LoadSample();

    public static FeaturePlan Plan { get; } = FeaturePlan.Compile(Definitions, trackEventIds: false);

    public static EventSchema Transactions => Plan.Schemas.Single(s => s.SourceName == "transaction");

    public static EventSchema Chargebacks => Plan.Schemas.Single(s => s.SourceName == "chargeback");

    /// <summary>Transactions over <paramref name="span"/> from <see cref="Start"/>, in random order; some on exact tile boundaries and some sharing a time.</summary>
    public static SourceEventBatch GenerateTransactions(int seed, int count, TimeSpan span, int customers = 30, int merchants = 8, string prefix = "t")
    {
        var rng = new Random(seed);
        var schema = Transactions;
        var batch = new SourceEventBatch(schema, count);
        var row = new FieldValue[schema.Fields.Count];
        var startTicks = TiledView.ToUnixTicks(Start);
        long previous = startTicks;
        for (var i = 0; i < count; i++)
        {
            // Microsecond times (the raw zone's precision); 10% on a 5-minute boundary, 5% equal to the previous one.
            long ticks = rng.NextDouble() switch
            {
                < 0.10 => startTicks + (rng.NextInt64(span.Ticks / TimeSpan.FromMinutes(5).Ticks) * TimeSpan.FromMinutes(5).Ticks),
                < 0.15 => previous,
                _ => startTicks + (rng.NextInt64(span.Ticks / 10) * 10),
            };
            previous = ticks;
            var id = $"{prefix}{i:D6}";
            Array.Clear(row);
            row[schema.IndexOf("transaction_id")] = FieldValue.FromText(id);
            row[schema.IndexOf("customer_id")] = FieldValue.FromText($"c{Skewed(rng, customers)}");
            row[schema.IndexOf("merchant_id")] = FieldValue.FromText($"m{Skewed(rng, merchants)}");
            row[schema.IndexOf("amount")] = FieldValue.FromNumber(Math.Round(rng.NextDouble() * rng.NextDouble() * 900, 2) + 0.01);
            row[schema.IndexOf("currency")] = FieldValue.FromText("EUR");
            row[schema.IndexOf("country")] = FieldValue.FromText(Countries[rng.Next(rng.Next(1, Countries.Length + 1))]);
            row[schema.IndexOf("channel")] = FieldValue.FromText(rng.Next(3) switch { 0 => "pos", 1 => "online", _ => "atm" });
            row[schema.IndexOf("timestamp")] = FieldValue.FromNumber(ticks / 10);
            batch.Add(id, ticks, row);
        }

        return batch;
    }

    /// <summary>A chargeback for about <paramref name="rate"/> of the transactions, 1 to 90 days later (some outside the 60-day label window).</summary>
    public static SourceEventBatch GenerateChargebacks(SourceEventBatch transactions, int seed, double rate)
    {
        var rng = new Random(seed);
        var schema = Chargebacks;
        var batch = new SourceEventBatch(schema);
        var row = new FieldValue[schema.Fields.Count];
        var t = transactions.Schema;
        for (var i = 0; i < transactions.Count; i++)
        {
            if (rng.NextDouble() >= rate)
            {
                continue;
            }

            var ticks = transactions.EventTicks(i) + (rng.Next(1, 90) * TimeSpan.TicksPerDay);
            Array.Clear(row);
            row[schema.IndexOf("chargeback_id")] = FieldValue.FromText("cb-" + transactions.Id(i));
            row[schema.IndexOf("transaction_id")] = transactions.Value(i, t.IndexOf("transaction_id"));
            row[schema.IndexOf("customer_id")] = transactions.Value(i, t.IndexOf("customer_id"));
            row[schema.IndexOf("amount")] = transactions.Value(i, t.IndexOf("amount"));
            row[schema.IndexOf("timestamp")] = FieldValue.FromNumber(ticks / 10);
            batch.Add("cb-" + transactions.Id(i), ticks, row);
        }

        return batch;
    }

    /// <summary>The events as the naive reference sees them for a view (entity = the view's key).</summary>
    public static List<RawEvent> ReferenceEvents(ViewPlan view, SourceEventBatch events)
    {
        var list = new List<RawEvent>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            list.Add(new RawEvent(events.Value(i, view.EntityKeyField).Text, events.EventTicks(i), events.Id(i), events.Row(i).ToArray()));
        }

        return list;
    }

    /// <summary>Reference values of every feature of a view for an entity at t over events with e ≤ <paramref name="lastIncluded"/>.</summary>
    public static FieldValue[] ReferenceValues(ViewPlan view, List<RawEvent> events, string entity, long t, long lastIncluded)
    {
        var visible = events.Where(e => e.Ticks <= lastIncluded);
        return view.View.Features.Select(f => Reference.Evaluate(f, view.View.TileTicks, visible, entity, t)).ToArray();
    }

    public static void AssertSame(ViewPlan view, IReadOnlyList<FieldValue> expected, IReadOnlyList<FieldValue> actual, string context)
    {
        for (var f = 0; f < view.View.FeatureCount; f++)
        {
            var error = Reference.Compare(view.View.Features[f], expected[f], actual[f], integerValues: false);
            Assert.True(error is null, $"{view.Name} {context}: {error}");
        }
    }

    private static int Skewed(Random rng, int n) => (int)Math.Floor(n * Math.Pow(rng.NextDouble(), 2));
}
