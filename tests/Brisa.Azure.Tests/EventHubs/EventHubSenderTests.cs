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
    public void PartitionKeyOf_JoinKeyField_ItsTextOrNull(string body, string field, string? expected)
    {
        // A long join key (definitions.md) is an entity key too: sent without a partition key, an entity's events were
        // spread over every partition, whose consumers then write its rows concurrently (ETag conflicts, retries).
        Assert.Equal(expected, EventHubSender.PartitionKeyOf(BinaryData.FromString(body), field));
    }
}
