using Brisa.Core.Aggregation;
using Brisa.Core.Definitions;
using Brisa.Core.Expressions;
using Brisa.Core.Features;
using Brisa.Core.Ingestion;
using FeaturePlan = Brisa.Core.Features.FeaturePlan;

namespace Brisa.Core.Training;

/// <summary>Supplies a view's values for an entity key as of a time; returns the newest event's ticks, or null when the entity has no state.</summary>
/// <param name="view">Index of the view in <see cref="FeatureRequirements.Views"/>.</param>
/// <param name="key">The entity key.</param>
/// <param name="atTicks">The row's time.</param>
/// <param name="destination">Receives one value per view feature.</param>
/// <returns>The newest event's Unix ticks, or null.</returns>
public delegate long? ViewValueReader(int view, string key, long atTicks, Span<FieldValue> destination);

/// <summary>A view's values for the row at a position of the time order (see <see cref="ViewValueReader"/>).</summary>
internal delegate long? PositionValueReader(int position, int view, string key, long atTicks, Span<FieldValue> destination);

/// <summary>
/// Builds point-in-time correct training sets with the one aggregation engine: per view, each entity's events
/// (in (time, event id) order) are applied to its tiles up to a row's time before the row is evaluated, so no row
/// sees an event after its time (<see cref="PointInTimeSweep"/> semantics, swept entity by entity, entities in
/// parallel). Cost O((events + rows) · views), no join per row.
/// </summary>
public sealed class TrainingSetBuilder
{
    private readonly FeaturePlan plan;

    // Per requested feature, the index of its view in Requirements.Views (−1: on-demand).
    private readonly int[] featureViews;

    // Caches for serving, which assembles one small set per request with a cached builder. Both are immutable once
    // made; concurrent requests may each make one, and any of them is right.
    private Dictionary<(string View, string Feature), (int View, int Feature, FieldType Type)>? featureIndex;
    private ObservationLayout? lastLayout;

    /// <summary>Prepares a builder for a list of features.</summary>
    /// <param name="plan">The compiled definitions (compiled with or without event-id tracking: the result is the same).</param>
    /// <param name="features">View features (<c>view:feature</c>) and on-demand features, in column order.</param>
    /// <param name="requestFields">Extra request fields to carry into the set (e.g. the model's request fields).</param>
    /// <param name="observationSource">The source observations come from, to type request fields.</param>
    /// <param name="options">Options; defaults when null.</param>
    public TrainingSetBuilder(
        FeaturePlan plan,
        IReadOnlyList<FeatureReference> features,
        IReadOnlyList<string>? requestFields = null,
        SourceDefinition? observationSource = null,
        TrainingSetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        this.plan = plan;
        Requirements = FeatureRequirements.Resolve(plan, features, requestFields, observationSource);
        Options = options ?? new TrainingSetOptions();
        featureViews = ViewIndexOfFeatures();
    }

    /// <summary>What the features need (views, entity keys, request fields, sources).</summary>
    public FeatureRequirements Requirements { get; }

    /// <summary>The options.</summary>
    public TrainingSetOptions Options { get; }

    /// <summary>A builder for a model's features and request fields.</summary>
    /// <param name="plan">The compiled definitions.</param>
    /// <param name="model">The model.</param>
    /// <param name="options">Options; defaults when null.</param>
    /// <returns>The builder.</returns>
    public static TrainingSetBuilder ForModel(FeaturePlan plan, ModelDefinition model, TrainingSetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(model);
        return new TrainingSetBuilder(plan, model.Features, model.RequestFields, plan.Definitions.FindSource(model.ObservationSource), options);
    }

