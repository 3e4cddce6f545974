using System.Globalization;
using Brisa.Core.Definitions;
using Brisa.Core.Monitoring;
using Brisa.Core.Tests.Definitions;
using DuckDB.NET.Data;
using static Brisa.Core.Tests.DuckDb;

namespace Brisa.Core.Tests.Monitoring;

/// <summary>
/// Live performance checked against DuckDB SQL written from the monitoring README's words, on random data full of
/// edges: retried predictions, predictions without an id, scored after "now", labels exactly at t + within and just
/// after, before t, twice, after "now", for ids never scored; days cut at UTC midnight; mixed and unknown currencies.
/// </summary>
public sealed class LivePerformanceOracleTests
{
    private static readonly ModelDefinition Fraud = SampleDefinitionsTests.LoadSample().FindModel("fraud")!;
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Compute_RandomEdges_MatchDuckDb(int seed)
    {
        var rng = new Random(seed);
        var within = Fraud.Label.Within;
        var asOf = Start.AddDays(35).AddTicks(rng.NextInt64(TimeSpan.TicksPerDay) / 10 * 10);
        string?[] currencies = ["EUR", "USD", "GBP", "CHF", null];
        var predictions = new List<LivePrediction>();
        var labels = new List<LabelArrival>();
        for (var i = 0; i < 2_000; i++)
        {
            // Distinct times (microseconds apart at least), some exactly at midnight, some after asOf.
            var time = rng.Next(20) == 0
                ? Start.AddDays(rng.Next(0, 37)).AddTicks(i * 10)
                : Start.AddTicks((rng.NextInt64(37 * TimeSpan.TicksPerDay) / 10_000 * 10_000) + (i * 10));
            var id = rng.Next(15) == 0 ? null : $"t{i}";
            var score = Math.Round(rng.NextDouble(), 2); // ties
            predictions.Add(new LivePrediction(id, time, score, Math.Round(rng.NextDouble() * 300, 2), currencies[rng.Next(currencies.Length)]));
            if (id is not null && rng.Next(8) == 0)
            {
                // A client's retry, later, with another score.
                predictions.Add(new LivePrediction(id, time.AddMinutes(rng.Next(1, 600)), Math.Round(rng.NextDouble(), 2), 1, "EUR"));
            }

            long? at = rng.Next(10) switch
            {
                0 => 0,
                1 => within.Ticks,
                2 => within.Ticks + 10,
                3 => -TimeSpan.TicksPerDay,
                4 or 5 => rng.NextInt64(within.Ticks / 10) * 10,
                _ => null,
            };
            if (at is { } offset)
            {
                labels.Add(new LabelArrival(id ?? $"t{i}", time.AddTicks(offset)));
                if (rng.Next(5) == 0)
                {
                    labels.Add(new LabelArrival(id ?? $"t{i}", time.AddTicks(offset + (rng.NextInt64(TimeSpan.TicksPerDay) / 10 * 10))));
                }
            }
        }

        labels.Add(new LabelArrival("never-scored", Start.AddDays(3)));
        var live = LivePerformanceAnalyzer.Compute(LivePerformanceAnalyzerTests.Champion(0.5), Fraud, predictions, labels, asOf)!;

        using var duck = Open();
        Execute(duck, "CREATE TABLE p (seq INTEGER, id VARCHAR, t TIMESTAMP, score DOUBLE, amount DOUBLE, currency VARCHAR)");
        Execute(duck, "CREATE TABLE l (k VARCHAR, t TIMESTAMP)");
        Execute(duck, "CREATE TABLE rate (currency VARCHAR, eur DOUBLE)");
        Insert(duck, "p", predictions.Select((p, i) => $"({i}, {Text(p.Id)}, {Ts(p.Time)}, {N(p.Score)}, {N(p.FalseNegativeCost)}, {Text(p.Currency)})"));
        Insert(duck, "l", labels.Select(l => $"({Text(l.Key)}, {Ts(l.Time)})"));
        Insert(duck, "rate", [.. Fraud.Cost!.ExchangeRates!.Select(r => $"({Text(r.Key)}, {N(r.Value)})"), $"({Text(Fraud.Cost.Currency)}, 1)"]);
        var withinSql = $"INTERVAL '{within.TotalDays.ToString(CultureInfo.InvariantCulture)} days'";
        var asOfSql = Ts(asOf);

        // Scored by now; one row per id at its first score; positive when a label known by now came by t + within.
        Execute(duck, $"""
            CREATE TABLE j AS
            WITH scored AS (SELECT * FROM p WHERE t <= {asOfSql} AND id IS NOT NULL),
            firsts AS (SELECT * FROM scored QUALIFY row_number() OVER (PARTITION BY id ORDER BY t, seq) = 1)
            SELECT f.*, CAST(f.t AS DATE) AS day,
                   EXISTS (SELECT 1 FROM l WHERE l.k = f.id AND l.t <= {asOfSql} AND l.t <= f.t + {withinSql}) AS pos,
                   coalesce(f.amount * (SELECT eur FROM rate WHERE rate.currency = f.currency), 0) AS fn_cost
            FROM firsts f
            """);
        Execute(duck, $"ALTER TABLE j ADD COLUMN final BOOLEAN; UPDATE j SET final = pos OR t + {withinSql} <= {asOfSql}");

        var days = live.Days.ToDictionary(d => d.From.UtcDateTime.Date);
        var sqlDays = Scalar<long>(duck, $"SELECT count(*) FROM (SELECT day FROM j UNION SELECT CAST(t AS DATE) FROM p WHERE t <= {asOfSql} AND id IS NULL)");
        Assert.Equal(sqlDays, days.Count);
        foreach (var (day, window) in days.Select(d => (d.Key, d.Value)).Append((DateTime.MinValue, live.Total)))
        {
            var where = day == DateTime.MinValue ? "TRUE" : $"day = DATE '{day:yyyy-MM-dd}'";
            var pWhere = day == DateTime.MinValue ? "TRUE" : $"CAST(t AS DATE) = DATE '{day:yyyy-MM-dd}'";
            Assert.Equal(Scalar<long>(duck, $"SELECT count(*) FROM j WHERE {where}"), window.Predictions);
            Assert.Equal(Scalar<long>(duck, $"SELECT count(*) FROM p WHERE id IS NULL AND t <= {asOfSql} AND {pWhere}"), window.Unjoinable);
            Assert.Equal(Scalar<long>(duck, $"SELECT count(*) FILTER (WHERE pos) FROM j WHERE {where}"), window.Positives);
            Assert.Equal(Scalar<long>(duck, $"SELECT count(*) FILTER (WHERE final) FROM j WHERE {where}"), window.Final);

            // AUC: the share of (positive, negative) pairs ranked right, ties half.
            var auc = Scalar<double?>(duck, $"""
                SELECT CASE WHEN count(*) = 0 THEN NULL ELSE avg(CASE WHEN a.score > b.score THEN 1.0 WHEN a.score = b.score THEN 0.5 ELSE 0 END) END
                FROM j a JOIN j b ON a.pos AND NOT b.pos WHERE {where.Replace("day", "a.day", StringComparison.Ordinal)} AND {where.Replace("day", "b.day", StringComparison.Ordinal)}
                """);
            Assert.Equal(auc is null, window.Auc is null);
            if (auc is { } expected)
            {
                Assert.Equal(expected, window.Auc!.Value, 9);
            }

            // Money at the threshold (flagged: the review fee, 5; a missed fraud: its amount in EUR, 0 without a rate).
            var cost = Scalar<double>(duck, $"SELECT coalesce(sum(CASE WHEN CAST(score AS FLOAT) >= 0.5 THEN 5 WHEN pos THEN fn_cost ELSE 0 END), 0) FROM j WHERE {where}");
            var noModel = Scalar<double>(duck, $"SELECT coalesce(sum(CASE WHEN pos THEN fn_cost ELSE 0 END), 0) FROM j WHERE {where}");
            Assert.Equal(cost, window.ExpectedCost!.Value, 6);
            Assert.Equal(noModel, window.NoModelCost!.Value, 6);
        }
    }
}
