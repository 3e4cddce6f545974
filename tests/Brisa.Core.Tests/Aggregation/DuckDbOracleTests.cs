using System.Globalization;
using System.Text;
using Brisa.Core.Aggregation;
using DuckDB.NET.Data;
using static Brisa.Core.Tests.DuckDb;

namespace Brisa.Core.Tests.Aggregation;

/// <summary>An independent engine as oracle: DuckDB computes the same window aggregates in SQL from the raw events.</summary>
public class DuckDbOracleTests
{
    [Fact]
    public void Evaluate_RandomStreams_MatchesDuckDbSql()
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        int checkedPoints = 0;
        for (int seed = 0; seed < 25; seed++)
        {
            var scenario = Scenario.Generate(seed + 70_000);
            if (scenario.Events.Count == 0)
            {
                continue;
            }

            Load(connection, scenario);
            var aggregator = new ViewAggregator(scenario.View);
            foreach (RawEvent e in scenario.Events)
            {
                aggregator.Apply(e.Entity, e.Ticks, e.Id, e.Fields);
            }

            var rng = new Random(seed);
            var values = new FieldValue[scenario.View.FeatureCount];
            foreach (string entity in scenario.Entities)
            {
                long newest = scenario.Events.Where(e => e.Entity == entity).Select(e => e.Ticks).DefaultIfEmpty(0).Max();
                foreach (long t in scenario.TimesFrom(newest, rng).Take(4))
                {
                    aggregator.Evaluate(entity, t, values);
                    FieldValue[] expected = QueryDuckDb(connection, scenario, entity, t);
                    for (int f = 0; f < values.Length; f++)
                    {
                        string? problem = Reference.Compare(scenario.View.Features[f], expected[f], values[f], integerValues: false);
                        Assert.True(problem is null, scenario.Fail(seed, $"DuckDB, entity {entity}, t={t}", problem));
                    }

                    checkedPoints++;
                }
            }
        }

        Assert.True(checkedPoints > 50, $"only {checkedPoints} points checked");
    }

    /// <summary>Point in time: labels at random times (between events, on tile edges), events after t must not count.</summary>
    [Fact]
    public void PointInTimeSweep_RandomLabels_MatchesDuckDbSql()
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        int checkedPoints = 0;
        for (int seed = 0; seed < 25; seed++)
        {
            var scenario = Scenario.Generate(seed + 80_000);
            if (scenario.Events.Count == 0)
            {
                continue;
            }

            Load(connection, scenario);
            var batch = new EventBatch(3);
            foreach (RawEvent e in scenario.Events)
            {
                batch.Add(e.Entity, e.Ticks, e.Id, e.Fields);
            }

            batch.SortByTime();
            var rng = new Random(seed);
            long lo = scenario.Events.Min(e => e.Ticks) - scenario.G;
            long hi = scenario.Events.Max(e => e.Ticks) + (2 * scenario.G);
            var labels = Enumerable.Range(0, 8)
                .Select(i => i % 2 == 0 ? scenario.Events[rng.Next(scenario.Events.Count)].Ticks : lo + rng.NextInt64(0, hi - lo))
                .Order()
                .ToList();
            var sweep = new PointInTimeSweep(scenario.View, batch);
            var values = new FieldValue[scenario.View.FeatureCount];
            foreach (long t in labels)
            {
                string entity = scenario.Entities[rng.Next(scenario.Entities.Length)];
                sweep.Evaluate(entity, t, values);
                FieldValue[] expected = QueryDuckDb(connection, scenario, entity, t);
                for (int f = 0; f < values.Length; f++)
                {
                    string? problem = Reference.Compare(scenario.View.Features[f], expected[f], values[f], integerValues: false);
                    Assert.True(problem is null, scenario.Fail(seed, $"DuckDB point in time, entity {entity}, t={t}", problem));
                }

                checkedPoints++;
            }
        }

        Assert.True(checkedPoints > 100, $"only {checkedPoints} points checked");
    }

    private static void Load(DuckDBConnection connection, Scenario scenario)
    {
        Execute(connection, "CREATE OR REPLACE TABLE events (entity VARCHAR, ts BIGINT, id VARCHAR, amount DOUBLE, country VARCHAR, level DOUBLE)");
        var sql = new StringBuilder("INSERT INTO events VALUES ");
        for (int i = 0; i < scenario.Events.Count; i++)
        {
            RawEvent e = scenario.Events[i];
            sql.Append(i == 0 ? "" : ", ")
                .Append(CultureInfo.InvariantCulture, $"('{e.Entity}', {e.Ticks}, '{e.Id}', {Literal(e.Fields[0])}, {Literal(e.Fields[1])}, {Literal(e.Fields[2])})");
        }

        Execute(connection, sql.ToString());
    }

    private static FieldValue[] QueryDuckDb(DuckDBConnection connection, Scenario scenario, string entity, long t)
    {
        long g = scenario.G;
        long tt = Reference.FloorDiv(t, g);
        string[] columns = ["amount", "country", "level"];
        var select = new List<string>();
        foreach (WindowFeatureSpec f in scenario.View.Features)
        {
            long lo = tt - f.WindowTiles + 1;
            string col = f.Kind == AggregationKind.Count ? "" : columns[f.FieldIndex];
            select.Add(f.Kind switch
            {
                AggregationKind.Count => $"count(*) FILTER (WHERE tile >= {lo})",
                AggregationKind.Sum => $"coalesce(sum({col}) FILTER (WHERE tile >= {lo}), 0)",
                AggregationKind.Mean => $"avg({col}) FILTER (WHERE tile >= {lo})",
                AggregationKind.Min => $"min({col}) FILTER (WHERE tile >= {lo})",
                AggregationKind.Max => $"max({col}) FILTER (WHERE tile >= {lo})",
                AggregationKind.StdDev => $"stddev_samp({col}) FILTER (WHERE tile >= {lo})",
                AggregationKind.Last => $"first({col} ORDER BY ts DESC, id DESC) FILTER (WHERE tile >= {lo} AND {col} IS NOT NULL)",
                AggregationKind.DistinctCount => $"count(DISTINCT {col}) FILTER (WHERE tile >= {lo})",
                _ => throw new InvalidOperationException(),
            });
        }

        // Floor division that is right for negative ticks too: subtract the non-negative remainder first.
        string sql = string.Create(CultureInfo.InvariantCulture, $"""
            WITH w AS (
                SELECT *, (ts - (((ts % {g}) + {g}) % {g})) // {g} AS tile FROM events
                WHERE entity = '{entity}' AND ts <= {t})
            SELECT {string.Join(", ", select)} FROM w WHERE tile <= {tt}
            """);
        using DuckDBCommand command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        var result = new FieldValue[select.Count];
        for (int i = 0; i < result.Length; i++)
        {
            object value = reader.GetValue(i);
            result[i] = value switch
            {
                DBNull => FieldValue.Null,
                string s => FieldValue.FromText(s),
                _ => FieldValue.FromNumber(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            };
        }

        return result;
    }

    private static string Literal(FieldValue v) =>
        v.IsNull ? "NULL" : v.IsText ? $"'{v.Text.Replace("'", "''", StringComparison.Ordinal)}'" : v.Number.ToString("R", CultureInfo.InvariantCulture);
}
