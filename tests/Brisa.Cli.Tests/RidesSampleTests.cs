using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Brisa.Azure.Serving;
using Brisa.Azure.Storage;
using Brisa.Core.Monitoring;
using Brisa.Cli.Tests.Serving;
using Brisa.Testing;

namespace Brisa.Cli.Tests;

/// <summary>
/// The second sample, <c>samples/rides</c>, walked as a data scientist would through the CLI (its own process, as a
/// user runs it) and the Functions classes: number-typed keys, a zone keyed by a field that is also a model input, a
/// view over a label source, a batch view, a regression (trip duration) and a classifier without currencies
/// (cancellation within 20 minutes), all on a few hundred hand-written CloudEvents; then drift of both with live
/// performance from their labels (the classifier's cancellations, the regression's trip durations).
/// </summary>
public sealed class RidesSampleTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    // A driver number past int's range (and below 2^53, the largest a long field takes exactly).
    private const long BigDriver = 9_000_000_000_000_001;

    private static string Sample => Path.Combine(RepositoryPaths.Root, "samples", "rides", "features.yaml");

    [Fact]
    public async Task RidesSample_WholeLoop_EveryStageWorksForNumberKeysARegressionAndAClassifier()
    {
        var (validateExit, validated) = await CliRunner.RunAsync("validate", Sample);
        Assert.True(validateExit == 0, validated);
        Assert.Contains("3 entities, 3 sources, 6 views, 20 window features, 4 on-demand features, 2 models", validated, StringComparison.Ordinal);

        var applied = await RunAsync("apply", Sample);
        Assert.Contains("Applied version", applied, StringComparison.Ordinal);

        var now = new DateTimeOffset(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var stream = RidesStream.Generate(now);
        List<(double Score, double Minutes)> labelled;
        int scored;
        var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString };
        await using (var functions = DirectFunctions.Create(settings, TimeProvider.System))
        {
            // POST /api/events: every hand-written event accepted; the two wrong ones rejected with their reason.
            foreach (var chunk in stream.Events.Chunk(300))
            {
                var answer = await PostAsync(functions, "events", "[" + string.Join(",", chunk) + "]", "application/cloudevents-batch+json");
                Assert.Equal(200, answer.Status);
                Assert.All(answer.Json.GetProperty("results").EnumerateArray(), r => Assert.Equal("accepted", r.GetProperty("status").GetString()));
            }

            var wrong = await PostAsync(functions, "events", "[" + string.Join(",", RidesStream.Wrong(now)) + "]", "application/cloudevents-batch+json");
            var reasons = wrong.Json.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("reason").GetString()).ToList();
            Assert.Contains("between -2^53 and 2^53", reasons[0], StringComparison.Ordinal);
            Assert.Contains("the id field must repeat the event id", reasons[1], StringComparison.Ordinal);

            // A backfill ends at the latest whole hour (the batch view's online values are computed there): the big
            // driver's three trips of the last 15 minutes are in it only as far as they fall before that hour began.
            var hour = HourOf(now);
            var bigTripsBefore = stream.Trips.Count(t => t.DriverId == BigDriver && t.Time < hour);
            var materialized = await RunAsync(
                "materialize", "--from", $"{HourOf(now.AddDays(-9)):yyyy-MM-ddTHH:mm}Z", "--to", $"{hour:yyyy-MM-ddTHH:mm}Z");
            Assert.Matches($@"│ driver_30d\s+│\s+[\d,]+\s+│\s+[\d,]+\s+│\s+{(bigTripsBefore > 0 ? 31 : 30)}\s+│", materialized);

            // The online store as the CLI and POST /api/features/online serve it, the big driver's key as text and as a number.
            var got = JsonDocument.Parse(await RunAsync(
                "features", "get", "driver_30m:trips_30m", "driver_30m:fare_min_30m", "driver_30m:last_zone_30m", "driver_1d:distance_std_1d",
                "driver_1d:zones_1d", "driver_1d:last_surge_1d", "driver_cancels_7d:cancels_7d", "driver_30d:trips_30d", "zone_1h:zone_passengers_1h",
                "--entity", $"driver_id={BigDriver}", "--entity", "pickup_zone=pier", "--json")).RootElement;
            Assert.Equal(
                ["3", "10", "pier", "2", "2", "false", "1", bigTripsBefore > 0 ? bigTripsBefore.ToString(CultureInfo.InvariantCulture) : "null", "5"],
                Values(got).Skip(2).Select(v => v.ToString()));
            var online = await PostAsync(
                functions,
                "features/online",
                $$$"""{"features":["driver_30m:trips_30m","rider_30d:rider_last_payment_30d","driver_30d:trips_30d"],"entities":{"driver_id":[{{{BigDriver}}},1001],"rider_id":["r-new","r-none"]}}""",
                "application/json");
            Assert.Equal(200, online.Status);
            // Columns: the two keys, then the features; rows: the big driver with r-new, driver 1001 with an unknown rider.
            var results = online.Json.GetProperty("results");
            Assert.Equal((3, "PRESENT"), (results[2].GetProperty("values")[0].GetInt64(), results[2].GetProperty("statuses")[0].GetString()));
            Assert.Equal(["PRESENT", "NOT_FOUND"], results[3].GetProperty("statuses").EnumerateArray().Select(s => s.GetString()));
            Assert.Equal("wallet", results[3].GetProperty("values")[0].GetString());
            Assert.Equal([bigTripsBefore > 0 ? "PRESENT" : "NOT_FOUND", "PRESENT"], results[4].GetProperty("statuses").EnumerateArray().Select(s => s.GetString()));

            // Point in time: the big driver just before and just after its second trip, and the regression's training set.
            var rows = Path.Combine(Path.GetTempPath(), $"rides-{Guid.NewGuid():N}.csv");
            await File.WriteAllTextAsync(rows, $"row_id,driver_id,event_timestamp\nbefore,{BigDriver},{Iso(now.AddMinutes(-11))}\nafter,{BigDriver},{Iso(now.AddMinutes(-10))}\n");
            var history = rows + ".parquet";
            await RunAsync("features", "history", "driver_30m:trips_30m", "driver_1d:distance_mean_1d", "--entities", rows, "-o", history);
            var pit = await HistoryParquet.ReadAsync(history);
            Assert.Equal((1.0, 2.0), ((double)pit["before"]["driver_30m__trips_30m"]!, (double)pit["after"]["driver_30m__trips_30m"]!));
            Assert.Equal((2.0, 3.0), ((double)pit["before"]["driver_1d__distance_mean_1d"]!, (double)pit["after"]["driver_1d__distance_mean_1d"]!));
            var trainingSet = rows + ".service.parquet";
            var service = await RunAsync("features", "history", "--service", "trip_duration", "-o", trainingSet);
            Assert.Contains("with the label written to", service, StringComparison.Ordinal);
            var training = await HistoryParquet.ReadAsync(trainingSet);
            Assert.All(training.Values, row => Assert.InRange((double)row["label"]!, 1, 120));
            Assert.Equal(stream.Completed(now.AddHours(-3)), training.Count);

            // Train both models; each is the first version, so promoted when its guardrails pass.
            var duration = await RunAsync("train", "trip_duration");
            Assert.Matches(@"│ MAE\s+│ \d+\.\d{3}\s+│", duration);
            Assert.Contains("Promoted: no champion yet", duration, StringComparison.Ordinal);
            var cancel = await RunAsync("train", "cancel");
            Assert.Matches(@"│ AUC\s+│ 0\.\d{3}\s+│", cancel);
            Assert.Contains("Promoted: no champion yet", cancel, StringComparison.Ordinal);
            Assert.Matches(@"│ v\d{17}-[0-9a-f]{8}\s+│ champion\s+│ [0-9: -]+│ \d+\.\d{3}\s+│ \d+\.\d{3}\s+│ [-0-9.]+\s+│", await RunAsync("models", "list", "trip_duration"));

            // Predict: a trip of the big driver from another zone than its last one; then the last two days' trips by id.
            var predicted = await PostAsync(
                functions,
                "models/trip_duration/predict",
                $$"""{"id":"p-1","driver_id":{{BigDriver}},"pickup_zone":"airport","distance_km":10,"passengers":2,"surge":false}""",
                "application/json");
            Assert.Equal(200, predicted.Status);
            var prediction = predicted.Json.GetProperty("predictions")[0];
            Assert.InRange(prediction.GetProperty("score").GetDouble(), 10, 60);
            Assert.Equal(JsonValueKind.Null, prediction.GetProperty("decision").ValueKind);
            Assert.True(prediction.GetProperty("features").GetProperty("zone_changed").GetProperty("value").GetBoolean());
            Assert.Equal(3, prediction.GetProperty("features").GetProperty("driver_1d:trips_1d").GetProperty("value").GetDouble());
            var recent = stream.Trips.Where(t => t.Time > now.AddDays(-2)).ToList();
            var cancels = await PostAsync(
                functions,
                "models/cancel/predict",
                JsonSerializer.Serialize(new { instances = recent.Select(t => new { id = t.TripId, driver_id = t.DriverId, rider_id = t.RiderId, fare = t.Fare, distance_km = t.DistanceKm, payment = t.Payment, surge = t.Surge }) }),
                "application/json");
            Assert.Equal(200, cancels.Status);
            Assert.Equal(recent.Count, cancels.Json.GetProperty("predictions").GetArrayLength());
            await WaitForLogAsync("cancel", recent.Count);

            // The same trips' durations, by trip id: those completed by now have their trip_end label.
            var durations = await PostAsync(
                functions,
                "models/trip_duration/predict",
                JsonSerializer.Serialize(new { instances = recent.Select(t => new { id = t.TripId, driver_id = t.DriverId, pickup_zone = t.Zone, distance_km = t.DistanceKm, passengers = t.Passengers, surge = t.Surge }) }),
                "application/json");
            Assert.Equal(200, durations.Status);
            var scores = durations.Json.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("score").GetDouble()).ToList();
            Assert.Equal(recent.Count, scores.Count);
            scored = recent.Count;
            labelled = [.. recent.Select((t, i) => (Score: scores[i], Minutes: stream.DurationKnownAt(t.TripId, now))).Where(e => e.Minutes is not null).Select(e => (e.Score, e.Minutes!.Value))];
            await WaitForLogAsync("trip_duration", recent.Count + 1);
        }

        // Drift of both champions on the predictions just logged; the classifier's joined with the cancellations.
        var cancelDrift = await RunAsync("drift", "cancel", "--out", Path.Combine(Path.GetTempPath(), $"cancel-{Guid.NewGuid():N}.html"));
        Assert.Contains("live performance: predictions joined with cancellation events (within 20m)", cancelDrift, StringComparison.Ordinal);
        var all = Regex.Match(cancelDrift, @"│ all\s+│ (?<n>\d+)\s+│ 0\s+│ (?<positives>\d+)\s+│");
        Assert.True(all.Success, cancelDrift);
        Assert.Equal(stream.Cancelled(stream.Trips.Where(t => t.Time > now.AddDays(-2))), int.Parse(all.Groups["positives"].Value, CultureInfo.InvariantCulture));
        var durationPage = Path.Combine(Path.GetTempPath(), $"duration-{Guid.NewGuid():N}.html");
        var durationDrift = await RunAsync("drift", "trip_duration", "--out", durationPage);
        Assert.Matches(@"│ surge_distance\s+│ (psi|ks)\s+│", durationDrift);

        // Live errors of the regression: its predictions (the recent trips and p-1) joined with the trip_end events,
        // each scored against duration_min as training reads it (score and label as float).
        Assert.Contains("live performance: predictions joined with trip_end events (within 3h)", durationDrift, StringComparison.Ordinal);
        var errors = labelled.Select(l => (double)(float)l.Score - (float)l.Minutes).ToList();
        Assert.InRange(errors.Count, 20, scored - 3);
        var mae = errors.Average(Math.Abs);
        var liveRow = Regex.Match(durationDrift, @"│ all\s+│ (?<n>\d+)\s+│ 0\s+│ (?<labelled>\d+)\s+│ [^│]+│ (?<mae>[\d.]+)\s+│ (?<rmse>[\d.]+)\s+│ (?<bias>-?[\d.]+)\s+│");
        Assert.True(liveRow.Success, durationDrift);
        Assert.Equal((scored + 1, errors.Count), (int.Parse(liveRow.Groups["n"].Value, CultureInfo.InvariantCulture), int.Parse(liveRow.Groups["labelled"].Value, CultureInfo.InvariantCulture)));
        Assert.Equal(mae, double.Parse(liveRow.Groups["mae"].Value, CultureInfo.InvariantCulture), 0.0005);
        Assert.Equal(Math.Sqrt(errors.Average(e => e * e)), double.Parse(liveRow.Groups["rmse"].Value, CultureInfo.InvariantCulture), 0.0005);
        Assert.Equal(errors.Average(), double.Parse(liveRow.Groups["bias"].Value, CultureInfo.InvariantCulture), 0.0005);
        Assert.Contains("alt=\"Live MAE per day\"", await File.ReadAllTextAsync(durationPage), StringComparison.Ordinal);

        // The stored JSON report carries the same numbers.
        var json = await azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.MonitoringContainer).GetBlobClient("trip_duration/latest.json").DownloadContentAsync();
        var live = DriftReport.FromJson(json.Value.Content.ToString()).LiveRegression!;
        Assert.Equal(mae, live.Total.Mae!.Value, 9);
        Assert.Equal(errors.Count, live.Total.Labelled);
    }

    // Runs brisa as its own process against the fixture's storage; fails the test, with the output, unless it exits 0.
    private async Task<string> RunAsync(params string[] args)
    {
        var (exitCode, output) = await CliRunner.RunProcessWithStorageAsync(TimeSpan.FromMinutes(2), azurite.ConnectionString, args);
        Assert.True(exitCode == 0, $"brisa {string.Join(' ', args)} exited {exitCode}:\n{output}");
        return output;
    }

    private async Task WaitForLogAsync(string model, int count)
    {
        // The log is written off the request path, every few seconds.
        var log = PredictionLog.For(azurite.Storage);
        await using (log)
        {
            for (var attempt = 0; attempt < 100 && (await log.ReadAllAsync(model)).Count < count; attempt++)
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task<(int Status, JsonElement Json)> PostAsync(DirectFunctions functions, string path, string body, string contentType)
    {
        var answer = await functions.SendAsync("POST", path, Encoding.UTF8.GetBytes(body), contentType, new Dictionary<string, string>());
        return (answer.Status, JsonDocument.Parse(answer.Body).RootElement);
    }

    // The first value of each result column of a features answer, as text (numbers and bools as JSON writes them).
    private static IEnumerable<string> Values(JsonElement answer) =>
        answer.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("values")[0]).Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText());

    private static DateTimeOffset HourOf(DateTimeOffset time) => new(time.Year, time.Month, time.Day, time.Hour, 0, 0, TimeSpan.Zero);

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>One trip request.</summary>
    private sealed record Trip(long TripId, DateTimeOffset Time, long DriverId, string RiderId, string Zone, double DistanceKm, double Fare, int Passengers, bool Surge, string Payment);

    /// <summary>
    /// A seeded week of trips: 30 drivers (numbered 1001…), 60 riders, five zones; a trip is cancelled within 15 minutes
    /// (more often with surge or cash), else completed after a duration that grows with distance and depends on the
    /// zone. Plus the big driver's three trips in the last 15 minutes, at the pier but the first, for exact checks.
    /// </summary>
    private sealed class RidesStream
    {
        private static readonly string[] Zones = ["centre", "airport", "harbour", "north", "university"];
        private static readonly string[] Payments = ["card", "card", "cash", "wallet"];

        private readonly HashSet<long> cancelled = [];
        private readonly Dictionary<long, DateTimeOffset> completedAt = [];
        private readonly Dictionary<long, double> durations = [];

        public List<Trip> Trips { get; } = [];

        public List<string> Events { get; } = [];

        public static RidesStream Generate(DateTimeOffset now)
        {
            var rng = new Random(17);
            var stream = new RidesStream();
            var start = now.AddDays(-8);
            var trips = Enumerable.Range(0, 400).Select(i =>
            {
                var distance = Math.Round(0.5 + (rng.NextDouble() * 24), 2);
                var surge = rng.NextDouble() < 0.25;
                return new Trip(
                    500_000 + i,
                    Away(start.AddSeconds(rng.Next(8 * 86400 - 3600)), now.AddHours(-3)),
                    1001 + rng.Next(30),
                    $"r{rng.Next(60):D3}",
                    Zones[rng.Next(Zones.Length)],
                    distance,
                    Math.Round(3 + (distance * 1.4 * (surge ? 1.6 : 1)), 2),
                    1 + rng.Next(4),
                    surge,
                    Payments[rng.Next(Payments.Length)]);
            }).OrderBy(t => t.Time).ToList();
            trips.AddRange(
            [
                new Trip(900_001, now.AddMinutes(-15), BigDriver, "r-new", "airport", 2, 10, 1, false, "card"),
                new Trip(900_002, now.AddMinutes(-10), BigDriver, "r-new", "pier", 4, 20, 2, true, "cash"),
                new Trip(900_003, now.AddMinutes(-5), BigDriver, "r-new", "pier", 6, 30, 3, false, "wallet"),
            ]);
            var timed = new List<(DateTimeOffset Time, string Json)>();
            foreach (var trip in trips)
            {
                stream.Trips.Add(trip);
                timed.Add((trip.Time, Event("com.brisa.rides.trip_requested", trip.TripId.ToString(CultureInfo.InvariantCulture), new
                {
                    trip_id = trip.TripId,
                    driver_id = trip.DriverId,
                    rider_id = trip.RiderId,
                    pickup_zone = trip.Zone,
                    distance_km = trip.DistanceKm,
                    fare = trip.Fare,
                    passengers = trip.Passengers,
                    surge = trip.Surge,
                    payment = trip.Payment,
                    requested_at = Iso(trip.Time),
                })));
                var big = trip.DriverId == BigDriver;
                if (big ? trip.TripId == 900_002 : rng.NextDouble() < 0.05 + (trip.Surge ? 0.35 : 0) + (trip.Payment == "cash" ? 0.2 : 0))
                {
                    var at = trip.Time.AddMinutes(big ? 6 : 1 + rng.Next(15));
                    stream.cancelled.Add(trip.TripId);
                    timed.Add((at, Event("com.brisa.rides.trip_cancelled", $"c{trip.TripId}", new { cancellation_id = $"c{trip.TripId}", trip_id = trip.TripId, driver_id = trip.DriverId, by = "rider", cancelled_at = Iso(at) })));
                }
                else if (!big)
                {
                    var minutes = Math.Round(3 + (2.2 * trip.DistanceKm) + (Array.IndexOf(Zones, trip.Zone) * 2) + (trip.Surge ? 2 : 0) + ((rng.NextDouble() - 0.5) * 3), 2);
                    var at = trip.Time.AddMinutes(minutes);
                    stream.completedAt[trip.TripId] = at;
                    stream.durations[trip.TripId] = minutes;
                    timed.Add((at, Event("com.brisa.rides.trip_completed", trip.TripId.ToString(CultureInfo.InvariantCulture), new { trip_id = trip.TripId, duration_min = minutes, completed_at = Iso(at) })));
                }
            }

            stream.Events.AddRange(timed.Where(e => e.Time <= now).OrderBy(e => e.Time).Select(e => e.Json));
            return stream;
        }

        // A time 20 minutes earlier when it is within 10 minutes of the regression's label window closing: whether such a
        // trip is trained on would depend on how long the steps before training took.
        private static DateTimeOffset Away(DateTimeOffset time, DateTimeOffset edge) => (time - edge).Duration() < TimeSpan.FromMinutes(10) ? time.AddMinutes(-20) : time;

        /// <summary>Two events producers get wrong: a driver number past 2^53, and a completion whose id is not its trip's.</summary>
        public static IEnumerable<string> Wrong(DateTimeOffset now) =>
        [
            Event("com.brisa.rides.trip_requested", "999999", new { trip_id = 999_999, driver_id = 9_007_199_254_740_993, rider_id = "r000", pickup_zone = "north", distance_km = 1.0, fare = 4.4, passengers = 1, surge = false, payment = "card", requested_at = Iso(now.AddMinutes(-1)) }),
            Event("com.brisa.rides.trip_completed", "e500001", new { trip_id = 500_001, duration_min = 12.0, completed_at = Iso(now.AddMinutes(-1)) }),
        ];

        /// <summary>Trips requested at or before <paramref name="before"/> and completed within the label window (3 h): the regression's rows.</summary>
        public int Completed(DateTimeOffset before) => Trips.Count(t => t.Time <= before && completedAt.TryGetValue(t.TripId, out var at) && at <= t.Time.AddHours(3));

        /// <summary>The duration of <paramref name="tripId"/> in minutes when it was completed by <paramref name="time"/> (its trip_end event sent), else null.</summary>
        public double? DurationKnownAt(long tripId, DateTimeOffset time) => completedAt.TryGetValue(tripId, out var at) && at <= time ? durations[tripId] : null;

                /// <summary>How many of <paramref name="trips"/> were cancelled.</summary>
        public int Cancelled(IEnumerable<Trip> trips) => trips.Count(t => cancelled.Contains(t.TripId));

        private static string Event(string type, string id, object data) =>
            JsonSerializer.Serialize(new { specversion = "1.0", id, source = "/rides/dispatch", type, datacontenttype = "application/json", data });
    }
}
