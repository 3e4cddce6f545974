using System.Globalization;

namespace Brisa.Core.Generation;

/// <summary>
/// Generates a realistic, seeded synthetic card-fraud stream: customers with habits, merchants with Zipf
/// popularity, a daily rhythm, legitimate travel, fraud in bursts, and delayed chargebacks. The model is
/// described in README.md next to this file. Same options with an explicit start give the same events.
/// </summary>
public static class FraudStreamGenerator
{
    /// <summary>Largest amount ever generated.</summary>
    public const double MaxAmount = 1_000_000;

    private const ulong StreamMerchants = 1;
    private const ulong StreamCustomers = 2;
    private const ulong StreamFraud = 3;
    private const ulong StreamChargebacks = 4;
    private const ulong StreamIds = 5;

    private const double FavoriteShare = 0.75;
    private const double PreferredChannelShare = 0.65;
    private const double BigTicketShare = 0.005;
    private const double TravelAmountFactor = 1.3;
    private const double RiskyMerchantShare = 0.05;
    private const double FraudAtRiskyMerchant = 0.75;
    private const double CrossBorderOnlineShare = 0.08;
    private const double RingShare = 0.4;
    private const double ZipfExponent = 1.1;

    /// <summary>
    /// Transaction ids are a keyed bijection of (customer, n-th legitimate transaction) or of (fraud bit,
    /// draw number): unique, random-looking, and stable when unrelated options (e.g. a shift) change.
    /// </summary>
    private const ulong FraudIdBit = 1UL << 63;

    /// <summary>Generates a stream; with no explicit <see cref="FraudStreamOptions.Start"/> it ends at the current hour.</summary>
    /// <param name="options">The parameters.</param>
    /// <returns>The events sorted by time.</returns>
    public static FraudStreamResult Generate(FraudStreamOptions options) => Generate(options, TimeProvider.System);

    /// <summary>Generates a stream, taking "now" from <paramref name="timeProvider"/> when no start is given.</summary>
    /// <param name="options">The parameters.</param>
    /// <param name="timeProvider">The clock used to resolve a missing start.</param>
    /// <returns>The events sorted by time.</returns>
    public static FraudStreamResult Generate(FraudStreamOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        return new Builder(options, options.ResolveStart(timeProvider.GetUtcNow())).Build();
    }

    private static double Round2(double amount) =>
        Math.Clamp(Math.Round(amount, 2, MidpointRounding.AwayFromZero), 0.01, MaxAmount);

    private static string FormatId(string prefix, ulong value) =>
        string.Create(prefix.Length + 16, (prefix, value), static (span, state) =>
        {
            state.prefix.CopyTo(span);
            state.value.TryFormat(span[state.prefix.Length..], out _, "x16", CultureInfo.InvariantCulture);
        });

    private static long TruncateToMillisecond(long ticks) => ticks - (ticks % TimeSpan.TicksPerMillisecond);

    /// <summary>A transaction before ids are assigned.</summary>
    private struct Draft
    {
        public long Ticks;
        public int Sequence;
        public ulong IdKey;
        public int Customer;
        public int Merchant;
        public int Country;
        public int Channel;
        public double Amount;
        public bool IsFraud;
    }

    private readonly record struct Trip(long Start, long End, int Country);

    private sealed class Customer
    {
        public required string Id { get; init; }
        public required int Home { get; init; }
        public required double Median { get; init; }
        public required double Sigma { get; init; }
        public required double DailyRate { get; init; }
        public required int PreferredChannel { get; init; }
        public required int[] Favorites { get; init; }
    }

    private sealed class Builder
    {
        private readonly FraudStreamOptions _options;
        private readonly long _start;
        private readonly long _end;
        private readonly long _shiftAt;
        private readonly List<Draft> _drafts = [];
        private readonly string[] _merchantIds;
        private readonly double[] _merchantFactor;
        private readonly int[] _riskyMerchants;
        private readonly WeightedTable _merchantPopularity;
        private readonly WeightedTable _homeCountries;
        private readonly WeightedTable[] _fraudCountriesExcluding;
        private readonly WeightedTable[] _travelCountriesExcluding;
        private readonly WeightedTable _preferredChannel = new(FraudModel.PreferredChannelWeights);
        private readonly WeightedTable _baseChannel = new(FraudModel.BaseChannelWeights);
        private readonly WeightedTable _travelChannel = new(FraudModel.TravelChannelWeights);
        private Customer[] _customers = [];

