namespace Brisa.Core.Generation;

/// <summary>The fixed vocabularies and shapes of the generative model (see README.md in this folder).</summary>
internal static class FraudModel
{
    public const int Pos = 0;
    public const int Online = 1;
    public const int Atm = 2;

    /// <summary>Countries: code, currency, UTC offset (hours), and weights as home, fraud origin and travel destination.</summary>
    public static readonly CountryInfo[] Countries =
    [
        new("ES", "EUR", 1, 0.22, 0.03, 0.12),
        new("FR", "EUR", 1, 0.15, 0.04, 0.14),
        new("DE", "EUR", 1, 0.15, 0.03, 0.10),
        new("GB", "GBP", 0, 0.12, 0.05, 0.12),
        new("IT", "EUR", 1, 0.10, 0.03, 0.12),
        new("PT", "EUR", 0, 0.06, 0.02, 0.10),
        new("NL", "EUR", 1, 0.06, 0.04, 0.08),
        new("US", "USD", -5, 0.08, 0.12, 0.12),
        new("BR", "USD", -3, 0.03, 0.15, 0.04),
        new("NG", "USD", 1, 0.01, 0.20, 0.01),
        new("RU", "USD", 3, 0.01, 0.15, 0.01),
        new("CN", "USD", 8, 0.01, 0.14, 0.04),
    ];

    /// <summary>Everyday merchant categories: name, amount factor, share of merchants.</summary>
    public static readonly CategoryInfo[] CommonCategories =
    [
        new("grocery", 0.5, 0.25),
        new("restaurant", 0.7, 0.20),
        new("fuel", 0.9, 0.10),
        new("pharmacy", 0.6, 0.07),
        new("fashion", 1.4, 0.12),
        new("electronics", 2.0, 0.08),
        new("travel", 2.5, 0.06),
        new("digital_goods", 0.5, 0.08),
        new("home", 1.6, 0.04),
    ];

    /// <summary>Risky categories, where fraud cashes out.</summary>
    public static readonly CategoryInfo[] RiskyCategories =
    [
        new("gambling", 1.2, 0.25),
        new("jewelry", 2.5, 0.25),
        new("crypto_exchange", 2.0, 0.25),
        new("gift_cards", 1.0, 0.25),
    ];

    /// <summary>Relative activity by local hour of day (normalized to mean 1 at start-up).</summary>
    public static readonly double[] HourProfile = Normalize(
    [
        0.15, 0.08, 0.05, 0.04, 0.05, 0.10, 0.30, 0.60, 0.90, 1.10, 1.30, 1.50,
        1.80, 1.70, 1.30, 1.20, 1.30, 1.60, 1.90, 1.90, 1.60, 1.10, 0.60, 0.30,
    ]);

    /// <summary>Relative activity by local day of week (Sunday first).</summary>
    public static readonly double[] DayProfile = [0.90, 1.00, 1.00, 1.00, 1.00, 1.10, 1.20];

    /// <summary>Preferred channel of a customer: pos, online, atm.</summary>
    public static readonly double[] PreferredChannelWeights = [0.60, 0.32, 0.08];

    /// <summary>Channel of a transaction that does not use the preferred one.</summary>
    public static readonly double[] BaseChannelWeights = [0.55, 0.35, 0.10];

    /// <summary>Channel while travelling.</summary>
    public static readonly double[] TravelChannelWeights = [0.70, 0.10, 0.20];

    public static readonly double MaxActivity = HourProfile.Max() * DayProfile.Max();

    private static double[] Normalize(double[] values)
    {
        var mean = values.Average();
        return [.. values.Select(v => v / mean)];
    }

    internal readonly record struct CountryInfo(
        string Code, string Currency, int UtcOffsetHours, double HomeWeight, double FraudWeight, double TravelWeight);

    internal readonly record struct CategoryInfo(string Name, double AmountFactor, double Weight);
}
