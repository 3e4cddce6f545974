using System.Globalization;
using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using DuckDB.NET.Data;

namespace Brisa.Benchmarks;

/// <summary>The DuckDB side of the ingest benchmark: SQL that computes the streaming views' tiles from the JSON lines, and the check against Brisa.</summary>
internal sealed class DuckDbTiles
{
    private readonly Dictionary<string, string> tables = new(StringComparer.Ordinal);

    private DuckDbTiles(EventSchema schema) => Schema = schema;

    public EventSchema Schema { get; }

    public List<string> Drops { get; } = [];

    public List<string> Statements { get; } = [];

    /// <summary>Builds the SQL from the schema and the views' specs (so DuckDB computes exactly the tile aggregates Brisa keeps).</summary>
    public static DuckDbTiles Build(EventSchema schema, IReadOnlyList<ViewPlan> views, string jsonLinesPath)
    {
        var sql = new DuckDbTiles(schema);
        var fields = schema.Fields;
        var columns = string.Join(", ", fields.Select(f => $"{Quote(f.Name)} {TypeOf(f.Type)}"));
        var used = views.Select(v => v.EntityKeyField)
            .Concat(views.SelectMany(v => v.View.Features.Where(f => f.Kind != AggregationKind.Count).Select(f => f.FieldIndex)))
            .Distinct().Order().ToArray();

        // The same checks the decoder makes, as filters (rows failing them would be dead-lettered by Brisa).
        var filters = new List<string> { "specversion = '1.0'", $"type = {Literal(schema.EventType)}", "id IS NOT NULL", "id <> ''", "source IS NOT NULL", "source <> ''" };
        foreach (var f in fields)
        {
            var column = $"data.{Quote(f.Name)}";
            if (f.Required || f.Name == fields[schema.TimestampIndex].Name)
            {
                filters.Add($"{column} IS NOT NULL");
            }

            if (f.Min is { } min)
            {
                filters.Add($"{column} >= {min.ToString("R", CultureInfo.InvariantCulture)}");
            }

            if (f.Max is { } max)
            {
                filters.Add($"{column} <= {max.ToString("R", CultureInfo.InvariantCulture)}");
            }

            if (f.Allowed is { } allowed)
            {
                filters.Add($"{column} IN ({string.Join(", ", allowed.Select(Literal))})");
            }
        }

        sql.Drops.Add("DROP TABLE IF EXISTS ev");
        sql.Statements.Add(
            $"CREATE TABLE ev AS SELECT id, epoch_us(data.{Quote(fields[schema.TimestampIndex].Name)}) AS us, " +
            string.Join(", ", used.Select(i => $"data.{Quote(fields[i].Name)} AS {Quote(fields[i].Name)}")) +
            $" FROM read_ndjson({Literal(jsonLinesPath)}, columns = {{specversion: 'VARCHAR', id: 'VARCHAR', source: 'VARCHAR', type: 'VARCHAR', data: 'STRUCT({columns})'}})" +
            $" WHERE {string.Join(" AND ", filters)}");

        foreach (var view in views)
        {
            var table = "tiles_" + view.Name;
            sql.tables[view.Name] = table;
            sql.Drops.Add($"DROP TABLE IF EXISTS {Quote(table)}");
            var aggregates = new List<string> { "count(*) AS n" };
            foreach (var feature in view.View.Features)
            {
                if (feature.Kind == AggregationKind.Count)
                {
                    continue;
                }

                var i = feature.FieldIndex;
                var f = Quote(fields[i].Name);
                var notNull = $"FILTER (WHERE {f} IS NOT NULL)";
                var needed = feature.Kind switch
                {
                    AggregationKind.Sum or AggregationKind.Mean => [$"count({f}) AS c{i}", $"sum({f}) AS s{i}"],
                    AggregationKind.StdDev => [$"count({f}) AS c{i}", $"avg({f}) AS mu{i}", $"var_pop({f}) * count({f}) AS m2_{i}"],
                    AggregationKind.Min => [$"count({f}) AS c{i}", $"min({f}) AS lo{i}"],
                    AggregationKind.Max => [$"count({f}) AS c{i}", $"max({f}) AS hi{i}"],
                    AggregationKind.DistinctCount => [$"list(DISTINCT {f}) {notNull} AS d{i}"],
                    AggregationKind.Last => [$"arg_max({f}, struct_pack(us := us, id := id)) {notNull} AS l{i}", $"max(struct_pack(us := us, id := id)) {notNull} AS lk{i}"],
                    _ => Array.Empty<string>(),
                };
                foreach (var a in needed.Where(a => !aggregates.Contains(a)))
                {
                    aggregates.Add(a);
                }
            }

            var tileMicros = view.View.TileTicks / 10;
            sql.Statements.Add(
                $"CREATE TABLE {Quote(table)} AS SELECT {Quote(fields[view.EntityKeyField].Name)} AS entity, us // {tileMicros} AS tile, " +
                $"{string.Join(", ", aggregates)} FROM ev GROUP BY 1, 2");
        }

        return sql;
    }

