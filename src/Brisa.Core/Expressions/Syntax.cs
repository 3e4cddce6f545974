namespace Brisa.Core.Expressions;

/// <summary>A node of the parsed (untyped) expression tree.</summary>
internal abstract record SyntaxNode(int Position, int Length);

internal sealed record LiteralSyntax(int Position, int Length, ExpressionValue Value) : SyntaxNode(Position, Length);

internal sealed record IdentifierSyntax(int Position, int Length, string Name) : SyntaxNode(Position, Length);

internal sealed record FeatureReferenceSyntax(int Position, int Length, string View, string Feature, int FeaturePosition)
    : SyntaxNode(Position, Length);

internal sealed record UnarySyntax(int Position, int Length, string Operator, SyntaxNode Operand) : SyntaxNode(Position, Length);

internal sealed record BinarySyntax(int Position, int Length, string Operator, int OperatorPosition, SyntaxNode Left, SyntaxNode Right)
    : SyntaxNode(Position, Length);

internal sealed record CallSyntax(int Position, int Length, string Function, IReadOnlyList<SyntaxNode> Arguments) : SyntaxNode(Position, Length);

internal enum TokenKind
{
    End,
    Number,
    String,
    Identifier,
    Operator,
}

internal readonly record struct Token(TokenKind Kind, string Text, int Position, int Length, double Number = 0);
