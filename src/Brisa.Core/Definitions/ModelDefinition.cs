using System.Globalization;
using System.Text.Json.Serialization;

namespace Brisa.Core.Definitions;

/// <summary>What a model predicts.</summary>
public enum ModelTask
{
    /// <summary>A probability that the label event arrives (YAML <c>binary_classification</c>).</summary>
    BinaryClassification,

    /// <summary>A number taken from the label event (YAML <c>regression</c>).</summary>
    Regression,
}

/// <summary>The ML.NET trainer.</summary>
public enum TrainerKind
{
    /// <summary>LightGBM gradient boosting (YAML <c>lightgbm</c>), the default.</summary>
    LightGbm,

    /// <summary>FastTree gradient boosting (YAML <c>fasttree</c>).</summary>
    FastTree,

    /// <summary>A linear model: SDCA logistic regression or SDCA regression (YAML <c>linear</c>).</summary>
    Linear,
}

/// <summary>The metric a candidate must improve to become champion.</summary>
public enum PromotionMetric
{
    /// <summary>Expected business cost at the least-cost threshold, lower is better (binary only; needs <c>cost</c>).</summary>
    ExpectedCost,

    /// <summary>Area under the ROC curve, higher is better (binary only).</summary>
    Auc,

    /// <summary>Area under the precision-recall curve, higher is better (binary only).</summary>
    PrAuc,

    /// <summary>Log loss, lower is better (binary only).</summary>
    LogLoss,

    /// <summary>Root mean squared error, lower is better (regression only).</summary>
    Rmse,

    /// <summary>Mean absolute error, lower is better (regression only).</summary>
    Mae,
}

/// <summary>A model trained on point-in-time features of observation events, labelled by label events.</summary>
public sealed record ModelDefinition
{
    /// <summary>Model name (lowercase snake_case).</summary>
    public required string Name { get; init; }

    /// <summary>Free text for the catalog.</summary>
    public string? Description { get; init; }

    /// <summary>The owning team or person.</summary>
    public string? Owner { get; init; }

    /// <summary>What the model predicts.</summary>
    public ModelTask Task { get; init; } = ModelTask.BinaryClassification;

    /// <summary>The (non-label) source whose events are the training rows; features are joined as of each event's time.</summary>
    public required string ObservationSource { get; init; }

    /// <summary>How each observation gets its label.</summary>
    public required LabelDefinition Label { get; init; }

    /// <summary>The view and on-demand features, in model input order.</summary>
    public IReadOnlyList<FeatureReference> Features { get; init; } = [];

    /// <summary>Raw fields of the observation event also used as inputs (also sent in predict requests).</summary>
    public IReadOnlyList<string> RequestFields { get; init; } = [];

    /// <summary>The trainer and its parameters.</summary>
    public TrainerDefinition Trainer { get; init; } = new();

    /// <summary>The time-based split.</summary>
    public SplitDefinition Split { get; init; } = new();

    /// <summary>Retraining schedule, NCRONTAB with seconds (6 fields); null = only on demand or on drift.</summary>
    public string? Schedule { get; init; }

    /// <summary>The promotion policy.</summary>
    public PromotionPolicy Promotion { get; init; } = new();

    /// <summary>The business cost matrix (binary classification); null when not given.</summary>
    public CostMatrix? Cost { get; init; }

    /// <summary>Drift thresholds.</summary>
    public DriftPolicy Drift { get; init; } = new();

    /// <summary>
    /// How predict serves the model beyond scoring the champion (shadow scoring); null when not given (the defaults,
    /// and no <c>serving</c> key in the JSON, so definitions without it keep their version).
    /// </summary>
    public ServingPolicy? Serving { get; init; }
}

/// <summary>How an observation gets its label.</summary>
public sealed record LabelDefinition
{
    /// <summary>The label source.</summary>
    public required string Source { get; init; }

    /// <summary>A field present in both the observation and the label source that matches them (e.g. transaction_id).</summary>
    public required string Key { get; init; }

    /// <summary>
    /// A label event counts only if its time is within this duration after the observation. For binary
    /// classification the label is positive when such an event exists; observations younger than this are
    /// not used for training (their label is not known yet).
    /// </summary>
    public required TimeSpan Within { get; init; }

    /// <summary>The numeric label field (regression only): the label is its value on the matching label event.</summary>
    public string? Value { get; init; }
}

/// <summary>The trainer and its hyperparameters.</summary>
public sealed record TrainerDefinition
{
    /// <summary>The trainer. Default lightgbm.</summary>
    public TrainerKind Name { get; init; } = TrainerKind.LightGbm;

