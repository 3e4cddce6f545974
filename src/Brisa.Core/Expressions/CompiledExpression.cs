using Brisa.Core.Definitions;

namespace Brisa.Core.Expressions;

/// <summary>The result of compiling an expression: the expression, or the diagnostics.</summary>
/// <param name="Expression">The compiled expression; null when there are errors.</param>
/// <param name="Diagnostics">Every error found (syntax errors stop at the first).</param>
public sealed record ExpressionCompileResult(CompiledExpression? Expression, IReadOnlyList<ExpressionDiagnostic> Diagnostics);

/// <summary>
/// A parsed, type-checked on-demand expression, ready to evaluate. Thread-safe and allocation-free to
/// evaluate (except string concatenation). Evaluation is null-propagating: an operator or function with a
/// null operand yields null, as does division by zero, log of a non-positive number, sqrt of a negative
/// number and any non-finite result. Exceptions: <c>x == null</c> / <c>x != null</c> test for null;
/// <c>and</c>/<c>or</c> use three-valued logic (false and null = false, true or null = true);
/// <c>coalesce</c> returns its first non-null argument; <c>if</c> takes the else branch when the condition is null.
/// </summary>
public sealed class CompiledExpression
{
    private readonly BoundNode root;

    internal CompiledExpression(string text, BoundNode root, IReadOnlyList<string> requestFields, IReadOnlyList<FeatureReference> features)
    {
        Text = text;
        this.root = root;
        RequestFields = requestFields;
        Features = features;
    }

    /// <summary>The source text.</summary>
    public string Text { get; }

    /// <summary>The inferred result type (<see cref="ExpressionType.Null"/> only for an expression that is always null).</summary>
    public ExpressionType ResultType => root.Type;

    /// <summary>The request fields the expression reads, sorted.</summary>
    public IReadOnlyList<string> RequestFields { get; }

    /// <summary>The view features the expression reads, sorted.</summary>
    public IReadOnlyList<FeatureReference> Features { get; }

    /// <summary>Compiles an expression against a symbol table.</summary>
    /// <param name="text">The expression text.</param>
    /// <param name="symbols">What the expression may refer to.</param>
    /// <returns>The compiled expression, or diagnostics.</returns>
    public static ExpressionCompileResult Compile(string text, ExpressionSymbolTable symbols)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(symbols);
        var syntax = ExpressionParser.Parse(text, out var error);
        if (error is not null)
        {
            return new ExpressionCompileResult(null, [error]);
        }

        var binder = new ExpressionBinder(symbols);
        var bound = binder.Bind(syntax);
        if (binder.Diagnostics.Count > 0)
        {
            return new ExpressionCompileResult(null, binder.Diagnostics);
        }

        var features = binder.Features.Select(f => new FeatureReference(f.View, f.Feature)).ToArray();
        return new ExpressionCompileResult(new CompiledExpression(text, bound, [.. binder.RequestFields], features), []);
    }

    /// <summary>Evaluates the expression.</summary>
    /// <param name="context">The inputs.</param>
    /// <returns>The value (possibly null).</returns>
    public ExpressionValue Evaluate(IExpressionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return root.Evaluate(context);
    }

    /// <summary>Evaluates a numeric expression.</summary>
    /// <param name="context">The inputs.</param>
    /// <returns>The number, or null.</returns>
    public double? EvaluateDouble(IExpressionContext context) => Evaluate(context).AsDouble();

    /// <summary>Evaluates a string expression.</summary>
    /// <param name="context">The inputs.</param>
    /// <returns>The string, or null.</returns>
    public string? EvaluateString(IExpressionContext context) => Evaluate(context).AsString();

    /// <summary>Evaluates a bool expression.</summary>
    /// <param name="context">The inputs.</param>
    /// <returns>The boolean, or null.</returns>
    public bool? EvaluateBoolean(IExpressionContext context) => Evaluate(context).AsBoolean();

    /// <inheritdoc />
    public override string ToString() => Text;
}
