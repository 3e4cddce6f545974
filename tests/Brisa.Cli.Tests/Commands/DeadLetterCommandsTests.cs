using System.Text;
using System.Text.RegularExpressions;
using Brisa.Azure.Ingestion;
using Brisa.Azure.Online;
using Brisa.Azure.RawZone;
using Brisa.Azure.Registry;
using Brisa.Azure.Storage;
using Brisa.Cli.Serving;
using Brisa.Cli.Tests.Serving;
using Brisa.Core.Definitions;
using Brisa.Core.Features;
using Brisa.Core.Generation;
using Brisa.Core.Ingestion;
using Brisa.Core.Serving;
using Brisa.Testing;

namespace Brisa.Cli.Tests.Commands;

/// <summary>
/// <c>brisa deadletter list|replay</c> as their own processes against Azurite: transactions in a currency the
/// definitions did not allow are dead-lettered, the definitions are fixed, and the replay lands them through the push
/// endpoint (served here by <see cref="LocalFunctionsHost"/>) exactly once however often it runs.
/// </summary>
public sealed class DeadLetterCommandsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Key = "replay-key";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("list", "--json")]
    [InlineData("replay", "--dry-run")]
    public async Task DeadLetter_NoStorageConfigured_ExitTwoSaysWhatToSet(string command, string option)
    {
        var (exitCode, output) = await CliRunner.RunProcessAsync(Timeout, "deadletter", command, option);

        Assert.Equal(2, exitCode);
        Assert.Contains("set AzureWebJobsStorage", output);
    }

    [Theory]
    [InlineData(new[] { "deadletter", "list", "--from", "last tuesday" }, "--from 'last tuesday' is not an ISO 8601 time")]
    [InlineData(new[] { "deadletter", "list", "--from", "2026-05-03", "--to", "2026-05-02" }, "--from (2026-05-03 00:00:00Z) must be before --to (2026-05-02 00:00:00Z)")]
    [InlineData(new[] { "deadletter", "list", "--source", "raw/../x" }, "--source 'raw/../x' is not a source name")]
    [InlineData(new[] { "deadletter", "replay" }, "Give a target: --url <push endpoint> or --namespace")]
    [InlineData(new[] { "deadletter", "replay", "--url", "http://127.0.0.1:9/api/events", "--namespace", "x.servicebus.windows.net" }, "not both")]
    [InlineData(new[] { "deadletter", "replay", "--url", "events" }, "--url 'events' is not an absolute http:// or https:// URL")]
    public async Task DeadLetter_BadArguments_ExitTwoSaysWhatIsWrong(string[] args, string message)
    {
        var (exitCode, output) = await CliRunner.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, output);
    }

    [Fact]
    public async Task Replay_DisallowedCurrencyAllowedAfterwards_LandsOnceHoweverOftenReplayed()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var (customer, other) = ($"dl-c-{run}", $"dl-o-{run}");
        var now = DateTimeOffset.UtcNow;
        TransactionEvent Txn(int n, string who, double amount, string currency) =>
            new($"dl-{run}-{n}", now.AddMinutes(-30 + n), who, $"dl-m-{run}", amount, currency, "JP", "pos", false);
        GeneratedEvent[] batch = [Txn(1, customer, 10, "EUR"), Txn(2, customer, 20, "JPY"), Txn(3, customer, 30, "EUR"), Txn(4, customer, 40, "JPY"), Txn(5, other, -5, "EUR")];
        var sample = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions!;
        var ingested = await new EventIngestor(azurite.Storage, sample).IngestAsync([new IncomingMessage(FraudStreamJson.ToJsonArray(batch))], CancellationToken.None);
        Assert.Equal(3, ingested.Rejected);

        // The fix: the source now allows JPY (and the model's cost converts it), applied to the registry the push endpoint follows.
        var fixedFile = Path.Combine(Path.GetTempPath(), $"deadletter-jpy-{run}.yaml");
        await File.WriteAllTextAsync(fixedFile, (await File.ReadAllTextAsync(RepositoryPaths.FraudDefinitions))
            .Replace("allowed: [EUR, USD, GBP]", "allowed: [EUR, USD, GBP, JPY]", StringComparison.Ordinal)
            .Replace("exchange_rates: { USD: 0.92, GBP: 1.17 }", "exchange_rates: { USD: 0.92, GBP: 1.17, JPY: 0.0062 }", StringComparison.Ordinal));
        var loaded = DefinitionLoader.Load(fixedFile);
        Assert.Empty(loaded.Diagnostics);
        var definitions = loaded.Definitions!;
        await DefinitionRegistry.For(azurite.Storage).ApplyAsync(definitions, "test", now, CancellationToken.None);
        var url = new Uri($"http://127.0.0.1:{ServingFixture.FreePort()}/");
        await using var api = LocalFunctionsHost.Build(url, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }, Key);
        await api.StartAsync();
        var events = new Uri(url, "api/events").ToString();
        // This test's hours only: the other tests of the class write to the same account.
        string[] range = ["--source", "transaction", "--from", $"{now.AddHours(-1):yyyy-MM-ddTHH:mm:ssZ}", "--to", $"{now.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}"];

        var (listed, listing) = await BrisaAsync(["deadletter", "list", .. range]);
        Assert.True(listed == 0, listing);
        Assert.Matches(@"│ transaction\s+│ \d{4}-\d{2}-\d{2} \d{2}:00\s+│ field 'currency': 'JPY' is not allowed; allowed: EUR, USD, GBP\s+│\s+2 │", listing);
        Assert.Matches(@"│ transaction\s+│ [^│]+│ field 'amount': -5 is below the minimum 0\s+│\s+1 │", listing);
        Assert.Contains("total: 3 rejected event(s)", listing);

        var (dryRun, dryOutput) = await BrisaAsync(["deadletter", "replay", .. range, "--dry-run", "--url", events, "--key", Key]);
        Assert.True(dryRun == 0, dryOutput);
        Assert.Contains("3 dead-letter record(s) received in [", dryOutput);
        Assert.Contains("match: 3 event(s) and 0 whole message(s).", dryOutput);
        Assert.Contains("would send 3 message(s); nothing sent.", dryOutput);
        Assert.Equal(2, await CountOnlineAsync(definitions, customer));

        // Only the currency's rejections: both land, in the raw zone and in the streaming views.
        var (replayed, replayOutput) = await BrisaAsync(["deadletter", "replay", .. range, "--reason", "'JPY' is not allowed", "--url", events, "--key", Key]);
        Assert.True(replayed == 0, replayOutput);
        Assert.Contains("2 accepted, 0 rejected again.", replayOutput);
        Assert.Contains("Dead-letter records are kept", replayOutput);
        Assert.Equal(4, await CountOnlineAsync(definitions, customer));
        Assert.Equal([$"dl-{run}-2", $"dl-{run}-4"], await ReadRawIdsAsync(definitions, run));

        // Everything: the negative amount is rejected again (exit 1, with its reason); the JPY ones are not counted twice.
        var (all, allOutput) = await BrisaAsync(["deadletter", "replay", .. range, "--url", events, "--key", Key]);
        Assert.True(all == 1, allOutput);
        Assert.Contains("2 accepted, 1 rejected again.", allOutput);
        Assert.Matches(@"│ field 'amount': -5 is below the minimum 0\s+│\s+1 │", allOutput);

        // The rejection is now recorded twice, with the same bytes: it is sent once.
        var (again, againOutput) = await BrisaAsync(["deadletter", "replay", .. range, "--url", events, "--key", Key]);
        Assert.True(again == 1, againOutput);
        Assert.Contains("match: 3 event(s) and 0 whole message(s); 1 record(s) repeat bytes already selected", againOutput);
        Assert.Contains("2 accepted, 1 rejected again.", againOutput);
        Assert.Equal(4, await CountOnlineAsync(definitions, customer));
        Assert.Equal([$"dl-{run}-2", $"dl-{run}-4"], await ReadRawIdsAsync(definitions, run));
        Assert.StartsWith("4 dead-letter record(s)", againOutput, StringComparison.Ordinal);

        // Nothing was deleted: the replayed events' records are still there.
        var kept = (await DeadLetterWriter.For(azurite.Storage).ReadAllAsync("transaction/")).Select(r => r.EventId).ToList();
        Assert.Contains($"dl-{run}-2", kept);
        Assert.Contains($"dl-{run}-4", kept);
    }

    [Fact]
    public async Task Replay_MalformedMessage_SentAloneAsReceivedAndReportedRejectedAgain()
    {
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.DeadLetterContainer);
        var malformed = Encoding.UTF8.GetBytes($"[{{\"id\":\"dl-bad-{Guid.NewGuid():N}\",");
        var receivedAt = new DateTimeOffset(2031, 3, 4, 5, 0, 0, TimeSpan.Zero);
        await new DeadLetterWriter(container).WriteAsync([new RejectedEvent(malformed, null, null, "malformed JSON: the input ends early")], receivedAt);
        var url = new Uri($"http://127.0.0.1:{ServingFixture.FreePort()}/");
        await using var api = LocalFunctionsHost.Build(url, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["Brisa:DefinitionsFile"] = RepositoryPaths.FraudDefinitions }, Key);
        await api.StartAsync();

        var (exitCode, output) = await BrisaAsync("deadletter", "replay", "--source", "_unrouted", "--from", "2031-03-04T05:00Z", "--to", "2031-03-04T06:00Z", "--url", new Uri(url, "api/events").ToString(), "--key", Key);

        Assert.True(exitCode == 1, output);
        Assert.Contains("0 event(s) and 1 whole message(s)", output);
        Assert.Contains("sent alone exactly as received and will most likely be rejected again", output);
        Assert.Contains("0 accepted, 1 rejected again.", output);
        Assert.Matches(@"│ malformed JSON: Expected start of a property name or value, but instead reached end of data[^│]+│\s+1 │", output);
        // Dead-lettered again byte for byte (not wrapped in a batch), under the hour it arrived again.
        var again = Assert.Single(await DeadLetterWriter.For(azurite.Storage).ReadAllAsync("_unrouted/"), r => r.ReceivedAt < receivedAt);
        Assert.Equal(malformed, again.OriginalBytes());
    }

    [Fact]
    public async Task Replay_EndpointFailsOnTheSecondRequest_ExitOneNamingWhatWasReplayedAndWhatWasNot()
    {
        // An outage in the middle of a replay: the error alone did not say whether anything had been replayed, nor
        // whether running it again would count events twice.
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.DeadLetterContainer);
        var receivedAt = new DateTimeOffset(2032, 5, 6, 7, 0, 0, TimeSpan.Zero);
        await new DeadLetterWriter(container).WriteAsync(
            [
                new RejectedEvent("{\"id\":\"p1\"}"u8.ToArray(), "p1", "transaction", "field 'currency': 'JPY' is not allowed"),
                new RejectedEvent("{\"id\":\"p2\"}"u8.ToArray(), "p2", "transaction", "field 'currency': 'JPY' is not allowed"),
                new RejectedEvent("[{\"id\":\"p3\","u8.ToArray(), null, null, "malformed JSON: the input ends early"),
            ],
            receivedAt);
        using var endpoint = ScriptedEndpoint.Start(
            (200, """{"accepted":1,"rejected":1,"results":[{"id":"p1","status":"accepted","reason":null},{"id":"p2","status":"rejected","reason":"field 'currency': 'JPY' is not allowed"}]}"""),
            (503, """{"title":"Service unavailable"}"""));

        var (exitCode, output) = await BrisaAsync("deadletter", "replay", "--from", "2032-05-06T07:00Z", "--to", "2032-05-06T08:00Z", "--url", endpoint.Url);
        await endpoint.Served;

        Assert.True(exitCode == 1, output);
        var text = Regex.Replace(output, @"\s+", " ");
        Assert.Contains("replayed before a request failed: 2 of 3 record(s): 1 accepted, 1 rejected again.", text);
        Assert.Contains("answered 503", text);
        Assert.Contains(
            "Replayed before it: 2 of 3 selected record(s) (1 accepted, 1 rejected again); not replayed: the other 1, from a whole message (_unrouted, received 2032-05-06T07:00:00Z) on. " +
            "Run the same command again to replay them: it sends every selected record again, which is safe (ingestion deduplicates by event id: an event accepted before is not counted twice).",
            text);
    }

    [Fact]
    public async Task List_Json_StdoutIsTheCountsAlone()
    {
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.DeadLetterContainer);
        var receivedAt = new DateTimeOffset(2031, 1, 2, 3, 15, 0, TimeSpan.Zero);
        await new DeadLetterWriter(container).WriteAsync(
            [new RejectedEvent("{\"id\":\"j1\"}"u8.ToArray(), "j1", "transaction", "missing 'data'"), new RejectedEvent("{\"id\":\"j2\"}"u8.ToArray(), "j2", "transaction", "missing 'data'")],
            receivedAt);

        var (exitCode, stdout, stderr) = await CliRunner.RunProcessSeparatelyAsync(
            Timeout, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }, "deadletter", "list", "--from", "2031-01-02", "--to", "2031-01-03", "--json");

        Assert.True(exitCode == 0, stdout + stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.Equal(2, json.RootElement.GetProperty("total").GetInt32());
        var group = Assert.Single(json.RootElement.GetProperty("groups").EnumerateArray());
        Assert.Equal("transaction", group.GetProperty("source").GetString());
        Assert.Equal(new DateTimeOffset(2031, 1, 2, 3, 0, 0, TimeSpan.Zero), group.GetProperty("hour").GetDateTimeOffset());
        Assert.Equal("missing 'data'", group.GetProperty("example").GetString());
        Assert.Equal(2, group.GetProperty("count").GetInt32());
    }

    private Task<(int ExitCode, string Output)> BrisaAsync(params string[] args) =>
        CliRunner.RunProcessWithStorageAsync(Timeout, azurite.ConnectionString, args);

    private async Task<double?> CountOnlineAsync(FeatureRepositoryDefinition definitions, string customer)
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"features":["customer_1h:txn_count_1h"],"entities":{"customer_id":["{{{customer}}}"]}}""");
        var request = OnlineFeatureRequest.Parse(body, FeaturePlan.Compile(definitions, trackEventIds: true));
        var response = await OnlineFeatureReader.For(azurite.Storage).GetAsync(request, DateTimeOffset.UtcNow, CancellationToken.None);
        return response.Results[1].Values[0] is { } value ? Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    // The replayed events' ids in the raw zone, one entry per stored row (a row stored twice would show twice).
    private async Task<List<string>> ReadRawIdsAsync(FeatureRepositoryDefinition definitions, string run)
    {
        var container = azurite.Storage.Blobs.GetBlobContainerClient(StorageNames.RawContainer);
        var schema = FeaturePlan.Compile(definitions, trackEventIds: false).Schemas.Single(s => s.SourceName == "transaction");
        var ids = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, "transaction/", CancellationToken.None))
        {
            using var content = new MemoryStream((await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray());
            var rows = await RawEventParquet.ReadAsync(content, schema);
            for (var r = 0; r < rows.Count; r++)
            {
                if (Regex.IsMatch(rows.Id(r), $"^dl-{run}-[245]$"))
                {
                    ids.Add(rows.Id(r));
                }
            }
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }
}
