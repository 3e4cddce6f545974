using System.Globalization;

namespace Brisa.Core.Aggregation;

/// <summary>
/// A nullable typed scalar: null, a number (<see cref="double"/>) or a text value.
/// Used for event field values going in and for feature values coming out of the engine.
/// 16 bytes, no boxing: the kind is carried by the reference slot (null, a private marker, or the string).
/// </summary>
public readonly struct FieldValue : IEquatable<FieldValue>
{
    private static readonly object NumberMarker = new();

    private readonly object? _reference;
    private readonly double _number;

    private FieldValue(object? reference, double number)
    {
        _reference = reference;
        _number = number;
    }

    /// <summary>The null value.</summary>
    public static FieldValue Null => default;

    /// <summary>True when this value is null.</summary>
    public bool IsNull => _reference is null;

    /// <summary>True when this value is a number.</summary>
    public bool IsNumber => ReferenceEquals(_reference, NumberMarker);

    /// <summary>True when this value is a text value.</summary>
    public bool IsText => _reference is string;

    /// <summary>The number; throws when the value is not a number.</summary>
    public double Number => IsNumber ? _number : throw new InvalidOperationException("The value is not a number.");

    /// <summary>The text; throws when the value is not text.</summary>
    public string Text => _reference as string ?? throw new InvalidOperationException("The value is not text.");

    /// <summary>Creates a number value.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The value.</returns>
    public static FieldValue FromNumber(double value) => new(NumberMarker, value);

    /// <summary>Creates a number value, or null.</summary>
    /// <param name="value">The number or null.</param>
    /// <returns>The value.</returns>
    public static FieldValue FromNumber(double? value) => value.HasValue ? new(NumberMarker, value.GetValueOrDefault()) : default;

    /// <summary>Creates a text value, or null when <paramref name="value"/> is null.</summary>
    /// <param name="value">The text or null.</param>
    /// <returns>The value.</returns>
    public static FieldValue FromText(string? value) => value is null ? default : new(value, 0);

    /// <summary>The number, or null when the value is not a number.</summary>
    /// <returns>The number or null.</returns>
    public double? AsNumber() => IsNumber ? _number : null;

    /// <summary>The text, or null when the value is not text.</summary>
    /// <returns>The text or null.</returns>
    public string? AsText() => _reference as string;

    /// <summary>
    /// Value equality: same kind and same number (0.0 equals −0.0, NaN equals NaN) or same text (ordinal).
    /// </summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(FieldValue other)
    {
        if (ReferenceEquals(_reference, other._reference) && (_number == other._number || !IsNumber))
        {
            return true;
        }

        if (IsNumber)
        {
            return other.IsNumber && (_number == other._number || (double.IsNaN(_number) && double.IsNaN(other._number)));
        }

        return _reference is string s ? other._reference is string o && string.Equals(s, o, StringComparison.Ordinal) : other.IsNull;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is FieldValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        if (IsNumber)
        {
            // Normalize −0.0 to 0.0 and every NaN to one NaN so equal values hash alike.
            double n = _number == 0 ? 0.0 : double.IsNaN(_number) ? double.NaN : _number;
            return BitConverter.DoubleToInt64Bits(n).GetHashCode();
        }

        return _reference is string s ? StringComparer.Ordinal.GetHashCode(s) : 0;
    }

    /// <inheritdoc />
    public override string ToString() =>
        IsNumber ? _number.ToString("R", CultureInfo.InvariantCulture) : _reference as string ?? "null";

    /// <summary>Value equality.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(FieldValue left, FieldValue right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>True when not equal.</returns>
    public static bool operator !=(FieldValue left, FieldValue right) => !left.Equals(right);
}
