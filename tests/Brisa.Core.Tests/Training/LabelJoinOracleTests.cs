using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Ingestion;
using Brisa.Core.Modeling;
using Brisa.Core.Training;
using DuckDB.NET.Data;
using static Brisa.Core.Tests.DuckDb;

namespace Brisa.Core.Tests.Training;

/// <summary>
/// Labels, label maturity and the time split, checked against DuckDB SQL written from the definitions' words on
/// random data full of edges: chargebacks exactly at t, at t + within and a microsecond after, before t, for unknown
/// transactions, after the time labels are known, redelivered; observations exactly at the maturity limit, repeated.
/// </summary>
public sealed class LabelJoinOracleTests
{
    private static readonly ModelDefinition Model = FraudStream.Definitions.FindModel("fraud")!;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void BuildAndSplit_RandomEdges_MatchDuckDb(int seed)
    {
        var rng = new Random(seed);
        var within = TimeSpan.FromDays(rng.Next(1, 4));
        var model = Model with { Label = Model.Label with { Within = within }, Split = new SplitDefinition { Validation = TimeSpan.FromDays(2), Gap = TimeSpan.FromHours(rng.Next(0, 30)) } };
        var transactions = FraudStream.GenerateTransactions(seed, 3_000, TimeSpan.FromDays(12));
        var knownAt = FraudStream.Start.AddDays(10).AddTicks(rng.Next(0, 1_000_000) * 10);
        var knownAtTicks = TiledView.ToUnixTicks(knownAt);
        var withinTicks = within.Ticks;

        // Observations exactly at the maturity limit, and a redelivery of the first 50 (same ids).
        var edge = new SourceEventBatch(transactions.Schema);
        for (var i = 0; i < 20; i++)
        {
            var row = transactions.Row(i).ToArray();
            var id = $"edge{i}";
            row[transactions.Schema.IndexOf("transaction_id")] = FieldValue.FromText(id);
            edge.Add(id, knownAtTicks - withinTicks + (i % 2), row);
        }

        // edge0 is the newest labelled observation, so these sit exactly on the split's boundaries: the validation
        // cutoff (training side), the end of training, and just inside the gap.
        var end = knownAtTicks - withinTicks;
        var boundaries = new[] { end - model.Split.Validation.Ticks, end - model.Split.Validation.Ticks - model.Split.Gap!.Value.Ticks, end - model.Split.Validation.Ticks - model.Split.Gap!.Value.Ticks + 10 };
        for (var i = 0; i < boundaries.Length; i++)
        {
            var row = transactions.Row(i).ToArray();
            row[transactions.Schema.IndexOf("transaction_id")] = FieldValue.FromText($"split{i}");
            edge.Add($"split{i}", boundaries[i], row);
        }

        var again = new SourceEventBatch(transactions.Schema);
        for (var i = 0; i < 50; i++)
        {
            again.Add(transactions.Id(i), transactions.EventTicks(i), transactions.Row(i));
        }

        var schema = FraudStream.Chargebacks;
        var chargebacks = new SourceEventBatch(schema);
        var all = new[] { transactions, edge };
        var n = 0;
        foreach (var batch in all)
        {
            for (var r = 0; r < batch.Count; r++)
            {
                var t = batch.EventTicks(r);
                long? at = rng.Next(12) switch
                {
                    0 => t,
                    1 => t + withinTicks,
                    2 => t + withinTicks + 10,
                    3 => t - 10,
                    4 => t + (rng.NextInt64(withinTicks / 10) * 10),
                    5 => knownAtTicks + 10,
                    _ => null,
                };
                if (at is { } ticks)
                {
                    AddChargeback(chargebacks, $"cb{n++}", batch.Id(r), ticks);
                }
            }
        }

        AddChargeback(chargebacks, "cb-unknown", "no-such-transaction", knownAtTicks - withinTicks);
        var redelivered = new SourceEventBatch(schema);
        for (var i = 0; i < Math.Min(30, chargebacks.Count); i++)
        {
            redelivered.Add(chargebacks.Id(i), chargebacks.EventTicks(i), chargebacks.Row(i));
        }

        var observations = ModelObservations.Build(FraudStream.Plan, model, [transactions, edge, again], [chargebacks, redelivered], knownAt);

        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        Execute(duck, "CREATE TABLE obs (id VARCHAR, t BIGINT)");
        Execute(duck, "CREATE TABLE cb (id VARCHAR, txn VARCHAR, t BIGINT)");
        using (var appender = duck.CreateAppender("obs"))
        {
            foreach (var batch in new[] { transactions, edge, again })
            {
                for (var r = 0; r < batch.Count; r++)
                {
                    appender.CreateRow().AppendValue(batch.Id(r)).AppendValue(batch.EventTicks(r)).EndRow();
                }
            }
        }

        using (var appender = duck.CreateAppender("cb"))
        {
            foreach (var batch in new[] { chargebacks, redelivered })
            {
                for (var r = 0; r < batch.Count; r++)
                {
                    appender.CreateRow().AppendValue(batch.Id(r)).AppendValue(batch.Value(r, schema.IndexOf("transaction_id")).AsText()).AppendValue(batch.EventTicks(r)).EndRow();
                }
            }
        }

        // A label is final once t + within has passed by the time labels are known; it is positive when a chargeback
        // known by then falls in [t, t + within].
        var expected = Query(duck, $"""
            WITH o AS (SELECT DISTINCT id, t FROM obs), c AS (SELECT DISTINCT id, txn, t FROM cb WHERE t <= {knownAtTicks})
            SELECT o.id, o.t, EXISTS (SELECT 1 FROM c WHERE c.txn = o.id AND c.t >= o.t AND c.t <= o.t + {withinTicks}) AS label
            FROM o WHERE o.t + {withinTicks} <= {knownAtTicks} ORDER BY o.id
            """);
        var actual = Enumerable.Range(0, observations.Count)
            .Select(i => (observations.IdOf(i), observations.TicksOf(i), observations.LabelOf(i).Number == 1.0))
            .OrderBy(r => r.Item1, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual);
        Assert.Equal(Scalar<long>(duck, $"SELECT count(DISTINCT id) FROM obs WHERE t + {withinTicks} > {knownAtTicks}"), observations.ImmatureDropped);
        Assert.Contains(actual, r => r.Item1 == "edge0");
        Assert.DoesNotContain(actual, r => r.Item1 == "edge1");

        // The split: validation after (newest − validation), training up to (newest − validation − gap).
        var table = new TrainingTable(
            [.. actual.Select(r => TiledView.FromUnixTicks(r.Item2))],
            [.. actual.Select(r => r.Item3 ? 1f : 0f)],
            [FeatureColumn.Numeric("x", new float[actual.Count])]);
        var split = TemporalSplit.Create(table, model.Split);
        Execute(duck, "CREATE TABLE labelled AS " + Sql(expected));
        var validationTicks = model.Split.Validation.Ticks;
        var gapTicks = model.Split.Gap.Value.Ticks;
        var validation = Query(duck, $"SELECT id, t, label FROM labelled WHERE t > (SELECT max(t) FROM labelled) - {validationTicks} ORDER BY id");
        var training = Query(duck, $"SELECT id, t, label FROM labelled WHERE t <= (SELECT max(t) FROM labelled) - {validationTicks} - {gapTicks} ORDER BY id");
        Assert.Equal(validation, [.. split.Validation.Select(i => actual[i]).OrderBy(r => r.Item1, StringComparer.Ordinal)]);
        Assert.Equal(training, [.. split.Training.Select(i => actual[i]).OrderBy(r => r.Item1, StringComparer.Ordinal)]);
        Assert.Contains(training, r => r.Id == "split1");
        Assert.Equal(gapTicks == 0, training.Any(r => r.Id == "split0"));
        Assert.DoesNotContain(validation, r => r.Id.StartsWith("split", StringComparison.Ordinal));
    }

    private static void AddChargeback(SourceEventBatch batch, string id, string transaction, long ticks)
    {
        var schema = batch.Schema;
        var row = new FieldValue[schema.Fields.Count];
        row[schema.IndexOf("chargeback_id")] = FieldValue.FromText(id);
        row[schema.IndexOf("transaction_id")] = FieldValue.FromText(transaction);
        row[schema.IndexOf("customer_id")] = FieldValue.FromText("c1");
        row[schema.IndexOf("amount")] = FieldValue.FromNumber(1);
        row[schema.IndexOf("timestamp")] = FieldValue.FromNumber(ticks / 10);
        batch.Add(id, ticks, row);
    }

    private static string Sql(List<(string Id, long Ticks, bool Label)> rows) =>
        "SELECT * FROM (VALUES " + string.Join(", ", rows.Select(r => $"('{r.Id}', {r.Ticks}, {(r.Label ? "true" : "false")})")) + ") AS v(id, t, label)";

    private static List<(string Id, long Ticks, bool Label)> Query(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<(string, long, bool)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetBoolean(2)));
        }

        return rows;
    }
}
