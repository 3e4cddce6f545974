using System.Text;
using Brisa.Core.Definitions;

namespace Brisa.Core.Ingestion;

/// <summary>How one schema field is decoded: its allowed values as UTF-8, and a string cache for repeating values.</summary>
internal sealed class FieldDecoder
{
    public FieldDecoder(SchemaField field, bool isEventId)
    {
        Field = field;
        IsEventId = isEventId;
        var name = Encoding.UTF8.GetBytes(field.Name);
        if (CloudEventScanner.IsPlain(name))
        {
            QuotedName = new Utf8Prefix([(byte)'"', .. name, (byte)'"']);
            FollowingName = new Utf8Prefix([(byte)',', .. QuotedName.Bytes, (byte)':']);
        }

        if (field.Type != FieldType.String)
        {
            return;
        }

        if (field.Allowed is { } allowed)
        {
            // Only values that round-trip through UTF-8 can be matched on bytes (a lone surrogate cannot).
            AllowedUtf8 = allowed.Select(a => Encoding.UTF8.GetBytes(a) is var b && Encoding.UTF8.GetString(b) == a ? b : null).ToArray();
        }
        else
        {
            Cache = new StringCache();
        }
    }

    public SchemaField Field { get; }

    /// <summary>True for the source's id field, whose value must repeat the CloudEvent id.</summary>
    public bool IsEventId { get; }

    /// <summary>The name as it appears in JSON, quotes included, when it needs no escaping (null otherwise).</summary>
    public Utf8Prefix? QuotedName { get; }

    /// <summary>The name as it follows the previous member in compact JSON: comma, quoted name, colon (null when the name needs escaping).</summary>
    public Utf8Prefix? FollowingName { get; }

    public byte[]?[]? AllowedUtf8 { get; }

    public StringCache? Cache { get; }
}
