using AmqpNs = global::Azure.Core.Amqp;
using System.Text;
using System.Text.Json;
using Azure.Messaging.EventHubs;
using Brisa.Core.Ingestion;
using Brisa.Functions.Ingestion;
using Brisa.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Brisa.Functions.Tests.Ingestion;

public sealed class IngestEventsFunctionTests
{
    [Fact]
    public async Task Run_Batch_PassesBodiesSequenceNumbersAndPartitionInOrder()
    {
        var ingestor = new RecordingIngestor();
        var function = new IngestEventsFunction(ingestor, NullLogger<IngestEventsFunction>.Instance);
        var events = new[]
        {
            Event("""{"id":"a"}""", 41),
            Event("""{"id":"b"}""", 42),
            Event("""{"id":"c"}""", 43),
        };
        var context = new TestFunctionContext(new Dictionary<string, object?>
        {
            ["PartitionContext"] = """{"FullyQualifiedNamespace":"ns.servicebus.windows.net","EventHubName":"events","ConsumerGroup":"$Default","PartitionId":"3"}""",
        });

        await function.Run(events, context, CancellationToken.None);

        var batch = Assert.Single(ingestor.Batches);
        Assert.Equal(["""{"id":"a"}""", """{"id":"b"}""", """{"id":"c"}"""], batch.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
        Assert.Equal([41L, 42L, 43L], batch.Select(m => m.SequenceNumber));
        Assert.All(batch, m => Assert.Equal("3", m.PartitionId));
    }

    [Fact]
    public async Task Run_EnqueuedTimes_PassedOnForTheSkewCheck()
    {
        var ingestor = new RecordingIngestor();
        var function = new IngestEventsFunction(ingestor, NullLogger<IngestEventsFunction>.Instance);
        var enqueued = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        var body = new BinaryData(Encoding.UTF8.GetBytes("""{"id":"a"}"""));

        await function.Run(
            [EventHubsModelFactory.EventData(body, sequenceNumber: 1, offsetString: "100", enqueuedTime: enqueued), EventHubsModelFactory.EventData(body, sequenceNumber: 2, offsetString: "200")],
            new TestFunctionContext(NoBindingData),
            CancellationToken.None);

        Assert.Equal([enqueued, null], Assert.Single(ingestor.Batches).Select(m => m.EnqueuedTime));
    }

    [Fact]
    public async Task Run_NonUtf8Body_PassesBytesUnchanged()
    {
        var ingestor = new RecordingIngestor();
        var function = new IngestEventsFunction(ingestor, NullLogger<IngestEventsFunction>.Instance);
        byte[] body = [0xff, 0x00, 0xfe, 0x7b];

        await function.Run([EventHubsModelFactory.EventData(new BinaryData(body), sequenceNumber: 7, offsetString: "700")], new TestFunctionContext(NoBindingData), CancellationToken.None);

        var message = Assert.Single(Assert.Single(ingestor.Batches));
        Assert.Equal(body, message.Body.ToArray());
        Assert.Null(message.PartitionId);
        Assert.Equal(7L, message.SequenceNumber);
    }

    [Fact]
    public async Task Run_EmptyBatch_DoesNotCallIngestor()
    {
        var ingestor = new RecordingIngestor();
        var function = new IngestEventsFunction(ingestor, NullLogger<IngestEventsFunction>.Instance);

        await function.Run([], new TestFunctionContext(NoBindingData), CancellationToken.None);

        Assert.Empty(ingestor.Batches);
    }

    [Fact]
    public async Task Run_IngestorFails_ExceptionPropagatesSoTheBatchIsNotCheckpointed()
    {
        var function = new IngestEventsFunction(new FailingIngestor(), NullLogger<IngestEventsFunction>.Instance);

        await Assert.ThrowsAsync<IOException>(() => function.Run([Event("{}", 1)], new TestFunctionContext(NoBindingData), CancellationToken.None));
    }

    [Fact]
    public async Task Run_Cancellation_TokenReachesIngestor()
    {
        var ingestor = new RecordingIngestor();
        var function = new IngestEventsFunction(ingestor, NullLogger<IngestEventsFunction>.Instance);
        using var cts = new CancellationTokenSource();

        await function.Run([Event("{}", 1)], new TestFunctionContext(NoBindingData), cts.Token);

        Assert.Equal(cts.Token, Assert.Single(ingestor.Tokens));
    }

    [Fact]
    public async Task Run_OnlineRowTooLargeKeyWithControlCharacters_ErrorLogShowsThemAsVisibleCharacters()
    {
        // An entity key is the producer's: a line break in it forged log lines of its own, and an escape sequence reached
        // the console of 'brisa serve' (the rejection Warning already shows such characters as visible ones).
        using var logs = new ListLoggerProvider();
        var tooLarge = new IngestionResult([new EventOutcome("a", true, null)]) { OnlineTooLarge = ["view 'merchant_1h', entity 'm1\n[Error] forged\u001b[2J\u009b' (1200000 bytes)"] };
        var function = new IngestEventsFunction(new FixedIngestor(tooLarge), logs.CreateLogger<IngestEventsFunction>());

        await function.Run([Event("{}", 1)], new TestFunctionContext(NoBindingData), CancellationToken.None);

        var error = Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.DoesNotContain(error.Message, char.IsControl);
        Assert.Contains("view 'merchant_1h', entity 'm1\u240a[Error] forged\u241b[2J\ufffd' (1200000 bytes)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_OnlineRowsOfAnotherLayoutStartedOver_WarningNamesViewsAndTheRebuildCommand()
    {
        // After a deploy that changed what tiles hold, the stream starts rows of the older layout over: their features
        // read low until 'brisa materialize --tiles' runs, which nothing else tells the operator.
        using var logs = new ListLoggerProvider();
        var restarted = new IngestionResult([new EventOutcome("a", true, null)]) { OnlineRowsRestarted = new Dictionary<string, int> { ["customer_7d"] = 3, ["customer_1h"] = 2 } };
        var function = new IngestEventsFunction(new FixedIngestor(restarted), logs.CreateLogger<IngestEventsFunction>());

        await function.Run([Event("{}", 1)], new TestFunctionContext(NoBindingData), CancellationToken.None);

        var warning = Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Contains("5 online rows", warning.Message, StringComparison.Ordinal);
        Assert.Contains("customer_1h (2), customer_7d (3)", warning.Message, StringComparison.Ordinal);
        Assert.Contains("'brisa materialize --tiles --views customer_1h,customer_7d'", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_OnlineRowsTooLarge_ErrorLogNamesThem()
    {
        using var logs = new ListLoggerProvider();
        var tooLarge = new IngestionResult([new EventOutcome("a", true, null)]) { OnlineTooLarge = ["view 'merchant_1h', entity 'm1' (1200000 bytes)"] };
        var function = new IngestEventsFunction(new FixedIngestor(tooLarge), logs.CreateLogger<IngestEventsFunction>());

        await function.Run([Event("{}", 1)], new TestFunctionContext(NoBindingData), CancellationToken.None);

        var error = Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Contains("view 'merchant_1h', entity 'm1' (1200000 bytes)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BatchWithRejections_WarningNamesSourcesAndMostFrequentReasons()
    {
        // Rejections were only counted in the Information line: a producer whose every event was rejected raised nothing
        // an alert on Warning could catch.
        using var logs = new ListLoggerProvider();
        const string Jpy = "field 'currency': 'JPY' is not allowed; allowed: EUR, USD, GBP";
        RejectedEvent[] rejections =
        [
            Rejection("t1", "transaction", Jpy), Rejection("t2", "transaction", "field 'amount': -5 is below the minimum 0"),
            Rejection("t3", "transaction", Jpy), Rejection(null, null, "unknown event type 'com.example.x'"), Rejection("t4", "transaction", Jpy),
            Rejection("t5", "transaction", "field 'amount': -7 is below the minimum 0"),
        ];
        var function = new IngestEventsFunction(new FixedIngestor(Result(rejections, accepted: 2)), logs.CreateLogger<IngestEventsFunction>());
        var context = new TestFunctionContext(new Dictionary<string, object?> { ["PartitionContext"] = """{"PartitionId":"7"}""" });

        await function.Run([Event("{}", 41), Event("{}", 42)], context, CancellationToken.None);

        var warning = Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal(
            "6 of 8 events were rejected and dead-lettered (partition 7, sequence 41..42; sources transaction, _unrouted); most frequent reasons by source: " +
            "transaction 5 [3× " + Jpy + " | 2× field 'amount': # is below the minimum #]; _unrouted 1 [1× unknown event type 'com.example.x']. " +
            "'brisa deadletter list --source <source>' counts them all (docs/operations.md, 'Backfill and replays')",
            warning.Message);
        Assert.Equal(6, warning.Properties["Rejected"]);
        Assert.Equal("transaction, _unrouted", warning.Properties["Sources"]);
    }

    [Fact]
    public async Task Run_NothingRejected_NoWarning()
    {
        using var logs = new ListLoggerProvider();
        var function = new IngestEventsFunction(new FixedIngestor(Result([], accepted: 3)), logs.CreateLogger<IngestEventsFunction>());

        await function.Run([Event("{}", 1)], new TestFunctionContext(NoBindingData), CancellationToken.None);

        Assert.DoesNotContain(logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Contains(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Information && e.Message.Contains("3 events accepted, 0 rejected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_AmqpValueAndSequenceBodies_BatchIngestedNotFailed()
    {
        // A producer on plain AMQP (a JMS TextMessage, Qpid) sends an AmqpValue body, for which EventData.EventBody
        // throws: the whole batch then failed on every retry and held its partition.
        var ingestor = new RecordingIngestor();
        var function = new IngestEventsFunction(ingestor, NullLogger<IngestEventsFunction>.Instance);
        var text = new EventData(new AmqpNs.AmqpAnnotatedMessage(AmqpNs.AmqpMessageBody.FromValue("""{"id":"v"}""")));
        var bytes = new EventData(new AmqpNs.AmqpAnnotatedMessage(AmqpNs.AmqpMessageBody.FromValue(Encoding.UTF8.GetBytes("""{"id":"b"}"""))));
        var number = new EventData(new AmqpNs.AmqpAnnotatedMessage(AmqpNs.AmqpMessageBody.FromValue(42)));
        var sequence = new EventData(new AmqpNs.AmqpAnnotatedMessage(AmqpNs.AmqpMessageBody.FromSequence([new List<object> { "a", 1 }])));

        await function.Run([Event("""{"id":"a"}""", 1), text, bytes, number, sequence], new TestFunctionContext(NoBindingData), CancellationToken.None);

        var batch = Assert.Single(ingestor.Batches);
        Assert.Equal(["""{"id":"a"}""", """{"id":"v"}""", """{"id":"b"}"""], batch.Take(3).Select(m => Encoding.UTF8.GetString(m.Body.Span)));
        Assert.Equal(5, batch.Count);
        Assert.All(batch.Skip(3), m => Assert.StartsWith("unsupported AMQP body", Encoding.UTF8.GetString(m.Body.Span), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"PartitionId":"0"}""", "0")]
    [InlineData("""{"partitionId":"12"}""", "12")]
    [InlineData("""{"EventHubName":"events"}""", null)]
    [InlineData("not json", null)]
    [InlineData("[]", null)]
    public void ReadPartitionId_JsonString_ReturnsPartitionOrNull(string json, string? expected)
    {
        Assert.Equal(expected, IngestEventsFunction.ReadPartitionId(new Dictionary<string, object?> { ["PartitionContext"] = json }));
    }

    [Fact]
    public void ReadPartitionId_JsonElement_ReturnsPartition()
    {
        var element = JsonDocument.Parse("""{"PartitionId":"5"}""").RootElement;
        Assert.Equal("5", IngestEventsFunction.ReadPartitionId(new Dictionary<string, object?> { ["PartitionContext"] = element }));
    }

    [Fact]
    public void ReadPartitionId_Missing_ReturnsNull()
    {
        Assert.Null(IngestEventsFunction.ReadPartitionId(new Dictionary<string, object?>()));
    }

    private static readonly Dictionary<string, object?> NoBindingData = [];

    private static RejectedEvent Rejection(string? id, string? source, string reason) => new("{}"u8.ToArray(), id, source, reason);

    private static IngestionResult Result(IReadOnlyList<RejectedEvent> rejections, int accepted) =>
        new([.. Enumerable.Range(0, accepted).Select(i => new EventOutcome($"a{i}", true, null)), .. rejections.Select(r => new EventOutcome(r.EventId, false, r.Reason))])
        {
            Rejections = rejections,
        };

    private static EventData Event(string body, long sequenceNumber) =>
        EventHubsModelFactory.EventData(new BinaryData(Encoding.UTF8.GetBytes(body)), sequenceNumber: sequenceNumber, offsetString: (sequenceNumber * 100).ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Records what the function hands to the ingestion contract; accepts everything.</summary>
    private sealed class RecordingIngestor : IEventIngestor
    {
        public List<IReadOnlyList<IncomingMessage>> Batches { get; } = [];

        public List<CancellationToken> Tokens { get; } = [];

        public Task<IngestionResult> IngestAsync(IReadOnlyList<IncomingMessage> messages, CancellationToken cancellationToken)
        {
            Batches.Add(messages);
            Tokens.Add(cancellationToken);
            return Task.FromResult(new IngestionResult(messages.Select(_ => new EventOutcome(null, true, null)).ToList()));
        }
    }

    private sealed class FailingIngestor : IEventIngestor
    {
        public Task<IngestionResult> IngestAsync(IReadOnlyList<IncomingMessage> messages, CancellationToken cancellationToken) =>
            throw new IOException("storage unavailable");
    }
}
