namespace Brisa.Core.Expressions;

/// <summary>
/// Supplies the inputs of an on-demand expression at evaluation time. Values must be of the type the
/// expression was compiled against (numbers for double and long fields), or null.
/// </summary>
public interface IExpressionContext
{
    /// <summary>The value of a request field (an identifier in the expression), or null when absent.</summary>
    /// <param name="name">The request field name.</param>
    /// <returns>The value.</returns>
    ExpressionValue GetRequestField(string name);

    /// <summary>The value of a view feature (<c>view.feature</c> in the expression), or null when missing.</summary>
    /// <param name="view">The feature view name.</param>
    /// <param name="feature">The feature name.</param>
    /// <returns>The value.</returns>
    ExpressionValue GetFeature(string view, string feature);
}

/// <summary>A dictionary-backed <see cref="IExpressionContext"/>; anything not set is null.</summary>
public sealed class ExpressionContext : IExpressionContext
{
    private readonly Dictionary<string, ExpressionValue> requestFields = new(StringComparer.Ordinal);
    private readonly Dictionary<(string View, string Feature), ExpressionValue> features = [];

    /// <summary>Sets a request field.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This context, for chaining.</returns>
    public ExpressionContext SetRequestField(string name, ExpressionValue value)
    {
        ArgumentNullException.ThrowIfNull(name);
        requestFields[name] = value;
        return this;
    }

    /// <summary>Sets a view feature.</summary>
    /// <param name="view">The view name.</param>
    /// <param name="feature">The feature name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This context, for chaining.</returns>
    public ExpressionContext SetFeature(string view, string feature, ExpressionValue value)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(feature);
        features[(view, feature)] = value;
        return this;
    }

    /// <summary>Removes every value.</summary>
    public void Clear()
    {
        requestFields.Clear();
        features.Clear();
    }

    /// <inheritdoc />
    public ExpressionValue GetRequestField(string name) =>
        requestFields.TryGetValue(name, out var value) ? value : ExpressionValue.Null;

    /// <inheritdoc />
    public ExpressionValue GetFeature(string view, string feature) =>
        features.TryGetValue((view, feature), out var value) ? value : ExpressionValue.Null;
}
