using System.Globalization;

namespace Brisa.Core.Expressions;

/// <summary>Thrown internally on the first syntax error; turned into an <see cref="ExpressionDiagnostic"/>.</summary>
internal sealed class ExpressionSyntaxException : Exception
{
    public ExpressionSyntaxException()
    {
    }

    public ExpressionSyntaxException(string message)
        : base(message)
    {
    }

    public ExpressionSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ExpressionSyntaxException(int position, int length, string message, string? hint)
        : base(message)
    {
        Position = position;
        Length = length;
        Hint = hint;
    }

    public int Position { get; }

    public int Length { get; }

    public string? Hint { get; }
}

/// <summary>Recursive-descent parser of the on-demand expression language.</summary>
internal sealed class ExpressionParser
{
    /// <summary>Most tokens (names, numbers, strings, operators, parentheses) in one expression.</summary>
    public const int MaxTokens = 1000;

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal) { "and", "or", "not", "true", "false", "null" };
    private readonly string text;
    private readonly List<Token> tokens;
    private int index;

    private ExpressionParser(string text, List<Token> tokens)
    {
        this.text = text;
        this.tokens = tokens;
    }

    /// <summary>Parses an expression; returns the tree, or the first syntax error.</summary>
    public static SyntaxNode Parse(string text, out ExpressionDiagnostic? error)
    {
        error = null;
        try
        {
            var tokens = Tokenize(text);

            // Parsing, binding and evaluation recurse once per level of the tree, and a tree is as deep as its tokens are
            // many ('a + a + …', '((…))'): ~10,000 overflowed the stack and killed the process (validate, apply, the host).
            if (tokens.Count - 1 > MaxTokens)
            {
                var extra = tokens[MaxTokens];
                throw new ExpressionSyntaxException(extra.Position, text.Length - extra.Position, $"the expression has {tokens.Count - 1:N0} tokens, more than the {MaxTokens:N0} allowed", "Split it into several on-demand features.");
            }

            var parser = new ExpressionParser(text, tokens);
            var node = parser.ParseOr();
            var next = parser.Peek;
            if (next.Kind != TokenKind.End)
            {
                throw new ExpressionSyntaxException(next.Position, next.Length, $"unexpected '{next.Text}' after a complete expression", "Join terms with an operator such as +, and, or.");
            }

            return node;
        }
        catch (ExpressionSyntaxException e)
        {
            error = new ExpressionDiagnostic(e.Position, e.Length, ExpressionDiagnosticCodes.Syntax, e.Message, e.Hint);
            return new LiteralSyntax(0, 0, ExpressionValue.Null);
        }
    }

    /// <summary>
    /// True when two expressions are the same token for token: whitespace and the spelling of numbers (1 and 1.0)
    /// aside. False when either does not tokenize.
    /// </summary>
    public static bool SameTokens(string left, string right)
    {
        try
        {
            var a = Tokenize(left);
            var b = Tokenize(right);
            return a.Count == b.Count && a.Zip(b).All(p => p.First.Kind == p.Second.Kind
                && (p.First.Kind == TokenKind.Number ? p.First.Number.Equals(p.Second.Number) : p.First.Text == p.Second.Text));
        }
        catch (ExpressionSyntaxException)
        {
            return false;
        }
    }

    private Token Peek => tokens[index];

    private static List<Token> Tokenize(string text)
    {
        var result = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                if (i < text.Length && text[i] == '.')
                {
                    i++;
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                    {
                        i++;
                    }
                }

                if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
                {
                    var j = i + 1;
                    if (j < text.Length && (text[j] == '+' || text[j] == '-'))
                    {
                        j++;
                    }

                    if (j < text.Length && char.IsAsciiDigit(text[j]))
                    {
                        i = j;
                        while (i < text.Length && char.IsAsciiDigit(text[i]))
                        {
                            i++;
                        }
                    }
                }

                if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
                {
                    throw new ExpressionSyntaxException(start, i - start + 1, $"invalid number '{text[start..(i + 1)]}'", "Identifiers start with a letter; numbers look like 3, 0.5 or 1e-3.");
                }

                var literal = text[start..i];
                var value = double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture);
                result.Add(new Token(TokenKind.Number, literal, start, i - start, value));
                continue;
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                result.Add(new Token(TokenKind.Identifier, text[start..i], start, i - start));
                continue;
            }

            if (c == '\'')
            {
                var builder = new System.Text.StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new ExpressionSyntaxException(start, text.Length - start, "unterminated string literal", "Close the string with a single quote; write '' for a quote inside it.");
                    }

                    if (text[i] == '\'')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '\'')
                        {
                            builder.Append('\'');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    builder.Append(text[i]);
                    i++;
                }

                result.Add(new Token(TokenKind.String, builder.ToString(), start, i - start));
                continue;
            }

            var two = i + 1 < text.Length ? text.Substring(i, 2) : string.Empty;
            switch (two)
            {
                case "==" or "!=" or "<=" or ">=":
                    result.Add(new Token(TokenKind.Operator, two, start, 2));
                    i += 2;
                    continue;
                case "&&":
                    throw new ExpressionSyntaxException(start, 2, "unexpected '&&'", "Use 'and'.");
                case "||":
                    throw new ExpressionSyntaxException(start, 2, "unexpected '||'", "Use 'or'.");
                case "<>":
                    throw new ExpressionSyntaxException(start, 2, "unexpected '<>'", "Use '!='.");
                default:
                    break;
            }

            switch (c)
            {
                case '+' or '-' or '*' or '/' or '(' or ')' or ',' or '.' or '<' or '>':
                    result.Add(new Token(TokenKind.Operator, c.ToString(), start, 1));
                    i++;
                    continue;
                case '=':
                    throw new ExpressionSyntaxException(start, 1, "unexpected '='", "Use '==' to compare.");
                case '!':
                    throw new ExpressionSyntaxException(start, 1, "unexpected '!'", "Use 'not' to negate, or '!=' to compare.");
                case '"':
                    throw new ExpressionSyntaxException(start, 1, "unexpected '\"'", "String literals use single quotes, e.g. 'EUR'.");
                default:
                    throw new ExpressionSyntaxException(start, 1, $"unexpected character '{c}'", "Expressions use numbers, 'strings', names, view.feature, + - * /, comparisons, and/or/not, parentheses and functions.");
            }
        }

        result.Add(new Token(TokenKind.End, "end of expression", text.Length, 0));
        return result;
    }

    private Token Next() => tokens[index++];

    private bool IsOperator(string op) => Peek.Kind == TokenKind.Operator && Peek.Text == op;

    private bool IsKeyword(string keyword) => Peek.Kind == TokenKind.Identifier && Peek.Text == keyword;

    private SyntaxNode ParseOr()
    {
        var left = ParseAnd();
        while (IsKeyword("or"))
        {
            var op = Next();
            var right = ParseAnd();
            left = Binary(op, left, right);
        }

        return left;
    }

    private SyntaxNode ParseAnd()
    {
        var left = ParseNot();
        while (IsKeyword("and"))
        {
            var op = Next();
            var right = ParseNot();
            left = Binary(op, left, right);
        }

        return left;
    }

    private SyntaxNode ParseNot()
    {
        if (IsKeyword("not"))
        {
            var op = Next();
            var operand = ParseNot();
            return new UnarySyntax(op.Position, operand.Position + operand.Length - op.Position, "not", operand);
        }

        return ParseComparison();
    }

    private SyntaxNode ParseComparison()
    {
        var left = ParseAdditive();
        if (Peek.Kind == TokenKind.Operator && Peek.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
        {
            var op = Next();
            var right = ParseAdditive();
            if (Peek.Kind == TokenKind.Operator && Peek.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                throw new ExpressionSyntaxException(Peek.Position, Peek.Length, $"comparisons cannot be chained ('{Peek.Text}' after '{op.Text}')", "Combine comparisons with 'and', e.g. a < b and b < c.");
            }

            return Binary(op, left, right);
        }

        return left;
    }

    private SyntaxNode ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (IsOperator("+") || IsOperator("-"))
        {
            var op = Next();
            var right = ParseMultiplicative();
            left = Binary(op, left, right);
        }

        return left;
    }

    private SyntaxNode ParseMultiplicative()
    {
        var left = ParseUnary();
        while (IsOperator("*") || IsOperator("/"))
        {
            var op = Next();
            var right = ParseUnary();
            left = Binary(op, left, right);
        }

        return left;
    }

    private SyntaxNode ParseUnary()
    {
        if (IsOperator("-"))
        {
            var op = Next();
            var operand = ParseUnary();
            return new UnarySyntax(op.Position, operand.Position + operand.Length - op.Position, "-", operand);
        }

        return ParsePrimary();
    }

    private SyntaxNode ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Number:
                return new LiteralSyntax(token.Position, token.Length, ExpressionValue.FromDouble(token.Number));
            case TokenKind.String:
                return new LiteralSyntax(token.Position, token.Length, ExpressionValue.FromString(token.Text));
            case TokenKind.Identifier:
                return ParseIdentifier(token);
            case TokenKind.Operator when token.Text == "(":
                {
                    var inner = ParseOr();
                    var close = Expect(")", "Close the parenthesis.");
                    return inner with { Position = token.Position, Length = close.Position + 1 - token.Position };
                }

            case TokenKind.End:
                throw new ExpressionSyntaxException(token.Position, 0, "unexpected end of expression, expected a value", "Complete the expression with a number, a name, a view.feature or a parenthesis.");
            default:
                throw new ExpressionSyntaxException(token.Position, token.Length, $"unexpected '{token.Text}', expected a value", "Values are numbers, 'strings', true, false, null, names, view.feature, function calls or (expressions).");
        }
    }

    private SyntaxNode ParseIdentifier(Token token)
    {
        switch (token.Text)
        {
            case "true":
                return new LiteralSyntax(token.Position, token.Length, ExpressionValue.True);
            case "false":
                return new LiteralSyntax(token.Position, token.Length, ExpressionValue.False);
            case "null":
                return new LiteralSyntax(token.Position, token.Length, ExpressionValue.Null);
            case "and" or "or" or "not":
                throw new ExpressionSyntaxException(token.Position, token.Length, $"unexpected '{token.Text}', expected a value", "'and', 'or' and 'not' are operators and cannot be used as names.");
            default:
                break;
        }

        if (IsOperator("("))
        {
            Next();
            var arguments = new List<SyntaxNode>();
            if (!IsOperator(")"))
            {
                arguments.Add(ParseOr());
                while (IsOperator(","))
                {
                    Next();
                    arguments.Add(ParseOr());
                }
            }

            var close = Expect(")", "Separate arguments with ',' and close the call with ')'.");
            return new CallSyntax(token.Position, close.Position + 1 - token.Position, token.Text, arguments);
        }

        if (IsOperator("."))
        {
            Next();
            var feature = Next();
            if (feature.Kind != TokenKind.Identifier || Keywords.Contains(feature.Text))
            {
                throw new ExpressionSyntaxException(feature.Position, feature.Length, $"expected a feature name after '{token.Text}.'", "Refer to view features as view.feature, e.g. customer_7d.amount_mean_7d.");
            }

            return new FeatureReferenceSyntax(token.Position, feature.Position + feature.Length - token.Position, token.Text, feature.Text, feature.Position);
        }

        return new IdentifierSyntax(token.Position, token.Length, token.Text);
    }

    private Token Expect(string op, string hint)
    {
        if (!IsOperator(op))
        {
            var found = Peek;
            var what = found.Kind == TokenKind.End ? "end of expression" : $"'{found.Text}'";
            throw new ExpressionSyntaxException(found.Position, found.Length, $"expected '{op}' but found {what}", hint);
        }

        return Next();
    }

    private static BinarySyntax Binary(Token op, SyntaxNode left, SyntaxNode right) =>
        new(left.Position, right.Position + right.Length - left.Position, op.Text, op.Position, left, right);

    public override string ToString() => text;
}
