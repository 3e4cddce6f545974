using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Brisa.Core.Aggregation;

namespace Brisa.Core.Definitions;

/// <summary>The System.Text.Json settings for definitions: snake_case, YAML enum names, durations as text.</summary>
public static class DefinitionJson
{
    /// <summary>Compact options (the canonical form hashed by <see cref="FeatureRepositoryDefinition.ComputeVersion"/>).</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>Indented options, for humans.</summary>
    public static JsonSerializerOptions IndentedOptions { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = indented,
            RespectNullableAnnotations = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        options.Converters.Add(new DurationJsonConverter());
        options.Converters.Add(new NullableDurationJsonConverter());
        options.Converters.Add(new FeatureReferenceJsonConverter());
        options.Converters.Add(new NameTableJsonConverter<AggregationKind>(DefinitionNames.Aggregations));
        options.Converters.Add(new NameTableJsonConverter<FieldType>(DefinitionNames.FieldTypes));
        options.Converters.Add(new NameTableJsonConverter<ModelTask>(DefinitionNames.Tasks));
        options.Converters.Add(new NameTableJsonConverter<TrainerKind>(DefinitionNames.Trainers));
        options.Converters.Add(new NameTableJsonConverter<PromotionMetric>(DefinitionNames.Metrics));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class DurationJsonConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Durations.TryParse(reader.GetString(), out var duration) ? duration : throw new JsonException($"'{reader.GetString()}' is not a duration such as 1h.");

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Durations.Format(value));
    }

    private sealed class NullableDurationJsonConverter : JsonConverter<TimeSpan?>
    {
        public override bool HandleNull => true;

        public override TimeSpan? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? null
            : Durations.TryParse(reader.GetString(), out var duration) ? duration : throw new JsonException($"'{reader.GetString()}' is not a duration such as 1h.");

        public override void Write(Utf8JsonWriter writer, TimeSpan? value, JsonSerializerOptions options)
        {
            if (value is { } v)
            {
                writer.WriteStringValue(Durations.Format(v));
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    private sealed class FeatureReferenceJsonConverter : JsonConverter<FeatureReference>
    {
        public override FeatureReference Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            FeatureReference.TryParse(reader.GetString(), out var reference) ? reference : throw new JsonException($"'{reader.GetString()}' is not a feature reference.");

        public override void Write(Utf8JsonWriter writer, FeatureReference value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }

    private sealed class NameTableJsonConverter<T>(NameTable<T> table) : JsonConverter<T>
        where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            table.TryParse(reader.GetString(), out var value) ? value : throw new JsonException($"'{reader.GetString()}' is not one of {string.Join(", ", table.Names)}.");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(table.NameOf(value));
    }
}

/// <summary>Writes a <see cref="CostAmount"/> as a JSON number (constant) or string (field name).</summary>
internal sealed class CostAmountJsonConverter : JsonConverter<CostAmount>
{
    public override CostAmount Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => CostAmount.Of(reader.GetDouble()),
        JsonTokenType.String => CostAmount.FromField(reader.GetString()!),
        _ => throw new JsonException("A cost is a number or a field name."),
    };

    public override void Write(Utf8JsonWriter writer, CostAmount value, JsonSerializerOptions options)
    {
        if (value.Field is { } field)
        {
            writer.WriteStringValue(field);
        }
        else
        {
            writer.WriteNumberValue(value.Constant ?? 0);
        }
    }
}

/// <summary>Formatting helpers shared by the loader and messages.</summary>
internal static class Invariant
{
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
