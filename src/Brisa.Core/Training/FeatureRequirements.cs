using Brisa.Core.Definitions;
using Brisa.Core.Features;

namespace Brisa.Core.Training;

/// <summary>A requested feature resolved against the compiled definitions.</summary>
/// <param name="Reference">The reference as requested.</param>
/// <param name="ColumnName">Its column name in training sets: <c>view__feature</c> for a view feature, the name for an on-demand feature.</param>
/// <param name="Type">The value type.</param>
/// <param name="View">The view plan of a view feature; null for an on-demand feature.</param>
/// <param name="FeatureIndex">Index of a view feature in its view's evaluation result; −1 for an on-demand feature.</param>
/// <param name="OnDemand">The on-demand feature; null for a view feature.</param>
public sealed record ResolvedFeature(
    FeatureReference Reference, string ColumnName, FieldType Type, ViewPlan? View, int FeatureIndex, OnDemandFeatureDefinition? OnDemand);

/// <summary>
/// What computing a list of features needs: the views (requested ones and those read by on-demand expressions),
/// the entity join keys of those views, and the request fields (model inputs and on-demand inputs).
/// </summary>
public sealed class FeatureRequirements
{
    private FeatureRequirements(
        IReadOnlyList<ResolvedFeature> features, IReadOnlyList<ViewPlan> views, IReadOnlyList<string> entityKeyFields, IReadOnlyList<FieldDefinition> requestFields)
    {
        Features = features;
        Views = views;
        EntityKeyFields = entityKeyFields;
        RequestFields = requestFields;

        // A key every source of its views declares long: its events are keyed by the integer's plain digits.
        LongEntityKeyFields = entityKeyFields
            .Where(key => views.Where(v => v.Source.Fields[v.EntityKeyField].Name == key).All(v => v.Source.Fields[v.EntityKeyField].Type == FieldType.Long))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The requested features, resolved, in request order.</summary>
    public IReadOnlyList<ResolvedFeature> Features { get; }

    /// <summary>Every view that must be evaluated, in first-use order.</summary>
    public IReadOnlyList<ViewPlan> Views { get; }

    /// <summary>The join keys of <see cref="Views"/>' entities, distinct, in first-use order.</summary>
    public IReadOnlyList<string> EntityKeyFields { get; }

    /// <summary>
    /// The join keys of <see cref="EntityKeyFields"/> that every source of their views declares <c>long</c>: their
    /// events are keyed by the integer as plain digits (<see cref="Brisa.Core.Features.EntityKeys"/>), so a key given as text must
    /// name an integer to find them.
    /// </summary>
    public IReadOnlySet<string> LongEntityKeyFields { get; }

    /// <summary>The request fields: the extra ones asked for, then the on-demand features' inputs, distinct by name.</summary>
    public IReadOnlyList<FieldDefinition> RequestFields { get; }

    /// <summary>
    /// True when everything these requirements read (views, entity join keys, request fields, by name) is read by
    /// <paramref name="other"/> too: rows parsed and read for <paramref name="other"/> can be assembled for these (a
    /// challenger scored in shadow on the champion's request and online reads).
    /// </summary>
    /// <param name="other">The requirements whose request and reads are reused.</param>
    /// <returns>Whether they cover these.</returns>
    public bool IsCoveredBy(FeatureRequirements other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Views.All(v => other.Views.Any(o => o.Name == v.Name))
            && EntityKeyFields.All(k => other.EntityKeyFields.Contains(k, StringComparer.Ordinal))
            && RequestFields.All(f => other.RequestFields.Any(o => o.Name == f.Name));
    }

    /// <summary>The sources whose events the views aggregate.</summary>
    public IEnumerable<string> Sources => Views.Select(v => v.Definition.Source).Distinct(StringComparer.Ordinal);

    /// <summary>The column name of a view feature in training sets and offline files: <c>view__feature</c>.</summary>
    /// <param name="view">The view name.</param>
    /// <param name="feature">The feature name.</param>
    /// <returns>The column name.</returns>
    public static string ColumnNameOf(string view, string feature) => view + "__" + feature;

    /// <summary>Resolves features and request fields.</summary>
    /// <param name="plan">The compiled definitions (on-demand features must be compiled, as the loader does).</param>
    /// <param name="features">The features (view and on-demand).</param>
    /// <param name="requestFields">Extra request fields to carry (e.g. a model's <c>request_fields</c>).</param>
    /// <param name="observationSource">The source request fields are read from, to type them; null to type them from on-demand declarations only (else string).</param>
    /// <returns>The requirements.</returns>
    /// <exception cref="ArgumentException">A reference does not resolve, or an on-demand feature is not compiled.</exception>
    public static FeatureRequirements Resolve(
        FeaturePlan plan, IReadOnlyList<FeatureReference> features, IReadOnlyList<string>? requestFields = null, SourceDefinition? observationSource = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(features);
        var definitions = plan.Definitions;
        var views = new List<ViewPlan>();
        var resolved = new List<ResolvedFeature>();
        var requests = new List<FieldDefinition>();

        void UseView(ViewPlan view)
        {
            if (!views.Contains(view))
            {
                views.Add(view);
            }
        }

        void UseRequest(FieldDefinition field)
        {
            if (!requests.Exists(r => r.Name == field.Name))
            {
                requests.Add(field);
            }
        }

        foreach (var name in requestFields ?? [])
        {
            // The source's own field keeps its checks (range, allowed values), so serving validates requests as ingestion does.
            UseRequest(observationSource?.FindField(name)
                ?? definitions.OnDemandFeatures.SelectMany(o => o.RequestFields).FirstOrDefault(f => f.Name == name)
                ?? new FieldDefinition { Name = name, Type = FieldType.String });
        }

        foreach (var reference in features)
        {
            ArgumentNullException.ThrowIfNull(reference);
            if (reference.IsOnDemand)
            {
                var onDemand = definitions.FindOnDemandFeature(reference.Name)
                    ?? throw new ArgumentException($"Unknown on-demand feature '{reference.Name}'.", nameof(features));
                var compiled = onDemand.Compiled
                    ?? throw new ArgumentException($"On-demand feature '{reference.Name}' is not compiled; load the definitions with the loader.", nameof(features));
                foreach (var input in compiled.Features)
                {
                    UseView(plan.FindView(input.View!) ?? throw new ArgumentException($"On-demand feature '{reference.Name}' reads unknown view '{input.View}'.", nameof(features)));
                }

                foreach (var field in onDemand.RequestFields)
                {
                    UseRequest(observationSource?.FindField(field.Name) is { } sourceField && sourceField.Type == field.Type ? sourceField : field);
                }

                resolved.Add(new ResolvedFeature(reference, reference.Name, onDemand.Type == FieldType.Long ? FieldType.Double : onDemand.Type, null, -1, onDemand));
                continue;
            }

            var view = plan.FindView(reference.View!) ?? throw new ArgumentException($"Unknown view '{reference.View}' in '{reference}'.", nameof(features));
            var index = -1;
            for (var i = 0; i < view.View.Features.Count; i++)
            {
                if (view.View.Features[i].Name == reference.Name)
                {
                    index = i;
                }
            }

            if (index < 0)
            {
                throw new ArgumentException($"View '{view.Name}' has no feature '{reference.Name}'.", nameof(features));
            }

            var source = definitions.FindSource(view.Definition.Source)!;
            UseView(view);
            resolved.Add(new ResolvedFeature(reference, ColumnNameOf(view.Name, reference.Name), view.Definition.Features[index].GetValueType(source), view, index, null));
        }

        var keys = views.Select(v => definitions.FindEntity(v.Definition.Entity)!.JoinKey).Distinct(StringComparer.Ordinal).ToArray();
        return new FeatureRequirements(resolved, views, keys, requests);
    }
}
