using System.Globalization;
using DuckDB.NET.Data;

namespace Brisa.Core.Tests;

/// <summary>The few DuckDB calls the oracle tests make: an in-memory database on UTC, a statement, a scalar, rows inserted as SQL literals.</summary>
internal static class DuckDb
{
    /// <summary>A new in-memory database whose session time zone is UTC (timestamps print and compare as stored).</summary>
    public static DuckDBConnection Open()
    {
        var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        Execute(duck, "SET TimeZone = 'UTC'");
        return duck;
    }

    public static void Execute(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static T Scalar<T>(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    /// <summary>Inserts rows given as SQL tuples, e.g. <c>(1, 'a')</c>, 500 to a statement.</summary>
    public static void Insert(DuckDBConnection duck, string table, IEnumerable<string> rows)
    {
        foreach (var chunk in rows.Chunk(500))
        {
            Execute(duck, $"INSERT INTO {table} VALUES {string.Join(", ", chunk)}");
        }
    }

    /// <summary>A string literal (test data holds no quotes), or NULL.</summary>
    public static string Text(string? value) => value is null ? "NULL" : $"'{value}'";

    /// <summary>A timestamp literal, to the microsecond, in UTC.</summary>
    public static string Ts(DateTimeOffset time) => $"TIMESTAMP '{time.UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff}'";

    /// <summary>A double literal that reads back as the same double.</summary>
    public static string N(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
