using System.Text;
using Brisa.Core.Definitions;

namespace Brisa.Core.Ingestion;

/// <summary>
/// A source's schema compiled for decoding: field names as UTF-8, types, and the checks each value must pass.
/// Field order is the definition's order; decoded values are laid out in that order.
/// </summary>
public sealed class EventSchema
{
    /// <summary>Creates a schema.</summary>
    /// <param name="sourceName">The source name.</param>
    /// <param name="eventType">The CloudEvents type.</param>
    /// <param name="timestampField">The event-time field.</param>
    /// <param name="fields">The fields.</param>
    /// <param name="idField">The field that repeats the CloudEvent id (the source's <c>id_field</c>), if any.</param>
    public EventSchema(string sourceName, string eventType, string timestampField, IReadOnlyList<SchemaField> fields, string? idField = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        ArgumentException.ThrowIfNullOrEmpty(eventType);
        ArgumentNullException.ThrowIfNull(fields);
        SourceName = sourceName;
        EventType = eventType;
        Fields = fields;
        TimestampIndex = IndexOf(timestampField);
        if (TimestampIndex < 0 || fields[TimestampIndex].Type != FieldType.Timestamp)
        {
            throw new ArgumentException($"Timestamp field '{timestampField}' must be a timestamp field of the schema.", nameof(timestampField));
        }

        IdIndex = idField is null ? -1 : IndexOf(idField);
        if (idField is not null && (IdIndex < 0 || fields[IdIndex].Type is not (FieldType.String or FieldType.Long)))
        {
            throw new ArgumentException($"Id field '{idField}' must be a string or long field of the schema.", nameof(idField));
        }

        Utf8Names = fields.Select(f => Encoding.UTF8.GetBytes(f.Name)).ToArray();
        HasUniqueNames = Utf8Names.Select(Convert.ToBase64String).Distinct(StringComparer.Ordinal).Count() == Utf8Names.Length;
    }

    /// <summary>The source name (also the raw zone folder).</summary>
    public string SourceName { get; }

    /// <summary>The CloudEvents <c>type</c> that routes an event to this source.</summary>
    public string EventType { get; }

    /// <summary>The fields, in definition order.</summary>
    public IReadOnlyList<SchemaField> Fields { get; }

    /// <summary>Index of the event-time field.</summary>
    public int TimestampIndex { get; }

    /// <summary>
    /// Index of the id field, or −1 when none is declared. When an event carries it, it must equal the CloudEvent id
    /// (a <c>long</c> as its invariant text), which is what deduplicates events.
    /// </summary>
    public int IdIndex { get; }

    internal byte[][] Utf8Names { get; }

    /// <summary>True when no two field names have the same UTF-8 bytes (a name then matches one field only).</summary>
    internal bool HasUniqueNames { get; }

    /// <summary>Builds the decoding schema of a source definition.</summary>
    /// <param name="source">The source.</param>
    /// <param name="entityKeys">Its fields that are the join key of a feature view (decoded as entity keys); none when null.</param>
    public static EventSchema FromDefinition(SourceDefinition source, IReadOnlyCollection<string>? entityKeys = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new EventSchema(
            source.Name,
            source.EventType,
            source.TimestampField,
            source.Fields.Select(f => new SchemaField(f.Name, f.Type, f.Required, f.Min, f.Max, f.Allowed, entityKeys?.Contains(f.Name) == true)).ToArray(),
            source.IdField);
    }

    /// <summary>The index of a field, or −1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (string.Equals(Fields[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>One field of a compiled schema.</summary>
/// <param name="Name">The field name.</param>
/// <param name="Type">Its type.</param>
/// <param name="Required">True when an event without it is rejected.</param>
/// <param name="Min">Smallest allowed number, if any.</param>
/// <param name="Max">Largest allowed number, if any.</param>
/// <param name="Allowed">The allowed strings, if restricted.</param>
/// <param name="EntityKey">
/// True when the field is the join key of a feature view: an empty string is then rejected, since an entity key is
/// 1 to 4096 characters (serving rejects an empty one, so tiles written for it could never be read).
/// </param>
public sealed record SchemaField(string Name, FieldType Type, bool Required, double? Min = null, double? Max = null, IReadOnlyList<string>? Allowed = null, bool EntityKey = false);
