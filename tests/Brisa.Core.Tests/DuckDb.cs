using DuckDB.NET.Data;

namespace Brisa.Core.Tests;

/// <summary>The few DuckDB calls the oracle tests make: an in-memory database on UTC, a statement, a scalar.</summary>
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
}
