using Brisa.Core.Expressions;

namespace Brisa.Core.Tests.Expressions;

public class CompiledExpressionTests
{
    private static readonly ExpressionSymbolTable Symbols = new ExpressionSymbolTable()
        .AddRequestField("amount", ExpressionType.Number)
        .AddRequestField("country", ExpressionType.Text)
        .AddRequestField("flag", ExpressionType.Boolean)
        .AddRequestField("ts", null)
        .AddFeature("customer_7d", "amount_mean_7d", ExpressionType.Number)
        .AddFeature("customer_7d", "amount_std_7d", ExpressionType.Number)
        .AddFeature("customer_7d", "last_country_7d", ExpressionType.Text);

    private static CompiledExpression Compile(string text)
    {
        var result = CompiledExpression.Compile(text, Symbols);
        Assert.Empty(result.Diagnostics.Select(d => d.ToString()));
        return result.Expression!;
    }

    private static ExpressionDiagnostic SingleError(string text)
    {
        var result = CompiledExpression.Compile(text, Symbols);
        Assert.Null(result.Expression);
        return Assert.Single(result.Diagnostics);
    }

    private static ExpressionContext Context(double? amount = 130, string? country = "FR", double? mean = 100, double? std = 15, string? last = "ES") =>
        new ExpressionContext()
            .SetRequestField("amount", ExpressionValue.FromDouble(amount))
            .SetRequestField("country", ExpressionValue.FromString(country))
            .SetRequestField("flag", ExpressionValue.True)
            .SetFeature("customer_7d", "amount_mean_7d", ExpressionValue.FromDouble(mean))
            .SetFeature("customer_7d", "amount_std_7d", ExpressionValue.FromDouble(std))
            .SetFeature("customer_7d", "last_country_7d", ExpressionValue.FromString(last));

    [Theory]
    [InlineData("1 + 2 * 3", 7.0)]
    [InlineData("(1 + 2) * 3", 9.0)]
    [InlineData("-amount + 30", -100.0)]
    [InlineData("10 / 4", 2.5)]
    [InlineData("2 - 3 - 4", -5.0)]
    [InlineData("1.5e2", 150.0)]
    [InlineData("abs(-3)", 3.0)]
    [InlineData("sqrt(16)", 4.0)]
    [InlineData("min(3, amount, 7)", 3.0)]
    [InlineData("max(3, amount, 7)", 130.0)]
    [InlineData("coalesce(null, 4)", 4.0)]
    [InlineData("if(amount > 100, 1, 0)", 1.0)]
    [InlineData("(amount - customer_7d.amount_mean_7d) / customer_7d.amount_std_7d", 2.0)]
    public void EvaluateDouble_Arithmetic_ReturnsValue(string text, double expected)
    {
        var expression = Compile(text);

        Assert.Equal(ExpressionType.Number, expression.ResultType);
        Assert.Equal(expected, expression.EvaluateDouble(Context()));
    }

    [Theory]
    [InlineData("amount / 0")]
    [InlineData("log(0)")]
    [InlineData("log(-1)")]
    [InlineData("sqrt(-1)")]
    [InlineData("amount + null")]
    [InlineData("(amount - customer_7d.amount_mean_7d) / customer_7d.amount_std_7d + 0 * customer_7d.amount_std_7d + missing_is_null")]
    public void EvaluateDouble_NullOrUndefined_ReturnsNull(string text)
    {
        var symbols = new ExpressionSymbolTable().AddRequestField("amount", ExpressionType.Number).AddRequestField("missing_is_null", ExpressionType.Number)
            .AddFeature("customer_7d", "amount_mean_7d", ExpressionType.Number).AddFeature("customer_7d", "amount_std_7d", ExpressionType.Number);
        var expression = CompiledExpression.Compile(text, symbols).Expression!;

        Assert.Null(expression.EvaluateDouble(Context()));
    }

    [Fact]
    public void EvaluateDouble_MissingFeature_PropagatesNull()
    {
        var expression = Compile("(amount - customer_7d.amount_mean_7d) / customer_7d.amount_std_7d");

        Assert.Null(expression.EvaluateDouble(Context(std: null)));
        Assert.Null(expression.EvaluateDouble(Context(std: 0)));
        Assert.Null(expression.EvaluateDouble(Context(amount: null)));
    }

