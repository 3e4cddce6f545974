namespace Brisa.Core.Expressions;

/// <summary>The types of on-demand expression values. Integer inputs (long) are numbers (<see cref="Number"/>).</summary>
public enum ExpressionType
{
    /// <summary>The type of the <c>null</c> literal; it converts to every other type. Also the kind of a null value.</summary>
    Null = 0,

    /// <summary>A 64-bit floating point number (double and long fields).</summary>
    Number,

    /// <summary>A string, compared ordinally.</summary>
    Text,

    /// <summary>A boolean.</summary>
    Boolean,
}

/// <summary>Names of expression types as they appear in messages and in YAML.</summary>
public static class ExpressionTypeNames
{
    /// <summary>The YAML / message name of a type: <c>null</c>, <c>double</c>, <c>string</c> or <c>bool</c>.</summary>
    /// <param name="type">The type.</param>
    /// <returns>The name.</returns>
    public static string ToDisplayName(this ExpressionType type) => type switch
    {
        ExpressionType.Number => "double",
        ExpressionType.Text => "string",
        ExpressionType.Boolean => "bool",
        _ => "null",
    };
}