        public Builder(FraudStreamOptions options, DateTimeOffset start)
        {
            _options = options;
            _start = TruncateToMillisecond(start.UtcTicks);
            _end = _start + (options.Days * TimeSpan.TicksPerDay);
            _shiftAt = options.Shift is { } shift ? _start + shift.ResolveAfter(options.Days).Ticks : long.MaxValue;

            var countries = FraudModel.Countries;
            _homeCountries = new WeightedTable([.. countries.Select(c => c.HomeWeight)]);
            _fraudCountriesExcluding = [.. countries.Select((_, home) =>
                new WeightedTable([.. countries.Select((c, i) => i == home ? 0 : c.FraudWeight)]))];
            _travelCountriesExcluding = [.. countries.Select((_, home) =>
                new WeightedTable([.. countries.Select((c, i) => i == home ? 0 : c.TravelWeight)]))];

            (_merchantIds, _merchantFactor, _riskyMerchants, _merchantPopularity) = BuildMerchants(options);
        }

        public FraudStreamResult Build()
        {
            _customers = new Customer[_options.Customers];
            for (var c = 0; c < _customers.Length; c++)
            {
                GenerateCustomer(c);
            }

            GenerateFraud();

            var drafts = _drafts.ToArray();
            Array.Sort(drafts, static (a, b) => a.Ticks != b.Ticks ? a.Ticks.CompareTo(b.Ticks) : a.Sequence.CompareTo(b.Sequence));

            var transactions = CreateTransactions(drafts);
            var chargebacks = CreateChargebacks(drafts, transactions);

            // Chargebacks sorted by time (then creation order); merged with the sorted transactions, which come
            // first at the same millisecond.
            var cbs = chargebacks.ToArray();
            var cbOrder = Enumerable.Range(0, cbs.Length).ToArray();
            Array.Sort(cbOrder, (a, b) => cbs[a].Time != cbs[b].Time ? cbs[a].Time.CompareTo(cbs[b].Time) : a.CompareTo(b));
            var ordered = new GeneratedEvent[transactions.Length + cbs.Length];
            int nextTx = 0, nextCb = 0;
            for (var i = 0; i < ordered.Length; i++)
            {
                ordered[i] = nextCb >= cbs.Length || (nextTx < transactions.Length && transactions[nextTx].Time <= cbs[cbOrder[nextCb]].Time)
                    ? transactions[nextTx++]
                    : cbs[cbOrder[nextCb++]];
            }

            return new FraudStreamResult(new DateTimeOffset(_start, TimeSpan.Zero), new DateTimeOffset(_end, TimeSpan.Zero), ordered);
        }

        private static (string[] Ids, double[] Factor, int[] Risky, WeightedTable Popularity) BuildMerchants(FraudStreamOptions options)
        {
            var random = Prng.For(options.Seed, StreamMerchants, 0);
            var count = options.Merchants;
            var ids = new string[count];
            var factor = new double[count];
            var weights = new double[count];

            // Popularity ranks are a random permutation so that m00000 is not always the most popular.
            var rank = Enumerable.Range(0, count).ToArray();
            Shuffle(rank, random);
            for (var m = 0; m < count; m++)
            {
                ids[m] = "m" + m.ToString("D5", CultureInfo.InvariantCulture);
                weights[m] = 1.0 / Math.Pow(rank[m] + 1, ZipfExponent);
            }

            // Risky merchants: a few, taken from the less popular half when there are enough.
            var riskyCount = Math.Max(1, (int)Math.Round(count * RiskyMerchantShare));
            var candidates = Enumerable.Range(0, count).Where(m => rank[m] >= count / 2 || count < 4).ToArray();
            Shuffle(candidates, random);
            var risky = candidates.Take(riskyCount).Order().ToArray();

            var common = new WeightedTable([.. FraudModel.CommonCategories.Select(c => c.Weight)]);
            var riskyCategories = new WeightedTable([.. FraudModel.RiskyCategories.Select(c => c.Weight)]);
            for (var m = 0; m < count; m++)
            {
                factor[m] = Array.BinarySearch(risky, m) >= 0
                    ? FraudModel.RiskyCategories[riskyCategories.Sample(random)].AmountFactor
                    : FraudModel.CommonCategories[common.Sample(random)].AmountFactor;
            }

            return (ids, factor, risky, new WeightedTable(weights));
        }

