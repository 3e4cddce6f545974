namespace Brisa.Core.Generation;

/// <summary>Parameters of the synthetic fraud stream. Same options (with an explicit <see cref="Start"/>) give the same bytes.</summary>
public sealed record FraudStreamOptions
{
    /// <summary>Number of card holders (ids <c>c000000</c>…). Default 500.</summary>
    public int Customers { get; init; } = 500;

    /// <summary>Number of merchants (ids <c>m00000</c>…). Default 100.</summary>
    public int Merchants { get; init; } = 100;

    /// <summary>Length of the transaction stream in days. Default 14.</summary>
    public int Days { get; init; } = 14;

    /// <summary>Seed of every random draw. Default 42.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>
    /// First instant of the stream (UTC). Null means now minus <see cref="Days"/>, truncated to the hour;
    /// set it explicitly for reproducible output.
    /// </summary>
    public DateTimeOffset? Start { get; init; }

    /// <summary>Share of transactions that are fraudulent, in [0, 0.5]. Default 0.01.</summary>
    public double FraudRate { get; init; } = 0.01;

    /// <summary>Probability that a fraudulent transaction is charged back (the rest is unreported fraud). Default 0.9.</summary>
    public double FraudChargebackRate { get; init; } = 0.9;

    /// <summary>Probability that a legitimate transaction gets a "friendly fraud" chargeback. Default 0.0005.</summary>
    public double FriendlyFraudRate { get; init; } = 0.0005;

    /// <summary>Mean number of trips abroad per customer per day (legitimate foreign activity). Default 0.01.</summary>
    public double TravelRate { get; init; } = 0.01;

    /// <summary>An optional covariate shift for drift demos; null for a stationary stream.</summary>
    public FraudStreamShift? Shift { get; init; }

    /// <summary>The start actually used: <see cref="Start"/> or, when null, <paramref name="now"/> minus <see cref="Days"/> truncated to the hour.</summary>
    /// <param name="now">The current time.</param>
    /// <returns>The stream start, in UTC.</returns>
    public DateTimeOffset ResolveStart(DateTimeOffset now)
    {
        if (Start is { } start)
        {
            return start.ToUniversalTime();
        }

        var from = now.ToUniversalTime().AddDays(-Days);
        return new DateTimeOffset(from.Year, from.Month, from.Day, from.Hour, 0, 0, TimeSpan.Zero);
    }

    /// <summary>Throws when a parameter is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Customers, 1, nameof(Customers));
        ArgumentOutOfRangeException.ThrowIfLessThan(Merchants, 1, nameof(Merchants));
        ArgumentOutOfRangeException.ThrowIfLessThan(Days, 1, nameof(Days));
        CheckProbability(FraudRate, 0.5, nameof(FraudRate));
        CheckProbability(FraudChargebackRate, 1.0, nameof(FraudChargebackRate));
        CheckProbability(FriendlyFraudRate, 1.0, nameof(FriendlyFraudRate));
        CheckProbability(TravelRate, 1.0, nameof(TravelRate));
        Shift?.Validate(Days);
    }

    internal static void CheckProbability(double value, double max, string name) =>
        Check(value >= 0 && value <= max, value, name, $"{name} must be in [0, {max}].");

    internal static void Check(bool condition, object? value, string name, string message)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, value, message);
        }
    }
}

/// <summary>
/// A covariate shift from a point in the stream on: customers spend more and move online. The fraud
/// mechanism is unchanged, so a model trained before the shift still ranks well but its inputs drift.
/// </summary>
public sealed record FraudStreamShift
{
    /// <summary>When the shift begins, counted from the stream start. Null means half-way through the stream.</summary>
    public TimeSpan? After { get; init; }

    /// <summary>Factor on every customer's median amount after the shift (fraud amounts follow it). Default 1.8.</summary>
    public double AmountFactor { get; init; } = 1.8;

    /// <summary>
    /// After the shift, a legitimate transaction at home is online with this probability; otherwise its
    /// channel is drawn as before. Default 0.5.
    /// </summary>
    public double OnlineShare { get; init; } = 0.5;

    /// <summary>The offset of the shift from the stream start for a stream of <paramref name="days"/> days.</summary>
    /// <param name="days">Length of the stream in days.</param>
    /// <returns><see cref="After"/>, or half the stream.</returns>
    public TimeSpan ResolveAfter(int days) => After ?? TimeSpan.FromHours(days * 12.0);

    internal void Validate(int days)
    {
        FraudStreamOptions.Check(ResolveAfter(days) >= TimeSpan.Zero, After, nameof(After), "The shift must not start before the stream.");
        FraudStreamOptions.Check(AmountFactor is > 0 and <= 100, AmountFactor, nameof(AmountFactor), "AmountFactor must be in (0, 100].");

        FraudStreamOptions.CheckProbability(OnlineShare, 1.0, nameof(OnlineShare));
    }
}
