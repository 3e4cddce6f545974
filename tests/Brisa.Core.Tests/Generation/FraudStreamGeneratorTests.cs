using System.Text;
using Brisa.Core.Generation;
using Xunit.Abstractions;

namespace Brisa.Core.Tests.Generation;

[Collection(FraudStreamCollection.Name)]
public sealed class FraudStreamGeneratorTests(FraudStreamFixture fixture, ITestOutputHelper output)
{
    private static byte[] Bytes(FraudStreamOptions options)
    {
        using var memory = new MemoryStream();
        FraudStreamGenerator.Generate(options).WriteJsonLines(memory);
        return memory.ToArray();
    }

    private static FraudStreamOptions Small(long seed = 7) => new()
    {
        Customers = 60,
        Merchants = 30,
        Days = 5,
        Seed = seed,
        Start = FraudStreamFixture.Start,
    };

    [Fact]
    public void Generate_SameSeedAndOptions_ProducesIdenticalBytes()
    {
        var first = Bytes(FraudStreamFixture.Options);
        var second = Bytes(FraudStreamFixture.Options);

        Assert.True(first.Length > 1_000_000);
        Assert.Equal(first, second);
    }

    [Fact]
    public void WriteJsonLines_TextWriterAndStream_ProduceSameText()
    {
        using var text = new StringWriter();
        fixture.Stream.WriteJsonLines(text);
        using var memory = new MemoryStream();
        fixture.Stream.WriteJsonLines(memory);

        Assert.Equal(Encoding.UTF8.GetString(memory.ToArray()), text.ToString());
        Assert.Equal(fixture.Stream.Events.Count, text.ToString().Count(c => c == '\n'));
        Assert.Equal(fixture.Stream.Events[0].ToJsonLine() + "\n", text.ToString()[..(text.ToString().IndexOf('\n') + 1)]);
    }

    [Fact]
    public void ToJsonArray_SomeEvents_IsTheirJsonLinesAsOneArray()
    {
        var events = fixture.Stream.Events.Take(50).ToList();

        var array = System.Text.Json.JsonDocument.Parse(FraudStreamJson.ToJsonArray(events)).RootElement;

        Assert.Equal(events.Select(e => e.ToJsonLine()), array.EnumerateArray().Select(e => e.GetRawText()));
    }

    [Fact]
    public void Generate_DifferentSeed_ProducesDifferentBytes()
    {
        Assert.NotEqual(Bytes(Small(seed: 7)), Bytes(Small(seed: 8)));
    }