        private static void Shuffle(int[] values, Prng random)
        {
            for (var i = values.Length - 1; i > 0; i--)
            {
                var j = random.NextInt(i + 1);
                (values[i], values[j]) = (values[j], values[i]);
            }
        }

        private void GenerateCustomer(int index)
        {
            var random = Prng.For(_options.Seed, StreamCustomers, (ulong)index);

            // Traits first, so that they do not depend on the stream length.
            var favorites = new int[random.NextInt(4, 12)];
            var customer = new Customer
            {
                Id = "c" + index.ToString("D6", CultureInfo.InvariantCulture),
                Home = _homeCountries.Sample(random),
                Median = Math.Exp(random.Uniform(Math.Log(10), Math.Log(200))),
                Sigma = random.Uniform(0.45, 0.85),
                DailyRate = random.Uniform(1, 6),
                PreferredChannel = _preferredChannel.Sample(random),
                Favorites = favorites,
            };
            for (var i = 0; i < favorites.Length; i++)
            {
                favorites[i] = _merchantPopularity.Sample(random);
            }

            _customers[index] = customer;

            var trips = GenerateTrips(customer, random);
            var home = FraudModel.Countries[customer.Home];

            // Non-homogeneous Poisson arrivals by thinning: candidates at the peak rate, kept with
            // probability activity(local time) / peak activity.
            var peakPerTick = customer.DailyRate * FraudModel.MaxActivity / TimeSpan.TicksPerDay;
            var meanGap = 1.0 / peakPerTick;
            var offset = home.UtcOffsetHours * TimeSpan.TicksPerHour;
            var t = (double)_start;
            var legitCount = 0U;
            while (true)
            {
                t += random.NextExponential(meanGap);
                if (t >= _end)
                {
                    break;
                }

                var ticks = TruncateToMillisecond((long)t);
                var local = new DateTime(ticks + offset, DateTimeKind.Unspecified);
                var activity = FraudModel.HourProfile[local.Hour] * FraudModel.DayProfile[(int)local.DayOfWeek];
                if (random.NextDouble() * FraudModel.MaxActivity >= activity)
                {
                    continue;
                }

                AddLegit(customer, index, ticks, trips, random, ((ulong)index << 32) | legitCount);
                legitCount++;
            }
        }

        private List<Trip> GenerateTrips(Customer customer, Prng random)
        {
            var trips = new List<Trip>();
            if (_options.TravelRate <= 0)
            {
                return trips;
            }

            // Trips may have begun before the stream starts.
            var t = (double)(_start - (7 * TimeSpan.TicksPerDay));
            var meanGap = TimeSpan.TicksPerDay / _options.TravelRate;
            while (true)
            {
                t += random.NextExponential(meanGap);
                if (t >= _end)
                {
                    return trips;
                }

                var length = random.Uniform(2, 9) * TimeSpan.TicksPerDay;
                var country = _travelCountriesExcluding[customer.Home].Sample(random);
                trips.Add(new Trip((long)t, (long)(t + length), country));
                t += length;
            }
        }

        private void AddLegit(Customer customer, int index, long ticks, List<Trip> trips, Prng random, ulong idKey)
        {
            var country = customer.Home;
            var amountFactor = 1.0;
            int channel;
            var travelling = false;
            foreach (var trip in trips)
            {
                if (ticks >= trip.Start && ticks < trip.End)
                {
                    travelling = true;
                    country = trip.Country;
                    break;
                }
            }

            var shifted = ticks >= _shiftAt;
            if (travelling)
            {
                channel = _travelChannel.Sample(random);
                amountFactor = TravelAmountFactor;
            }
            else if (shifted && random.Chance(_options.Shift!.OnlineShare))
            {
                channel = FraudModel.Online;
            }
            else
            {
                channel = random.Chance(PreferredChannelShare) ? customer.PreferredChannel : _baseChannel.Sample(random);
            }

            // Cross-border e-commerce: a legitimate online purchase from a foreign site.
            if (!travelling && channel == FraudModel.Online && random.Chance(CrossBorderOnlineShare))
            {
                country = _travelCountriesExcluding[customer.Home].Sample(random);
            }

            var merchant = random.Chance(FavoriteShare)
                ? customer.Favorites[random.NextInt(customer.Favorites.Length)]
                : _merchantPopularity.Sample(random);

            var amount = MedianAt(customer, ticks) * amountFactor * _merchantFactor[merchant]
                * Math.Exp(customer.Sigma * random.NextGaussian());
            if (random.Chance(BigTicketShare))
            {
                amount *= random.Uniform(3, 10);
            }

            Add(ticks, idKey, index, merchant, country, channel, AtmRound(amount, channel), isFraud: false);
        }

