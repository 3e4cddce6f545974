using Brisa.Core.Definitions;

namespace Brisa.Core.Expressions;

/// <summary>Type-checks a syntax tree against a symbol table and produces evaluable bound nodes.</summary>
internal sealed class ExpressionBinder(ExpressionSymbolTable symbols)
{
    private static readonly Dictionary<string, BuiltinFunction> Functions = new(StringComparer.Ordinal)
    {
        ["abs"] = BuiltinFunction.Abs,
        ["log"] = BuiltinFunction.Log,
        ["sqrt"] = BuiltinFunction.Sqrt,
        ["min"] = BuiltinFunction.Min,
        ["max"] = BuiltinFunction.Max,
        ["coalesce"] = BuiltinFunction.Coalesce,
        ["if"] = BuiltinFunction.If,
    };

    private static readonly string[] FunctionNames = ["abs", "coalesce", "if", "log", "max", "min", "sqrt"];

    /// <summary>A placeholder type for a sub-expression that already has an error (suppresses cascades).</summary>
    private const ExpressionType ErrorType = (ExpressionType)(-1);

    public List<ExpressionDiagnostic> Diagnostics { get; } = [];

    public SortedSet<string> RequestFields { get; } = new(StringComparer.Ordinal);

    public SortedSet<(string View, string Feature)> Features { get; } = [];

    public BoundNode Bind(SyntaxNode node) => node switch
    {
        LiteralSyntax literal => new BoundLiteral(literal.Value, literal.Value.Type),
        IdentifierSyntax identifier => BindIdentifier(identifier),
        FeatureReferenceSyntax feature => BindFeature(feature),
        UnarySyntax unary => BindUnary(unary),
        BinarySyntax binary => BindBinary(binary),
        CallSyntax call => BindCall(call),
        _ => throw new InvalidOperationException("Unknown syntax node."),
    };

    private static BoundLiteral Error() => new BoundLiteral(ExpressionValue.Null, ErrorType);

    private void Report(SyntaxNode node, string code, string message, string? hint) =>
        Diagnostics.Add(new ExpressionDiagnostic(node.Position, node.Length, code, message, hint));

    private BoundNode BindIdentifier(IdentifierSyntax node)
    {
        if (!symbols.TryGetRequestField(node.Name, out var type))
        {
            string hint;
            if (symbols.HasView(node.Name))
            {
                hint = $"'{node.Name}' is a feature view; refer to one of its features as {node.Name}.feature.";
            }
            else
            {
                hint = NameSuggestions.Hint(node.Name, symbols.RequestFieldNames, "request fields");
                hint += ". Declare it under request_fields, or refer to a view feature as view.feature.";
            }

            Report(node, ExpressionDiagnosticCodes.UnknownIdentifier, $"unknown identifier '{node.Name}'", hint);
            return Error();
        }

        if (type is not { } t)
        {
            Report(node, ExpressionDiagnosticCodes.TypeMismatch, $"request field '{node.Name}' is a timestamp, which expressions cannot use", "Use double, long, string or bool fields.");
            return Error();
        }

        RequestFields.Add(node.Name);
        return new BoundRequestField(node.Name, t);
    }

    private BoundNode BindFeature(FeatureReferenceSyntax node)
    {
        if (!symbols.HasView(node.View))
        {
            Report(node, ExpressionDiagnosticCodes.UnknownFeature, $"unknown feature view '{node.View}' in '{node.View}.{node.Feature}'", NameSuggestions.Hint(node.View, symbols.ViewNames, "feature views"));
            return Error();
        }

        if (!symbols.TryGetFeature(node.View, node.Feature, out var type))
        {
            var featureNode = new IdentifierSyntax(node.FeaturePosition, node.Feature.Length, node.Feature);
            Report(featureNode, ExpressionDiagnosticCodes.UnknownFeature, $"unknown feature '{node.Feature}' in view '{node.View}'", NameSuggestions.Hint(node.Feature, symbols.FeatureNames(node.View), $"features of '{node.View}'"));
            return Error();
        }

        if (type is not { } t)
        {
            Report(node, ExpressionDiagnosticCodes.TypeMismatch, $"feature '{node.View}.{node.Feature}' is a timestamp, which expressions cannot use", "Use numeric, string or bool features.");
            return Error();
        }

        Features.Add((node.View, node.Feature));
        return new BoundFeature(node.View, node.Feature, t);
    }

    private BoundNode BindUnary(UnarySyntax node)
    {
        var operand = Bind(node.Operand);
        if (operand.Type == ErrorType)
        {
            return operand;
        }

        var expected = node.Operator == "-" ? ExpressionType.Number : ExpressionType.Boolean;
        if (operand.Type != expected && operand.Type != ExpressionType.Null)
        {
            Report(node, ExpressionDiagnosticCodes.TypeMismatch, $"operator '{node.Operator}' cannot be applied to {operand.Type.ToDisplayName()}", $"'{node.Operator}' needs a {expected.ToDisplayName()} operand.");
            return Error();
        }

        return node.Operator == "-" ? new BoundNegate(operand) : new BoundNot(operand);
    }

