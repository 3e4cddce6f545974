using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Brisa.Core.Definitions;

namespace Brisa.Core.Modeling;

/// <summary>The rows of one side of the split.</summary>
/// <param name="From">Oldest observation time.</param>
/// <param name="To">Newest observation time.</param>
/// <param name="Rows">Rows.</param>
/// <param name="Positives">Positive rows (binary; 0 for regression).</param>
public sealed record DataRange(DateTimeOffset From, DateTimeOffset To, long Rows, long Positives);

/// <summary>
/// Everything about one training run of one model version: provenance, data, inputs, metrics on the validation
/// window, business result, feature importance, baseline statistics and the promotion decision. Stored as the
/// version's <c>metadata.json</c> (see <see cref="ToJson"/>) and rendered by <see cref="TrainingReportHtml"/>.
/// </summary>
public sealed record TrainingReport
{
    /// <summary>Version of this document's shape.</summary>
    public int SchemaVersion { get; init; } = 1;

    /// <summary>The model name.</summary>
    public required string Model { get; init; }

    /// <summary>The version id, <c>v{yyyyMMddHHmmssfff}-{hash8}</c> (see <see cref="ModelVersionId"/>).</summary>
    public string Version { get; init; } = string.Empty;

    /// <summary>When training finished (UTC).</summary>
    public required DateTimeOffset TrainedAt { get; init; }

    /// <summary>The task.</summary>
    public required ModelTask Task { get; init; }

    /// <summary>The trainer.</summary>
    public required TrainerKind Trainer { get; init; }

    /// <summary>The trainer parameters as given in the definition.</summary>
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    /// <summary>The seed of the ML.NET context and trainer.</summary>
    public required int Seed { get; init; }

    /// <summary>The validation span of the split.</summary>
    public required TimeSpan ValidationSpan { get; init; }

    /// <summary>Training rows.</summary>
    public required DataRange Training { get; init; }

    /// <summary>Validation rows (the newest window).</summary>
    public required DataRange Validation { get; init; }

    /// <summary>The model inputs in order, with their kind and encoding (the serving schema).</summary>
    public required IReadOnlyList<ModelInput> Inputs { get; init; }

    /// <summary>Metrics on the validation window.</summary>
    public required ModelEvaluation Evaluation { get; init; }

    /// <summary>The decision threshold (binary), copied from <see cref="Evaluation"/> for serving.</summary>
    public double? Threshold => Evaluation.Threshold;

    /// <summary>Permutation importance on the validation window, most important first.</summary>
    public required IReadOnlyList<FeatureImportance> Importance { get; init; }

    /// <summary>Baseline statistics of each input over the training rows (drift reference).</summary>
    public required IReadOnlyList<FeatureStatistics> Baseline { get; init; }

    /// <summary>Statistics of the model's scores on the validation window (score drift reference).</summary>
    public required FeatureStatistics ScoreBaseline { get; init; }

    /// <summary>Seconds spent fitting.</summary>
    public double FitSeconds { get; init; }

    /// <summary>Seconds spent scoring, evaluating and computing importance and statistics.</summary>
    public double EvaluationSeconds { get; init; }

    /// <summary>The definitions version (SHA-256 of the definitions JSON) the model was trained from.</summary>
    public string? DefinitionsVersion { get; init; }

    /// <summary>The git commit of the definitions.</summary>
    public string? GitCommit { get; init; }

    /// <summary>The promotion decision taken when the version was registered (null when not decided).</summary>
    public PromotionDecision? Promotion { get; init; }

    /// <summary>JSON options of reports and metadata: snake_case, enums as snake_case text, indented.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The report as JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The report.</returns>
    public static TrainingReport FromJson(string json) =>
        JsonSerializer.Deserialize<TrainingReport>(json, JsonOptions) ?? throw new JsonException("The model metadata is null.");
}

/// <summary>Model version ids: <c>v{yyyyMMddHHmmssfff}-{hash8}</c>, sortable by time, unique by content.</summary>
public static class ModelVersionId
{
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>A version id from the training time and the model bytes.</summary>
    /// <param name="trainedAt">When training finished.</param>
    /// <param name="modelBytes">The model zip.</param>
    /// <returns>The id.</returns>
    public static string Create(DateTimeOffset trainedAt, ReadOnlySpan<byte> modelBytes) =>
        "v" + trainedAt.UtcDateTime.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture) + "-" +
        Convert.ToHexStringLower(SHA256.HashData(modelBytes))[..8];

    /// <summary>True when <paramref name="text"/> looks like a version id (safe as a blob path segment).</summary>
    /// <param name="text">The text.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValid(string? text) =>
        text is { Length: 27 } && text[0] == 'v' && text[18] == '-' &&
        text.AsSpan(1, 17).IndexOfAnyExceptInRange('0', '9') < 0 &&
        text.AsSpan(19).IndexOfAnyExcept(LowerHex) < 0;
}
