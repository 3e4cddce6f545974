using Brisa.Core.Definitions;
using Brisa.Core.Generation;
using Brisa.Core.Modeling;

namespace Brisa.Core.Tests.Modeling;

/// <summary>
/// TEST / BOOTSTRAP ONLY — not the point-in-time training-set builder. Builds a <see cref="TrainingTable"/> for the
/// sample <c>fraud</c> model straight from generated events, computing its 19 inputs the slow, obvious way:
/// windows of the customer's / merchant's events strictly before the transaction (what the online store holds when
/// the predict call arrives), request fields from the transaction itself. Label: the transaction has a chargeback
/// (the stream is taken as observed long enough after its end for every label to be final).
/// </summary>
public static class BootstrapTrainingTable
{
    public static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    public static FraudStreamResult Generate(int customers = 400, int days = 21, long seed = 7) =>
        FraudStreamGenerator.Generate(new FraudStreamOptions { Customers = customers, Merchants = customers / 4, Days = days, Seed = seed, Start = Start });

    public static TrainingTable FromStream(FraudStreamResult stream)
    {
        var transactions = stream.Events.OfType<TransactionEvent>().OrderBy(t => t.Time).ToList();
        var chargedBack = stream.Events.OfType<ChargebackEvent>().Select(c => c.TransactionId).ToHashSet(StringComparer.Ordinal);
        var byCustomer = transactions.GroupBy(t => t.CustomerId).ToDictionary(g => g.Key, g => g.ToList());
        var byMerchant = transactions.GroupBy(t => t.MerchantId).ToDictionary(g => g.Key, g => new MerchantHistory(g.ToList()));
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var list in byCustomer.Values)
        {
            for (var i = 0; i < list.Count; i++)
            {
                position[list[i].Id] = i;
            }
        }

        var n = transactions.Count;
        var names = ModelTraining.InputNames(FraudModel());
        var numeric = names.Where(x => x is not ("country" or "channel" or "currency")).ToDictionary(x => x, _ => new float[n]);
        var country = new string?[n];
        var channel = new string?[n];
        var timestamps = new DateTimeOffset[n];
        var labels = new float[n];
        var amounts = new double[n];
        var currencies = new string?[n];
        var ids = new string[n];
        for (var r = 0; r < n; r++)
        {
            var tx = transactions[r];
            var t = tx.Time;
            var history = byCustomer[tx.CustomerId];
            int count1h = 0, count7d = 0;
            double sum1h = 0, max1h = double.NaN, max7d = double.NaN, mean = 0, m2 = 0;
            var countries1h = new HashSet<string>(StringComparer.Ordinal);
            var countries7d = new HashSet<string>(StringComparer.Ordinal);
            string? lastCountry = null;
            for (var k = position[tx.Id] - 1; k >= 0; k--)
            {
                var h = history[k];
                if (h.Time >= t)
                {
                    continue;
                }

                if (h.Time <= t.AddDays(-7))
                {
                    break;
                }

                lastCountry ??= h.Country;
                count7d++;
                var delta = h.Amount - mean;
                mean += delta / count7d;
                m2 += delta * (h.Amount - mean);
                max7d = double.IsNaN(max7d) ? h.Amount : Math.Max(max7d, h.Amount);
                countries7d.Add(h.Country);
                if (h.Time > t.AddHours(-1))
                {
                    count1h++;
                    sum1h += h.Amount;
                    max1h = double.IsNaN(max1h) ? h.Amount : Math.Max(max1h, h.Amount);
                    countries1h.Add(h.Country);
                }
            }

            var std = count7d >= 2 ? Math.Sqrt(m2 / (count7d - 1)) : double.NaN;
            var mean7d = count7d > 0 ? mean : double.NaN;
            var (merchant1h, merchantMean7d) = byMerchant[tx.MerchantId].Before(t);
            numeric["customer_1h:txn_count_1h"][r] = count1h;
            numeric["customer_1h:amount_sum_1h"][r] = (float)sum1h;
            numeric["customer_1h:amount_max_1h"][r] = (float)max1h;
            numeric["customer_1h:country_distinct_1h"][r] = countries1h.Count;
            numeric["customer_7d:txn_count_7d"][r] = count7d;
            numeric["customer_7d:amount_mean_7d"][r] = (float)mean7d;
            numeric["customer_7d:amount_std_7d"][r] = (float)std;
            numeric["customer_7d:country_distinct_7d"][r] = countries7d.Count;
            numeric["merchant_1h:merchant_txn_count_1h"][r] = merchant1h;
            numeric["merchant_7d:merchant_amount_mean_7d"][r] = (float)merchantMean7d;
            numeric["amount_zscore"][r] = std > 0 ? (float)((tx.Amount - mean7d) / std) : float.NaN;
            numeric["is_foreign"][r] = lastCountry is null ? float.NaN : lastCountry == tx.Country ? 0 : 1;
            numeric["amount_to_max_ratio"][r] = double.IsNaN(max7d) ? float.NaN : (float)(tx.Amount / Math.Max(max7d, 1));
            numeric["amount_to_merchant_mean"][r] = (float)(tx.Amount / (double.IsNaN(merchantMean7d) ? tx.Amount : merchantMean7d));
            numeric["log_amount"][r] = (float)Math.Log(tx.Amount + 1);
            numeric["amount"][r] = (float)tx.Amount;
            country[r] = tx.Country;
            channel[r] = tx.Channel;
            timestamps[r] = t;
            labels[r] = chargedBack.Contains(tx.Id) ? 1 : 0;
            amounts[r] = tx.Amount;
            currencies[r] = tx.Currency;
            ids[r] = tx.Id;
        }

