using Brisa.Core.Aggregation;

namespace Brisa.Core.Definitions;

/// <summary>
/// The YAML/JSON spelling of every enumerated value in definitions. One table per enum, shared by the
/// YAML loader, the JSON serializer and the documentation.
/// </summary>
public static class DefinitionNames
{
    /// <summary>Aggregation names: count, sum, mean, min, max, stddev, last, distinct_count.</summary>
    public static NameTable<AggregationKind> Aggregations { get; } = new(
        (AggregationKind.Count, "count"),
        (AggregationKind.Sum, "sum"),
        (AggregationKind.Mean, "mean"),
        (AggregationKind.Min, "min"),
        (AggregationKind.Max, "max"),
        (AggregationKind.StdDev, "stddev"),
        (AggregationKind.Last, "last"),
        (AggregationKind.DistinctCount, "distinct_count"));

    /// <summary>Field type names: string, double, long, bool, timestamp.</summary>
    public static NameTable<FieldType> FieldTypes { get; } = new(
        (FieldType.String, "string"),
        (FieldType.Double, "double"),
        (FieldType.Long, "long"),
        (FieldType.Bool, "bool"),
        (FieldType.Timestamp, "timestamp"));

    /// <summary>Model task names: binary_classification, regression.</summary>
    public static NameTable<ModelTask> Tasks { get; } = new(
        (ModelTask.BinaryClassification, "binary_classification"),
        (ModelTask.Regression, "regression"));

    /// <summary>Trainer names: lightgbm, fasttree, linear.</summary>
    public static NameTable<TrainerKind> Trainers { get; } = new(
        (TrainerKind.LightGbm, "lightgbm"),
        (TrainerKind.FastTree, "fasttree"),
        (TrainerKind.Linear, "linear"));

    /// <summary>Promotion metric names: expected_cost, auc, pr_auc, log_loss, rmse, mae.</summary>
    public static NameTable<PromotionMetric> Metrics { get; } = new(
        (PromotionMetric.ExpectedCost, "expected_cost"),
        (PromotionMetric.Auc, "auc"),
        (PromotionMetric.PrAuc, "pr_auc"),
        (PromotionMetric.LogLoss, "log_loss"),
        (PromotionMetric.Rmse, "rmse"),
        (PromotionMetric.Mae, "mae"));

    /// <summary>
    /// True when <paramref name="value"/> is a definition name (lowercase snake_case: a letter, then letters, digits or
    /// '_'). Storage paths are built from such names only, so a name from a request is checked before it reaches one.
    /// </summary>
    /// <param name="value">The name.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidName(string? value) => value is { Length: > 0 and <= 128 } && MapReader.IsValidName(value);

    /// <summary>The YAML name of an aggregation.</summary>
    /// <param name="kind">The aggregation.</param>
    /// <returns>Its name, e.g. <c>distinct_count</c>.</returns>
    public static string ToYamlName(this AggregationKind kind) => Aggregations.NameOf(kind);

    /// <summary>The YAML name of a model task.</summary>
    /// <param name="task">The task.</param>
    /// <returns>Its name.</returns>
    public static string ToYamlName(this ModelTask task) => Tasks.NameOf(task);

    /// <summary>The YAML name of a trainer.</summary>
    /// <param name="trainer">The trainer.</param>
    /// <returns>Its name.</returns>
    public static string ToYamlName(this TrainerKind trainer) => Trainers.NameOf(trainer);

    /// <summary>The YAML name of a promotion metric.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>Its name.</returns>
    public static string ToYamlName(this PromotionMetric metric) => Metrics.NameOf(metric);
}

/// <summary>A two-way table between enum values and their YAML/JSON names.</summary>
/// <typeparam name="T">The enum.</typeparam>
public sealed class NameTable<T>
    where T : struct, Enum
{
    private readonly Dictionary<string, T> byName = new(StringComparer.Ordinal);
    private readonly Dictionary<T, string> byValue = [];

    /// <summary>Creates a table.</summary>
    /// <param name="entries">The values and their names.</param>
    public NameTable(params (T Value, string Name)[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (value, name) in entries)
        {
            byName[name] = value;
            byValue[value] = name;
        }

        Names = [.. entries.Select(e => e.Name)];
    }

    /// <summary>The names, in declaration order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The name of a value.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The name.</returns>
    public string NameOf(T value) => byValue.TryGetValue(value, out var name) ? name : value.ToString();

    /// <summary>Looks a name up (exact, case-sensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="value">The value.</param>
    /// <returns>True when known.</returns>
    public bool TryParse(string? name, out T value)
    {
        value = default;
        return name is not null && byName.TryGetValue(name, out value);
    }
}