    [Fact]
    public void Generate_DefaultStart_EndsAtCurrentHourAndIsReproducibleForSameClock()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 11, 20, 10, 37, 12, TimeSpan.Zero));
        var options = Small() with { Start = null };

        var stream = FraudStreamGenerator.Generate(options, clock);

        Assert.Equal(new DateTimeOffset(2026, 11, 15, 10, 0, 0, TimeSpan.Zero), stream.Start);
        Assert.Equal(stream.Start.AddDays(5), stream.End);
        Assert.Equal(
            stream.Events.Select(e => e.ToJsonLine()),
            FraudStreamGenerator.Generate(options, clock).Events.Select(e => e.ToJsonLine()));
    }

    [Fact]
    public void Generate_Default_FraudRateWithinTolerance()
    {
        var rate = fixture.Transactions.Count(t => t.IsFraud) / (double)fixture.Transactions.Count;
        output.WriteLine($"transactions {fixture.Transactions.Count}, fraud rate {rate:P3}, chargebacks {fixture.Chargebacks.Count}");

        Assert.InRange(fixture.Transactions.Count, 400 * 14 * 2, 400 * 14 * 5);
        Assert.InRange(rate, 0.009, 0.011);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    public void Generate_ExplicitFraudRate_IsHonoured(double fraudRate)
    {
        var stream = FraudStreamGenerator.Generate(Small() with { FraudRate = fraudRate });
        var transactions = stream.Events.OfType<TransactionEvent>().ToList();

        var rate = transactions.Count(t => t.IsFraud) / (double)transactions.Count;

        Assert.InRange(rate, fraudRate - 0.002, fraudRate + 0.002);
    }

    [Fact]
    public void Generate_Default_EventsSortedByTime()
    {
        var events = fixture.Stream.Events;
        for (var i = 1; i < events.Count; i++)
        {
            Assert.True(events[i - 1].Time <= events[i].Time, $"event {i} is out of order");
        }
    }

    [Fact]
    public void Generate_Default_TransactionsInsideStreamWindowWithMillisecondTimes()
    {
        Assert.All(fixture.Transactions, t =>
        {
            Assert.InRange(t.Time, fixture.Stream.Start, fixture.Stream.End.AddTicks(-1));
            Assert.Equal(TimeSpan.Zero, t.Time.Offset);
            Assert.Equal(0, t.Time.UtcTicks % TimeSpan.TicksPerMillisecond);
        });
    }

    [Fact]
    public void Generate_Default_IdsUnique()
    {
        var ids = fixture.Stream.Events.Select(e => e.Id).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Generate_Default_AmountsPositiveTwoDecimalsAtMostOneMillion()
    {
        Assert.All(fixture.Stream.Events, e =>
        {
            Assert.InRange(e.Amount, 0.01, 1_000_000);
            Assert.Equal(Math.Round(e.Amount, 2), e.Amount);
        });
    }

    [Fact]
    public void Generate_Default_VocabulariesAndIdShapes()
    {
        Assert.All(fixture.Transactions, t =>
        {
            Assert.Matches("^c[0-9]{6}$", t.CustomerId);
            Assert.Matches("^m[0-9]{5}$", t.MerchantId);
            Assert.Contains(t.Channel, FraudEventTypes.Channels);
            Assert.Contains(t.Currency, FraudEventTypes.Currencies);
            Assert.Contains(t.Country, FraudEventTypes.Countries);
        });
        Assert.Equal(3, fixture.Transactions.Select(t => t.Channel).Distinct().Count());
        Assert.Equal(12, fixture.Transactions.Select(t => t.Country).Distinct().Count());
    }

    [Fact]
    public void Generate_Default_ChargebacksReferenceFraudAndArriveTwoToThirtyDaysLater()
    {
        var transactions = fixture.Transactions.ToDictionary(t => t.Id);
        var fraud = fixture.Transactions.Count(t => t.IsFraud);

        Assert.All(fixture.Chargebacks, cb =>
        {
            var tx = transactions[cb.TransactionId];
            Assert.Equal(tx.CustomerId, cb.CustomerId);
            Assert.Equal(tx.Amount, cb.Amount);
            Assert.Equal(tx.IsFraud, cb.IsFraud);
            Assert.InRange(cb.Time - tx.Time, TimeSpan.FromDays(2), TimeSpan.FromDays(30));
            Assert.False(string.IsNullOrEmpty(cb.Reason));
        });
        var fraudShare = fixture.Chargebacks.Count(c => c.IsFraud) / (double)fixture.Chargebacks.Count;
        Assert.True(fraudShare >= 0.8, $"only {fraudShare:P1} of chargebacks are fraud");
        Assert.InRange(fixture.Chargebacks.Count(c => c.IsFraud), (int)(fraud * 0.8), (int)(fraud * 0.97));
        Assert.Equal(fixture.Chargebacks.Count, fixture.Chargebacks.Select(c => c.TransactionId).Distinct().Count());
        Assert.Contains(fixture.Chargebacks, c => c.Time >= fixture.Stream.End);
    }

    [Fact]
    public void Generate_Default_FraudBurstsDetectableFromWindowFeatures()
    {
        var fraud = fixture.Features.Where(f => f.Transaction.IsFraud).ToList();
        var legit = fixture.Features.Where(f => !f.Transaction.IsFraud).ToList();

        var count1hAuc = NaiveFeatures.Auc(fixture.Features, f => f.CustomerCount1h);
        var zAuc = NaiveFeatures.Auc(fixture.Features, f => f.AmountZScore7d);
        var countriesAuc = NaiveFeatures.Auc(fixture.Features, f => f.DistinctCountries24h);
        var merchantAuc = NaiveFeatures.Auc(fixture.Features, f => f.MerchantVelocity);
        output.WriteLine($"mean count1h fraud {fraud.Average(f => f.CustomerCount1h):F2} legit {legit.Average(f => f.CustomerCount1h):F2}; AUC {count1hAuc:F3}");
        output.WriteLine($"mean z7d fraud {fraud.Average(f => f.AmountZScore7d):F2} legit {legit.Average(f => f.AmountZScore7d):F2}; AUC {zAuc:F3}");
        output.WriteLine($"mean countries24h fraud {fraud.Average(f => f.DistinctCountries24h):F2} legit {legit.Average(f => f.DistinctCountries24h):F2}; AUC {countriesAuc:F3}");
        output.WriteLine($"mean merchant velocity fraud {fraud.Average(f => f.MerchantVelocity):F2} legit {legit.Average(f => f.MerchantVelocity):F2}; AUC {merchantAuc:F3}");

        Assert.True(fraud.Average(f => f.CustomerCount1h) > 2 * legit.Average(f => f.CustomerCount1h));
        Assert.True(fraud.Average(f => f.AmountZScore7d) > legit.Average(f => f.AmountZScore7d) + 1);
        Assert.True(fraud.Average(f => f.DistinctCountries24h) > legit.Average(f => f.DistinctCountries24h));
        Assert.True(fraud.Average(f => f.MerchantVelocity) > legit.Average(f => f.MerchantVelocity));

        // Learnable, but no single feature separates the classes perfectly.
        Assert.All(new[] { count1hAuc, zAuc, countriesAuc, merchantAuc }, auc => Assert.InRange(auc, 0.6, 0.99));
    }

    [Fact]
    public void Generate_Default_ContainsNoise()
    {
        output.WriteLine($"legit multi-country {fixture.Features.Count(f => !f.Transaction.IsFraud && f.DistinctCountries24h > 1)}, fraud z<0 {fixture.Features.Count(f => f.Transaction.IsFraud && f.AmountZScore7d < 0)}");

        // Legitimate travel: legit transactions with two countries in a day.
        Assert.Contains(fixture.Features, f => !f.Transaction.IsFraud && f.DistinctCountries24h > 1);

        // Small-amount fraud (card testing) below the customer's usual spend.
        Assert.Contains(fixture.Features, f => f.Transaction.IsFraud && f.AmountZScore7d < 0);

        // Fraud at home.
        var home = fixture.Transactions.Where(t => !t.IsFraud).GroupBy(t => t.CustomerId)
            .ToDictionary(g => g.Key, g => g.GroupBy(t => t.Country).MaxBy(c => c.Count())!.Key);
        Assert.Contains(fixture.Transactions, t => t.IsFraud && home.GetValueOrDefault(t.CustomerId) == t.Country);
    }

    [Fact]
    public void Generate_Default_DailyRhythmMoreByDayThanAtNight()
    {
        var legit = fixture.Transactions.Where(t => !t.IsFraud).ToList();
        var day = legit.Count(t => t.Time.Hour is >= 10 and < 14);
        var night = legit.Count(t => t.Time.Hour is >= 1 and < 5);

        Assert.True(day > 4 * night, $"day {day}, night {night}");
    }

    [Fact]
    public void Generate_WithShift_AmountsRiseAndChannelMovesOnlineAfterShift()
    {
        var options = FraudStreamFixture.Options with { Customers = 200, Shift = new FraudStreamShift { AmountFactor = 2 } };
        var stream = FraudStreamGenerator.Generate(options);
        var shiftAt = stream.Start.AddDays(7);
        var legit = stream.Events.OfType<TransactionEvent>().Where(t => !t.IsFraud).ToList();
        var before = legit.Where(t => t.Time < shiftAt).ToList();
        var after = legit.Where(t => t.Time >= shiftAt).ToList();

        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }

        static double OnlineShare(List<TransactionEvent> txs) => txs.Count(t => t.Channel == "online") / (double)txs.Count;

        Assert.InRange(Median(after.Select(t => t.Amount)) / Median(before.Select(t => t.Amount)), 1.6, 2.5);
        Assert.True(OnlineShare(after) > OnlineShare(before) + 0.2);

        // The same options without the shift leave the first half untouched.
        var unshifted = FraudStreamGenerator.Generate(options with { Shift = null });
        Assert.Equal(
            unshifted.Events.OfType<TransactionEvent>().Where(t => t.Time < shiftAt && !t.IsFraud).Select(t => t.ToJsonLine()),
            before.Select(t => t.ToJsonLine()));
    }

    [Theory]
    [InlineData(0, 10, 1, 0.01)]
    [InlineData(10, 0, 1, 0.01)]
    [InlineData(10, 10, 0, 0.01)]
    [InlineData(10, 10, 1, 0.6)]
    [InlineData(10, 10, 1, -0.1)]
    public void Generate_InvalidOptions_Throws(int customers, int merchants, int days, double fraudRate)
    {
        var options = new FraudStreamOptions { Customers = customers, Merchants = merchants, Days = days, FraudRate = fraudRate };

        Assert.Throws<ArgumentOutOfRangeException>(() => FraudStreamGenerator.Generate(options));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
