using System.Diagnostics.CodeAnalysis;

namespace Brisa.Core.Definitions;

/// <summary>
/// A reference to a feature: <c>view:feature</c> for a view feature, or a bare name for an on-demand feature.
/// (Expressions write view features as <c>view.feature</c>; both forms parse here.)
/// </summary>
/// <param name="View">The feature view, or null for an on-demand feature.</param>
/// <param name="Name">The feature name.</param>
public sealed record FeatureReference(string? View, string Name)
{
    /// <summary>True for an on-demand feature (no view).</summary>
    public bool IsOnDemand => View is null;

    /// <summary>Parses <c>view:feature</c>, <c>view.feature</c> or <c>name</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="reference">The reference.</param>
    /// <returns>True when both parts are non-empty.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out FeatureReference? reference)
    {
        reference = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var separator = text.IndexOfAny([':', '.']);
        if (separator < 0)
        {
            reference = new FeatureReference(null, text);
            return true;
        }

        var view = text[..separator];
        var name = text[(separator + 1)..];
        if (view.Length == 0 || name.Length == 0 || name.IndexOfAny([':', '.']) >= 0)
        {
            return false;
        }

        reference = new FeatureReference(view, name);
        return true;
    }

    /// <summary>Parses a reference or throws <see cref="FormatException"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The reference.</returns>
    public static FeatureReference Parse(string text) =>
        TryParse(text, out var reference) ? reference : throw new FormatException($"'{text}' is not a feature reference such as view:feature.");

    /// <summary><c>view:feature</c>, or the name of an on-demand feature.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => View is null ? Name : View + ":" + Name;

    /// <summary>True when <paramref name="text"/> is this reference as <see cref="ToString"/> writes it (without building that string).</summary>
    /// <param name="text">The text, e.g. <c>customer_7d:amount_mean_7d</c>.</param>
    /// <returns>True on an exact (ordinal) match.</returns>
    public bool Is(string? text) => text is not null && (View is null
        ? text == Name
        : text.Length == View.Length + 1 + Name.Length
            && text.StartsWith(View, StringComparison.Ordinal)
            && text[View.Length] == ':'
            && text.EndsWith(Name, StringComparison.Ordinal));
}
