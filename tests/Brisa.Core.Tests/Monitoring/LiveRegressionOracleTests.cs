using System.Globalization;
using Brisa.Core.Aggregation;
using Brisa.Core.Ingestion;
using Brisa.Core.Monitoring;
using Brisa.Core.Training;
using DuckDB.NET.Data;
using static Brisa.Core.Tests.DuckDb;

namespace Brisa.Core.Tests.Monitoring;

/// <summary>
/// A regression's live errors checked against DuckDB SQL written from the monitoring README's words, on random data full
/// of edges: retried predictions, predictions without an id, scored after "now"; labels exactly at t + within and 1 µs
/// after, before t, twice (later, or at the same instant with another event id), without a value, after "now", redelivered
/// in another batch, for ids never scored, and none at all; days cut at UTC midnight.
/// </summary>
public sealed class LiveRegressionOracleTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Compute_RandomEdges_MatchDuckDb(int seed)
    {
        var rng = new Random(seed);
        var model = LiveRegressionAnalyzerTests.TripDuration;
        var within = model.Label.Within;
        var asOf = Start.AddDays(9).AddTicks(rng.NextInt64(TimeSpan.TicksPerDay) / 10 * 10);
        var predictions = new List<LivePrediction>();
        var labels = new List<(string EventId, long Trip, DateTimeOffset Time, double? Minutes)>();
        for (var i = 0; i < 2_000; i++)
        {
            // Microsecond times, some exactly at midnight, some after asOf; ties between predictions are allowed.
            var time = rng.Next(20) == 0
                ? Start.AddDays(rng.Next(0, 10))
                : Start.AddTicks(rng.NextInt64(10 * TimeSpan.TicksPerDay) / 10 * 10);
            var trip = 500_000L + i;
            var id = rng.Next(15) == 0 ? null : trip.ToString(CultureInfo.InvariantCulture);
            var score = Math.Round(5 + (rng.NextDouble() * 60), 3);
            predictions.Add(new LivePrediction(id, time, score, double.NaN));
            if (id is not null && rng.Next(8) == 0)
            {
                // A client's retry, later, with another score.
                predictions.Add(new LivePrediction(id, time.AddMinutes(rng.Next(1, 600)), score + 7, double.NaN));
            }

            long? at = rng.Next(10) switch
            {
                0 => 0,
                1 => within.Ticks,
                2 => within.Ticks + 10,
                3 => -TimeSpan.TicksPerDay,
                4 or 5 or 6 => rng.NextInt64(within.Ticks / 10) * 10,
                _ => null,
            };
            if (at is not { } offset)
            {
                continue;
            }

            var minutes = (double?)Math.Round(5 + (rng.NextDouble() * 60), 2);
            labels.Add(($"end-{i}", trip, time.AddTicks(offset), rng.Next(25) == 0 ? null : minutes));
            switch (rng.Next(6))
            {
                case 0:
                    labels.Add(($"end-{i}-later", trip, time.AddTicks(offset + (rng.NextInt64(1, within.Ticks) / 10 * 10)), minutes + 1));
                    break;
                case 1:
                    // Same instant: the smaller event id's value wins ("end-{i}" < "end-{i}~").
                    labels.Add(($"end-{i}~", trip, time.AddTicks(offset), minutes - 1));
                    break;
                case 2:
                    labels.Add(($"end-{i}-0", trip, time.AddTicks(offset), minutes + 2));
                    break;
            }
        }

        labels.Add(("never-scored", 999_999, Start.AddDays(3), 12));

        // Shuffled into batches, one of them redelivered in part (same event ids, counted once).
        var shuffled = labels.OrderBy(_ => rng.Next()).ToList();
        var index = new LabelIndex(model);
        foreach (var chunk in shuffled.Chunk(300).Append(shuffled.Take(100).ToArray()))
        {
            index.Add(Batch(chunk));
        }

        var live = LiveRegressionAnalyzer.Compute(LiveRegressionAnalyzerTests.Champion(), model, predictions, index, asOf)!;

        using var duck = Open();
        Execute(duck, "CREATE TABLE p (seq INTEGER, id VARCHAR, t TIMESTAMP, score DOUBLE)");
        Execute(duck, "CREATE TABLE l (eid VARCHAR, k VARCHAR, t TIMESTAMP, v DOUBLE)");
        Insert(duck, "p", predictions.Select((p, i) => $"({i}, {Text(p.Id)}, {Ts(p.Time)}, {N(p.Score)})"));
        Insert(duck, "l", labels.Select(l => $"({Text(l.EventId)}, '{l.Trip}', {Ts(l.Time)}, {(l.Minutes is { } v ? N(v) : "NULL")})"));
        var withinSql = $"INTERVAL '{within.TotalMinutes.ToString(CultureInfo.InvariantCulture)} minutes'";
        var asOfSql = Ts(asOf);

        // Scored by now; one row per id at its first score; its label the value of the earliest event (ties: smallest
        // event id) dated by t + within and by now; errors as float, as the model emits and training compares them.
        Execute(duck, $"""
            CREATE TABLE j AS
            WITH scored AS (SELECT * FROM p WHERE t <= {asOfSql} AND id IS NOT NULL),
            firsts AS (SELECT * FROM scored QUALIFY row_number() OVER (PARTITION BY id ORDER BY t, seq) = 1)
            SELECT f.*, CAST(f.t AS DATE) AS day,
                   (SELECT v FROM l WHERE l.k = f.id AND l.t <= f.t + {withinSql} AND l.t <= {asOfSql} ORDER BY l.t, l.eid LIMIT 1) AS label
            FROM firsts f
            """);
        Execute(duck, $"""
            ALTER TABLE j ADD COLUMN e DOUBLE; UPDATE j SET e = CAST(CAST(score AS FLOAT) AS DOUBLE) - CAST(CAST(label AS FLOAT) AS DOUBLE);
            ALTER TABLE j ADD COLUMN final BOOLEAN; UPDATE j SET final = label IS NOT NULL OR t + {withinSql} <= {asOfSql}
            """);

        // The data must hold the edges it claims to: labelled, unlabelled, open and closed windows, unjoinable rows.
        Assert.InRange(live.Total.Labelled, 500, live.Total.Predictions - 300);
        Assert.InRange(live.Total.Final, live.Total.Labelled + 100, live.Total.Predictions - 1);
        Assert.InRange(live.Total.Unjoinable, 50, 300);

        var days = live.Days.ToDictionary(d => d.From.UtcDateTime.Date);
        Assert.Equal(Scalar<long>(duck, $"SELECT count(*) FROM (SELECT day FROM j UNION SELECT CAST(t AS DATE) FROM p WHERE t <= {asOfSql} AND id IS NULL)"), days.Count);
        foreach (var (day, window) in days.Select(d => (d.Key, d.Value)).Append((DateTime.MinValue, live.Total)))
        {
            var where = day == DateTime.MinValue ? "TRUE" : $"day = DATE '{day:yyyy-MM-dd}'";
            var pWhere = day == DateTime.MinValue ? "TRUE" : $"CAST(t AS DATE) = DATE '{day:yyyy-MM-dd}'";
            Assert.Equal(Scalar<long>(duck, $"SELECT count(*) FROM j WHERE {where}"), window.Predictions);
            Assert.Equal(Scalar<long>(duck, $"SELECT count(*) FROM p WHERE id IS NULL AND t <= {asOfSql} AND {pWhere}"), window.Unjoinable);
            Assert.Equal(Scalar<long>(duck, $"SELECT count(label) FROM j WHERE {where}"), window.Labelled);
            Assert.Equal(Scalar<long>(duck, $"SELECT count(*) FILTER (WHERE final) FROM j WHERE {where}"), window.Final);
            Close(Number(duck, $"SELECT avg(abs(e)) FROM j WHERE {where}"), window.Mae);
            Close(Number(duck, $"SELECT sqrt(avg(e * e)) FROM j WHERE {where}"), window.Rmse);
            Close(Number(duck, $"SELECT avg(e) FROM j WHERE {where}"), window.MeanError);
        }
    }

    // A scalar that may be NULL (an average over no labelled row).
    private static double? Number(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() is double value ? value : null;
    }

    private static void Close(double? expected, double? actual)
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is { } e)
        {
            Assert.Equal(e, actual!.Value, 9);
        }
    }

    private static SourceEventBatch Batch(IEnumerable<(string EventId, long Trip, DateTimeOffset Time, double? Minutes)> events)
    {
        var schema = LiveRegressionAnalyzerTests.TripEnd;
        var batch = new SourceEventBatch(schema);
        foreach (var (eventId, trip, time, minutes) in events)
        {
            var row = new FieldValue[schema.Fields.Count];
            row[schema.IndexOf("trip_id")] = FieldValue.FromNumber(trip);
            row[schema.IndexOf("duration_min")] = FieldValue.FromNumber(minutes);
            row[schema.IndexOf("completed_at")] = FieldValue.FromNumber(TiledView.ToUnixTicks(time) / 10);
            batch.Add(eventId, TiledView.ToUnixTicks(time), row);
        }

        return batch;
    }
}
