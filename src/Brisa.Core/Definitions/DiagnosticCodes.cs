using System.Collections.Frozen;

namespace Brisa.Core.Definitions;

/// <summary>The stable diagnostic codes of definition files (documented in docs/definitions.md).</summary>
public static class DiagnosticCodes
{
    // Policy rules keep new definitions sensible; definitions that break one still ingest, aggregate, serve and train
    // correctly, or fail training of one model with its own message. Every other rule guards what later code relies on:
    // broken, it would throw there or compute wrong values.
    private static readonly FrozenSet<string> PolicyCodes = FrozenSet.ToFrozenSet(
    [
        InvalidValue, // from the validator only for trainer parameters: the trainer uses its default
        NameClash, // training refuses a model's two inputs of one name; a feature named like its own request field still computes
        ReservedName, // hides the view's catalog entry, or makes offline or raw files ambiguous to their readers (a source field named event_id or event_time also misleads materialization, as it did before the rule)
        InvalidRange, // ingestion applies the range as written, dead-lettering with the reason
        AllowedOnNonString, // ingestion ignores it
        RangeOnNonNumeric, // ingestion ignores it
        CountWithField, // count ignores the field
        StreamingWithoutOnline, // tiles are written; online reads refuse the view
        InvalidThreshold, // promotion guardrails and drift levels apply as written
        UnknownTrainerParameter, // the trainer ignores it
        TrainerParameterOutOfRange, // training stops at it with the trainer's message, or fits a weak model the promotion policy judges
        LabelKeyType, // labels match by the key's text as before: exactly for integral values and keys spelled alike in both sources
        TimestampModelFeature, // the time trains and serves as the same number; only the model's quality suffers
    ]);

    /// <summary>
    /// True for a policy rule: definitions a previous release applied that break it (a rule added or tightened since)
    /// still load from the registry, with a warning, while validate, plan and apply refuse a file that breaks it.
    /// </summary>
    /// <param name="code">A diagnostic code.</param>
    /// <returns>True for a policy rule; false for a rule every loaded definition must keep.</returns>
    public static bool IsPolicy(string code) => PolicyCodes.Contains(code);

    /// <summary>BR0001: The file is not valid YAML.</summary>
    public const string Syntax = "BR0001";

    /// <summary>BR0002: A node has the wrong kind (a mapping, a list or a single value was expected).</summary>
    public const string NodeKind = "BR0002";

    /// <summary>BR0003: A key is not part of the schema (typo suggestions in the hint).</summary>
    public const string UnknownKey = "BR0003";

    /// <summary>BR0004: A required key is missing.</summary>
    public const string MissingKey = "BR0004";

    /// <summary>BR0005: A value has the wrong scalar type (a number, an integer or true/false was expected).</summary>
    public const string InvalidValue = "BR0005";

    /// <summary>BR0006: A name is not a lowercase snake_case identifier ([a-z][a-z0-9_]*).</summary>
    public const string InvalidName = "BR0006";

    /// <summary>BR0007: A duration is not a positive integer followed by s, m, h or d, or is longer than 3650d.</summary>
    public const string InvalidDuration = "BR0007";

    /// <summary>BR0008: A key appears twice in one mapping.</summary>
    public const string DuplicateKey = "BR0008";

    /// <summary>BR0009: The file is empty or holds more than one YAML document.</summary>
    public const string EmptyDocument = "BR0009";

    /// <summary>BR0101: A name is defined twice (entities, sources, views, features, fields, models, list entries).</summary>
    public const string DuplicateName = "BR0101";

    /// <summary>BR0102: A view names an entity that is not defined.</summary>
    public const string UnknownEntity = "BR0102";

    /// <summary>BR0103: A view or model names a source that is not defined.</summary>
    public const string UnknownSource = "BR0103";

    /// <summary>BR0104: A field reference does not name a field of the source.</summary>
    public const string UnknownField = "BR0104";

