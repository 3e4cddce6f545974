using System.Globalization;

namespace Brisa.Core.Expressions;

/// <summary>
/// A value of an on-demand expression without boxing: null, a number, a string or a boolean.
/// Numbers are always finite: NaN and infinities become null.
/// </summary>
public readonly struct ExpressionValue : IEquatable<ExpressionValue>
{
    private readonly double number;
    private readonly string? text;

    private ExpressionValue(ExpressionType type, double number, string? text)
    {
        Type = type;
        this.number = number;
        this.text = text;
    }

    /// <summary>The null value.</summary>
    public static ExpressionValue Null => default;

    /// <summary>The boolean true.</summary>
    public static ExpressionValue True { get; } = new(ExpressionType.Boolean, 1, null);

    /// <summary>The boolean false.</summary>
    public static ExpressionValue False { get; } = new(ExpressionType.Boolean, 0, null);

    /// <summary>The kind of the value; <see cref="ExpressionType.Null"/> for null.</summary>
    public ExpressionType Type { get; }

    /// <summary>True when the value is null.</summary>
    public bool IsNull => Type == ExpressionType.Null;

    /// <summary>A number; NaN and infinities give null.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The value.</returns>
    public static ExpressionValue FromDouble(double value) =>
        double.IsFinite(value) ? new ExpressionValue(ExpressionType.Number, value, null) : default;

    /// <summary>A number or null; NaN and infinities give null.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The value.</returns>
    public static ExpressionValue FromDouble(double? value) => value is { } v ? FromDouble(v) : default;

    /// <summary>A string or null.</summary>
    /// <param name="value">The string.</param>
    /// <returns>The value.</returns>
    public static ExpressionValue FromString(string? value) =>
        value is null ? default : new ExpressionValue(ExpressionType.Text, 0, value);

    /// <summary>A boolean.</summary>
    /// <param name="value">The boolean.</param>
    /// <returns>The value.</returns>
    public static ExpressionValue FromBoolean(bool value) => value ? True : False;

    /// <summary>A boolean or null.</summary>
    /// <param name="value">The boolean.</param>
    /// <returns>The value.</returns>
    public static ExpressionValue FromBoolean(bool? value) => value is { } v ? FromBoolean(v) : default;

    /// <summary>The number, or null when the value is not a number.</summary>
    /// <returns>The number or null.</returns>
    public double? AsDouble() => Type == ExpressionType.Number ? number : null;

    /// <summary>The string, or null when the value is not a string.</summary>
    /// <returns>The string or null.</returns>
    public string? AsString() => Type == ExpressionType.Text ? text : null;

    /// <summary>The boolean, or null when the value is not a boolean.</summary>
    /// <returns>The boolean or null.</returns>
    public bool? AsBoolean() => Type == ExpressionType.Boolean ? number != 0 : null;

    /// <summary>The number of a value known to be a number (no check).</summary>
    internal double RawNumber => number;

    /// <summary>The boolean of a value known to be a boolean (no check).</summary>
    internal bool RawBoolean => number != 0;

    /// <summary>The string of a value known to be a string (no check).</summary>
    internal string RawText => text!;

    /// <inheritdoc />
    public bool Equals(ExpressionValue other) =>
        Type == other.Type && number.Equals(other.number) && string.Equals(text, other.text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ExpressionValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, number, text is null ? 0 : StringComparer.Ordinal.GetHashCode(text));

    /// <summary>Compares two values for equality (same kind and same content).</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(ExpressionValue left, ExpressionValue right) => left.Equals(right);

    /// <summary>Compares two values for inequality.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(ExpressionValue left, ExpressionValue right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Type switch
    {
        ExpressionType.Number => number.ToString("R", CultureInfo.InvariantCulture),
        ExpressionType.Text => "'" + text!.Replace("'", "''", StringComparison.Ordinal) + "'",
        ExpressionType.Boolean => number != 0 ? "true" : "false",
        _ => "null",
    };
}