    /// <summary>Evaluates sampled entities with Brisa and with SQL over DuckDB's tiles; every feature must agree (counts exactly, numbers to 1e-9 relative).</summary>
    public static CheckResult Check(DuckDBConnection duck, IReadOnlyList<ViewPlan> views, IReadOnlyList<ViewAggregator> aggregators, DuckDbTiles sql, int samplesPerView)
    {
        var mismatches = new List<string>();
        int entities = 0, values = 0;
        for (var v = 0; v < views.Count; v++)
        {
            var view = views[v];
            var aggregator = aggregators[v];
            var keys = aggregator.Entities.Keys.Order(StringComparer.Ordinal).ToArray();
            if (keys.Length == 0)
            {
                mismatches.Add($"{view.Name}: Brisa holds no entity");
                continue;
            }

            var sample = Enumerable.Range(0, samplesPerView).Select(i => keys[(int)((long)i * (keys.Length - 1) / Math.Max(1, samplesPerView - 1))])
                .Append(aggregator.Entities.MaxBy(e => e.Value.EventCount).Key)
                .Distinct().ToArray();
            var brisaValues = new FieldValue[view.View.FeatureCount];
            foreach (var key in sample)
            {
                entities++;
                var state = aggregator.Entities[key];
                var at = state.NewestEventTicks ?? 0;
                aggregator.Evaluate(key, at, brisaValues);
                var tt = view.View.TileOf(at);
                for (var f = 0; f < view.View.Features.Count; f++)
                {
                    var feature = view.View.Features[f];
                    var expected = Query(duck, sql.tables[view.Name], key, tt - feature.WindowTiles + 1, tt, feature);
                    values++;
                    var problem = Compare(feature.Kind, expected, brisaValues[f]);
                    if (problem is not null)
                    {
                        mismatches.Add($"{view.Name}/{key}/{feature.Name}: {problem}");
                    }
                }
            }
        }

        return new CheckResult(entities, values, mismatches);
    }

    private static FieldValue Query(DuckDBConnection duck, string table, string key, long lo, long hi, WindowFeatureSpec feature)
    {
        var i = feature.FieldIndex;
        var window = $"SELECT * FROM {Quote(table)} WHERE entity = {Literal(key)} AND tile BETWEEN {lo} AND {hi}";
        var query = feature.Kind switch
        {
            AggregationKind.Count => $"SELECT coalesce(sum(n), 0)::DOUBLE FROM ({window})",
            AggregationKind.Sum => $"SELECT coalesce(sum(s{i}), 0)::DOUBLE FROM ({window})",
            AggregationKind.Mean => $"SELECT sum(s{i}) / nullif(sum(c{i}), 0) FROM ({window})",
            AggregationKind.Min => $"SELECT min(lo{i}) FROM ({window}) WHERE c{i} > 0",
            AggregationKind.Max => $"SELECT max(hi{i}) FROM ({window}) WHERE c{i} > 0",
            AggregationKind.StdDev =>
                $"WITH w AS ({window} AND c{i} > 0), t AS (SELECT sum(c{i}) AS n, sum(c{i} * mu{i}) / sum(c{i}) AS m FROM w) " +
                $"SELECT CASE WHEN t.n < 2 THEN NULL ELSE sqrt((sum(w.m2_{i}) + sum(w.c{i} * (w.mu{i} - t.m) ^ 2)) / (t.n - 1)) END FROM w, t GROUP BY t.n, t.m",
            AggregationKind.DistinctCount => $"SELECT coalesce(len(list_distinct(flatten(list(d{i})))), 0)::DOUBLE FROM ({window}) WHERE d{i} IS NOT NULL",
            AggregationKind.Last => $"SELECT arg_max(l{i}, lk{i}) FROM ({window}) WHERE l{i} IS NOT NULL",
            _ => throw new InvalidOperationException($"unknown aggregation {feature.Kind}"),
        };
        using var command = duck.CreateCommand();
        command.CommandText = query;
        var result = command.ExecuteScalar();
        return result switch
        {
            null or DBNull => FieldValue.Null,
            string s => FieldValue.FromText(s),
            _ => FieldValue.FromNumber(Convert.ToDouble(result, CultureInfo.InvariantCulture)),
        };
    }

    private static string? Compare(AggregationKind kind, FieldValue expected, FieldValue actual)
    {
        if (expected.IsNull || actual.IsNull || expected.IsText || actual.IsText)
        {
            // An empty distinct count is 0 on both sides; a DuckDB query over no rows may still say null where Brisa says 0.
            if (kind is AggregationKind.DistinctCount && expected.IsNull && actual.IsNumber && actual.Number == 0)
            {
                return null;
            }

            return expected.Equals(actual) ? null : $"DuckDB {expected}, Brisa {actual}";
        }

        var (a, b) = (expected.Number, actual.Number);
        var exact = kind is AggregationKind.Count or AggregationKind.DistinctCount;
        var ok = exact ? a == b : Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));
        return ok ? null : string.Create(CultureInfo.InvariantCulture, $"DuckDB {a:R}, Brisa {b:R}");
    }

    private static string TypeOf(FieldType type) => type switch
    {
        FieldType.String => "VARCHAR",
        FieldType.Double => "DOUBLE",
        FieldType.Long => "BIGINT",
        FieldType.Bool => "BOOLEAN",
        FieldType.Timestamp => "TIMESTAMPTZ",
        _ => "VARCHAR",
    };

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}

/// <summary>How many entities and values were compared, and what disagreed.</summary>
internal sealed record CheckResult(int Entities, int Values, IReadOnlyList<string> Mismatches);
