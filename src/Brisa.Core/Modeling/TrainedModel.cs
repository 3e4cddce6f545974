using Brisa.Core.Definitions;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Brisa.Core.Modeling;

/// <summary>A model input as the saved model expects it.</summary>
/// <param name="Name">The feature name (a <see cref="TrainingTable"/> column name).</param>
/// <param name="Kind">Numeric or categorical.</param>
/// <param name="Encoding">How it is fed to the trainer, e.g. <c>native_missing</c>, <c>mean_imputed+indicator</c>, <c>one_hot</c>, <c>hashed_10_bits</c>.</param>
public sealed record ModelInput(string Name, FeatureKind Kind, string Encoding);

/// <summary>A fitted ML.NET pipeline (encoding and trainer) that scores <see cref="TrainingTable"/> rows.</summary>
public sealed class TrainedModel
{
    /// <summary>Tables up to this many rows are scored row by row with a pooled scorer (serving requests).</summary>
    public const int RowByRowLimit = 64;

    private readonly MLContext context;
    private readonly ITransformer transformer;
    private readonly DataViewSchema inputSchema;
    private readonly ScorerPool<RowScorer> scorers;

    internal TrainedModel(MLContext context, ITransformer transformer, DataViewSchema inputSchema, ModelTask task, IReadOnlyList<ModelInput> inputs)
    {
        this.context = context;
        this.transformer = transformer;
        this.inputSchema = inputSchema;
        Task = task;
        Inputs = inputs;
        scorers = new ScorerPool<RowScorer>(() => new RowScorer(transformer, inputSchema, task == ModelTask.BinaryClassification ? "Probability" : "Score"));
    }

    /// <summary>Binary classification (scores are probabilities) or regression (scores are predictions).</summary>
    public ModelTask Task { get; }

    /// <summary>The inputs, in model input order.</summary>
    public IReadOnlyList<ModelInput> Inputs { get; }

    /// <summary>Loads a model saved by <see cref="Save"/>: the inputs are read back from the zip's input schema.</summary>
    /// <param name="stream">The zip.</param>
    /// <returns>The model (encodings are reported as <c>saved</c>).</returns>
    public static TrainedModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var context = new MLContext(seed: 0);
        var transformer = context.Model.Load(stream, out var schema);
        var inputs = schema
            .Where(c => c.Name != TableDataView.LabelColumn)
            .Select(c => new ModelInput(c.Name, c.Type is TextDataViewType ? FeatureKind.Categorical : FeatureKind.Numeric, "saved"))
            .ToList();
        var output = transformer.GetOutputSchema(schema);
        var task = output.GetColumnOrNull("Probability") is null ? ModelTask.Regression : ModelTask.BinaryClassification;
        return new TrainedModel(context, transformer, schema, task, inputs);
    }

    /// <summary>Saves the pipeline and its input schema as an ML.NET zip.</summary>
    /// <param name="stream">The destination.</param>
    public void Save(Stream stream) => context.Model.Save(transformer, inputSchema, stream);

    /// <summary>The ML.NET zip as bytes.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        Save(buffer);
        return buffer.ToArray();
    }

    /// <summary>Scores every row: the probability of the positive class (binary) or the prediction (regression).</summary>
    /// <param name="table">Rows with (at least) the model's inputs, by name; labels are ignored.</param>
    /// <returns>One score per row, in table order.</returns>
    public float[] Score(TrainingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.RowCount <= RowByRowLimit)
        {
            return ScoreRowByRow(table);
        }

        var view = new TableDataView(table, [.. Inputs.Select(i => (i.Name, i.Kind))], binaryLabel: null);
        var scored = transformer.Transform(view);
        var column = scored.Schema[Task == ModelTask.BinaryClassification ? "Probability" : "Score"];
        var scores = new float[table.RowCount];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<float>(column);
        var i = 0;
        float value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            scores[i++] = value;
        }

        return scores;
    }

    /// <summary>
    /// Builds a pooled row scorer and scores one row of missing values with it, so the first request served by a
    /// freshly loaded model does not pay for building the scorer (ML.NET's row mapper over the whole pipeline).
    /// </summary>
    /// <returns>The score of the all-missing row (what the model says when it knows nothing).</returns>
    public float WarmUp()
    {
        FeatureColumn[] columns = [.. Inputs.Select(i => i.Kind == FeatureKind.Numeric
            ? (FeatureColumn)FeatureColumn.Numeric(i.Name, [float.NaN])
            : FeatureColumn.Categorical(i.Name, [null]))];
        return ScoreRowByRow(new TrainingTable([DateTimeOffset.UnixEpoch], [0f], columns))[0];
    }

    /// <summary>Scorers built and waiting in the pool (what <see cref="WarmUp"/> leaves behind).</summary>
    internal int PooledScorers => scorers.Count;

    // Serving's request sizes: a pooled row scorer per concurrent caller. Larger tables (evaluation) go through one
    // transform over the whole table, which is cheaper per row there.
    private float[] ScoreRowByRow(TrainingTable table)
    {
        var scorer = scorers.Rent();
        try
        {
            var scores = new float[table.RowCount];
            for (var r = 0; r < scores.Length; r++)
            {
                scores[r] = scorer.Score(table, r);
            }

            return scores;
        }
        finally
        {
            scorers.Return(scorer);
        }
    }
}
