using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Formatters;

namespace Brisa.Functions.Http;

/// <summary>
/// Serializes an answer's value while the function still runs (inside <see cref="Problems.Guard"/>): MVC would do it
/// after the function returned, where an exception escapes every handler and the caller gets a bare 500, without
/// problem details or an error id. The result stays the same object of the same type (an <see cref="ObjectResult"/>
/// keeps its value too; a <see cref="JsonResult"/>'s value becomes the JSON made here); executing it writes those bytes.
/// </summary>
public static class SerializedJson
{
    /// <summary>
    /// The options of an <see cref="ObjectResult"/>'s JSON: MVC's (the web defaults), and a number that is not finite
    /// written as its named literal string (<c>"Infinity"</c>, <c>"-Infinity"</c>, <c>"NaN"</c>) rather than refused.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Serializes the value of an <see cref="ObjectResult"/> (with <see cref="Options"/>) or a <see cref="JsonResult"/>
    /// (with its own options) now; other results, problem details and results that negotiate their own formatters are
    /// returned as they are.
    /// </summary>
    /// <param name="result">A handler's result.</param>
    /// <returns>The same result, whose execution writes the JSON already made.</returns>
    /// <exception cref="Exception">Whatever the serializer throws (for <see cref="Problems.Guard"/> to answer).</exception>
    public static IActionResult Serialize(IActionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        switch (result)
        {
            case ObjectResult { Value: { } value and not ProblemDetails, Formatters.Count: 0, ContentTypes.Count: 0 } answer:
                answer.Formatters.Add(new BytesFormatter(JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), Options)));
                break;
            case JsonResult { Value: { } value and not SerializedValue } json:
                var options = json.SerializerSettings as JsonSerializerOptions ?? Options;
                json.Value = new SerializedValue(JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), options));
                break;
        }

        return result;
    }

    /// <summary>Writes the bytes it was made with, whatever the value (the value's JSON, made by <see cref="Serialize"/>).</summary>
    private sealed class BytesFormatter : TextOutputFormatter
    {
        private readonly byte[] json;

        public BytesFormatter(byte[] json)
        {
            this.json = json;
            SupportedEncodings.Add(Encoding.UTF8);
            // The media types MVC's JSON formatter answers, so content negotiation picks the same type it did.
            SupportedMediaTypes.Add("application/json");
            SupportedMediaTypes.Add("text/json");
            SupportedMediaTypes.Add("application/*+json");
        }

        public override Task WriteResponseBodyAsync(OutputFormatterWriteContext context, Encoding selectedEncoding) =>
            context.HttpContext.Response.Body.WriteAsync(json, context.HttpContext.RequestAborted).AsTask();

        protected override bool CanWriteType(Type? type) => true;
    }

    /// <summary>A <see cref="JsonResult"/>'s value, already serialized: written as it is.</summary>
    [JsonConverter(typeof(SerializedValueConverter))]
    private sealed record SerializedValue(byte[] Json);

    private sealed class SerializedValueConverter : JsonConverter<SerializedValue>
    {
        public override SerializedValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("An answer already serialized is only written.");

        public override void Write(Utf8JsonWriter writer, SerializedValue value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Json, skipInputValidation: true);
    }
}