        var columns = names.Select(x => x switch
        {
            "country" => (FeatureColumn)FeatureColumn.Categorical(x, country),
            "channel" => FeatureColumn.Categorical(x, channel),
            "currency" => FeatureColumn.Categorical(x, currencies),
            _ => FeatureColumn.Numeric(x, numeric[x]),
        }).ToList();
        return new TrainingTable(timestamps, labels, columns, new Dictionary<string, double[]> { ["amount"] = amounts }, currencies, ids);
    }

    /// <summary>The sample's <c>fraud</c> model definition (samples/fraud/features.yaml).</summary>
    public static ModelDefinition FraudModel() => Definitions.SampleDefinitionsTests.LoadSample().Models.Single(m => m.Name == "fraud");


    private sealed class MerchantHistory(List<TransactionEvent> events)
    {
        private readonly long[] ticks = [.. events.Select(e => e.Time.UtcTicks)];
        private readonly double[] prefix = Prefix(events);

        /// <summary>Transactions in the hour before <paramref name="t"/> and the mean amount over the 7 days before it (strictly before t).</summary>
        public (int Count1h, double Mean7d) Before(DateTimeOffset t)
        {
            var end = LowerBound(t.UtcTicks);
            var from1h = UpperBound(t.AddHours(-1).UtcTicks);
            var from7d = UpperBound(t.AddDays(-7).UtcTicks);
            var count7d = end - from7d;
            return (end - from1h, count7d == 0 ? double.NaN : (prefix[end] - prefix[from7d]) / count7d);
        }

        private static double[] Prefix(List<TransactionEvent> events)
        {
            var result = new double[events.Count + 1];
            for (var i = 0; i < events.Count; i++)
            {
                result[i + 1] = result[i] + events[i].Amount;
            }

            return result;
        }

        private int LowerBound(long value)
        {
            int lo = 0, hi = ticks.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (ticks[mid] < value) lo = mid + 1; else hi = mid;
            }

            return lo;
        }

        private int UpperBound(long value)
        {
            int lo = 0, hi = ticks.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (ticks[mid] <= value) lo = mid + 1; else hi = mid;
            }

            return lo;
        }
    }
}