    private BoundNode BindBinary(BinarySyntax node)
    {
        var left = Bind(node.Left);
        var right = Bind(node.Right);
        if (left.Type == ErrorType || right.Type == ErrorType)
        {
            return Error();
        }

        var op = node.Operator;
        var l = left.Type;
        var r = right.Type;
        var common = l == ExpressionType.Null ? r : r == ExpressionType.Null ? l : l == r ? l : (ExpressionType?)null;
        string? hint = null;
        switch (op)
        {
            case "+" when common is ExpressionType.Text:
                return new BoundConcat(left, right);
            case "+" or "-" or "*" or "/":
                if (common is ExpressionType.Number or ExpressionType.Null)
                {
                    return new BoundArithmetic(op[0], left, right);
                }

                hint = op == "+" ? "'+' adds two numbers or concatenates two strings." : $"'{op}' needs two numbers.";
                break;
            case "and" or "or":
                if (common is ExpressionType.Boolean or ExpressionType.Null)
                {
                    return new BoundLogical(op == "and", left, right);
                }

                hint = $"'{op}' needs two bool operands; compare values first, e.g. amount > 100.";
                break;
            case "==" or "!=":
                if (node.Left is LiteralSyntax { Value.IsNull: true })
                {
                    return new BoundNullTest(right, op == "==");
                }

                if (node.Right is LiteralSyntax { Value.IsNull: true })
                {
                    return new BoundNullTest(left, op == "==");
                }

                if (common is not null)
                {
                    return new BoundComparison(op, left, right);
                }

                hint = "Both sides of a comparison must have the same type.";
                break;
            default:
                if (common is ExpressionType.Number or ExpressionType.Text or ExpressionType.Null)
                {
                    return new BoundComparison(op, left, right);
                }

                hint = $"'{op}' compares two numbers or two strings.";
                break;
        }

        var operatorNode = new IdentifierSyntax(node.OperatorPosition, op.Length, op);
        Report(operatorNode, ExpressionDiagnosticCodes.TypeMismatch, $"operator '{op}' cannot be applied to {l.ToDisplayName()} and {r.ToDisplayName()}", hint);
        return Error();
    }

    private BoundNode BindCall(CallSyntax node)
    {
        var arguments = node.Arguments.Select(Bind).ToArray();
        var nameNode = new IdentifierSyntax(node.Position, node.Function.Length, node.Function);
        if (!Functions.TryGetValue(node.Function, out var function))
        {
            var closest = NameSuggestions.Closest(node.Function, FunctionNames);
            var hint = (closest is null ? string.Empty : $"Did you mean '{closest}'? ") + "Functions: " + string.Join(", ", FunctionNames);
            Report(nameNode, ExpressionDiagnosticCodes.UnknownFunction, $"unknown function '{node.Function}'", hint);
            return Error();
        }

        var (min, max, signature) = function switch
        {
            BuiltinFunction.Abs or BuiltinFunction.Log or BuiltinFunction.Sqrt => (1, 1, $"{node.Function}(x)"),
            BuiltinFunction.Min or BuiltinFunction.Max => (2, int.MaxValue, $"{node.Function}(a, b, ...)"),
            BuiltinFunction.Coalesce => (1, int.MaxValue, "coalesce(a, b, ...)"),
            _ => (3, 3, "if(condition, then, else)"),
        };

        if (arguments.Length < min || arguments.Length > max)
        {
            var expected = min == max ? $"{min}" : $"at least {min}";
            Report(nameNode, ExpressionDiagnosticCodes.UnknownFunction, $"function '{node.Function}' takes {expected} argument{(min == 1 && max == 1 ? string.Empty : "s")} but got {arguments.Length}", $"Call it as {signature}.");
            return Error();
        }

        if (arguments.Any(a => a.Type == ErrorType))
        {
            return Error();
        }

        switch (function)
        {
            case BuiltinFunction.If:
                {
                    if (arguments[0].Type is not (ExpressionType.Boolean or ExpressionType.Null))
                    {
                        Report(node.Arguments[0], ExpressionDiagnosticCodes.TypeMismatch, $"the condition of 'if' must be bool, not {arguments[0].Type.ToDisplayName()}", "Use a comparison, e.g. if(amount > 100, 1, 0).");
                        return Error();
                    }

                    var type = Unify(node, arguments.AsSpan(1), node.Arguments.Skip(1).ToArray(), "the branches of 'if'");
                    return type is { } t ? new BoundCall(function, arguments, t) : Error();
                }

            case BuiltinFunction.Coalesce:
                {
                    var type = Unify(node, arguments, [.. node.Arguments], "the arguments of 'coalesce'");
                    return type is { } t ? new BoundCall(function, arguments, t) : Error();
                }

            default:
                for (var i = 0; i < arguments.Length; i++)
                {
                    if (arguments[i].Type is not (ExpressionType.Number or ExpressionType.Null))
                    {
                        Report(node.Arguments[i], ExpressionDiagnosticCodes.TypeMismatch, $"function '{node.Function}' cannot be applied to {arguments[i].Type.ToDisplayName()}", $"{signature} needs numbers.");
                        return Error();
                    }
                }

                return new BoundCall(function, arguments, ExpressionType.Number);
        }
    }

    private ExpressionType? Unify(CallSyntax call, ReadOnlySpan<BoundNode> arguments, SyntaxNode[] syntax, string what)
    {
        var type = ExpressionType.Null;
        for (var i = 0; i < arguments.Length; i++)
        {
            var t = arguments[i].Type;
            if (t == ExpressionType.Null)
            {
                continue;
            }

            if (type == ExpressionType.Null)
            {
                type = t;
            }
            else if (t != type)
            {
                Report(syntax[i], ExpressionDiagnosticCodes.TypeMismatch, $"{what} must have one type, but got {type.ToDisplayName()} and {t.ToDisplayName()}", $"Make every value of '{call.Function}' a {type.ToDisplayName()}.");
                return null;
            }
        }

        return type;
    }
}
