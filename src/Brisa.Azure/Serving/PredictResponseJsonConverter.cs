using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Brisa.Azure.Serving;

/// <summary>
/// Writes a <see cref="PredictResponse"/> straight to the writer: the generic serializer's dictionary enumeration,
/// polymorphic value lookup and per-property metadata cost more than the rest of a prediction's in-process work.
/// The JSON is what the records' property names describe; reading goes through a parsed document. A number that is
/// not finite (a regression score past double's range, a feature value) is written as its named literal string, as
/// <see cref="Brisa.Core.Serving.OnlineFeatureResponse.ToJsonValue"/> serves it: JSON has no such number.
/// </summary>
internal sealed class PredictResponseJsonConverter : JsonConverter<PredictResponse>
{
    private static readonly JsonEncodedText ModelName = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText VersionName = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText ThresholdName = JsonEncodedText.Encode("threshold");
    private static readonly JsonEncodedText RequestIdName = JsonEncodedText.Encode("request_id");
    private static readonly JsonEncodedText PredictionsName = JsonEncodedText.Encode("predictions");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText ScoreName = JsonEncodedText.Encode("score");
    private static readonly JsonEncodedText DecisionName = JsonEncodedText.Encode("decision");
    private static readonly JsonEncodedText FeaturesName = JsonEncodedText.Encode("features");
    private static readonly JsonEncodedText ValueName = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText StatusName = JsonEncodedText.Encode("status");

    public override void Write(Utf8JsonWriter writer, PredictResponse value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString(ModelName, value.Model);
        writer.WriteString(VersionName, value.Version);
        WriteNullable(writer, ThresholdName, value.Threshold);
        writer.WriteString(RequestIdName, value.RequestId);
        writer.WriteStartArray(PredictionsName);
        foreach (var prediction in value.Predictions)
        {
            writer.WriteStartObject();
            writer.WriteString(IdName, prediction.Id);
            writer.WritePropertyName(ScoreName);
            WriteNumber(writer, prediction.Score);
            WriteNullable(writer, DecisionName, prediction.Decision);
            writer.WriteStartObject(FeaturesName);
            foreach (var (name, feature) in prediction.Features)
            {
                writer.WriteStartObject(name);
                writer.WritePropertyName(ValueName);
                WriteValue(writer, feature.Value, options);
                writer.WriteString(StatusName, feature.Status);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public override PredictResponse Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        var predictions = root.GetProperty("predictions").EnumerateArray().Select(p => new Prediction(
            p.GetProperty("id").GetString()!,
            ReadNumber(p.GetProperty("score")),
            p.GetProperty("decision") is { ValueKind: not JsonValueKind.Null } decision ? decision.GetBoolean() : null,
            p.GetProperty("features").EnumerateObject().ToDictionary(
                f => f.Name,
                f => new PredictionFeature(
                    f.Value.GetProperty("value") is { ValueKind: not JsonValueKind.Null } v ? v.Clone() : null,
                    f.Value.GetProperty("status").GetString()!),
                StringComparer.Ordinal)));
        return new PredictResponse(
            root.GetProperty("model").GetString()!,
            root.GetProperty("version").GetString()!,
            root.GetProperty("threshold") is { ValueKind: not JsonValueKind.Null } threshold ? ReadNumber(threshold) : null,
            root.GetProperty("request_id").GetString()!,
            [.. predictions]);
    }

    private static void WriteNullable(Utf8JsonWriter writer, JsonEncodedText name, double? value)
    {
        writer.WritePropertyName(name);
        if (value is { } number)
        {
            WriteNumber(writer, number);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static double ReadNumber(JsonElement number) =>
        number.ValueKind == JsonValueKind.String ? double.Parse(number.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture) : number.GetDouble();

    private static void WriteNumber(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(Brisa.Core.Serving.OnlineFeatureResponse.NamedLiteral(value));
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, JsonEncodedText name, bool? value)
    {
        if (value is { } flag)
        {
            writer.WriteBoolean(name, flag);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    // The values served features take (OnlineFeatureResponse.ToJsonValue); anything else goes to the serializer.
    private static void WriteValue(Utf8JsonWriter writer, object? value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case double number:
                WriteNumber(writer, number);
                break;
            case float number when float.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case float number:
                WriteNumber(writer, number);
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            default:
                JsonSerializer.Serialize(writer, value, value.GetType(), options);
                break;
        }
    }
}