    /// <summary>Hyperparameters by snake_case name, values in invariant text (numbers or true/false), sorted by name.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>A numeric parameter, or a default when absent.</summary>
    /// <param name="name">The parameter name.</param>
    /// <param name="defaultValue">The default.</param>
    /// <returns>The value.</returns>
    public double GetDouble(string name, double defaultValue) =>
        Parameters.TryGetValue(name, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : defaultValue;

    /// <summary>An integer parameter, or a default when absent.</summary>
    /// <param name="name">The parameter name.</param>
    /// <param name="defaultValue">The default.</param>
    /// <returns>The value.</returns>
    public int GetInt32(string name, int defaultValue) =>
        Parameters.TryGetValue(name, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : defaultValue;

    /// <summary>A boolean parameter, or a default when absent.</summary>
    /// <param name="name">The parameter name.</param>
    /// <param name="defaultValue">The default.</param>
    /// <returns>The value.</returns>
    public bool GetBoolean(string name, bool defaultValue) =>
        Parameters.TryGetValue(name, out var text) && bool.TryParse(text, out var value) ? value : defaultValue;
}

/// <summary>The time-based split: the newest <see cref="Validation"/> of labelled data is held out.</summary>
public sealed record SplitDefinition
{
    /// <summary>The newest span of labelled observations used for validation (and for champion comparison). Default 7d.</summary>
    public TimeSpan Validation { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How much labelled history before the validation span (and the gap) to train on; null = all.</summary>
    public TimeSpan? Training { get; init; }

    /// <summary>
    /// Observations left out between the training rows and the validation span; null = none. In production a model
    /// trained now has seen no observation younger than the label window (their labels are not final), so its newest
    /// training row is that old when it scores; a gap of the label window makes validation measure that, instead of
    /// scoring rows right after the ones it learned from.
    /// </summary>
    public TimeSpan? Gap { get; init; }
}

/// <summary>When a new model version becomes champion.</summary>
public sealed record PromotionPolicy
{
    /// <summary>The compared metric. Default expected_cost.</summary>
    public PromotionMetric Metric { get; init; } = PromotionMetric.ExpectedCost;

    /// <summary>Required relative improvement over the champion (0.01 = 1%). Default 0.01.</summary>
    public double Margin { get; init; } = 0.01;

    /// <summary>Guardrail: minimum validation rows. Default 1000.</summary>
    public long MinRows { get; init; } = 1000;

    /// <summary>Guardrail: minimum positive validation rows (binary). Default 20.</summary>
    public long MinPositives { get; init; } = 20;

    /// <summary>Guardrail: largest fraction of missing values of any feature. Default 0.2.</summary>
    public double MaxMissingFraction { get; init; } = 0.2;
}

/// <summary>The business cost of a binary decision, per observation.</summary>
public sealed record CostMatrix
{
    /// <summary>Cost of a missed positive: a constant or a numeric field of the observation (e.g. amount).</summary>
    public required CostAmount FalseNegative { get; init; }

    /// <summary>Cost of a false alarm (e.g. a review fee).</summary>
    public required double FalsePositive { get; init; }

    /// <summary>Cost of a caught positive (e.g. the same review fee). Default 0.</summary>
    public double TruePositive { get; init; }

    /// <summary>The reporting currency: fixed costs are in it, and totals and money saved are reported in it.</summary>
    public string? Currency { get; init; }

    /// <summary>
    /// The observation field (a request field) holding each row's currency of the false-negative amount; null when
    /// every amount is already in <see cref="Currency"/>.
    /// </summary>
    public string? CurrencyField { get; init; }

    /// <summary>
    /// Units of <see cref="Currency"/> per one unit of each other currency, by currency code as the data writes it
    /// (case-sensitive); null when not given.
    /// </summary>
    public IReadOnlyDictionary<string, double>? ExchangeRates { get; init; }

    /// <summary>
    /// A false-negative amount in <see cref="Currency"/>: <paramref name="amount"/> × the rate of
    /// <paramref name="currency"/> (1 when it is <see cref="Currency"/>, or when the matrix has no
    /// <see cref="CurrencyField"/>). Training and live monitoring both convert through here.
    /// </summary>
    /// <param name="amount">The amount in the row's currency.</param>
    /// <param name="currency">The row's currency (the value of <see cref="CurrencyField"/>).</param>
    /// <returns>The converted amount, or NaN when the currency is null or has no rate.</returns>
    public double ToReportingCurrency(double amount, string? currency)
    {
        if (CurrencyField is null || (currency is not null && currency == Currency))
        {
            return amount;
        }

        return currency is not null && ExchangeRates is { } rates && rates.TryGetValue(currency, out var rate) ? amount * rate : double.NaN;
    }
}

/// <summary>A cost: a constant, or the value of a numeric observation field.</summary>
[JsonConverter(typeof(CostAmountJsonConverter))]
public sealed record CostAmount
{
    /// <summary>The constant cost, or null when a field is used.</summary>
    public double? Constant { get; init; }

    /// <summary>The observation field holding the cost, or null when a constant is used.</summary>
    public string? Field { get; init; }

    /// <summary>A constant cost.</summary>
    /// <param name="value">The cost.</param>
    /// <returns>The amount.</returns>
    public static CostAmount Of(double value) => new() { Constant = value };

    /// <summary>A cost read from a field.</summary>
    /// <param name="field">The field name.</param>
    /// <returns>The amount.</returns>
    public static CostAmount FromField(string field) => new() { Field = field };

    /// <inheritdoc />
    public override string ToString() => Field ?? Constant?.ToString("R", CultureInfo.InvariantCulture) ?? "0";
}

/// <summary>Drift thresholds (DESIGN §8).</summary>
public sealed record DriftPolicy
{
    /// <summary>PSI at or above which a feature is flagged as a warning. Default 0.1.</summary>
    public double PsiWarn { get; init; } = 0.1;

    /// <summary>PSI at or above which a feature raises an alert. Default 0.25.</summary>
    public double PsiAlert { get; init; } = 0.25;

    /// <summary>
    /// Enqueue a retraining on a dataset drift alert or a live performance alert (<see cref="Monitoring.LiveVerdict.Alert"/>).
    /// Default false.
    /// </summary>
    public bool RetrainOnAlert { get; init; }

    /// <summary>Predictions with a final label (label window closed) needed before live performance is judged; null = <see cref="DefaultLiveMinLabels"/>.</summary>
    public long? LiveMinLabels { get; init; }

    /// <summary>A classifier's positives, and negatives, among them needed before its live AUC is judged; null = <see cref="DefaultLiveMinPositives"/>.</summary>
    public long? LiveMinPositives { get; init; }

    /// <summary>Drop of live AUC below validation AUC from which a classifier warns (when the drop is also significant); null = <see cref="DefaultLiveAucWarn"/>.</summary>
    public double? LiveAucWarn { get; init; }

    /// <summary>Drop of live AUC below validation AUC from which a classifier alerts (when the drop is also significant); null = <see cref="DefaultLiveAucAlert"/>.</summary>
    public double? LiveAucAlert { get; init; }

    /// <summary>Live MAE ÷ validation MAE from which a regression warns (when the increase is also significant); null = <see cref="DefaultLiveMaeWarn"/>.</summary>
    public double? LiveMaeWarn { get; init; }

    /// <summary>Live MAE ÷ validation MAE from which a regression alerts (when the increase is also significant); null = <see cref="DefaultLiveMaeAlert"/>.</summary>
    public double? LiveMaeAlert { get; init; }

    // The live settings are nullable, unlike the PSI thresholds, so that definitions written before them keep their
    // JSON and thus their version (nulls are not written).

    /// <summary>Default of <see cref="LiveMinLabels"/>.</summary>
    public const long DefaultLiveMinLabels = 200;

    /// <summary>Default of <see cref="LiveMinPositives"/>.</summary>
    public const long DefaultLiveMinPositives = 20;

    /// <summary>Default of <see cref="LiveAucWarn"/>.</summary>
    public const double DefaultLiveAucWarn = 0.02;

    /// <summary>Default of <see cref="LiveAucAlert"/>.</summary>
    public const double DefaultLiveAucAlert = 0.05;

    /// <summary>Default of <see cref="LiveMaeWarn"/>.</summary>
    public const double DefaultLiveMaeWarn = 1.1;

    /// <summary>Default of <see cref="LiveMaeAlert"/>.</summary>
    public const double DefaultLiveMaeAlert = 1.25;
}

/// <summary>How predict serves a model beyond scoring the version asked for.</summary>
public sealed record ServingPolicy
{
    /// <summary>
    /// Also score the challenger on every champion prediction, with the features already read, and log it apart (marked
    /// shadow) so live monitoring can compare both versions on the same traffic. The answer stays the champion's.
    /// Default false.
    /// </summary>
    public bool ShadowChallenger { get; init; }
}