    [Theory]
    [InlineData("country != customer_7d.last_country_7d", true)]
    [InlineData("country == 'FR'", true)]
    [InlineData("country < 'GB'", true)]
    [InlineData("amount >= 130 and amount <= 130", true)]
    [InlineData("amount > 1000 or country == 'FR'", true)]
    [InlineData("not flag", false)]
    [InlineData("not (amount > 1)", false)]
    [InlineData("flag == true", true)]
    [InlineData("country + '!' == 'FR!'", true)]
    [InlineData("'it''s' == 'it''s'", true)]
    public void EvaluateBoolean_Comparisons_ReturnValue(string text, bool expected)
    {
        var expression = Compile(text);

        Assert.Equal(ExpressionType.Boolean, expression.ResultType);
        Assert.Equal(expected, expression.EvaluateBoolean(Context()));
    }

    [Theory]
    [InlineData("country == null", "FR", false)]
    [InlineData("country == null", null, true)]
    [InlineData("null != country", null, false)]
    [InlineData("country == 'FR'", null, null)]
    [InlineData("country == 'FR' and false", null, false)]
    [InlineData("country == 'FR' or true", null, true)]
    [InlineData("country == 'FR' and true", null, null)]
    [InlineData("not (country == 'FR')", null, null)]
    public void EvaluateBoolean_NullOperands_UseThreeValuedLogic(string text, string? country, bool? expected)
    {
        var expression = Compile(text);

        Assert.Equal(expected, expression.EvaluateBoolean(Context(country: country)));
    }

    [Fact]
    public void Evaluate_IfWithNullCondition_TakesElseBranch()
    {
        var expression = Compile("if(country == 'FR', 'home', 'away')");

        Assert.Equal("home", expression.EvaluateString(Context()));
        Assert.Equal("away", expression.EvaluateString(Context(country: null)));
    }

    [Fact]
    public void Evaluate_CoalesceOfStrings_ReturnsFirstNonNull()
    {
        var expression = Compile("coalesce(customer_7d.last_country_7d, country, 'unknown')");

        Assert.Equal(ExpressionType.Text, expression.ResultType);
        Assert.Equal("FR", expression.EvaluateString(Context(last: null)));
        Assert.Equal("unknown", expression.EvaluateString(Context(last: null, country: null)));
    }

    [Fact]
    public void Compile_Expression_ListsReferences()
    {
        var expression = Compile("coalesce(amount / customer_7d.amount_std_7d, amount, customer_7d.amount_mean_7d)");

        Assert.Equal(["amount"], expression.RequestFields);
        Assert.Equal(["customer_7d:amount_mean_7d", "customer_7d:amount_std_7d"], expression.Features.Select(f => f.ToString()));
    }

    [Fact]
    public void Evaluate_ContextSuppliesWrongType_Throws()
    {
        var expression = Compile("amount + 1");
        var context = new ExpressionContext().SetRequestField("amount", ExpressionValue.FromString("12"));

        Assert.Throws<InvalidOperationException>(() => expression.Evaluate(context));
    }

    [Theory]
    [InlineData("amount * (2 + ", 14, "BR0401", "unexpected end of expression, expected a value")]
    [InlineData("amount + * 2", 9, "BR0401", "unexpected '*', expected a value")]
    [InlineData("(amount + 2", 11, "BR0401", "expected ')' but found end of expression")]
    [InlineData("amount 2", 7, "BR0401", "unexpected '2' after a complete expression")]
    [InlineData("amount = 2", 7, "BR0401", "unexpected '='")]
    [InlineData("amount > 1 && flag", 11, "BR0401", "unexpected '&&'")]
    [InlineData("country == \"FR\"", 11, "BR0401", "unexpected '\"'")]
    [InlineData("'open", 0, "BR0401", "unterminated string literal")]
    [InlineData("1 < amount < 3", 11, "BR0401", "comparisons cannot be chained ('<' after '<')")]
    [InlineData("2x", 0, "BR0401", "invalid number '2x'")]
    [InlineData("amount # 2", 7, "BR0401", "unexpected character '#'")]
    [InlineData("customer_7d.", 12, "BR0401", "expected a feature name after 'customer_7d.'")]
    public void Compile_SyntaxError_ReportsPosition(string text, int position, string code, string message)
    {
        var error = SingleError(text);

        Assert.Equal((position, code, message), (error.Position, error.Code, error.Message));
    }

