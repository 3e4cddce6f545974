namespace Brisa.Core.Expressions;

/// <summary>What an expression may refer to, and the type of each: request fields and view features.</summary>
public sealed class ExpressionSymbolTable
{
    private readonly Dictionary<string, ExpressionType?> requestFields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, ExpressionType?>> views = new(StringComparer.Ordinal);

    /// <summary>Declares a request field. A null type means the field exists but expressions cannot use it (a timestamp).</summary>
    /// <param name="name">The field name.</param>
    /// <param name="type">Its expression type, or null when not usable in expressions.</param>
    /// <returns>This table, for chaining.</returns>
    public ExpressionSymbolTable AddRequestField(string name, ExpressionType? type)
    {
        ArgumentNullException.ThrowIfNull(name);
        requestFields[name] = type;
        return this;
    }

    /// <summary>Declares a view feature. A null type means the feature exists but expressions cannot use it.</summary>
    /// <param name="view">The view name.</param>
    /// <param name="feature">The feature name.</param>
    /// <param name="type">Its expression type, or null when not usable in expressions.</param>
    /// <returns>This table, for chaining.</returns>
    public ExpressionSymbolTable AddFeature(string view, string feature, ExpressionType? type)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(feature);
        if (!views.TryGetValue(view, out var features))
        {
            features = new Dictionary<string, ExpressionType?>(StringComparer.Ordinal);
            views[view] = features;
        }

        features[feature] = type;
        return this;
    }

    /// <summary>Declares a view with no features yet (so references to it are "unknown feature", not "unknown view").</summary>
    /// <param name="view">The view name.</param>
    /// <returns>This table, for chaining.</returns>
    public ExpressionSymbolTable AddView(string view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (!views.ContainsKey(view))
        {
            views[view] = new Dictionary<string, ExpressionType?>(StringComparer.Ordinal);
        }

        return this;
    }

    /// <summary>The declared request field names, sorted.</summary>
    public IReadOnlyList<string> RequestFieldNames => [.. requestFields.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The declared view names, sorted.</summary>
    public IReadOnlyList<string> ViewNames => [.. views.Keys.Order(StringComparer.Ordinal)];

    internal bool TryGetRequestField(string name, out ExpressionType? type) => requestFields.TryGetValue(name, out type);

    internal bool HasView(string view) => views.ContainsKey(view);

    internal bool TryGetFeature(string view, string feature, out ExpressionType? type)
    {
        type = null;
        return views.TryGetValue(view, out var features) && features.TryGetValue(feature, out type);
    }

    internal IReadOnlyList<string> FeatureNames(string view) =>
        views.TryGetValue(view, out var features) ? [.. features.Keys.Order(StringComparer.Ordinal)] : [];
}
