namespace Brisa.Core.Generation;

/// <summary>CloudEvents attributes and vocabularies of the synthetic fraud stream.</summary>
public static class FraudEventTypes
{
    /// <summary>CloudEvents <c>type</c> of a card transaction.</summary>
    public const string Transaction = "com.brisa.fraud.transaction";

    /// <summary>CloudEvents <c>type</c> of a chargeback (the delayed fraud label).</summary>
    public const string Chargeback = "com.brisa.fraud.chargeback";

    /// <summary>CloudEvents <c>source</c> of every generated event.</summary>
    public const string Source = "/brisa/generator";

    /// <summary>CloudEvents <c>specversion</c> written on every event.</summary>
    public const string SpecVersion = "1.0";

    /// <summary>CloudEvents <c>datacontenttype</c> written on every event.</summary>
    public const string DataContentType = "application/json";

    /// <summary>The values of a transaction's <c>channel</c>.</summary>
    public static IReadOnlyList<string> Channels { get; } = ["pos", "online", "atm"];

    /// <summary>The values of a transaction's <c>currency</c>.</summary>
    public static IReadOnlyList<string> Currencies { get; } = ["EUR", "USD", "GBP"];

    /// <summary>The values of a transaction's <c>country</c> (ISO 3166-1 alpha-2).</summary>
    public static IReadOnlyList<string> Countries { get; } = [.. FraudModel.Countries.Select(c => c.Code)];
}