    [Theory]
    [InlineData("country + 1", 8, "BR0404", "operator '+' cannot be applied to string and double")]
    [InlineData("amount - country", 7, "BR0404", "operator '-' cannot be applied to double and string")]
    [InlineData("flag < true", 5, "BR0404", "operator '<' cannot be applied to bool and bool")]
    [InlineData("amount == country", 7, "BR0404", "operator '==' cannot be applied to double and string")]
    [InlineData("amount or flag", 7, "BR0404", "operator 'or' cannot be applied to double and bool")]
    [InlineData("-country", 0, "BR0404", "operator '-' cannot be applied to string")]
    [InlineData("not amount", 0, "BR0404", "operator 'not' cannot be applied to double")]
    [InlineData("abs(country)", 4, "BR0404", "function 'abs' cannot be applied to string")]
    [InlineData("if(amount, 1, 2)", 3, "BR0404", "the condition of 'if' must be bool, not double")]
    [InlineData("if(flag, 1, 'x')", 12, "BR0404", "the branches of 'if' must have one type, but got double and string")]
    [InlineData("coalesce(amount, country)", 17, "BR0404", "the arguments of 'coalesce' must have one type, but got double and string")]
    [InlineData("ts", 0, "BR0404", "request field 'ts' is a timestamp, which expressions cannot use")]
    [InlineData("amout", 0, "BR0402", "unknown identifier 'amout'")]
    [InlineData("customer_7d", 0, "BR0402", "unknown identifier 'customer_7d'")]
    [InlineData("customer_7d.amount_man_7d", 12, "BR0403", "unknown feature 'amount_man_7d' in view 'customer_7d'")]
    [InlineData("customer_1d.amount_mean_7d", 0, "BR0403", "unknown feature view 'customer_1d' in 'customer_1d.amount_mean_7d'")]
    [InlineData("sqr(amount)", 0, "BR0406", "unknown function 'sqr'")]
    [InlineData("min(amount)", 0, "BR0406", "function 'min' takes at least 2 arguments but got 1")]
    [InlineData("if(flag, 1)", 0, "BR0406", "function 'if' takes 3 arguments but got 2")]
    public void Compile_SemanticError_ReportsPositionAndMessage(string text, int position, string code, string message)
    {
        var error = SingleError(text);

        Assert.Equal((position, code, message), (error.Position, error.Code, error.Message));
    }

    [Fact]
    public void Compile_SeveralErrors_ReportsAll()
    {
        var result = CompiledExpression.Compile("amout + customer_7d.nope + sqr(1)", Symbols);

        Assert.Equal(["BR0402", "BR0403", "BR0406"], result.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void Compile_UnknownIdentifierOfView_HintsAtViewFeatureSyntax()
    {
        var error = SingleError("customer_7d");

        Assert.Equal("'customer_7d' is a feature view; refer to one of its features as customer_7d.feature.", error.Hint);
    }

    [Fact]
    public void ExpressionValue_NonFinite_IsNull()
    {
        Assert.True(ExpressionValue.FromDouble(double.NaN).IsNull);
        Assert.True(ExpressionValue.FromDouble(double.PositiveInfinity).IsNull);
        Assert.Equal("'it''s'", ExpressionValue.FromString("it's").ToString());
        Assert.Equal(ExpressionValue.FromDouble(1), ExpressionValue.FromDouble(1.0));
        Assert.NotEqual(ExpressionValue.FromDouble(1), ExpressionValue.True);
    }

    // Each shape nests one level per token or two; 10,000 levels overflowed the stack and killed the process.
    [Theory]
    [InlineData("chain")]
    [InlineData("parens")]
    [InlineData("minus")]
    [InlineData("not")]
    public void Compile_TenThousandLevelsDeep_SyntaxErrorNotStackOverflow(string shape)
    {
        var error = SingleError(Deep(shape, 10_000));

        Assert.Equal(ExpressionDiagnosticCodes.Syntax, error.Code);
        Assert.Contains("more than the 1,000 allowed", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("chain")]
    [InlineData("parens")]
    [InlineData("minus")]
    [InlineData("not")]
    public void Compile_AsDeepAsTheTokenLimitAllows_CompilesAndEvaluates(string shape)
    {
        var depth = shape is "chain" or "parens" ? (ExpressionParser.MaxTokens - 1) / 2 : ExpressionParser.MaxTokens - 1;
        var expression = Compile(Deep(shape, depth));

        Assert.NotNull(expression.Evaluate(Context()).ToString());
    }

    private static string Deep(string shape, int depth) => shape switch
    {
        "chain" => "amount" + string.Concat(Enumerable.Repeat(" + amount", depth)),
        "parens" => new string('(', depth) + "amount" + new string(')', depth),
        "minus" => new string('-', depth) + "amount",
        _ => string.Concat(Enumerable.Repeat("not ", depth)) + "flag",
    };
}
