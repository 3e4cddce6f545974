namespace Brisa.Core.Expressions;

/// <summary>A type-checked node that evaluates itself. Evaluation is null-propagating (see docs/definitions.md).</summary>
internal abstract class BoundNode(ExpressionType type)
{
    public ExpressionType Type { get; } = type;

    public abstract ExpressionValue Evaluate(IExpressionContext context);
}

internal sealed class BoundLiteral(ExpressionValue value, ExpressionType type) : BoundNode(type)
{
    public ExpressionValue Value { get; } = value;

    public override ExpressionValue Evaluate(IExpressionContext context) => Value;
}

internal sealed class BoundRequestField(string name, ExpressionType type) : BoundNode(type)
{
    public string Name { get; } = name;

    public override ExpressionValue Evaluate(IExpressionContext context) =>
        Check(context.GetRequestField(Name), Type, Name);

    internal static ExpressionValue Check(ExpressionValue value, ExpressionType type, string what)
    {
        if (value.IsNull || value.Type == type)
        {
            return value;
        }

        throw new InvalidOperationException($"'{what}' must be a {type.ToDisplayName()} value but the context supplied a {value.Type.ToDisplayName()} value.");
    }
}

internal sealed class BoundFeature(string view, string feature, ExpressionType type) : BoundNode(type)
{
    public string View { get; } = view;

    public string Feature { get; } = feature;

    public override ExpressionValue Evaluate(IExpressionContext context) =>
        BoundRequestField.Check(context.GetFeature(View, Feature), Type, View + "." + Feature);
}

internal sealed class BoundNegate(BoundNode operand) : BoundNode(ExpressionType.Number)
{
    public override ExpressionValue Evaluate(IExpressionContext context)
    {
        var value = operand.Evaluate(context);
        return value.IsNull ? value : ExpressionValue.FromDouble(-value.RawNumber);
    }
}

internal sealed class BoundNot(BoundNode operand) : BoundNode(ExpressionType.Boolean)
{
    public override ExpressionValue Evaluate(IExpressionContext context)
    {
        var value = operand.Evaluate(context);
        return value.IsNull ? value : ExpressionValue.FromBoolean(!value.RawBoolean);
    }
}

internal sealed class BoundArithmetic(char op, BoundNode left, BoundNode right) : BoundNode(ExpressionType.Number)
{
    public override ExpressionValue Evaluate(IExpressionContext context)
    {
        var l = left.Evaluate(context);
        if (l.IsNull)
        {
            return l;
        }

        var r = right.Evaluate(context);
        if (r.IsNull)
        {
            return r;
        }

        var a = l.RawNumber;
        var b = r.RawNumber;
        return op switch
        {
            '+' => ExpressionValue.FromDouble(a + b),
            '-' => ExpressionValue.FromDouble(a - b),
            '*' => ExpressionValue.FromDouble(a * b),
            _ => b == 0 ? ExpressionValue.Null : ExpressionValue.FromDouble(a / b),
        };
    }
}

internal sealed class BoundConcat(BoundNode left, BoundNode right) : BoundNode(ExpressionType.Text)
{
    public override ExpressionValue Evaluate(IExpressionContext context)
    {
        var l = left.Evaluate(context);
        if (l.IsNull)
        {
            return l;
        }

        var r = right.Evaluate(context);
        return r.IsNull ? r : ExpressionValue.FromString(l.RawText + r.RawText);
    }
}

internal sealed class BoundComparison(string op, BoundNode left, BoundNode right) : BoundNode(ExpressionType.Boolean)
{
    public override ExpressionValue Evaluate(IExpressionContext context)
    {
        var l = left.Evaluate(context);
        if (l.IsNull)
        {
            return l;
        }

        var r = right.Evaluate(context);
        if (r.IsNull)
        {
            return r;
        }

        int order = l.Type switch
        {
            ExpressionType.Number => l.RawNumber.CompareTo(r.RawNumber),
            ExpressionType.Text => string.CompareOrdinal(l.RawText, r.RawText),
            _ => l.RawBoolean.CompareTo(r.RawBoolean),
        };

        return ExpressionValue.FromBoolean(op switch
        {
            "==" => order == 0,
            "!=" => order != 0,
            "<" => order < 0,
            "<=" => order <= 0,
            ">" => order > 0,
            _ => order >= 0,
        });
    }
}

/// <summary><c>x == null</c> / <c>x != null</c>: a null test, never null itself.</summary>
internal sealed class BoundNullTest(BoundNode operand, bool isNull) : BoundNode(ExpressionType.Boolean)
{
    public override ExpressionValue Evaluate(IExpressionContext context) =>
        ExpressionValue.FromBoolean(operand.Evaluate(context).IsNull == isNull);
}

/// <summary>Kleene three-valued <c>and</c> / <c>or</c>, short-circuiting.</summary>
internal sealed class BoundLogical(bool isAnd, BoundNode left, BoundNode right) : BoundNode(ExpressionType.Boolean)
{
    public override ExpressionValue Evaluate(IExpressionContext context)
    {
        var l = left.Evaluate(context);
        if (!l.IsNull && l.RawBoolean != isAnd)
        {
            return l; // false and _ = false; true or _ = true
        }

        var r = right.Evaluate(context);
        if (!r.IsNull && r.RawBoolean != isAnd)
        {
            return r;
        }

        return l.IsNull || r.IsNull ? ExpressionValue.Null : l;
    }
}

internal enum BuiltinFunction
{
    Abs,
    Log,
    Sqrt,
    Min,
    Max,
    Coalesce,
    If,
}

internal sealed class BoundCall(BuiltinFunction function, BoundNode[] arguments, ExpressionType type) : BoundNode(type)
{
    public override ExpressionValue Evaluate(IExpressionContext context)
    {
        switch (function)
        {
            case BuiltinFunction.Coalesce:
                foreach (var argument in arguments)
                {
                    var value = argument.Evaluate(context);
                    if (!value.IsNull)
                    {
                        return value;
                    }
                }

                return ExpressionValue.Null;
            case BuiltinFunction.If:
                {
                    var condition = arguments[0].Evaluate(context);
                    return !condition.IsNull && condition.RawBoolean ? arguments[1].Evaluate(context) : arguments[2].Evaluate(context);
                }

            case BuiltinFunction.Min or BuiltinFunction.Max:
                {
                    var result = 0.0;
                    for (var i = 0; i < arguments.Length; i++)
                    {
                        var value = arguments[i].Evaluate(context);
                        if (value.IsNull)
                        {
                            return value;
                        }

                        var x = value.RawNumber;
                        result = i == 0 ? x : function == BuiltinFunction.Min ? Math.Min(result, x) : Math.Max(result, x);
                    }

                    return ExpressionValue.FromDouble(result);
                }

            default:
                {
                    var value = arguments[0].Evaluate(context);
                    if (value.IsNull)
                    {
                        return value;
                    }

                    var x = value.RawNumber;
                    return function switch
                    {
                        BuiltinFunction.Abs => ExpressionValue.FromDouble(Math.Abs(x)),
                        BuiltinFunction.Log => x > 0 ? ExpressionValue.FromDouble(Math.Log(x)) : ExpressionValue.Null,
                        _ => x >= 0 ? ExpressionValue.FromDouble(Math.Sqrt(x)) : ExpressionValue.Null,
                    };
                }
        }
    }
}