    /// <summary>BR0105: An on-demand feature has the same name as one of its request fields, or as a request field of a model that uses it.</summary>
    public const string NameClash = "BR0105";

    /// <summary>
    /// BR0106: A feature view is named <c>ui</c>, the catalog page's route (<c>GET /api/catalog/ui</c>), or a view feature is
    /// named like a column of the view's offline files (<c>feature_time</c>, <c>event_time</c>, the entity's join key) or
    /// their date partition (<c>date</c>).
    /// </summary>
    public const string ReservedName = "BR0106";

    /// <summary>BR0201: A field type is not string, double, long, bool or timestamp.</summary>
    public const string UnknownFieldType = "BR0201";

    /// <summary>BR0202: A source's timestamp_field is not of type timestamp.</summary>
    public const string TimestampFieldType = "BR0202";

    /// <summary>BR0203: A field accepts no value: its min is greater than its max, or its allowed list is empty.</summary>
    public const string InvalidRange = "BR0203";

    /// <summary>BR0204: allowed is given on a field that is not a string.</summary>
    public const string AllowedOnNonString = "BR0204";

    /// <summary>BR0205: min or max is given on a field that is not numeric.</summary>
    public const string RangeOnNonNumeric = "BR0205";

    /// <summary>BR0206: An id field or a join key is not of type string or long.</summary>
    public const string KeyFieldType = "BR0206";

    /// <summary>BR0207: Two sources receive the same CloudEvents type.</summary>
    public const string DuplicateEventType = "BR0207";

    /// <summary>BR0301: An aggregation is not one of count, sum, mean, min, max, stddev, last, distinct_count.</summary>
    public const string UnknownAggregation = "BR0301";

    /// <summary>BR0302: An aggregation other than count has no field.</summary>
    public const string AggregationNeedsField = "BR0302";

    /// <summary>BR0303: sum, mean, min, max or stddev is applied to a non-numeric field.</summary>
    public const string AggregationNeedsNumericField = "BR0303";

    /// <summary>BR0304: count names a field (count counts events; it takes no field).</summary>
    public const string CountWithField = "BR0304";

    /// <summary>BR0305: A window is not a multiple of its view's tile.</summary>
    public const string WindowNotMultipleOfTile = "BR0305";

    /// <summary>BR0306: distinct_count is applied to a double or timestamp field.</summary>
    public const string DistinctCountFieldType = "BR0306";

    /// <summary>BR0307: A view is streaming but not online.</summary>
    public const string StreamingWithoutOnline = "BR0307";

    /// <summary>BR0308: Warning: a view's ttl is shorter than its tile.</summary>
    public const string TtlShorterThanTile = "BR0308";

    /// <summary>BR0309: A view has no features.</summary>
    public const string EmptyView = "BR0309";

    /// <summary>BR0401: An on-demand expression does not parse.</summary>
    public const string ExpressionSyntax = "BR0401";

    /// <summary>BR0402: An expression names an identifier that is not a request field.</summary>
    public const string UnknownIdentifier = "BR0402";

    /// <summary>BR0403: An expression refers to an unknown view.feature.</summary>
    public const string UnknownViewFeature = "BR0403";

    /// <summary>BR0404: Operand or argument types do not fit an operator or function.</summary>
    public const string TypeMismatch = "BR0404";

    /// <summary>BR0405: An on-demand feature's declared type differs from its expression's type.</summary>
    public const string DeclaredTypeMismatch = "BR0405";

    /// <summary>BR0406: An expression calls an unknown function or passes the wrong number of arguments.</summary>
    public const string UnknownFunction = "BR0406";

    /// <summary>BR0407: An on-demand feature's type is timestamp (expressions cannot produce timestamps).</summary>
    public const string OnDemandType = "BR0407";

    /// <summary>BR0501: A model lists a feature that does not exist or is not a valid reference.</summary>
    public const string UnknownFeatureReference = "BR0501";

    /// <summary>BR0502: A model's label source is not declared under label_sources.</summary>
    public const string NotALabelSource = "BR0502";