    /// <summary>Builds the training set.</summary>
    /// <param name="observations">The rows; they must carry every join key in <see cref="FeatureRequirements.EntityKeyFields"/> (a missing one means NOT_FOUND).</param>
    /// <param name="events">Events of every source in <see cref="FeatureRequirements.Sources"/> (any order, may repeat: deduplicated by (event id, event time) per source; other sources are ignored).</param>
    /// <returns>The set, rows sorted by time.</returns>
    public TrainingSet Build(ObservationSet observations, IEnumerable<SourceEventBatch> events)
    {
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(events);
        var batches = events.ToList();
        var views = Requirements.Views;
        var order = RowOrder(observations);
        var n = order.Length;
        var rowTicks = new long[n];
        for (var r = 0; r < n; r++)
        {
            rowTicks[r] = observations.TicksOf(order[r]);
        }

        var bySource = new Dictionary<string, SortedSourceEvents>(StringComparer.Ordinal);
        var results = new EntitySweep.Result[views.Count];
        for (var v = 0; v < views.Count; v++)
        {
            var view = views[v];
            if (!bySource.TryGetValue(view.Definition.Source, out var sorted))
            {
                bySource[view.Definition.Source] = sorted = SortedSourceEvents.Create(view.Definition.Source, batches);
            }

            var keyColumn = IndexOf(observations.EntityKeyFields, plan.Definitions.FindEntity(view.Definition.Entity)!.JoinKey);
            var rowKeys = new string?[n];
            for (var r = 0; r < n && keyColumn >= 0; r++)
            {
                rowKeys[r] = observations.KeyOf(order[r], keyColumn);
            }

            results[v] = EntitySweep.Run(view, sorted, rowKeys, rowTicks, Options.PointInTime == PointInTimeMode.BeforeObservation);
        }

        return Assemble(observations, order, (int position, int v, string key, long t, Span<FieldValue> values) => results[v].Read(position, values));
    }

