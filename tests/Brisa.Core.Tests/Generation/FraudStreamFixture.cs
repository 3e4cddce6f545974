using Brisa.Core.Generation;

namespace Brisa.Core.Tests.Generation;

[CollectionDefinition(Name)]
public sealed class FraudStreamCollection : ICollectionFixture<FraudStreamFixture>
{
    public const string Name = "Generated fraud stream";
}

/// <summary>One generated stream shared by the generation tests (generation is deterministic).</summary>
public sealed class FraudStreamFixture
{
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static FraudStreamOptions Options { get; } = new()
    {
        Customers = 400,
        Merchants = 100,
        Days = 14,
        Seed = 42,
        Start = Start,
    };

    public FraudStreamFixture()
    {
        Stream = FraudStreamGenerator.Generate(Options);
        Transactions = [.. Stream.Events.OfType<TransactionEvent>()];
        Chargebacks = [.. Stream.Events.OfType<ChargebackEvent>()];
        Features = NaiveFeatures.Compute(Transactions);
    }

    public FraudStreamResult Stream { get; }

    public IReadOnlyList<TransactionEvent> Transactions { get; }

    public IReadOnlyList<ChargebackEvent> Chargebacks { get; }

    public IReadOnlyList<NaiveFeatures> Features { get; }
}

/// <summary>Window features computed the slow, obvious way, to check that the label is learnable.</summary>
public sealed record NaiveFeatures(
    TransactionEvent Transaction,
    int CustomerCount1h,
    double AmountZScore7d,
    int DistinctCountries24h,
    int MerchantCount1h,
    double MerchantVelocity)
{
    public static IReadOnlyList<NaiveFeatures> Compute(IReadOnlyList<TransactionEvent> transactions)
    {
        var byCustomer = transactions.GroupBy(t => t.CustomerId).ToDictionary(g => g.Key, g => g.OrderBy(t => t.Time).ToList());
        var byMerchant = transactions.GroupBy(t => t.MerchantId).ToDictionary(g => g.Key, g => g.Select(t => t.Time).Order().ToList());
        var result = new List<NaiveFeatures>(transactions.Count);
        foreach (var tx in transactions)
        {
            var history = byCustomer[tx.CustomerId];
            var count1h = history.Count(h => h.Time > tx.Time.AddHours(-1) && h.Time <= tx.Time);
            var prior = history.Where(h => h.Time >= tx.Time.AddDays(-7) && h.Time < tx.Time).Select(h => h.Amount).ToList();
            var z = 0.0;
            if (prior.Count >= 2)
            {
                var mean = prior.Average();
                var std = Math.Sqrt(prior.Sum(a => (a - mean) * (a - mean)) / (prior.Count - 1));
                z = std > 0 ? (tx.Amount - mean) / std : 0;
            }

            var countries = history.Where(h => h.Time > tx.Time.AddDays(-1) && h.Time <= tx.Time).Select(h => h.Country).Distinct().Count();
            var merchantTimes = byMerchant[tx.MerchantId];
            var upTo = UpperBound(merchantTimes, tx.Time);
            var merchant1h = upTo - UpperBound(merchantTimes, tx.Time.AddHours(-1));
            var merchant7d = UpperBound(merchantTimes, tx.Time.AddHours(-1)) - UpperBound(merchantTimes, tx.Time.AddDays(-7));

            // Merchant velocity: the last hour against the merchant's usual hourly rate over the week before.
            var velocity = merchant1h / (1.0 + (merchant7d / (7 * 24.0 - 1)));
            result.Add(new NaiveFeatures(tx, count1h, z, countries, merchant1h, velocity));
        }

        return result;
    }

    /// <summary>Area under the ROC curve of a score against <see cref="TransactionEvent.IsFraud"/> (ties count half).</summary>
    public static double Auc(IReadOnlyList<NaiveFeatures> rows, Func<NaiveFeatures, double> score)
    {
        var positives = rows.Where(r => r.Transaction.IsFraud).Select(score).ToArray();
        var negatives = rows.Where(r => !r.Transaction.IsFraud).Select(score).Order().ToArray();
        double wins = 0;
        foreach (var p in positives)
        {
            var below = LowerBound(negatives, p);
            var upTo = UpperBound(negatives, p);
            wins += below + ((upTo - below) / 2.0);
        }

        return wins / ((double)positives.Length * negatives.Length);
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] < value) lo = mid + 1; else hi = mid;
        }

        return lo;
    }

    private static int UpperBound(List<DateTimeOffset> sorted, DateTimeOffset value)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] <= value) lo = mid + 1; else hi = mid;
        }

        return lo;
    }

    private static int UpperBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] <= value) lo = mid + 1; else hi = mid;
        }

        return lo;
    }
}