        private void GenerateFraud()
        {
            var legit = _drafts.Count;
            var rate = _options.FraudRate;
            var target = (int)Math.Round(legit * rate / (1 - rate));
            var random = Prng.For(_options.Seed, StreamFraud, 0);
            var fraud = 0;
            var latestStart = Math.Max(_start, _end - (2 * TimeSpan.TicksPerHour));
            var start = 0L;
            var ringMerchant = -1;
            while (fraud < target)
            {
                // A fraud ring works several stolen cards at once at the same risky merchant (merchant velocity);
                // otherwise a burst is on its own.
                if (ringMerchant >= 0 && random.Chance(RingShare))
                {
                    start = Math.Min(latestStart, start + (long)(random.Uniform(0, 30) * TimeSpan.TicksPerMinute));
                }
                else
                {
                    start = _start + (long)(random.NextDouble() * (latestStart - _start));
                    ringMerchant = _riskyMerchants[random.NextInt(_riskyMerchants.Length)];
                }

                var size = Math.Min(random.NextInt(3, 15), target - fraud);
                fraud += AddBurst(random, size, start, ringMerchant);
            }
        }

        /// <summary>One compromised card: a burst of transactions minutes apart.</summary>
        private int AddBurst(Prng random, int size, long start, int riskyA)
        {
            var index = random.NextInt(_customers.Length);
            var customer = _customers[index];

            // 65% cash-out abroad, 15% card testing (small amounts) abroad, 20% account takeover at home.
            var pattern = random.NextDouble();
            var cashOut = pattern < 0.65;
            var cardTesting = !cashOut && pattern < 0.80;
            var country = cashOut || cardTesting ? _fraudCountriesExcluding[customer.Home].Sample(random) : customer.Home;
            var hopping = random.Chance(0.25);
            var secondCountry = _fraudCountriesExcluding[customer.Home].Sample(random);
            var meanGapTicks = random.Uniform(0.5, 4) * TimeSpan.TicksPerMinute;

            // The fraudster cashes out at one or two risky merchants for the whole burst.
            var riskyB = _riskyMerchants[random.NextInt(_riskyMerchants.Length)];

            var added = 0;
            var t = (double)start;
            for (var i = 0; i < size; i++)
            {
                if (i > 0)
                {
                    t += random.NextExponential(meanGapTicks);
                }

                var ticks = TruncateToMillisecond((long)t);
                if (ticks >= _end)
                {
                    break;
                }

                int channel;
                double amount;
                var median = MedianAt(customer, ticks);
                if (cashOut)
                {
                    channel = random.Chance(0.65) ? FraudModel.Online : FraudModel.Atm;
                    amount = median * random.Uniform(3, 20) * Math.Exp(0.2 * random.NextGaussian());
                }
                else if (cardTesting)
                {
                    channel = FraudModel.Online;
                    amount = random.Uniform(0.5, 10);
                }
                else
                {
                    channel = random.Chance(0.8) ? FraudModel.Online : FraudModel.Atm;
                    amount = median * random.Uniform(2, 8) * Math.Exp(0.2 * random.NextGaussian());
                }

                var merchant = random.Chance(FraudAtRiskyMerchant)
                    ? (random.Chance(0.8) ? riskyA : riskyB)
                    : _merchantPopularity.Sample(random);
                var where = hopping && random.Chance(0.4) ? secondCountry : country;
                Add(ticks, FraudIdBit | (uint)_drafts.Count, index, merchant, where, channel, AtmRound(amount, channel), isFraud: true);
                added++;
            }

            return added;
        }