    /// <summary>
    /// Assembles rows from view values supplied by <paramref name="read"/> (the online store when serving), then applies
    /// the same TTL rule, the same on-demand expressions and the same column layout as <see cref="Build"/>, so a served
    /// row is built exactly as a training row. Unlike <see cref="Build"/>, rows keep the observations' order: serving
    /// answers instances in request order, and sorting them by (time, id) would put each score at another position.
    /// </summary>
    /// <param name="observations">The rows.</param>
    /// <param name="read">Writes a view's values for an entity key as of a time and returns the newest event's ticks, or null when the entity has no state.</param>
    /// <returns>The set, rows in the observations' order.</returns>
    public TrainingSet Assemble(ObservationSet observations, ViewValueReader read)
    {
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(read);
        var order = new int[observations.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        return Assemble(observations, order, (int position, int v, string key, long t, Span<FieldValue> values) => read(v, key, t, values));
    }

    /// <summary>The rows' order: by time, ties by id.</summary>
    private static int[] RowOrder(ObservationSet observations)
    {
        var n = observations.Count;
        var order = new int[n];
        var orderTicks = new long[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
            orderTicks[i] = observations.TicksOf(i);
        }

        // Equal times by id, not input order: the same observations read from differently batched raw files come in
        // another order, and row order changes what a seeded trainer learns (the model bytes and its version hash).
        SortedSourceEvents.Sort(orderTicks, order, Comparer<int>.Create((x, y) => string.CompareOrdinal(observations.IdOf(x), observations.IdOf(y))));
        return order;
    }

    private TrainingSet Assemble(ObservationSet observations, int[] order, PositionValueReader read)
    {
        var views = Requirements.Views;
        var (viewKeyColumn, requestColumn, observationKeyIndex) = LayoutOf(observations);

        var n = order.Length;
        var features = Requirements.Features;
        // A join key that is also a request field (a zone keying its view and read as an input) is one column: the
        // request field's, typed as the source declares it. Two columns of one name make files Spark refuses.
        var keyColumns = new TrainingColumn?[Requirements.EntityKeyFields.Count];
        var requestColumns = new TrainingColumn[Requirements.RequestFields.Count];
        var featureColumns = new TrainingColumn[features.Count];
        var labelColumn = observations.LabelType is { } labelType ? new TrainingColumn("label", TrainingColumnRole.Label, labelType, null, n) : null;
        var columns = new List<TrainingColumn>(keyColumns.Length + requestColumns.Length + featureColumns.Length + 1);
        for (var k = 0; k < keyColumns.Length; k++)
        {
            var name = Requirements.EntityKeyFields[k];
            if (!Requirements.RequestFields.Any(f => f.Name == name))
            {
                columns.Add(keyColumns[k] = new TrainingColumn(name, TrainingColumnRole.EntityKey, FieldType.String, null, n));
            }
        }

        for (var q = 0; q < requestColumns.Length; q++)
        {
            var field = Requirements.RequestFields[q];
            columns.Add(requestColumns[q] = new TrainingColumn(field.Name, TrainingColumnRole.RequestField, field.Type, null, n));
        }

        for (var f = 0; f < featureColumns.Length; f++)
        {
            var feature = features[f];
            columns.Add(featureColumns[f] = new TrainingColumn(feature.ColumnName, TrainingColumnRole.Feature, feature.Type, feature.Reference, n));
        }

        if (labelColumn is not null)
        {
            columns.Add(labelColumn);
        }

        var scratch = new FieldValue[views.Count][];
        for (var v = 0; v < scratch.Length; v++)
        {
            scratch[v] = new FieldValue[views[v].View.FeatureCount];
        }

        var context = new RowContext(featureIndex ??= RowContext.IndexFeatures(plan.Definitions, views), scratch);
        var present = new long[views.Count];
        var notFound = new long[views.Count];
        var expired = new long[views.Count];
        var rowIds = new string[n];
        var rowTicks = new long[n];

        for (var r = 0; r < n; r++)
        {
            var row = order[r];
            var t = observations.TicksOf(row);
            rowIds[r] = observations.IdOf(row);
            rowTicks[r] = t;
            for (var v = 0; v < views.Count; v++)
            {
                var values = scratch[v];
                var key = viewKeyColumn[v] < 0 ? null : observations.KeyOf(row, viewKeyColumn[v]);
                long? newest = null;
                if (key is null)
                {
                    views[v].View.WriteEmpty(values);
                }
                else
                {
                    newest = read(r, v, key, t, values);
                }

                var status = FeatureFreshness.Classify(newest is not null, newest, false, views[v].Definition.Ttl, t);
                switch (status)
                {
                    case FeatureStatus.NotFound:
                        notFound[v]++;
                        break;
                    case FeatureStatus.OutsideMaxAge:
                        expired[v]++;
                        break;
                    default:
                        present[v]++;
                        break;
                }

                if (Options.ApplyTtl && status.IsMissing())
                {
                    values.AsSpan().Clear();
                }
            }

            for (var k = 0; k < keyColumns.Length; k++)
            {
                if (keyColumns[k] is { } keyColumn)
                {
                    keyColumn.Data[r] = FieldValue.FromText(observationKeyIndex[k] < 0 ? null : observations.KeyOf(row, observationKeyIndex[k]));
                }
            }

            for (var q = 0; q < requestColumns.Length; q++)
            {
                requestColumns[q].Data[r] = requestColumn[q] < 0 ? FieldValue.Null : observations.RequestValueOf(row, requestColumn[q]);
            }

            context.Row = row;
            context.Observations = observations;
            context.RequestColumn = requestColumn;
            context.RequestFields = Requirements.RequestFields;
            for (var f = 0; f < featureColumns.Length; f++)
            {
                var feature = features[f];
                featureColumns[f].Data[r] = featureViews[f] >= 0
                    ? scratch[featureViews[f]][feature.FeatureIndex]
                    : ToFieldValue(feature.OnDemand!.Compiled!.Evaluate(context));
            }

            if (labelColumn is not null)
            {
                labelColumn.Data[r] = observations.LabelOf(row);
            }
        }

        var counts = new Dictionary<string, ViewLookupCounts>(views.Count, StringComparer.Ordinal);
        for (var v = 0; v < views.Count; v++)
        {
            counts[views[v].Name] = new ViewLookupCounts(present[v], notFound[v], expired[v]);
        }

        return new TrainingSet(rowIds, rowTicks, columns, counts, Options);
    }

    private int[] ViewIndexOfFeatures()
    {
        var features = Requirements.Features;
        var index = new int[features.Count];
        for (var f = 0; f < index.Length; f++)
        {
            index[f] = features[f].View is { } view ? IndexOf(Requirements.Views, view) : -1;
        }

        return index;
    }

    /// <summary>Converts an expression result to a column value (bool as 1/0).</summary>
    /// <param name="value">The expression value.</param>
    /// <returns>The column value.</returns>
    internal static FieldValue ToFieldValue(ExpressionValue value) => value.Type switch
    {
        ExpressionType.Number => FieldValue.FromNumber(value.AsDouble()),
        ExpressionType.Boolean => FieldValue.FromNumber(value.AsBoolean() == true ? 1.0 : 0.0),
        ExpressionType.Text => FieldValue.FromText(value.AsString()),
        _ => FieldValue.Null,
    };

    /// <summary>Converts a column value of a given field type to an expression value.</summary>
    /// <param name="value">The value.</param>
    /// <param name="type">Its field type.</param>
    /// <returns>The expression value (timestamps are null: expressions cannot read them).</returns>
    internal static ExpressionValue ToExpressionValue(FieldValue value, FieldType type)
    {
        if (value.IsNull)
        {
            return ExpressionValue.Null;
        }

        return type switch
        {
            FieldType.String => ExpressionValue.FromString(value.AsText()),
            FieldType.Double or FieldType.Long => ExpressionValue.FromDouble(value.AsNumber()),
            FieldType.Bool => value.AsNumber() is { } b ? ExpressionValue.FromBoolean(b != 0) : ExpressionValue.Null,
            _ => ExpressionValue.Null,
        };
    }

    private static int IndexOf<T>(IReadOnlyList<T> list, T item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (EqualityComparer<T>.Default.Equals(list[i], item))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Where the observations' columns feed the set: per view, its entity's key column; per request field, its
    /// column; per entity key of the set, its column (−1 when absent). Serving assembles a set per request from
    /// observations shaped by the same requirements, so the last layout is kept and reused while the shape holds.
    /// </summary>
    private (int[] ViewKeyColumn, int[] RequestColumn, int[] ObservationKeyIndex) LayoutOf(ObservationSet observations)
    {
        if (lastLayout is { } cached && ReferenceEquals(cached.Keys, observations.EntityKeyFields) && ReferenceEquals(cached.Fields, observations.RequestFields))
        {
            return cached.Layout;
        }

        var views = Requirements.Views;
        var viewKeyColumn = new int[views.Count];
        for (var v = 0; v < views.Count; v++)
        {
            viewKeyColumn[v] = IndexOf(observations.EntityKeyFields, plan.Definitions.FindEntity(views[v].Definition.Entity)!.JoinKey);
        }

        var requestNames = observations.RequestFields.Select(f => f.Name).ToList();
        var requestColumn = Requirements.RequestFields.Select(f => requestNames.IndexOf(f.Name)).ToArray();
        var observationKeyIndex = Requirements.EntityKeyFields.Select(k => IndexOf(observations.EntityKeyFields, k)).ToArray();
        var layout = (viewKeyColumn, requestColumn, observationKeyIndex);
        lastLayout = new ObservationLayout(observations.EntityKeyFields, observations.RequestFields, layout);
        return layout;
    }

    private sealed record ObservationLayout(IReadOnlyList<string> Keys, IReadOnlyList<FieldDefinition> Fields, (int[] ViewKeyColumn, int[] RequestColumn, int[] ObservationKeyIndex) Layout);

    /// <summary>The inputs of on-demand expressions for the row being built.</summary>
    private sealed class RowContext(IReadOnlyDictionary<(string View, string Feature), (int View, int Feature, FieldType Type)> featureIndex, FieldValue[][] scratch)
        : IExpressionContext
    {
        /// <summary>Where each (view, feature) sits in the scratch rows, and its type: the same for every row and every set.</summary>
        public static Dictionary<(string View, string Feature), (int View, int Feature, FieldType Type)> IndexFeatures(FeatureRepositoryDefinition definitions, IReadOnlyList<ViewPlan> views)
        {
            var index = new Dictionary<(string View, string Feature), (int View, int Feature, FieldType Type)>();
            for (var v = 0; v < views.Count; v++)
            {
                var source = definitions.FindSource(views[v].Definition.Source)!;
                for (var f = 0; f < views[v].Definition.Features.Count; f++)
                {
                    var feature = views[v].Definition.Features[f];
                    index[(views[v].Name, feature.Name)] = (v, f, feature.GetValueType(source));
                }
            }

            return index;
        }

        public int Row { get; set; }

        public ObservationSet? Observations { get; set; }

        public int[] RequestColumn { get; set; } = [];

        public IReadOnlyList<FieldDefinition> RequestFields { get; set; } = [];

        public ExpressionValue GetRequestField(string name)
        {
            for (var i = 0; i < RequestFields.Count; i++)
            {
                if (RequestFields[i].Name == name)
                {
                    return RequestColumn[i] < 0 || Observations is null
                        ? ExpressionValue.Null
                        : ToExpressionValue(Observations.RequestValueOf(Row, RequestColumn[i]), RequestFields[i].Type);
                }
            }

            return ExpressionValue.Null;
        }

        public ExpressionValue GetFeature(string view, string feature) =>
            featureIndex.TryGetValue((view, feature), out var at) ? ToExpressionValue(scratch[at.View][at.Feature], at.Type) : ExpressionValue.Null;
    }
}