    /// <summary>BR0503: A model's observation_source is a label source.</summary>
    public const string NotAnObservationSource = "BR0503";

    /// <summary>BR0504: A trainer is not lightgbm, fasttree or linear.</summary>
    public const string UnknownTrainer = "BR0504";

    /// <summary>BR0505: A task is not binary_classification or regression.</summary>
    public const string UnknownTask = "BR0505";

    /// <summary>BR0506: A schedule is not a 6-field NCRONTAB expression.</summary>
    public const string InvalidSchedule = "BR0506";

    /// <summary>BR0507: A promotion metric is unknown or does not fit the model's task.</summary>
    public const string InvalidMetric = "BR0507";

    /// <summary>BR0508: A cost is neither a number nor a numeric field of the observation source.</summary>
    public const string InvalidCost = "BR0508";

    /// <summary>BR0509: A label key is not a field of both the label source and the observation source.</summary>
    public const string InvalidLabelKey = "BR0509";

    /// <summary>BR0510: A model uses a view whose entity join key is not a field of the observation source.</summary>
    public const string JoinKeyNotInObservation = "BR0510";

    /// <summary>BR0511: A request field used by a model is not a field (of that type) of the observation source.</summary>
    public const string RequestFieldNotInObservation = "BR0511";

    /// <summary>BR0512: A policy number is out of range (negative margin, fraction outside [0, 1], psi_warn above psi_alert, a live verdict setting out of range).</summary>
    public const string InvalidThreshold = "BR0512";

    /// <summary>BR0513: A trainer parameter is not known for that trainer.</summary>
    public const string UnknownTrainerParameter = "BR0513";

    /// <summary>BR0514: The promotion metric expected_cost needs a cost matrix, or a regression model has one.</summary>
    public const string MissingCost = "BR0514";

    /// <summary>BR0515: A regression model's label has no numeric value field, or a classification label has one.</summary>
    public const string InvalidLabelValue = "BR0515";

    /// <summary>BR0516: A model has no features and no request fields.</summary>
    public const string NoModelInputs = "BR0516";

    /// <summary>BR0517: A model uses a feature of a view that is not online (directly or through an on-demand feature).</summary>
    public const string OfflineViewInModel = "BR0517";

    /// <summary>BR0518: A model request field is a timestamp (an absolute time is no model input, and predict cannot take one).</summary>
    public const string TimestampRequestField = "BR0518";

    /// <summary>BR0519: A model's false_negative cost field is not one of its request fields (predictions would not carry it).</summary>
    public const string CostFieldNotRequestField = "BR0519";

    /// <summary>BR0520: A cost's currency_field or exchange_rates lacks what it needs (currency, a field-valued false_negative, currency_field).</summary>
    public const string IncompleteCurrencyConversion = "BR0520";

    /// <summary>BR0521: A cost's currency_field is not a string field of the observation source.</summary>
    public const string InvalidCurrencyField = "BR0521";

    /// <summary>BR0522: A cost's currency_field is not one of the model's request fields (predictions would not carry it).</summary>
    public const string CurrencyFieldNotRequestField = "BR0522";

    /// <summary>BR0523: An exchange rate is not a finite number greater than 0, or the reporting currency's own rate is not 1.</summary>
    public const string InvalidExchangeRate = "BR0523";

    /// <summary>BR0524: A value the currency field allows (other than the reporting currency) has no exchange rate.</summary>
    public const string MissingExchangeRate = "BR0524";

    /// <summary>BR0525: A trainer parameter is out of the range the trainer accepts (it would fail at training, or fit a constant model).</summary>
    public const string TrainerParameterOutOfRange = "BR0525";

    /// <summary>BR0526: A label key is not a string or long field in both sources, or has a different type in each.</summary>
    public const string LabelKeyType = "BR0526";

    /// <summary>BR0527: A model feature is a timestamp (the last value of a timestamp field): an absolute time is no model input.</summary>
    public const string TimestampModelFeature = "BR0527";
}
