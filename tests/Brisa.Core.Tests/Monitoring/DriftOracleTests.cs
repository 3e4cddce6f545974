using System.Globalization;
using Brisa.Core.Definitions;
using Brisa.Core.Generation;
using Brisa.Core.Modeling;
using Brisa.Core.Monitoring;
using DuckDB.NET.Data;
using static Brisa.Core.Tests.DuckDb;

namespace Brisa.Core.Tests.Monitoring;

/// <summary>
/// A numeric feature's bins, PSI and Jensen–Shannon distance checked against DuckDB SQL written from the monitoring
/// README's words, on raw values full of edges: values exactly on bin edges, above the baseline's maximum, ±∞, NaN,
/// null, numbers as text, doubles next to the baseline's floats.
/// </summary>
public sealed class DriftOracleTests
{
    [Theory]
    [InlineData(1, 0.0, false)]
    [InlineData(2, 0.8, false)]
    [InlineData(3, 0.97, false)]
    [InlineData(4, 0.0, true)]
    public void Feature_RandomEdges_MatchDuckDb(int seed, double zeros, bool counts)
    {
        var rng = new Prng((ulong)seed);
        float Value() => counts ? rng.NextInt(3) : rng.NextDouble() < zeros ? 0f : (float)Math.Round(rng.Uniform(0, 50), 1);
        var training = Enumerable.Range(0, 5_000).Select(_ => rng.NextDouble() < 0.05 ? float.NaN : Value()).ToArray();
        var baseline = FeatureStatistics.Numeric("x", training);
        var values = new List<object?>();
        for (var i = 0; i < 800; i++)
        {
            values.Add((rng.NextInt(12)) switch
            {
                0 => baseline.BinEdges[rng.NextInt(baseline.BinEdges.Count)],
                1 => baseline.Max!.Value + rng.Uniform(0, 5),
                2 => double.PositiveInfinity,
                3 => double.NaN,
                4 => null,
                5 => Math.Round(rng.Uniform(0, 60), 1).ToString(CultureInfo.InvariantCulture),
                6 => 0.0,
                _ => Math.Round(rng.Uniform(-1, 55), 1),
            });
        }

        var drift = DriftAnalyzer.Feature(baseline, values, values.Count, new DriftPolicy());

        using var duck = Open();
        Execute(duck, "CREATE TABLE edge (e DOUBLE); CREATE TABLE v (x DOUBLE)");
        Execute(duck, $"INSERT INTO edge VALUES {string.Join(", ", baseline.BinEdges.Select(e => $"({N(e)})"))}");
        Execute(duck, $"INSERT INTO v VALUES {string.Join(", ", values.Select(Sql))}");

        // A value's bin is the number of edges at or below it, as the model reads it (a float); the top bin of one value
        // (the maximum) is followed by one for values above it; NaN and null are missing.
        var splitAbove = baseline.BinEdges[^1] == baseline.Max;
        Assert.Equal(counts, splitAbove);
        var bins = baseline.BinEdges.Count + 1 + (splitAbove ? 1 : 0);
        Execute(duck, $"""
            CREATE TABLE c AS
            SELECT CASE WHEN x IS NULL OR isnan(x) THEN {bins}
                        WHEN {(splitAbove ? "TRUE" : "FALSE")} AND CAST(CAST(x AS FLOAT) AS DOUBLE) > {N(baseline.Max!.Value)} THEN {bins - 1}
                        ELSE (SELECT count(*) FROM edge WHERE e <= CAST(CAST(x AS FLOAT) AS DOUBLE)) END AS bin
            FROM v
            """);
        var expectedCounts = Enumerable.Range(0, bins + 1).Select(b => Scalar<long>(duck, $"SELECT count(*) FROM c WHERE bin = {b}")).ToArray();
        Assert.Equal(expectedCounts, drift.CurrentCounts);

        long[] reference = [.. baseline.BinCounts, .. splitAbove ? new long[] { 0 } : [], baseline.Missing];
        Assert.Equal(reference, drift.BaselineCounts);
        Execute(duck, "CREATE TABLE s (bin INTEGER, e DOUBLE, a DOUBLE)");
        Execute(duck, $"INSERT INTO s VALUES {string.Join(", ", reference.Select((r, b) => $"({b}, {N((double)r / reference.Sum())}, {N((double)expectedCounts[b] / values.Count)})"))}");
        var psi = Scalar<double>(duck, "SELECT sum((greatest(a, 1e-4) - greatest(e, 1e-4)) * ln(greatest(a, 1e-4) / greatest(e, 1e-4))) FROM s");
        var js = Scalar<double>(duck, """
            SELECT sqrt(sum(CASE WHEN e > 0 THEN 0.5 * e * log2(e / ((e + a) / 2)) ELSE 0 END
                          + CASE WHEN a > 0 THEN 0.5 * a * log2(a / ((e + a) / 2)) ELSE 0 END)) FROM s
            """);
        Assert.Equal(psi, drift.Psi, 9);
        Assert.Equal(js, drift.JensenShannon, 9);
    }

    private static string Sql(object? value) => value switch
    {
        null => "(NULL)",
        double d when double.IsNaN(d) => "('NaN'::DOUBLE)",
        double d when double.IsPositiveInfinity(d) => "('Infinity'::DOUBLE)",
        double d => $"({N(d)})",
        string s => $"({s}::DOUBLE)",
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };
}
