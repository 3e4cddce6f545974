using Parquet;

namespace Brisa.Cli.Tests;

/// <summary>Reads a features-history Parquet file as any Parquet reader would, for assertions.</summary>
internal static class HistoryParquet
{
    // row_id → column → value (numbers and bools as doubles, strings as strings), read as any Parquet reader would.
    public static async Task<Dictionary<string, Dictionary<string, object?>>> ReadAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        using var group = reader.OpenRowGroupReader(0);
        var n = checked((int)group.RowCount);
        var columns = new Dictionary<string, object?[]>();
        foreach (var field in reader.Schema.GetDataFields())
        {
            object?[] values;
            if (field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>))
            {
                var strings = new string?[n];
                await group.ReadAsync(field, strings.AsMemory());
                values = strings;
            }
            else if (field.ClrType == typeof(double))
            {
                var doubles = new double?[n];
                await group.ReadAsync(field, doubles.AsMemory());
                values = doubles.Select(d => (object?)d).ToArray();
            }
            else if (field.ClrType == typeof(long))
            {
                var longs = new long?[n];
                await group.ReadAsync(field, longs.AsMemory());
                values = longs.Select(l => l is { } x ? (object?)(double)x : null).ToArray();
            }
            else if (field.ClrType == typeof(bool))
            {
                var bools = new bool?[n];
                await group.ReadAsync(field, bools.AsMemory());
                values = bools.Select(b => b is { } x ? (object?)(x ? 1.0 : 0.0) : null).ToArray();
            }
            else
            {
                continue;
            }

            columns[field.Name] = values;
        }

        return Enumerable.Range(0, n).ToDictionary(r => (string)columns["row_id"][r]!, r => columns.ToDictionary(c => c.Key, c => c.Value[r]));
    }
}
