using System.Diagnostics.CodeAnalysis;
using Brisa.Core.Expressions;

namespace Brisa.Core.Definitions;

/// <summary>The type of a source field. In YAML: <c>string</c>, <c>double</c>, <c>long</c>, <c>bool</c>, <c>timestamp</c>.</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The members are the type names of the definition language (string, double, long, bool, timestamp).")]
public enum FieldType
{
    /// <summary>A UTF-8 string (YAML <c>string</c>).</summary>
    String,

    /// <summary>A 64-bit floating point number (YAML <c>double</c>).</summary>
    Double,

    /// <summary>A 64-bit integer (YAML <c>long</c>).</summary>
    Long,

    /// <summary>A boolean (YAML <c>bool</c>).</summary>
    Bool,

    /// <summary>An instant, ISO 8601 with offset in events, UTC in storage (YAML <c>timestamp</c>).</summary>
    Timestamp,
}

/// <summary>Helpers for <see cref="FieldType"/>.</summary>
public static class FieldTypes
{
    /// <summary>The YAML name of a field type.</summary>
    /// <param name="type">The type.</param>
    /// <returns>Its name, e.g. <c>double</c>.</returns>
    public static string ToYamlName(this FieldType type) => DefinitionNames.FieldTypes.NameOf(type);

    /// <summary>True for double and long.</summary>
    /// <param name="type">The type.</param>
    /// <returns>Whether the type is numeric.</returns>
    public static bool IsNumeric(this FieldType type) => type is FieldType.Double or FieldType.Long;

    /// <summary>The expression type of a field type; null for timestamp (expressions cannot use timestamps).</summary>
    /// <param name="type">The type.</param>
    /// <returns>The expression type.</returns>
    public static ExpressionType? ToExpressionType(this FieldType type) => type switch
    {
        FieldType.String => ExpressionType.Text,
        FieldType.Double or FieldType.Long => ExpressionType.Number,
        FieldType.Bool => ExpressionType.Boolean,
        _ => null,
    };
}
