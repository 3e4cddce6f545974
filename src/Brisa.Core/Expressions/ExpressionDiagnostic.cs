namespace Brisa.Core.Expressions;

/// <summary>An error in an on-demand expression.</summary>
/// <param name="Position">Zero-based offset of the offending text in the expression.</param>
/// <param name="Length">Length of the offending text (at least 1, except at the end of the text).</param>
/// <param name="Code">A stable diagnostic code (<c>BR04xx</c>, see <see cref="ExpressionDiagnosticCodes"/>).</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Hint">What would be right, or null.</param>
public sealed record ExpressionDiagnostic(int Position, int Length, string Code, string Message, string? Hint)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Position + 1}: {Code}: {Message}." + (Hint is null ? string.Empty : " " + Hint);
}

/// <summary>The stable codes of expression diagnostics.</summary>
public static class ExpressionDiagnosticCodes
{
    /// <summary>Syntax error in an expression.</summary>
    public const string Syntax = "BR0401";

    /// <summary>Unknown identifier (not a request field of the on-demand feature).</summary>
    public const string UnknownIdentifier = "BR0402";

    /// <summary>Unknown <c>view.feature</c> reference.</summary>
    public const string UnknownFeature = "BR0403";

    /// <summary>Operand or argument types do not fit the operator or function.</summary>
    public const string TypeMismatch = "BR0404";

    /// <summary>Unknown function or wrong number of arguments.</summary>
    public const string UnknownFunction = "BR0406";
}
