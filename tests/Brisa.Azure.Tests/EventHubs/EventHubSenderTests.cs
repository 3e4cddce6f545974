using Brisa.Azure.EventHubs;

namespace Brisa.Azure.Tests.EventHubs;

public sealed class EventHubSenderTests
{
    [Theory]
    [InlineData("""{"data":{"customer_id":"c1"}}""", "customer_id", "c1")]
    [InlineData("""{"data":{"store_id":42}}""", "store_id", "42")]
    [InlineData("""{"data":{"store_id":-7}}""", "store_id", "-7")]
    [InlineData("""{"data":{"store_id":42.0}}""", "store_id", "42")]
    [InlineData("""{"data":{"customer_id":null}}""", "customer_id", null)]
    [InlineData("""{"data":{"other":"c1"}}""", "customer_id", null)]
    [InlineData("""{"data":"c1"}""", "customer_id", null)]
    [InlineData("not json", "customer_id", null)]
    [InlineData("""[{"data":{"customer_id":"c1"}}]""", "customer_id", null)]
    public void PartitionKeyOf_JoinKeyField_ItsTextOrNull(string body, string field, string? expected)
    {
        // A long join key (definitions.md) is an entity key too: sent without a partition key, an entity's events were
        // spread over every partition, whose consumers then write its rows concurrently (ETag conflicts, retries).
        Assert.Equal(expected, EventHubSender.PartitionKeyOf(BinaryData.FromString(body), field));
    }

    [Theory]
    [InlineData("""{"data":{"customer_id":"c1"}}""", """{"data":{"customer_id":"c2"}}""")]
    [InlineData("""{"data":{"merchant_id":"m1"}}""", """{"data":{"customer_id":7}}""")]
    [InlineData("not json", """{"id":"no data"}""", "[1,2]")]
    [InlineData]
    public void MissingPartitionKeyField_SomeEventHasItOrNoneHasData_Null(params string[] bodies)
    {
        Assert.Null(EventHubSender.MissingPartitionKeyField(bodies.Select(BinaryData.FromString).ToList(), "customer_id"));
    }

    [Fact]
    public void MissingPartitionKeyField_NoEventHasIt_SaysSoNamingTheFirstEventsFields()
    {
        // A mistyped --partition-key sent every event without a key, spread over every partition.
        var bodies = new[] { "not json", """{"data":{"transaction_id":"t1","customer_id":"c1"}}""", """{"data":{"customer_id":null}}""" }.Select(BinaryData.FromString).ToList();

        var problem = EventHubSender.MissingPartitionKeyField(bodies, "custmer_id");

        Assert.Equal(
            "none of the first 3 event(s) has data.custmer_id (a string or a number): they would go without a partition key, spread over every partition, " +
            "and an entity's events would no longer stay in order on one. The first event's data has: transaction_id, customer_id.",
            problem);
    }
}