        private double MedianAt(Customer customer, long ticks) =>
            ticks >= _shiftAt ? customer.Median * _options.Shift!.AmountFactor : customer.Median;

        private static double AtmRound(double amount, int channel) =>
            channel == FraudModel.Atm ? Math.Max(20, Math.Ceiling(amount / 20) * 20) : amount;

        private void Add(long ticks, ulong idKey, int customer, int merchant, int country, int channel, double amount, bool isFraud) =>
            _drafts.Add(new Draft
            {
                Ticks = ticks,
                Sequence = _drafts.Count,
                IdKey = idKey,
                Customer = customer,
                Merchant = merchant,
                Country = country,
                Channel = channel,
                Amount = Round2(amount),
                IsFraud = isFraud,
            });

        private TransactionEvent[] CreateTransactions(Draft[] drafts)
        {
            var key = Prng.Mix(unchecked((ulong)_options.Seed ^ (StreamIds * 0x9E3779B97F4A7C15UL)));
            var result = new TransactionEvent[drafts.Length];
            for (var i = 0; i < drafts.Length; i++)
            {
                ref readonly var d = ref drafts[i];
                var country = FraudModel.Countries[d.Country];
                result[i] = new TransactionEvent(
                    Id: FormatId("t", Prng.Mix(d.IdKey ^ key)),
                    Time: new DateTimeOffset(d.Ticks, TimeSpan.Zero),
                    CustomerId: _customers[d.Customer].Id,
                    MerchantId: _merchantIds[d.Merchant],
                    Amount: d.Amount,
                    Currency: country.Currency,
                    Country: country.Code,
                    Channel: FraudEventTypes.Channels[d.Channel],
                    IsFraud: d.IsFraud);
            }

            return result;
        }

        private List<ChargebackEvent> CreateChargebacks(Draft[] drafts, TransactionEvent[] transactions)
        {
            var random = Prng.For(_options.Seed, StreamChargebacks, 0);
            var key = Prng.Mix(unchecked((ulong)_options.Seed ^ (StreamChargebacks * 0x9E3779B97F4A7C15UL)));
            var result = new List<ChargebackEvent>();
            for (var i = 0; i < drafts.Length; i++)
            {
                ref readonly var d = ref drafts[i];
                var p = d.IsFraud ? _options.FraudChargebackRate : _options.FriendlyFraudRate;
                if (!random.Chance(p))
                {
                    continue;
                }

                // Delay: triangular on [2, 30] days with its mode at 7 days, to the millisecond.
                var days = Triangular(random.NextDouble(), 2, 7, 30);
                var delay = TruncateToMillisecond((long)(days * TimeSpan.TicksPerDay));
                delay = Math.Clamp(delay, 2 * TimeSpan.TicksPerDay, 30 * TimeSpan.TicksPerDay);
                var tx = transactions[i];
                result.Add(new ChargebackEvent(
                    Id: FormatId("cb", Prng.Mix(unchecked(key + (ulong)result.Count))),
                    Time: new DateTimeOffset(d.Ticks + delay, TimeSpan.Zero),
                    TransactionId: tx.Id,
                    CustomerId: tx.CustomerId,
                    Amount: tx.Amount,
                    Reason: d.IsFraud ? FraudReason(random, d.Channel) : FriendlyReason(random),
                    IsFraud: d.IsFraud));
            }

            return result;
        }

        private static double Triangular(double u, double min, double mode, double max)
        {
            var split = (mode - min) / (max - min);
            return u < split
                ? min + Math.Sqrt(u * (max - min) * (mode - min))
                : max - Math.Sqrt((1 - u) * (max - min) * (max - mode));
        }

        private static string FraudReason(Prng random, int channel) =>
            random.Chance(0.1) ? "unrecognized_transaction"
            : channel == FraudModel.Online ? "fraud_card_not_present"
            : "fraud_card_present";

        private static string FriendlyReason(Prng random)
        {
            var u = random.NextDouble();
            return u < 0.5 ? "product_not_received" : u < 0.8 ? "unrecognized_transaction" : "duplicate_charge";
        }
    }
}
