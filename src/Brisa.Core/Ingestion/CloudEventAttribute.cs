namespace Brisa.Core.Ingestion;

/// <summary>The CloudEvents attributes the decoders act on (flags, so the scanner can track which it has seen).</summary>
[Flags]
internal enum CloudEventAttribute
{
    /// <summary>Any other member (an extension attribute, <c>time</c>, <c>subject</c>, …).</summary>
    None = 0,
    SpecVersion = 1,
    Id = 2,
    Source = 4,
    Type = 8,
    Data = 16,
    DataBase64 = 32,
    Required = SpecVersion | Id | Source | Type | Data,
}

/// <summary>Names to <see cref="CloudEventAttribute"/>, shared by the scanner and the <c>Utf8JsonReader</c> path.</summary>
internal static class CloudEventAttributes
{
    /// <summary>The attribute an unescaped UTF-8 member name is (compared by length first).</summary>
    public static CloudEventAttribute Of(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 when name.SequenceEqual("id"u8) => CloudEventAttribute.Id,
        4 when name.SequenceEqual("data"u8) => CloudEventAttribute.Data,
        4 when name.SequenceEqual("type"u8) => CloudEventAttribute.Type,
        6 when name.SequenceEqual("source"u8) => CloudEventAttribute.Source,
        11 when name.SequenceEqual("specversion"u8) => CloudEventAttribute.SpecVersion,
        11 when name.SequenceEqual("data_base64"u8) => CloudEventAttribute.DataBase64,
        _ => CloudEventAttribute.None,
    };
}
